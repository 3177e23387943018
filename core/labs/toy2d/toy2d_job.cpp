#include "core/labs/toy2d/toy2d_job.h"

#include "core/labs/toy2d/toy2d_requests.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace genlab::core::toy2d {

namespace {
using Clock = std::chrono::steady_clock;
constexpr double kSliceSeconds = 0.015;
constexpr std::size_t kMaxCurvePoints = 1000;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Loss history: one point per `every` iterations (at least), halved in
// resolution whenever it grows past kMaxCurvePoints.
struct CurveAccumulator {
  std::vector<LossCurve> curves;
  std::vector<double> sums;
  long count = 0, every = 1;

  explicit CurveAccumulator(const std::vector<std::string>& names) : sums(names.size(), 0.0) {
    for (const auto& n : names) curves.push_back({n, {}, {}});
  }
  void add(const Toy2dSession::TrainChunk& c, long iteration) {
    for (std::size_t k = 0; k < sums.size(); ++k) sums[k] += c.lossSums[k];
    count += c.iterations;
    if (count < every) return;
    for (std::size_t k = 0; k < sums.size(); ++k) {
      curves[k].steps.push_back(static_cast<float>(iteration));
      curves[k].values.push_back(static_cast<float>(sums[k] / double(count)));
      sums[k] = 0;
    }
    count = 0;
    if (curves.empty() || curves[0].steps.size() <= kMaxCurvePoints) return;
    for (auto& c2 : curves) {
      std::size_t w = 0;
      for (std::size_t i = 0; i + 1 < c2.steps.size(); i += 2, ++w) {
        c2.steps[w] = c2.steps[i + 1];
        c2.values[w] = 0.5f * (c2.values[i] + c2.values[i + 1]);
      }
      c2.steps.resize(w);
      c2.values.resize(w);
    }
    every *= 2;
  }
};

struct ModelState {
  explicit ModelState(const std::vector<std::string>& names) : curves(names) {}
  long target = 0;  // absolute iteration to stop at; 0 = never
  CurveAccumulator curves;
  std::vector<EvalMetrics> evaluations;
  Clock::time_point lastEval;
  bool evaluating = false;
  bool finalDone = false;
  double rate = 0;  // slow-motion bookkeeping
  Clock::time_point rateStart;
  long rateDone = 0;
};
}  // namespace

struct Toy2dTrainJob::State {
  std::vector<ModelState> models;
  std::size_t next = 0;
  bool finalPhase = false;
  Clock::time_point started;
};

void TrainSettings::update(LiveSettings& live) {
  if (auto v = live.take(live::kSpeed)) maxIterationsPerSecond = std::max(0.0, *v);
  if (auto v = live.take(live::kSliceIterations)) iterationsPerSlice = std::max(0, int(*v));
  if (auto v = live.take(live::kEvalEvery)) evalEverySeconds = std::max(0.0, *v);
}

std::string Toy2dTrainJob::name() const { return channel::kTrain; }

Toy2dTrainJob::Toy2dTrainJob(std::vector<std::shared_ptr<Toy2dSession>> sessions, long iterations,
                             TrainSettings settings, bool finalEvaluation)
    : m_sessions(std::move(sessions)),
      m_iterations(iterations),
      m_settings(settings),
      m_finalEvaluation(finalEvaluation),
      m_state(std::make_unique<State>()) {
  if (m_sessions.empty()) throw std::invalid_argument("nothing to train: no model given");
  for (const auto& s : m_sessions)
    if (!s) throw std::invalid_argument("nothing to train: an empty session");
}

Toy2dTrainJob::~Toy2dTrainJob() = default;

void Toy2dTrainJob::begin(JobContext&) {
  auto& st = *m_state;
  st.started = Clock::now();
  for (const auto& s : m_sessions) {
    ModelState m(s->lossNames());
    m.target = m_iterations > 0 ? s->iteration() + m_iterations : 0;
    m.lastEval = m.rateStart = st.started;
    st.models.push_back(std::move(m));
  }
}

namespace {
bool trainingDone(const Toy2dSession& s, const ModelState& m) {
  return m.target > 0 && s.iteration() >= m.target && !m.evaluating;
}

void publishProgress(JobContext& ctx, const std::vector<std::shared_ptr<Toy2dSession>>& sessions,
                     const std::vector<ModelState>& models, Clock::time_point started, double fraction) {
  auto p = std::make_shared<Toy2dProgress>();
  p->elapsedSeconds = since(started);
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const auto& s = *sessions[i];
    const auto& m = models[i];
    ModelProgress mp;
    mp.label = s.label();
    mp.iteration = s.iteration();
    mp.targetIteration = m.target;
    mp.trainSeconds = s.trainSeconds();
    mp.iterationsPerSecond = s.comparisonRow().iterationsPerSecond;
    mp.losses = m.curves.curves;
    mp.evaluations = m.evaluations;
    mp.evaluating = m.evaluating;
    p->models.push_back(std::move(mp));
  }
  ctx.publish(Snapshot::progressOf(channel::kProgress, std::move(p), fraction));
}
}  // namespace

namespace {
// One chunk of a periodic held-out evaluation; its time is not training time.
void evaluationSlice(Toy2dSession& s, ModelState& m) {
  if (!m.evaluating) s.beginEvaluation();
  m.evaluating = !s.evaluateChunk();
  if (!m.evaluating) {
    m.evaluations.push_back(s.lastEvaluation());
    m.lastEval = Clock::now();
  }
}

// About kSliceSeconds of training, or the control's fixed iteration count,
// never faster than its slow-motion rate.
void trainingSlice(Toy2dSession& s, ModelState& m, const TrainSettings& control) {
  long maxIt = m.target > 0 ? m.target - s.iteration() : LONG_MAX;
  double seconds = kSliceSeconds;
  const int per = control.iterationsPerSlice;
  if (per > 0) {
    maxIt = std::min<long>(maxIt, per);
    seconds = 1e9;
  }
  const double rate = control.maxIterationsPerSecond;
  if (rate != m.rate) {
    m.rate = rate;
    m.rateStart = Clock::now();
    m.rateDone = 0;
  }
  if (rate > 0) {
    const long allowed = static_cast<long>(std::floor(rate * since(m.rateStart))) - m.rateDone;
    if (allowed <= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // idle, but stay responsive
      return;
    }
    maxIt = std::min(maxIt, allowed);
  }
  if (maxIt <= 0) return;
  const auto chunk = s.train(seconds, maxIt);
  m.rateDone += chunk.iterations;
  m.curves.add(chunk, s.iteration());
}
}  // namespace

bool Toy2dTrainJob::finalEvaluationStep(JobContext& ctx) {
  auto& st = *m_state;
  for (std::size_t i = 0; i < m_sessions.size(); ++i) {
    auto& m = st.models[i];
    if (m.finalDone) continue;
    if (m_sessions[i]->evaluateChunk()) {
      m.finalDone = true;
      m.evaluations.push_back(m_sessions[i]->lastEvaluation());
    }
    if (ctx.publishDue()) publishProgress(ctx, m_sessions, st.models, st.started, 1.0);
    return false;
  }
  publishProgress(ctx, m_sessions, st.models, st.started, 1.0);
  return true;
}

bool Toy2dTrainJob::step(JobContext& ctx) {
  auto& st = *m_state;
  if (st.finalPhase) return finalEvaluationStep(ctx);
  const std::size_t n = m_sessions.size();
  // Next model that still trains, round robin.
  std::size_t i = n;
  for (std::size_t tries = 0; tries < n && i == n; ++tries) {
    const std::size_t k = (st.next + tries) % n;
    if (!trainingDone(*m_sessions[k], st.models[k])) i = k;
  }
  if (i == n) {
    if (!m_finalEvaluation) {
      publishProgress(ctx, m_sessions, st.models, st.started, 1.0);
      return true;
    }
    st.finalPhase = true;
    for (auto& s : m_sessions) s->beginEvaluation();
    return false;
  }
  st.next = (i + 1) % n;
  auto& m = st.models[i];
  m_settings.update(ctx.live());
  const double every = m_settings.evalEverySeconds;
  if (m.evaluating || (every > 0 && since(m.lastEval) >= every))
    evaluationSlice(*m_sessions[i], m);
  else
    trainingSlice(*m_sessions[i], m, m_settings);
  if (ctx.publishDue()) {
    double done = 0;
    for (std::size_t k = 0; k < n; ++k)
      if (st.models[k].target > 0)
        done += std::min(1.0, double(m_sessions[k]->iteration()) / double(st.models[k].target));
    publishProgress(ctx, m_sessions, st.models, st.started, done / double(n));
  }
  return false;
}

void Toy2dTrainJob::end(JobContext& ctx, bool cancelled) {
  auto& st = *m_state;
  if (st.models.size() != m_sessions.size()) return;  // never began
  publishProgress(ctx, m_sessions, st.models, st.started, cancelled ? -1.0 : 1.0);
  if (cancelled || !m_finalEvaluation) return;
  auto r = std::make_shared<Toy2dResult>();
  for (const auto& s : m_sessions) r->rows.push_back(s->comparisonRow());
  ctx.publish(Snapshot::result(channel::kTrain, std::move(r)));
}

}  // namespace genlab::core::toy2d
