#include "core/labs/style/style_job.h"

#include <chrono>
#include <filesystem>
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

void StyleTrainJob::usePhotos(std::vector<Image> contents, std::vector<Image> styles) {
  if (contents.empty() || styles.empty()) throw std::invalid_argument("training needs content and style photos");
  m_contentImages = std::move(contents);
  m_styleImages = std::move(styles);
  m_preloaded = true;
}

void StyleTrainJob::begin(JobContext&) {
  m_progress->totalSteps = m_steps;
  if (m_preloaded) return;
  if (m_contents.empty() || m_styles.empty()) {
    const auto found = findTrainingPhotos();
    if (m_contents.empty()) m_contents = found.contents;
    if (m_styles.empty()) m_styles = found.styles;
  }
  if (m_contents.empty() || m_styles.empty())
    throw std::runtime_error("no training photos in " + styleDataDirectory() +
                             "; run `make data` (copies the photos from python3-skimage and python3-sklearn)");
}

std::vector<Image> trainingStyles(const std::vector<Image>& contents, std::vector<Image> styles) {
  styles.insert(styles.end(), contents.begin(), contents.end());
  return styles;
}

void StyleTrainJob::publishProgress(JobContext& ctx) {
  auto p = std::make_shared<StyleProgress>(*m_progress);
  p->elapsedSeconds = m_seconds;
  p->stepsPerSecond = m_seconds > 0 ? p->step / m_seconds : 0;
  ctx.publish(Snapshot::progressOf(channel::kProgress, std::move(p), double(p->step) / m_steps));
}

bool StyleTrainJob::step(JobContext& ctx) {
  switch (m_phase) {
    case Phase::Reading: {  // one photo per slice
      if (!m_preloaded) {
        const std::size_t n = m_contents.size();
        if (m_read < n) m_contentImages.push_back(readImageFile(m_contents[m_read]));
        else m_styleImages.push_back(readImageFile(m_styles[m_read - n]));
        if (++m_read < n + m_styles.size()) return false;
      }
      m_session->setTraining(m_contentImages, trainingStyles(m_contentImages, std::move(m_styleImages)),
                             m_config);
      m_contentImages.clear();
      m_styleImages.clear();
      m_phase = Phase::Before;
      return false;
    }
    case Phase::Before:
      if (m_whole) m_result.before = m_session->evaluateTraining();
      else if (!m_session->evaluateSlice(kSliceBudgetMs, &m_result.before)) return false;
      m_phase = Phase::Training;
      return false;
    case Phase::Training: {
      const auto t0 = Clock::now();
      TrainMetrics m;
      bool stepDone = true;
      if (m_whole) m = m_session->trainStep();
      else stepDone = m_session->trainSlice(kSliceBudgetMs, &m);
      m_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      if (!stepDone) return false;
      m_progress->contentLoss.push_back(float(m.content));
      m_progress->styleLoss.push_back(float(m.style));
      ++m_progress->step;
      const bool last = m_progress->step >= m_steps;
      if (last || ctx.publishDue()) publishProgress(ctx);
      if (last) m_phase = Phase::After;
      return false;
    }
    case Phase::After:
      if (m_whole) m_result.after = m_session->evaluateTraining();
      else if (!m_session->evaluateSlice(kSliceBudgetMs, &m_result.after)) return false;
      m_phase = Phase::Done;
      return true;
    case Phase::Done:
      break;
  }
  return true;
}

void StyleTrainJob::end(JobContext& ctx, bool cancelled) {
  // A half-done step's gradients are dropped: the decoder keeps its last whole step.
  if (m_phase != Phase::Reading) m_session->abandonSlices();
  if (m_progress->step == 0) return;  // failed early or stopped before a step: nothing to keep
  m_result.steps = m_progress->step;
  m_result.totalSteps = m_session->step();
  m_result.trainSeconds = m_seconds;
  m_result.cancelled = cancelled;
  if (!m_out.empty()) {
    const auto dir = std::filesystem::path(m_out).parent_path();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);  // the save names what failed
    m_session->save(m_out);
    m_result.savedTo = m_out;
  }
  // A stopped run publishes no result (its "after" loss was not evaluated).
  if (!cancelled && m_phase == Phase::Done)
    ctx.publish(Snapshot::result(channel::kTrain, std::make_shared<StyleTrainResult>(m_result)));
}

}  // namespace genlab::core::style
