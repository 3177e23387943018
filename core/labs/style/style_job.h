#pragma once
// Training job of the Style lab's decoder: one Adam step per job step on
// crops of the lab's photos (AdaIN's loss: content at the deepest encoder
// layer, style on per-channel means and stds at every layer), progress about
// 20 times a second, and an atomic save at the end (also when stopped, so a
// stopped run keeps what it learnt).
#include <memory>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "core/labs/style/style_session.h"

namespace genlab::core::style {

struct StyleProgress : Payload {
  long step = 0, totalSteps = 0;
  double elapsedSeconds = 0;
  double stepsPerSecond = 0;
  std::vector<float> contentLoss, styleLoss;  // per step of this run
};

struct StyleTrainResult : Payload {
  long steps = 0;           // steps of this run
  long totalSteps = 0;      // of the decoder, all runs
  double trainSeconds = 0;  // time in training steps (loading excluded)
  TrainMetrics before, after;  // on a fixed seeded set of crops
  std::string savedTo;      // "" when not saved
  bool cancelled = false;
};

class StyleTrainJob : public Job {
 public:
  // Trains `session` for `steps` steps on `contents`/`styles` (photo paths;
  // empty: findTrainingPhotos()) and saves to `out` ("" : no save).
  StyleTrainJob(std::shared_ptr<StyleSession> session, long steps, TrainConfig config,
                std::string out, std::vector<std::string> contents = {},
                std::vector<std::string> styles = {});
  std::string name() const override;
  void begin(JobContext& ctx) override;
  bool step(JobContext& ctx) override;
  void end(JobContext& ctx, bool cancelled) override;

 private:
  void publishProgress(JobContext& ctx);

  std::shared_ptr<StyleSession> m_session;
  long m_steps;
  TrainConfig m_config;
  std::string m_out;
  std::vector<std::string> m_contents, m_styles;
  std::shared_ptr<StyleProgress> m_progress;
  StyleTrainResult m_result;
  double m_seconds = 0;
};

}  // namespace genlab::core::style
