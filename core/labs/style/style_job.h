#pragma once
// Training job of the Style lab's decoder: Adam steps on crops of the lab's
// photos (AdaIN's loss: content at the deepest encoder layer, style on
// per-channel means and stds at every layer), progress about 20 times a
// second, and an atomic save at the end (also when stopped, so a stopped run
// keeps what it learnt). Every job step is a short slice (issue 16): one
// photo read, or pieces of an Adam step or of the loss evaluation of about
// kSliceBudgetMs (StyleSession::trainSlice), so a slider waits at most one
// piece behind the training.
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

// What one job step aims at; a single piece may take longer on a slow machine.
inline constexpr double kSliceBudgetMs = 40;

// The styles the decoder trains on: the style photos and, after them, the
// content photos (the textures alone are mostly grey; the photos teach the
// decoder to render colour).
std::vector<Image> trainingStyles(const std::vector<Image>& contents, std::vector<Image> styles);

class StyleTrainJob : public Job {
 public:
  // Trains `session` for `steps` steps on `contents`/`styles` (photo paths;
  // empty: findTrainingPhotos()) and saves to `out` ("" : no save).
  StyleTrainJob(std::shared_ptr<StyleSession> session, long steps, TrainConfig config,
                std::string out, std::vector<std::string> contents = {},
                std::vector<std::string> styles = {});
  // Each job step one whole Adam step (and whole evaluations) instead of
  // short slices: about twice as fast (bench/style_train_steps.cpp), for
  // headless training (`make data`, `train-decoder --whole-steps`), where no
  // slider waits behind the worker. The same parameters to float rounding.
  void setWholeSteps(bool whole) { m_whole = whole; }
  // Photos the caller has read already (the CLI measures the decoder on them
  // before training): the job trains on these and reads no files.
  void usePhotos(std::vector<Image> contents, std::vector<Image> styles);
  // Measured with genlab-bench-style-train (128 px, batch 4, 2 cores): the
  // per-sample slices run best on 1 thread (231 ms a step; 374 ms on 2, the
  // batch-1 ops are too small to split), whole steps on 2 (128-137 ms; 234 on 1).
  int threads() const override { return m_whole ? 2 : 1; }
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
  enum class Phase { Reading, Before, Training, After, Done } m_phase = Phase::Reading;
  std::vector<Image> m_contentImages, m_styleImages;
  std::size_t m_read = 0;  // photos read so far (contents, then styles)
  bool m_whole = false;
  bool m_preloaded = false;  // usePhotos: nothing to read
  std::shared_ptr<StyleProgress> m_progress;
  StyleTrainResult m_result;
  double m_seconds = 0;
};

}  // namespace genlab::core::style
