#pragma once
// Training job of the 2-D lab: trains one model, or several side by side on
// the same data (alternating ~15 ms slices), on the engine worker. Publishes
// a Toy2dProgress on "toy2d.progress" (throttled to ~20/s) and, when every
// model reached its target, evaluates them and publishes a Toy2dResult (job
// result, channel "toy2d.train"). Play / pause / step are the engine's
// (Engine::pause, resume, stepOnce); slow motion, single iterations and live
// evaluation are live settings (Engine::setLive with the keys in live::). The ui refreshes its views by posting
// Toy2dSession requests, which the worker serves between slices.
#include <memory>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "core/labs/toy2d/toy2d_session.h"

namespace genlab::core::toy2d {

// Keys of the live settings the training job reads between steps.
namespace live {
inline constexpr char kSpeed[] = "max_iterations_per_second";
inline constexpr char kSliceIterations[] = "iterations_per_slice";
inline constexpr char kEvalEvery[] = "eval_every_seconds";
}  // namespace live

// The job's settings at start; live settings change them while it runs.
struct TrainSettings {
  // > 0: at most this many iterations per second per model (slow motion).
  double maxIterationsPerSecond = 0;
  // > 0: every job step runs exactly this many iterations (with Engine::pause
  // and stepOnce, a "step" button that advances one iteration).
  int iterationsPerSlice = 0;
  // > 0: evaluate on the held-out set this often while training (the time it
  // takes is excluded from training time); 0: only at the end.
  double evalEverySeconds = 0;
  // Takes whatever `live` changed since the last call.
  void update(LiveSettings& live);
};

struct ModelProgress {
  std::string label;
  long iteration = 0;
  long targetIteration = 0;  // 0: until cancelled
  double trainSeconds = 0;
  double iterationsPerSecond = 0;
  std::vector<LossCurve> losses;
  std::vector<EvalMetrics> evaluations;  // every finished evaluation, in order
  bool evaluating = false;
};

struct Toy2dProgress : Payload {
  std::vector<ModelProgress> models;  // in the order the sessions were given
  double elapsedSeconds = 0;
};

struct Toy2dResult : Payload {
  std::vector<ComparisonRow> rows;  // one per model: the comparison table
};

class Toy2dTrainJob : public Job {
 public:
  // Trains every session for `iterations` more iterations (<= 0: until
  // cancelled), then evaluates each when `finalEvaluation`.
  Toy2dTrainJob(std::vector<std::shared_ptr<Toy2dSession>> sessions, long iterations,
                TrainSettings settings = {}, bool finalEvaluation = true);
  ~Toy2dTrainJob() override;
  std::string name() const override;
  int threads() const override { return m_sessions.front()->options().effectiveThreads(); }
  void begin(JobContext& ctx) override;
  bool step(JobContext& ctx) override;
  void end(JobContext& ctx, bool cancelled) override;

 private:
  bool finalEvaluationStep(JobContext& ctx);
  struct State;
  std::vector<std::shared_ptr<Toy2dSession>> m_sessions;
  long m_iterations;
  TrainSettings m_settings;
  bool m_finalEvaluation;
  std::unique_ptr<State> m_state;
};

}  // namespace genlab::core::toy2d
