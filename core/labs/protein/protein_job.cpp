#include "core/labs/protein/protein_job.h"

#include <algorithm>
#include <chrono>

#include "core/labs/protein/protein_requests.h"

namespace genlab::core::protein {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

struct ProteinTrainJob::State {
  long targetStep = 0, evalEvery = 1, pointEvery = 1;
  int evalPoints = 10;
  bool publishMaps = true;
  ProteinMetrics acc;
  int accCount = 0;
  double trainSeconds = 0;
  long samples = 0;
  Clock::time_point started;
  std::vector<ProteinCurvePoint> train, heldOut;
  bool evaluated = false;
};

ProteinTrainJob::ProteinTrainJob(std::shared_ptr<ProteinSession> session, int evalPoints,
                                 bool publishMaps)
    : m_session(std::move(session)), m_state(std::make_shared<State>()) {
  m_state->evalPoints = std::max(1, evalPoints);
  m_state->publishMaps = publishMaps;
}

std::string ProteinTrainJob::name() const { return channel::kTrain; }

void ProteinTrainJob::begin(JobContext&) {
  auto& st = *m_state;
  const long spe = m_session->stepsPerEpoch();
  const long total = static_cast<long>(m_session->options().epochs) * spe;
  st.targetStep = m_session->globalStep() + total;
  st.evalEvery = std::max(1L, total / st.evalPoints);
  st.pointEvery = std::max(1L, spe / 10);
  st.started = Clock::now();
}

static void publishProgress(JobContext& ctx, ProteinSession& s, const ProteinTrainJob::State& st) {
  auto p = std::make_shared<ProteinProgress>();
  const long spe = s.stepsPerEpoch();
  p->epoch = s.epochsDone();
  p->epochs = static_cast<int>((st.targetStep + spe - 1) / spe);
  p->step = s.globalStep();
  p->totalSteps = st.targetStep;
  p->sequencesPerSecond = st.trainSeconds > 0 ? st.samples / st.trainSeconds : 0;
  p->elapsedSeconds = secondsSince(st.started);
  p->train = st.train;
  p->heldOut = st.heldOut;
  p->pssmHeldOut = s.pssmLogLikelihood(s.heldOutRows());
  p->neff = s.neff();
  ctx.publish(Snapshot::progressOf(
      channel::kProgress, std::move(p),
      st.targetStep > 0 ? std::min(1.0, double(s.globalStep()) / st.targetStep) : 1.0));
}

bool ProteinTrainJob::step(JobContext& ctx) {
  auto& st = *m_state;
  auto& s = *m_session;
  auto evaluate = [&] {
    st.heldOut.push_back({s.epochsDone(), s.evaluate(s.heldOutRows())});
    if (st.publishMaps) ctx.publish(Snapshot::reply(channel::kMap, s.familyMap()));
    publishProgress(ctx, s, st);
  };
  if (s.globalStep() >= st.targetStep) {
    evaluate();
    st.evaluated = true;
    return true;
  }
  const auto sliceStart = Clock::now();
  do {
    const auto m = s.trainStep();
    st.samples += s.options().batch;
    st.acc.elbo += m.elbo;
    st.acc.recon += m.recon;
    st.acc.kl += m.kl;
    if (++st.accCount >= st.pointEvery) {
      const double k = st.accCount;
      st.train.push_back({s.epochsDone(), {st.acc.elbo / k, st.acc.recon / k, st.acc.kl / k}});
      st.acc = {};
      st.accCount = 0;
    }
    if (s.globalStep() >= st.targetStep) break;
    if (s.globalStep() % st.evalEvery == 0) {
      st.trainSeconds += secondsSince(sliceStart);
      evaluate();
      return false;
    }
  } while (Clock::now() - sliceStart < std::chrono::milliseconds(15) && !ctx.shouldYield());
  st.trainSeconds += secondsSince(sliceStart);
  if (ctx.publishDue()) publishProgress(ctx, s, st);
  return false;
}

void ProteinTrainJob::end(JobContext& ctx, bool cancelled) {
  if (cancelled || !m_state->evaluated) return;
  auto& s = *m_session;
  auto r = std::make_shared<ProteinResult>();
  r->heldOut = m_state->heldOut.back().m;
  r->pssmHeldOut = s.pssmLogLikelihood(s.heldOutRows());
  std::vector<int> trainSample = s.trainRows();
  if (trainSample.size() > 2000) trainSample.resize(2000);  // enough for a mean
  r->train = s.evaluate(trainSample);
  r->pssmTrain = s.pssmLogLikelihood(trainSample);
  r->neff = s.neff();
  r->trainSeconds = m_state->trainSeconds;
  r->sequencesPerSecond = m_state->trainSeconds > 0 ? m_state->samples / m_state->trainSeconds : 0;
  r->epochs = s.epochsDone();
  ctx.publish(Snapshot::result(channel::kTrain, std::move(r)));
}

}  // namespace genlab::core::protein
