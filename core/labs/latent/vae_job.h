#pragma once
// Training job of the Latent Explorer: runs in slices on the engine worker,
// publishes progress (channel::kProgress), the latent map (channel::kMap)
// and, at the end, a VaeResult (channel::kTrain). Reads the live setting
// live::kBeta between steps (see latent_requests.h).
#include <memory>
#include <vector>

#include "core/engine/engine.h"
#include "core/labs/latent/vae_session.h"

namespace genlab::core::latent {

struct CurvePoint {
  double epoch = 0;  // x axis: fractional epochs
  VaeMetrics m;
};

struct VaeProgress : Payload {
  double epoch = 0;  // fractional epochs done
  int epochs = 0;    // target
  long step = 0, totalSteps = 0;
  double beta = 1;   // effective beta now
  double samplesPerSecond = 0;
  double elapsedSeconds = 0;
  double etaSeconds = -1;
  std::vector<CurvePoint> train;  // averaged over a few steps each
  std::vector<CurvePoint> test;   // one per completed evaluation
  std::vector<double> klPerDim;   // from the last evaluation
  int activeUnits = 0;
  bool evaluating = false;
};

struct VaeResult : Payload {
  VaeMetrics test;
  int activeUnits = 0;
  double trainSeconds = 0;
  double samplesPerSecond = 0;
  int epochs = 0;
};

class VaeTrainJob : public Job {
 public:
  // Trains `session` for session->options().epochs more epochs.
  explicit VaeTrainJob(std::shared_ptr<VaeSession> session);
  std::string name() const override;
  int threads() const override;
  void begin(JobContext& ctx) override;
  bool step(JobContext& ctx) override;
  void end(JobContext& ctx, bool cancelled) override;

 private:
  struct State;
  std::shared_ptr<VaeSession> m_session;
  std::shared_ptr<State> m_state;
};

}  // namespace genlab::core::latent
