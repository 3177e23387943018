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
  double pssmHeldOut = 0;  // fixed for the run: computed once in begin()
  // An evaluation in progress, in pieces of `rowsPerPiece` rows (tuned to
  // about 5 ms each): the held-out ELBO, the family map when published, and
  // at the end the training sample's ELBO for the result.
  bool evaluating = false, finalEvaluation = false;
  EvalPass heldOutPass, trainPass;
  MapPass mapPass;
  bool mapping = false;
  int rowsPerPiece = 8;
  ProteinMetrics trainMetrics;
  double pssmTrain = 0;
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
  st.pssmHeldOut = m_session->pssmLogLikelihood(m_session->heldOutRows());
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
  p->pssmHeldOut = st.pssmHeldOut;
  p->neff = s.neff();
  ctx.publish(Snapshot::progressOf(
      channel::kProgress, std::move(p),
      st.targetStep > 0 ? std::min(1.0, double(s.globalStep()) / st.targetStep) : 1.0));
}

namespace {
// Starts an evaluation: the held-out ELBO, the map (when published) and, for
// the final one, a training sample's ELBO.
void beginEvaluation(ProteinSession& s, ProteinTrainJob::State& st, bool final) {
  st.evaluating = true;
  st.finalEvaluation = final;
  st.heldOutPass = EvalPass{};
  st.heldOutPass.rows = s.heldOutRows();
  st.mapping = st.publishMaps;
  if (st.mapping) st.mapPass = s.beginMap();
  st.trainPass = EvalPass{};
  if (final) {
    std::vector<int> sample = s.trainRows();
    if (sample.size() > 2000) sample.resize(2000);  // enough for a mean
    st.trainPass.rows = std::move(sample);
  }
}
}  // namespace

bool ProteinTrainJob::step(JobContext& ctx) {
  auto& st = *m_state;
  auto& s = *m_session;
  const auto sliceStart = Clock::now();
  constexpr auto kSlice = std::chrono::milliseconds(10);
  if (st.evaluating) {
    // Pieces of a few rows until the slice is spent; the piece size follows
    // the measured time so that each piece is about 5 ms.
    do {
      const auto t0 = Clock::now();
      if (!st.heldOutPass.done())
        s.evaluateSome(st.heldOutPass, st.rowsPerPiece);
      else if (st.mapping && !st.mapPass.done())
        s.mapSome(st.mapPass, st.rowsPerPiece);
      else if (!st.trainPass.done())
        s.evaluateSome(st.trainPass, st.rowsPerPiece);
      else
        break;
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (ms < 2.5) st.rowsPerPiece = std::min(st.rowsPerPiece * 2, 4096);
      else if (ms > 7.5) st.rowsPerPiece = std::max(st.rowsPerPiece / 2, 1);
    } while (Clock::now() - sliceStart < kSlice && !ctx.shouldYield());
    const bool complete = st.heldOutPass.done() && (!st.mapping || st.mapPass.done()) &&
                          st.trainPass.done();
    if (!complete) return false;
    st.evaluating = false;
    st.heldOut.push_back({s.epochsDone(), st.heldOutPass.result()});
    if (st.mapping) ctx.publish(Snapshot::reply(channel::kMap, s.finishMap(st.mapPass)));
    publishProgress(ctx, s, st);
    if (!st.finalEvaluation) return false;
    st.trainMetrics = st.trainPass.result();
    st.pssmTrain = s.pssmLogLikelihood(st.trainPass.rows);
    st.evaluated = true;
    return true;
  }
  if (s.globalStep() >= st.targetStep) {
    beginEvaluation(s, st, true);
    return false;
  }
  do {
    const auto piece = s.trainPiece();
    if (!piece) continue;  // more pieces of this mini-batch
    const auto& m = *piece;
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
      beginEvaluation(s, st, false);
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
  r->pssmHeldOut = m_state->pssmHeldOut;
  r->train = m_state->trainMetrics;
  r->pssmTrain = m_state->pssmTrain;
  r->neff = s.neff();
  r->trainSeconds = m_state->trainSeconds;
  r->sequencesPerSecond = m_state->trainSeconds > 0 ? m_state->samples / m_state->trainSeconds : 0;
  r->epochs = s.epochsDone();
  ctx.publish(Snapshot::result(channel::kTrain, std::move(r)));
}

}  // namespace genlab::core::protein
