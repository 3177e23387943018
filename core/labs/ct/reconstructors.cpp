// The lab's methods behind one stepping interface (see ct_session_impl.h),
// and CtSession::reconstruct, which runs one to the end.
#include <ATen/ATen.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "core/labs/ct/ct_session_impl.h"
#include "core/labs/ct/fbp.h"
#include "core/labs/ct/score_sampler.h"
#include "core/labs/ct/solvers.h"
#include "core/physics/radon.h"

namespace genlab::core::ct {

namespace {
class FbpReconstructor : public Reconstructor {
 public:
  FbpReconstructor(const physics::LinearOperator& op, at::Tensor y, FbpFilter filter)
      : m_y(std::move(y)), m_filter(filter) {
    m_radon = dynamic_cast<const physics::RadonTransform*>(&op);
    if (!m_radon) throw std::invalid_argument("FBP needs a CT scan (it has no meaning for a blur)");
  }
  int total() const override { return 1; }
  int done() const override { return m_x.defined() ? 1 : 0; }
  void advance() override { m_x = fbp(*m_radon, m_y, m_filter); }
  at::Tensor current() const override {
    return m_x.defined() ? m_x : at::zeros(m_radon->imageShape(), m_y.options());
  }

 private:
  const physics::RadonTransform* m_radon;
  at::Tensor m_y, m_x;
  FbpFilter m_filter;
};

class SolverReconstructor : public Reconstructor {
 public:
  SolverReconstructor(std::unique_ptr<IterativeSolver> solver, int total)
      : m_solver(std::move(solver)), m_total(total) {}
  int total() const override { return m_total; }
  int done() const override { return m_solver->iterations(); }
  void advance() override { m_solver->iterate(); }
  at::Tensor current() const override { return m_solver->estimate(); }

 private:
  std::unique_ptr<IterativeSolver> m_solver;
  int m_total;
};

class ScoreReconstructor : public Reconstructor {
 public:
  explicit ScoreReconstructor(std::unique_ptr<PosteriorSampler> sampler)
      : m_sampler(std::move(sampler)) {}
  int total() const override { return m_sampler->levels(); }
  int done() const override { return m_sampler->level(); }
  void advance() override { m_sampler->advance(); }
  at::Tensor current() const override { return m_sampler->mean(); }
  at::Tensor samples() const override { return m_sampler->samples(); }
  at::Tensor stddev() const override { return m_sampler->stddev(); }

 private:
  std::unique_ptr<PosteriorSampler> m_sampler;
};

SamplerOptions samplerOptions(const ReconOptions& o, const ScorePrior& prior) {
  SamplerOptions s;
  s.samples = o.samples;
  s.steps = o.scoreSteps > 0 ? o.scoreSteps : 100;
  s.corrector = o.correctorSteps;
  s.snr = o.snr;
  s.dcIterations = o.dcIterations > 0 ? o.dcIterations : 4;
  s.sigmaMax = o.startSigma > 0 ? std::min(o.startSigma, prior.options().sigmaMax)
                                : prior.options().sigmaMax;
  s.sigmaMin = std::max(prior.options().sigmaMin, std::getenv("GENLAB_SMIN") ? std::atof(std::getenv("GENLAB_SMIN")) : 0.005);
  s.nonNegative = o.nonNegative;
  s.seed = o.seed;
  return s;
}
}  // namespace

std::unique_ptr<Reconstructor> CtSession::Impl::makeReconstructor(const ReconOptions& o) {
  o.validate();
  requireMeasurement();
  const auto& A = oper();
  if (o.method == "fbp")
    return std::make_unique<FbpReconstructor>(A, measured, fbpFilterFromName(o.filter));
  if (o.method == "sirt")
    return std::make_unique<SolverReconstructor>(
        std::make_unique<Sirt>(A, measured, o.nonNegative), o.effectiveIterations());
  if (o.method == "tv")
    return std::make_unique<SolverReconstructor>(
        std::make_unique<TvChambollePock>(A, measured, o.tvWeight, o.nonNegative),
        o.effectiveIterations());
  if (!prior)
    throw std::invalid_argument("the score method needs a trained prior (ct train-prior, then --prior FILE)");
  at::Tensor init;
  if (o.scoreInit != "noise") {
    // The starting reconstruction runs here, inside the method's time.
    ReconOptions first = o;
    first.method = o.scoreInit;
    first.iterations = 0;
    auto r = makeReconstructor(first);
    while (r->done() < r->total()) r->advance();
    init = r->current();
  }
  return std::make_unique<ScoreReconstructor>(
      std::make_unique<PosteriorSampler>(prior, A, measured, samplerOptions(o, *prior), init));
}

ReconResult CtSession::reconstruct(const ReconOptions& options) {
  auto& s = *m_impl;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = s.makeReconstructor(options);
  std::vector<CurvePoint> curve;
  const int every = std::max(1, r->total() / 100);
  while (r->done() < r->total()) {
    r->advance();
    if (r->done() % every == 0 || r->done() == r->total())
      curve.push_back(s.curvePoint(r->done(), r->current()));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s.finish(options, *r, std::move(curve), seconds);
}

}  // namespace genlab::core::ct
