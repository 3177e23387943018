#pragma once
// Training job of the Cells lab: Adam steps in slices of about 10 ms on the
// engine worker, each slice also re-encoding a few hundred cells of the map
// (so the map follows the latent as it changes); at the end every method is
// scored (Evaluation, the job's result).
#include <memory>
#include <vector>

#include "core/engine/engine.h"
#include "core/labs/cells/cells_session.h"

namespace genlab::core::cells {

namespace live {
inline constexpr char kBeta[] = "beta";
inline constexpr char kLearningRate[] = "lr";
}  // namespace live

struct CellsCurvePoint {
  double epoch = 0;
  double loss = 0, recon = 0, kl = 0;
};

struct CellsProgress : Payload {
  double epoch = 0;
  int epochs = 0;
  long step = 0, totalSteps = 0;
  double cellsPerSecond = 0;
  double elapsedSeconds = 0;
  std::vector<CellsCurvePoint> curve;
};

class CellsTrainJob : public Job {
 public:
  // Trains `session` for options().epochs epochs (none for a baseline method), then evaluates.
  explicit CellsTrainJob(std::shared_ptr<CellsSession> session, bool publishMaps = true,
                         int mapCellsPerSlice = 256);
  std::string name() const override;
  int threads() const override;
  void begin(JobContext& ctx) override;
  bool step(JobContext& ctx) override;
  void end(JobContext& ctx, bool cancelled) override;

  struct State;

 private:
  std::shared_ptr<CellsSession> m_session;
  std::shared_ptr<State> m_state;
};

}  // namespace genlab::core::cells
