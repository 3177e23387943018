// The lab's methods behind one stepping interface (see ct_session_impl.h),
// and CtSession::reconstruct, which runs one to the end.
#include <ATen/ATen.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>

#include "core/labs/ct/ct_session_impl.h"
#include "core/labs/ct/fbp.h"
#include "core/labs/ct/score_sampler.h"
#include "core/labs/ct/solvers.h"
#include "core/physics/noise.h"
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

// The score prior's sampler, after its starting reconstruction when it has
// one (--score-init fbp|sirt|tv). Both advance in parts (an iteration of the
// starting method, a chain's denoiser call, a level's consistency step), so
// the job's slices stay short; done() counts the sampler's levels.
class ScoreReconstructor : public Reconstructor {
 public:
  using MakeSampler = std::function<std::unique_ptr<PosteriorSampler>(at::Tensor init)>;
  ScoreReconstructor(std::unique_ptr<Reconstructor> init, MakeSampler make, int levels)
      : m_init(std::move(init)), m_make(std::move(make)), m_levels(levels) {
    if (!m_init) m_sampler = m_make(at::Tensor());
  }
  int total() const override { return m_levels; }
  int done() const override { return m_sampler ? m_sampler->level() : 0; }
  void advance() override {
    if (m_sampler) {
      m_sampler->advancePart();
      return;
    }
    m_init->advance();
    if (m_init->done() >= m_init->total()) {
      m_sampler = m_make(m_init->current());
      m_init.reset();
    }
  }
  at::Tensor current() const override { return m_sampler ? m_sampler->mean() : m_init->current(); }
  at::Tensor samples() const override { return m_sampler ? m_sampler->samples() : at::Tensor(); }
  at::Tensor stddev() const override { return m_sampler ? m_sampler->stddev() : at::Tensor(); }

 private:
  std::unique_ptr<Reconstructor> m_init;
  MakeSampler m_make;
  int m_levels;
  std::unique_ptr<PosteriorSampler> m_sampler;
};

// The measurement's noise std per bin, from the scan's noise model evaluated
// at the measurement itself (the plug-in estimate); undefined when noiseless.
// CT (Beer-Lambert): y = -log(N / I0) / s with N ~ Poisson(I0 exp(-s p)) has
// variance ~ exp(s y) / (I0 s^2); counting (blur): y = N / I0, variance y / I0.
at::Tensor measurementStd(const ScanOptions& scan, const at::Tensor& y) {
  if (scan.noiseless()) return {};
  if (scan.noise == "gaussian")
    return at::full({}, scan.gaussianLevel * y.abs().max().item<double>(), y.options());
  if (scan.modality == "ct") {
    const double s = physics::NoiseModel{}.attenuationPerFov / scan.size;
    return at::sqrt(at::exp(s * y) / (scan.photons * s * s));
  }
  // Counting noise: floor the variance at one photon so empty bins keep a weight.
  return at::sqrt(at::clamp_min(y, 1.0 / scan.photons) / scan.photons);
}

SamplerOptions samplerOptions(const ReconOptions& o, const ScorePrior& prior) {
  SamplerOptions s;
  s.scheme = o.sampler;
  s.samples = o.samples;
  const bool dds = o.sampler == "dds";
  // DDS: 120 levels from the default start at 0.03 (see ReconOptions).
  s.steps = o.scoreSteps > 0 ? o.scoreSteps : (dds ? 120 : (o.scoreInit == "noise" ? 100 : 50));
  s.corrector = o.correctorSteps;
  s.snr = o.snr;
  if (o.eta >= 0) s.eta = o.eta;
  s.dcIterations = o.dcIterations > 0 ? o.dcIterations : (dds ? 5 : 4);
  s.finalIterations = o.finalIterations;
  s.sigmaMax = o.startSigma > 0 ? std::min(o.startSigma, prior.options().sigmaMax)
                                : prior.options().sigmaMax;
  // DDS ends at 0.005 (tuning seeds: 0.01 -0.5 dB, 0.003 -0.1 dB, sparse view).
  // The Langevin sampler ends at 0.02: below it the chains' leftover noise is
  // no longer told from detail (0.02 beat 0.005 by 0.5 dB and 0.04 by 1 dB).
  s.sigmaMin = o.endSigma > 0 ? o.endSigma : (dds ? 0.005 : 0.02);
  s.sigmaMin = std::min(std::max(s.sigmaMin, prior.options().sigmaMin), s.sigmaMax);
  s.nonNegative = o.nonNegative;
  s.symmetric = o.symmetric;
  s.seed = o.seed;
  return s;
}
}  // namespace

std::unique_ptr<Reconstructor> CtSession::Impl::makeReconstructor(const ReconOptions& o) {
  o.validate();
  requireMeasurement();
  auto r = makeMethod(o);
  r->op = op;  // shared: the solvers' references stay valid whatever the session does
  r->y = measured;
  r->truth = object;
  return r;
}

std::unique_ptr<Reconstructor> CtSession::Impl::makeMethod(const ReconOptions& o) {
  const auto& A = oper();
  if (o.method == "fbp")
    return std::make_unique<FbpReconstructor>(A, measured, fbpFilterFromName(o.filter));
  if (o.method == "sirt")
    return std::make_unique<SolverReconstructor>(
        std::make_unique<Sirt>(A, measured, o.nonNegative), o.effectiveIterations());
  if (o.method == "tv")
    return std::make_unique<SolverReconstructor>(
        std::make_unique<TvChambollePock>(A, measured, o.effectiveTvWeight(scan), o.nonNegative),
        o.effectiveIterations());
  if (!prior)
    throw std::invalid_argument("the score method needs a trained prior (ct train-prior, then --prior FILE)");
  auto sampler = samplerOptions(o, *prior);
  sampler.measurementStd = measurementStd(scan, measured);
  std::unique_ptr<Reconstructor> init;
  if (o.scoreInit != "noise") {
    // The starting reconstruction runs inside the method's time, in parts.
    ReconOptions first = o;
    first.method = o.scoreInit;
    first.iterations = 0;
    init = makeMethod(first);
  }
  const int levels = sampler.steps;
  auto make = [p = prior, &A, y = measured, sampler](at::Tensor start) {
    return std::make_unique<PosteriorSampler>(p, A, y, sampler, std::move(start));
  };
  return std::make_unique<ScoreReconstructor>(std::move(init), std::move(make), levels);
}

ReconResult CtSession::reconstruct(const ReconOptions& options) {
  auto& s = *m_impl;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = s.makeReconstructor(options);
  std::vector<CurvePoint> curve;
  const int every = std::max(1, r->total() / 100);
  while (r->done() < r->total()) {
    const int before = r->done();
    r->advance();  // a part of an iteration, for the score prior
    const int done = r->done();
    if (done != before && (done % every == 0 || done == r->total()))
      curve.push_back(Impl::curvePoint(*r));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Impl::finish(options, *r, std::move(curve), seconds);
}

}  // namespace genlab::core::ct
