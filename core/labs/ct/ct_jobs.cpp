// Engine jobs of the inverse-problems lab: a reconstruction and a prior
// training, each in slices of about 15 ms with throttled progress.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include <chrono>
#include <cmath>

#include "core/labs/ct/ct_requests.h"
#include "core/labs/ct/ct_session.h"
#include "core/labs/ct/ct_session_impl.h"
#include "core/physics/phantom.h"

namespace genlab::core::ct {

namespace {
using Clock = JobClock;
constexpr auto kSlice = kJobSlice;

class ReconstructionJob : public Job {
 public:
  ReconstructionJob(std::shared_ptr<CtSession> session, ReconOptions options)
      : m_session(std::move(session)), m_options(std::move(options)) {}
  std::string name() const override { return channel::kReconstruct; }
  // The score prior's network runs like its training; the classical methods keep the setting.
  int threads() const override { return m_options.method == "score" ? PriorOptions::kDefaultThreads : 0; }

  void begin(JobContext&) override {
    m_started = Clock::now();
    m_recon = m_session->impl().makeReconstructor(m_options);
    m_every = std::max(1, m_recon->total() / 100);
  }

  bool step(JobContext& ctx) override {
    const auto slice = Clock::now();
    do {
      const int before = m_recon->done();
      m_recon->advance();  // a part of an iteration, for the score prior
      const int done = m_recon->done();
      if (done != before && (done % m_every == 0 || done == m_recon->total()))
        m_curve.push_back(CtSession::Impl::curvePoint(*m_recon));
    } while (m_recon->done() < m_recon->total() && Clock::now() - slice < kSlice &&
             !ctx.cancelled());
    const bool finished = m_recon->done() >= m_recon->total();
    if (!finished && ctx.publishDue()) publishProgress(ctx);
    return finished;
  }

  void end(JobContext& ctx, bool cancelled) override {
    if (cancelled || !m_recon || m_recon->done() < m_recon->total()) return;
    auto result = std::make_shared<ReconResult>(
        CtSession::Impl::finish(m_options, *m_recon, m_curve, secondsSince(m_started),
                                [&ctx] { return ctx.cancelled(); }));
    // Cancelled (or quitting) during the nullspace split: no half result.
    if (ctx.cancelled()) return;
    ctx.publish(Snapshot::result(channel::kResult, std::move(result)));
  }

 private:
  void publishProgress(JobContext& ctx) {
    auto p = std::make_shared<ReconProgress>();
    p->method = m_options.method;
    p->iteration = m_recon->done();
    p->total = m_recon->total();
    p->elapsedSeconds = secondsSince(m_started);
    p->curve = m_curve;
    p->preview = toImage(m_recon->current());
    const double fraction = double(p->iteration) / std::max(1, p->total);
    ctx.publish(Snapshot::progressOf(channel::kProgress, std::move(p), fraction));
  }

  std::shared_ptr<CtSession> m_session;
  ReconOptions m_options;
  std::unique_ptr<Reconstructor> m_recon;
  std::vector<CurvePoint> m_curve;
  int m_every = 1;
  Clock::time_point m_started;
};

class PriorTrainingJob : public Job {
 public:
  PriorTrainingJob(std::shared_ptr<CtSession> session, PriorOptions options, std::string path)
      : m_session(std::move(session)), m_options(std::move(options)), m_path(std::move(path)) {}
  std::string name() const override { return channel::kTrainPrior; }
  int threads() const override { return m_options.effectiveThreads(); }

  void begin(JobContext&) override {
    m_options.validate();
    m_started = Clock::now();
    m_trainer = std::make_unique<PriorTrainer>(
        std::make_shared<ScorePrior>(m_options, m_session->impl().device));
    m_pointEvery = std::max(1, m_options.steps / 100);
  }

  // Two images of an Adam step per slice (PriorTrainer::kImagesPerPart): a
  // whole step (batch 4 at 128 px) is about 0.13 s on 2 cores, a part half of
  // that, and the engine serves requests in between.
  bool step(JobContext& ctx) override {
    if (m_trainer->done()) return true;
    if (!m_trainer->advance()) return false;
    const double loss = m_trainer->lastLoss();
    m_smoothed = m_trainer->steps() == 1 ? loss : 0.98 * m_smoothed + 0.02 * loss;
    m_sum += loss;
    if (m_trainer->steps() % m_pointEvery == 0) {
      m_curve.push_back(m_sum / m_pointEvery);
      m_sum = 0;
    }
    if (ctx.publishDue(std::chrono::milliseconds(250))) publishProgress(ctx);
    return m_trainer->done();
  }

  void end(JobContext& ctx, bool cancelled) override {
    if (cancelled || !m_trainer) return;
    auto prior = m_trainer->prior();
    m_trainer->finish();
    prior->recordTraining(m_trainer->steps(), secondsSince(m_started), m_smoothed);
    if (!m_path.empty()) prior->save(m_path);
    m_session->impl().prior = prior;
    m_session->impl().priorPath = m_path;
    auto r = std::make_shared<PriorResult>();
    r->steps = m_trainer->steps();
    r->seconds = prior->trainedSeconds();
    r->loss = m_smoothed;
    r->path = m_path;
    r->denoised = glance(*prior, m_trainer->images());
    ctx.publish(Snapshot::result(channel::kPrior, std::move(r)));
  }

 private:
  // Four held-out images of the training source, noised to sigma = 0.2 and
  // denoised: a quick look.
  static std::vector<FloatImage> glance(ScorePrior& prior, const TrainingImages& images) {
    at::NoGradGuard ng;
    std::vector<FloatImage> out;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(prior.options().seed + 99);
    for (std::uint64_t i = 0; i < 4; ++i) {
      const auto img = images.heldOut(static_cast<int>(i));  // ellipses: held-out phantom 1000 + i
      auto x = toTensor(img, prior.device()).view({1, 1, prior.size(), prior.size()});
      const auto sigma = at::full({1}, 0.2, x.options());
      const auto noisy = x + 0.2 * at::randn(x.sizes(), gen, at::kFloat).to(x.device());
      out.push_back(toImage(prior.denoise(noisy, sigma).view({prior.size(), prior.size()})));
    }
    return out;
  }

  void publishProgress(JobContext& ctx) {
    auto p = std::make_shared<PriorProgress>();
    p->step = m_trainer->steps();
    p->totalSteps = m_options.steps;
    p->loss = m_smoothed;
    p->lossCurve = m_curve;
    p->elapsedSeconds = secondsSince(m_started);
    p->stepsPerSecond = p->elapsedSeconds > 0 ? p->step / p->elapsedSeconds : 0;
    p->fraction = m_trainer->progress();
    // What is left, at the pace of the training steps so far.
    if (p->fraction > 0) p->etaSeconds = m_trainer->seconds() * (1 - p->fraction) / p->fraction;
    const double fraction = p->fraction;
    ctx.publish(Snapshot::progressOf(channel::kPriorProgress, std::move(p), fraction));
  }

  std::shared_ptr<CtSession> m_session;
  PriorOptions m_options;
  std::string m_path;
  std::unique_ptr<PriorTrainer> m_trainer;
  Clock::time_point m_started;
  double m_smoothed = 0, m_sum = 0;
  int m_pointEvery = 1;
  std::vector<double> m_curve;
};
}  // namespace

std::unique_ptr<Job> makeReconstructionJob(std::shared_ptr<CtSession> session,
                                           const ReconOptions& options) {
  options.validate();
  return std::make_unique<ReconstructionJob>(std::move(session), options);
}

std::unique_ptr<Job> makePriorTrainingJob(std::shared_ptr<CtSession> session,
                                          const PriorOptions& options, std::string savePath) {
  options.validate();
  return std::make_unique<PriorTrainingJob>(std::move(session), options, std::move(savePath));
}

}  // namespace genlab::core::ct
