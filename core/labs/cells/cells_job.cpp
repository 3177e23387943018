#include "core/labs/cells/cells_job.h"

#include <algorithm>
#include <chrono>

#include "core/labs/cells/cells_requests.h"

namespace genlab::core::cells {

namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
}  // namespace

struct CellsTrainJob::State {
  long targetStep = 0, pointEvery = 1;
  bool publishMaps = true;
  int mapCells = 256;
  CellsCurvePoint acc;
  int accCount = 0;
  double trainSeconds = 0;
  long samples = 0;
  Clock::time_point started;
  std::vector<CellsCurvePoint> curve;
  std::shared_ptr<Evaluation> result;
  long finalEncoded = -1;  // cells re-encoded for the map after the last step
};

CellsTrainJob::CellsTrainJob(std::shared_ptr<CellsSession> session, bool publishMaps,
                             int mapCellsPerSlice)
    : m_session(std::move(session)), m_state(std::make_shared<State>()) {
  m_state->publishMaps = publishMaps;
  m_state->mapCells = std::max(1, mapCellsPerSlice);
}

std::string CellsTrainJob::name() const { return channel::kTrain; }
int CellsTrainJob::threads() const { return m_session->options().threads; }

void CellsTrainJob::begin(JobContext&) {
  auto& st = *m_state;
  const long spe = m_session->stepsPerEpoch();
  st.targetStep = m_session->hasModel()
                      ? m_session->globalStep() + static_cast<long>(m_session->options().epochs) * spe
                      : 0;
  st.pointEvery = std::max(1L, spe / 10);
  st.started = Clock::now();
}

static void publishProgress(JobContext& ctx, CellsSession& s, const CellsTrainJob::State& st) {
  auto p = std::make_shared<CellsProgress>();
  const long spe = s.stepsPerEpoch();
  p->epoch = s.epochsDone();
  p->epochs = static_cast<int>((st.targetStep + spe - 1) / spe);
  p->step = s.globalStep();
  p->totalSteps = st.targetStep;
  p->cellsPerSecond = st.trainSeconds > 0 ? st.samples / st.trainSeconds : 0;
  p->elapsedSeconds = secondsSince(st.started);
  p->curve = st.curve;
  ctx.publish(Snapshot::progressOf(
      channel::kProgress, std::move(p),
      st.targetStep > 0 ? std::min(1.0, double(s.globalStep()) / st.targetStep) : 1.0));
}

bool CellsTrainJob::step(JobContext& ctx) {
  auto& st = *m_state;
  auto& s = *m_session;
  if (auto b = ctx.live().take(live::kBeta)) s.setBeta(*b);
  if (s.globalStep() >= st.targetStep || !s.hasModel()) {
    // One full pass of the map with the final model, in slices, then the scores.
    if (st.publishMaps && s.hasModel() && st.finalEncoded < s.data().cells) {
      const auto t0 = Clock::now();
      if (st.finalEncoded < 0) st.finalEncoded = 0;
      while (st.finalEncoded < s.data().cells &&
             Clock::now() - t0 < std::chrono::milliseconds(10) && !ctx.shouldYield()) {
        s.refreshMapSlice(st.mapCells);
        st.finalEncoded += st.mapCells;
      }
      if (st.finalEncoded >= s.data().cells) ctx.publish(Snapshot::reply(channel::kMap, s.cellMap()));
      return false;
    }
    st.result = s.evaluate();
    st.result->trainSeconds = st.trainSeconds;
    st.result->cellsPerSecond = st.trainSeconds > 0 ? st.samples / st.trainSeconds : 0;
    return true;
  }
  const auto sliceStart = Clock::now();
  do {
    const auto m = s.trainStep();
    st.samples += std::min<long>(s.options().batch, static_cast<long>(s.trainRows().size()));
    st.acc.loss += m.loss;
    st.acc.recon += m.recon;
    st.acc.kl += m.kl;
    if (++st.accCount >= st.pointEvery) {
      const double k = st.accCount;
      st.curve.push_back({s.epochsDone(), st.acc.loss / k, st.acc.recon / k, st.acc.kl / k});
      st.acc = {};
      st.accCount = 0;
    }
    if (s.globalStep() >= st.targetStep) break;
  } while (Clock::now() - sliceStart < std::chrono::milliseconds(8) && !ctx.shouldYield());
  st.trainSeconds += secondsSince(sliceStart);
  // Then about 4 ms of re-encoding the map's cells, in small chunks.
  if (st.publishMaps && !ctx.shouldYield()) {
    const auto mapStart = Clock::now();
    do {
      if (s.refreshMapSlice(std::min(64, st.mapCells))) {
        ctx.publish(Snapshot::reply(channel::kMap, s.cellMap()));
        break;
      }
    } while (Clock::now() - mapStart < std::chrono::milliseconds(4) && !ctx.shouldYield());
    // On large data a pass takes a while: once a second, the map as far as
    // it has been re-encoded (same axes), so it moves while the pass runs.
    if (s.latentMapReady() && ctx.publishDue(std::chrono::milliseconds(1000), 1))
      ctx.publish(Snapshot::reply(channel::kMap, s.cellMap()));
  }
  if (ctx.publishDue()) publishProgress(ctx, s, st);
  return false;
}

void CellsTrainJob::end(JobContext& ctx, bool cancelled) {
  if (cancelled || !m_state->result) return;
  publishProgress(ctx, *m_session, *m_state);
  auto r = m_state->result;
  ctx.publish(Snapshot::result(channel::kTrain, std::move(r)));
}

}  // namespace genlab::core::cells
