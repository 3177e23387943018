#pragma once
// Training job of the 2-D lab: trains one model, or several side by side on
// the same data (alternating ~15 ms slices), on the engine worker. Publishes
// a Toy2dProgress on "toy2d.progress" (throttled to ~20/s) and, when every
// model reached its target, evaluates them and publishes a Toy2dResult (job
// result, channel "toy2d.train"). Play / pause / step are the engine's
// (Engine::pause, resume, stepOnce); slow motion and single iterations are
// set live through TrainControl. The ui refreshes its views by posting
// Toy2dSession requests, which the worker serves between slices.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/engine.h"
#include "core/labs/toy2d/toy2d_session.h"

namespace genlab::core::toy2d {

// Shared between the ui (any thread writes) and the job (worker reads).
struct TrainControl {
  // > 0: at most this many iterations per second per model (slow motion).
  std::atomic<double> maxIterationsPerSecond{0};
  // > 0: every job step runs exactly this many iterations (with Engine::pause
  // and stepOnce, a "step" button that advances one iteration).
  std::atomic<int> iterationsPerSlice{0};
  // > 0: evaluate on the held-out set this often while training (the time it
  // takes is excluded from training time); 0: only at the end.
  std::atomic<double> evalEverySeconds{0};
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
                std::shared_ptr<TrainControl> control = nullptr, bool finalEvaluation = true);
  ~Toy2dTrainJob() override;
  std::string name() const override { return "toy2d.train"; }
  void begin(JobContext& ctx) override;
  bool step(JobContext& ctx) override;
  void end(JobContext& ctx, bool cancelled) override;

 private:
  bool finalEvaluationStep(JobContext& ctx);
  struct State;
  std::vector<std::shared_ptr<Toy2dSession>> m_sessions;
  long m_iterations;
  std::shared_ptr<TrainControl> m_control;
  bool m_finalEvaluation;
  std::unique_ptr<State> m_state;
};

}  // namespace genlab::core::toy2d
