#pragma once
// Internal state of CtSession (torch side), shared by the session, the
// reconstructors and the jobs.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/labs/ct/ct_session.h"
#include "core/labs/ct/score_prior.h"
#include "core/physics/linear_operator.h"

namespace genlab::core::ct {

// The jobs' clock and the wall time each of their slices aims at.
using JobClock = std::chrono::steady_clock;
inline double secondsSince(JobClock::time_point t) {
  return std::chrono::duration<double>(JobClock::now() - t).count();
}
inline constexpr auto kJobSlice = std::chrono::milliseconds(15);

at::Tensor toTensor(const FloatImage& image, c10::Device device);  // (H, W) or (D, H, W)
FloatImage toImage(const at::Tensor& t);                            // from (H, W) or (D, H, W)

// One method's state, advanced one iteration (or noise level) at a time. It
// keeps its own operator, measurement and ground truth: a job running on it
// is unaffected by the session's scan changing between its slices.
class Reconstructor {
 public:
  std::shared_ptr<const physics::LinearOperator> op;
  at::Tensor y, truth;  // truth undefined when unknown

  virtual ~Reconstructor() = default;
  virtual int total() const = 0;
  virtual int done() const = 0;
  // One iteration, or for the score prior one part of one (done() moves
  // when an iteration ends): each call is short enough for a job slice.
  virtual void advance() = 0;
  virtual at::Tensor current() const = 0;            // (H, W)
  virtual at::Tensor samples() const { return {}; }  // (K, H, W), score prior only
  virtual at::Tensor stddev() const { return {}; }   // (H, W), score prior only
};

struct CtSession::Impl {
  c10::Device device{c10::kCPU};
  ScanOptions scan;
  at::Tensor object;             // (H, W) float32; undefined when unknown
  at::Tensor clean, measured;    // measurementShape(); clean undefined when not simulated
  std::shared_ptr<const physics::LinearOperator> op;
  std::shared_ptr<ScorePrior> prior;
  std::string priorPath;

  void rebuildOperator(int height, int width);
  const physics::LinearOperator& oper() const;
  void requireMeasurement() const;
  // A method on the current operator and measurement (validated, ready to run).
  std::unique_ptr<Reconstructor> makeReconstructor(const ReconOptions& options);
  std::unique_ptr<Reconstructor> makeMethod(const ReconOptions& options);  // without the copies
  static CurvePoint curvePoint(const Reconstructor& r);
  // `stop` (a job's cancel flag) ends the optional nullspace split early.
  static ReconResult finish(const ReconOptions& options, const Reconstructor& r,
                            std::vector<CurvePoint> curve, double seconds,
                            const std::function<bool()>& stop = {});
};

}  // namespace genlab::core::ct
