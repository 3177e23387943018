#include "core/labs/latent/vae_job.h"

#include <algorithm>
#include <chrono>

#include "core/labs/latent/latent_requests.h"

namespace genlab::core::latent {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
constexpr double kChunkTarget = 0.008;  // seconds
constexpr auto kTrainSlice = std::chrono::milliseconds(12);
// Evaluation chunks are a fixed size (about 8 ms for the MNIST MLP on one
// core), not timed: the metrics' float sums then do not depend on the
// machine's speed, and an experiment replays to the same numbers.
constexpr int kEvalChunk = 200;

// Runs `chunk(n)` and resizes n so that the next one takes about kChunkTarget.
template <class Fn>
bool timedChunk(int& n, Fn chunk) {
  const auto t0 = Clock::now();
  const bool done = chunk(n);
  const double took = std::max(1e-5, secondsSince(t0));
  n = std::clamp(static_cast<int>(n * std::min(2.0, kChunkTarget / took)), 16, 4000);
  return done;
}
}  // namespace

struct VaeTrainJob::State {
  enum class Phase { Train, Eval, Done };
  Phase phase = Phase::Train;
  long targetStep = 0;
  long pointEvery = 1;
  VaeMetrics acc;
  int accCount = 0;
  double trainSeconds = 0;
  long samples = 0, samplesAtStart = 0;
  Clock::time_point started, lastMap;
  bool mapRefreshing = false;
  // Images per map chunk, adapted so that a chunk takes about kChunkTarget: a
  // click waits at most one chunk.
  int mapChunk = 128;
  std::vector<CurvePoint> train, test;
};

std::string VaeTrainJob::name() const { return channel::kTrain; }
int VaeTrainJob::threads() const { return m_session->options().effectiveThreads(); }

VaeTrainJob::VaeTrainJob(std::shared_ptr<VaeSession> session)
    : m_session(std::move(session)), m_state(std::make_shared<State>()) {}

void VaeTrainJob::begin(JobContext& ctx) {
  auto& st = *m_state;
  const long spe = m_session->stepsPerEpoch();
  st.targetStep = m_session->globalStep() + static_cast<long>(m_session->options().epochs) * spe;
  st.pointEvery = std::max(1L, spe / 50);
  st.started = st.lastMap = Clock::now();
  st.samplesAtStart = m_session->samplesSeen();
  if (st.targetStep == m_session->globalStep()) {
    st.phase = State::Phase::Eval;
    m_session->beginEvaluation();
  }
}

static void publishProgress(JobContext& ctx, const VaeSession& s, const VaeTrainJob* /*job*/,
                            const std::vector<CurvePoint>& train,
                            const std::vector<CurvePoint>& test, double trainSeconds,
                            long samples, long targetStep, bool evaluating,
                            Clock::time_point started) {
  auto p = std::make_shared<VaeProgress>();
  const long spe = s.stepsPerEpoch();
  p->epoch = s.epochsDone();
  p->epochs = static_cast<int>((targetStep + spe - 1) / spe);
  p->step = s.globalStep();
  p->totalSteps = targetStep;
  p->beta = s.effectiveBeta();
  p->samplesPerSecond = trainSeconds > 0 ? samples / trainSeconds : 0;
  p->elapsedSeconds = secondsSince(started);
  const long remaining = targetStep - s.globalStep();
  if (p->samplesPerSecond > 0)
    p->etaSeconds = remaining * static_cast<double>(s.options().batch) / p->samplesPerSecond;
  p->train = train;
  p->test = test;
  p->klPerDim = s.klPerDimension();
  p->activeUnits = s.activeUnits();
  p->evaluating = evaluating;
  ctx.publish(Snapshot::progressOf(
      channel::kProgress, std::move(p),
      targetStep > 0 ? std::min(1.0, double(s.globalStep()) / targetStep) : 1.0));
}

static void publishMap(JobContext& ctx, const VaeSession& s) {
  if (!s.latentMap()) return;
  ctx.publish(Snapshot::reply(channel::kMap, s.latentMap()));
}

bool VaeTrainJob::step(JobContext& ctx) {
  auto& st = *m_state;
  auto& s = *m_session;
  if (auto beta = ctx.live().take(live::kBeta)) s.setBeta(*beta);
  auto progress = [&](bool force) {
    if (force || ctx.publishDue())
      publishProgress(ctx, s, this, st.train, st.test, st.trainSeconds, st.samples, st.targetStep,
                      st.phase == State::Phase::Eval, st.started);
  };
  if (st.phase == State::Phase::Eval) {
    if (!s.evaluateChunk(kEvalChunk)) {
      progress(false);
      return false;
    }
    st.test.push_back({s.epochsDone(), s.lastEvaluation()});
    publishMap(ctx, s);
    st.lastMap = Clock::now();
    st.mapRefreshing = false;
    st.phase = s.globalStep() >= st.targetStep ? State::Phase::Done : State::Phase::Train;
    progress(true);
    return st.phase == State::Phase::Done;
  }
  // A live map refresh, one chunk per slice, interleaved with training.
  const double liveMap = s.options().liveMapSeconds;
  if (liveMap > 0 && !st.mapRefreshing && secondsSince(st.lastMap) >= liveMap) {
    s.beginMapRefresh();
    st.mapRefreshing = true;
  }
  if (st.mapRefreshing && timedChunk(st.mapChunk, [&](int n) { return s.mapRefreshChunk(n); })) {
    st.mapRefreshing = false;
    st.lastMap = Clock::now();
    publishMap(ctx, s);
  }
  // A map chunk is this step's work: training resumes at the next step, after
  // any waiting request.
  if (st.mapRefreshing) return false;
  // Train for a slice of about 12 ms, so interactive requests wait little.
  const auto sliceStart = Clock::now();
  const long spe = s.stepsPerEpoch();
  do {
    const auto m = s.trainStep();
    st.acc.elbo += m.elbo;
    st.acc.recon += m.recon;
    st.acc.kl += m.kl;
    if (++st.accCount >= st.pointEvery) {
      const double k = st.accCount;
      st.train.push_back({s.epochsDone(), {st.acc.elbo / k, st.acc.recon / k, st.acc.kl / k}});
      st.acc = {};
      st.accCount = 0;
    }
    if (s.globalStep() % spe == 0 || s.globalStep() >= st.targetStep) {
      st.phase = State::Phase::Eval;
      s.beginEvaluation();
      break;
    }
  } while (Clock::now() - sliceStart < kTrainSlice && !ctx.shouldYield());
  st.trainSeconds += secondsSince(sliceStart);
  st.samples = s.samplesSeen() - st.samplesAtStart;
  progress(st.phase == State::Phase::Eval);
  return false;
}

void VaeTrainJob::end(JobContext& ctx, bool cancelled) {
  if (cancelled || m_state->test.empty()) return;
  auto r = std::make_shared<VaeResult>();
  r->test = m_session->lastEvaluation();
  r->activeUnits = m_session->activeUnits();
  r->trainSeconds = m_state->trainSeconds;
  r->samplesPerSecond = m_state->trainSeconds > 0 ? m_state->samples / m_state->trainSeconds : 0;
  r->epochs = static_cast<int>(m_session->epochsDone() + 0.5);
  ctx.publish(Snapshot::result(channel::kTrain, std::move(r)));
}

}  // namespace genlab::core::latent
