#include "core/labs/style/style_job.h"

#include <chrono>
#include <stdexcept>

#include "core/labs/style/style_image.h"
#include "core/labs/style/style_requests.h"

namespace genlab::core::style {

namespace {
using Clock = std::chrono::steady_clock;
}

StyleTrainJob::StyleTrainJob(std::shared_ptr<StyleSession> session, long steps, TrainConfig config,
                             std::string out, std::vector<std::string> contents,
                             std::vector<std::string> styles)
    : m_session(std::move(session)), m_steps(steps), m_config(config), m_out(std::move(out)),
      m_contents(std::move(contents)), m_styles(std::move(styles)),
      m_progress(std::make_shared<StyleProgress>()) {
  if (!m_session) throw std::invalid_argument("no style session");
  if (steps < 1) throw std::invalid_argument("--steps must be at least 1");
}

std::string StyleTrainJob::name() const { return channel::kTrain; }

void StyleTrainJob::begin(JobContext&) {
  if (m_contents.empty() || m_styles.empty()) {
    const auto found = findTrainingPhotos();
    if (m_contents.empty()) m_contents = found.contents;
    if (m_styles.empty()) m_styles = found.styles;
  }
  if (m_contents.empty() || m_styles.empty())
    throw std::runtime_error("no training photos in " + styleDataDirectory() +
                             "; run `make data` (copies the photos from python3-skimage and python3-sklearn)");
  std::vector<Image> c, s;
  for (const auto& p : m_contents) c.push_back(readImageFile(p));
  for (const auto& p : m_styles) s.push_back(readImageFile(p));
  // The textures alone are mostly grey: the photos serve as styles too, so the
  // decoder learns to render colour.
  s.insert(s.end(), c.begin(), c.end());
  m_session->setTraining(c, s, m_config);
  m_result.before = m_session->evaluateTraining();
  m_progress->totalSteps = m_steps;
}

void StyleTrainJob::publishProgress(JobContext& ctx) {
  auto p = std::make_shared<StyleProgress>(*m_progress);
  p->elapsedSeconds = m_seconds;
  p->stepsPerSecond = m_seconds > 0 ? p->step / m_seconds : 0;
  ctx.publish(Snapshot::progressOf(channel::kProgress, std::move(p), double(p->step) / m_steps));
}

bool StyleTrainJob::step(JobContext& ctx) {
  if (m_progress->step >= m_steps) return true;
  const auto t0 = Clock::now();
  const auto m = m_session->trainStep();
  m_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
  m_progress->contentLoss.push_back(float(m.content));
  m_progress->styleLoss.push_back(float(m.style));
  ++m_progress->step;
  const bool done = m_progress->step >= m_steps;
  if (done || ctx.publishDue()) publishProgress(ctx);
  return done;
}

void StyleTrainJob::end(JobContext& ctx, bool cancelled) {
  if (m_progress->step == 0) return;  // failed in begin or stopped before a step: nothing to keep
  m_result.steps = m_progress->step;
  m_result.totalSteps = m_session->step();
  m_result.trainSeconds = m_seconds;
  m_result.cancelled = cancelled;
  m_result.after = m_session->evaluateTraining();
  if (!m_out.empty()) {
    m_session->save(m_out);
    m_result.savedTo = m_out;
  }
  if (!cancelled) ctx.publish(Snapshot::result(channel::kTrain, std::make_shared<StyleTrainResult>(m_result)));
}

}  // namespace genlab::core::style
