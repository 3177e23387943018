// The checkerboard lab's job (checkerboard_model.h): the sides trained in
// turns of one mini-batch, their views measured one per step, and the end
// (final views, the judge, each side's quality) in pieces.
#include <chrono>
#include <memory>
#include <stdexcept>

#include "core/labs/style/checkerboard_model.h"

namespace genlab::core::style {

CheckerboardJob::CheckerboardJob(std::vector<std::shared_ptr<CheckerboardSession>> sessions,
                                 long steps, long evalEvery)
    : m_sessions(std::move(sessions)), m_steps(steps), m_evalEvery(evalEvery) {
  if (m_sessions.empty()) throw std::invalid_argument("checkerboard job: no model to train");
}

void CheckerboardJob::begin(JobContext& ctx) {
  std::vector<CheckerboardView> views;
  for (auto& s : m_sessions) {
    views.push_back(s->view());
    const auto& v = views.back();
    m_initEnergy.push_back(v.energy);
    m_initImbalance.push_back(v.imbalance);
    if (s->curve.empty()) s->curve.push_back({v.step, v.energy, v.imbalance, v.loss});
  }
  publish(ctx, &views);
  m_last = views;
}

void CheckerboardJob::publish(JobContext& ctx, const std::vector<CheckerboardView>* views) {
  auto p = std::make_shared<CheckerboardProgress>();
  p->step = m_done;
  p->totalSteps = m_steps;
  p->elapsedSeconds = m_seconds;
  p->judgeStep = m_sessions[0]->judge().step();
  p->judgeSteps = m_sessions[0]->judge().steps();
  for (std::size_t k = 0; k < m_sessions.size(); ++k) {
    auto& s = m_sessions[k];
    p->sides.push_back(views ? (*views)[k] : s->view());
    const auto& v = p->sides.back();
    if (s->curve.empty() || s->curve.back().step != v.step)
      s->curve.push_back({v.step, v.energy, v.imbalance, v.loss});
    p->curves.push_back(s->curve);
  }
  ctx.publish(Snapshot::progressOf("style.gan.checkerboard.progress", p,
                                   m_steps > 0 ? double(m_done) / double(m_steps) : 1.0));
}

bool CheckerboardJob::step(JobContext& ctx) {
  // The quality judge first (shared by the sides; one mini-batch per job step).
  for (auto& s : m_sessions)
    if (!s->judge().ready()) {
      s->judge().trainStep();
      if (ctx.publishDue(std::chrono::milliseconds(400))) publish(ctx, &m_last);  // views unchanged
      return false;
    }
  if (m_collecting) {  // one side's view per step, then the snapshot
    m_pending.push_back(m_sessions[m_pending.size()]->view());
    if (m_pending.size() == m_sessions.size()) {
      publish(ctx, &m_pending);
      m_last = std::move(m_pending);
      m_pending.clear();
      m_collecting = false;
    }
    return false;
  }
  if (auto w = ctx.live().take("balance_weight"))
    for (auto& s : m_sessions)  // the regularised side only: the plain one stays plain
      if (s->options().upsample == Upsample::Transposed3Balanced || s->balanceWeight() > 0)
        s->setBalanceWeight(*w);
  if (m_done < m_steps) {
    // One mini-batch of one side per job step (A, then B): shorter steps.
    const auto t0 = std::chrono::steady_clock::now();
    m_sessions[m_turn]->trainStep();
    m_turn = (m_turn + 1) % m_sessions.size();
    m_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (m_turn != 0) return false;
    ++m_done;
    const bool evalDue = m_evalEvery > 0 && m_done % m_evalEvery == 0;
    if (m_done < m_steps && (evalDue || ctx.publishDue(std::chrono::milliseconds(400))))
      m_collecting = true;  // the next steps measure the views (training waits)
    if (m_done < m_steps) return false;
  }
  return finish(ctx);
}

bool CheckerboardJob::finish(JobContext& ctx) {
  const std::size_t n = m_sessions.size();
  const std::size_t piece = m_finish++;
  if (piece < n) {  // the final view of each side
    m_final.push_back(m_sessions[piece]->view());
    if (piece + 1 == n) publish(ctx, &m_final);
    return false;
  }
  if (piece == n) {  // the judge's accuracy and reference features
    m_sessions[0]->judge().accuracy();
    m_sessions[0]->judge().prepareReference();
    return false;
  }
  if (piece < 2 * n + 1) {  // the quality of one side
    auto& s = m_sessions[piece - n - 1];
    m_frechet.push_back(s->frechetDistance());
    m_mse.push_back(s->testMse());
    return false;
  }
  auto r = std::make_shared<CheckerboardResult>();
  for (std::size_t k = 0; k < n; ++k) {
    auto& s = m_sessions[k];
    CheckerboardSummary sum;
    sum.view = m_final[k];
    sum.testMse = m_mse[k];
    sum.view.quality = sum.frechet = m_frechet[k];
    sum.judgeAccuracy = s->judge().accuracy();
    sum.objective = sum.view.objective;
    sum.upsample = sum.view.upsample;
    sum.steps = s->step();
    sum.balanceWeight = s->balanceWeight();
    sum.initEnergy = m_initEnergy[k];
    sum.initImbalance = m_initImbalance[k];
    sum.energy = sum.view.energy;
    sum.imbalance = sum.view.imbalance;
    sum.dataEnergy = s->dataEnergy();
    sum.trainSeconds = m_seconds;
    r->sides.push_back(std::move(sum));
  }
  ctx.publish(Snapshot::result("style.gan.checkerboard", r));
  return true;
}

}  // namespace genlab::core::style
