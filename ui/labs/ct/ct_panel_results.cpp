// CtPanel: what the viewers and charts show as a run progresses.
#include <QTabWidget>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ui/labs/ct/ct_charts.h"
#include "ui/labs/ct/ct_controls.h"
#include "ui/labs/ct/ct_panel.h"

#include "ui/views/bar_chart_panel.h"
#include "ui/views/chart_panel.h"
#include "ui/views/form_helpers.h"
#include "ui/views/vtk_image_viewer.h"

namespace genlab::ui {

using core::physics::FloatImage;
namespace ct = core::ct;

namespace {
FloatImage absolute(const FloatImage& in) {
  FloatImage out = in;
  for (float& v : out.values) v = std::abs(v);
  return out;
}

float maxValue(const FloatImage& im) {
  float m = 0;
  for (float v : im.values)
    if (std::isfinite(v)) m = std::max(m, v);
  return m;
}

double correlation(const std::vector<float>& a, const std::vector<float>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n < 2) return 0;
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0;
}

QString metricsText(const ct::ReconMetrics& m) {
  QString text;
  if (std::isfinite(m.psnr))
    text = QObject::tr("PSNR %1 dB · SSIM %2").arg(form::metric(m.psnr, 1), form::metric(m.ssim, 3));
  else  // a real scan or a file without ground truth: PSNR and SSIM cannot be computed
    text = QObject::tr("PSNR — · SSIM — (no ground truth) · residual %1").arg(form::metric(m.residual, -1));
  return text + QObject::tr(" · %1 s").arg(m.seconds, 0, 'f', m.seconds < 10 ? 1 : 0);
}
}  // namespace

void CtPanel::onSimulated(const FloatImage& object, const FloatImage& measurement) {
  // A new measurement without a run: earlier results belong to another object.
  if (m_runMethods.isEmpty() && !m_results.isEmpty()) prepareRun({});
  m_object = object;
  m_objectKnown = !object.empty();
  m_blur = m_controls->deblurMode();
  VtkImageViewer* truth = viewer("truth");
  VtkImageViewer* meas = viewer("measurement");
  truth->setTitle(tr("Ground truth x"));
  truth->setCaption(m_objectLabel);
  truth->setImage(object);
  viewer("u.truth")->setImage(object);
  viewer("n.truth.row")->clearImage(m_controls->nullspace() ? tr("splitting…")
                                                            : tr("turn on Nullspace split (Alt+N)"));
  viewer("n.truth.null")->clearImage(QString());
  if (m_blur) {
    meas->setTitle(tr("Measurement y (blurred + noise)"));
    meas->setAxisNames(tr("x"), tr("y"));
    meas->setDefaultRange(0, 1);
    meas->setImage(measurement);
  } else {
    const auto s = m_controls->scanOptions();
    meas->setTitle(tr("Measurement y (sinogram)"));
    meas->setCaption(tr("%1 views over %2°").arg(s.views).arg(s.arcDeg));
    meas->setAxisNames(tr("bin"), tr("view"));
    meas->setDefaultRange(0, 0);
    // Few views: stretch rows so that the sinogram is about as tall as wide.
    const double aspect = std::clamp(double(measurement.width) / std::max(1, measurement.height), 1.0, 8.0);
    meas->setImage(measurement, aspect);
    meas->resetView();
  }
  m_compareLink->setLinked(meas, m_blur);
  if (m_controls->nullspace() && m_objectKnown) m_controller->requestNullspace("truth", object);
  if (!m_controller->running()) m_controls->setProgress(0, tr("measurement ready"));
  Q_EMIT dataChanged();
}

void CtPanel::onProgress(const CtProgressPtr& p, double runFraction) {
  const QString m = QString::fromStdString(p->method);
  // Live previews at ~4 frames/s and charts at ~2/s are plenty to watch a
  // method converge, and leave the GUI thread idle most of the time (software
  // OpenGL on a busy machine makes each frame expensive).
  if (!m_previewClock.isValid() || m_previewClock.elapsed() >= 250) {
    m_previewClock.start();
    if (VtkImageViewer* v = viewer(m)) {
      if (!p->preview.empty()) v->setImage(p->preview);
      v->setCaption(tr("%1 %2/%3 …").arg(m == "score" ? tr("step") : tr("iteration"))
                        .arg(p->iteration)
                        .arg(p->total));
    }
  }
  if (!m_chartClock.isValid() || m_chartClock.elapsed() >= 500) {
    m_chartClock.start();
    updateCurves(m, p->curve);
  }
  m_controls->setProgress(runFraction, tr("%1 %2/%3 · %4 s")
                                           .arg(ctMethodLabel(m))
                                           .arg(p->iteration)
                                           .arg(p->total)
                                           .arg(p->elapsedSeconds, 0, 'f', 1));
}

void CtPanel::onFinished(const CtResultPtr& r) {
  const QString m = QString::fromStdString(r->method);
  m_results.insert(m, r);
  if (VtkImageViewer* v = viewer(m)) {
    v->setImage(r->image);
    v->setCaption(metricsText(r->metrics));
  }
  updateCurves(m, r->curve);
  m_psnr->setValue(m, r->metrics.psnr);
  m_ssim->setValue(m, r->metrics.ssim);
  if (m == "score") showUncertainty(*r);
  // The error map follows the user's pick, else the generative method, else the best PSNR.
  if (!m_userSelected) {
    const CtResultPtr current = m_results.value(m_selected);
    if (m_selected.isEmpty() || m == "score" ||
        (m_selected != "score" && current && r->metrics.psnr > current->metrics.psnr))
      selectMethod(m);
  }
  if (!r->nullSpace.empty()) {
    onNullspace(m, r->rowSpace, r->nullSpace);
  } else if (m_controls->nullspace()) {
    m_controller->requestNullspace(m, r->image);
  }
  const QStringList pending = m_controller->pendingMethods();
  showInfo(tr("%1 done: %2.").arg(ctMethodLabel(m), metricsText(r->metrics)) +
           (pending.isEmpty() ? QString() : tr(" Next: %1.").arg(pending.join(", "))));
}

void CtPanel::onFailed(const QString& method, const QString& message) {
  for (const QString& m : QStringList{"fbp", "sirt", "tv", "score"})
    if (ctMethodLabel(m) == method && viewer(m)) {
      viewer(m)->clearImage(tr("failed: %1").arg(message.left(60)));
      viewer(m)->setCaption(QString());
    }
  onError(method, message, false);
}

void CtPanel::onRunFinished(bool cancelled) {
  if (cancelled) {
    m_controls->setProgress(0, tr("cancelled"));
    for (const QString& m : m_runMethods) {
      if (m_results.contains(m)) continue;
      if (viewer(m)->hasImage()) viewer(m)->setCaption(tr("cancelled"));
      else viewer(m)->clearImage(tr("cancelled"));
    }
    return;
  }
  if (m_results.isEmpty()) {
    m_controls->setProgress(0, m_runMethods.isEmpty() ? tr("measurement ready") : tr("failed"));
    return;
  }
  QString best;
  for (auto it = m_results.cbegin(); it != m_results.cend(); ++it)
    if (best.isEmpty() || it.value()->metrics.psnr > m_results.value(best)->metrics.psnr)
      best = it.key();
  m_controls->setProgress(1, tr("done"));
  if (!std::isfinite(m_results.value(best)->metrics.psnr)) return;
  QString text = tr("Done. Best PSNR: %1 (%2 dB).")
                     .arg(ctMethodLabel(best))
                     .arg(m_results.value(best)->metrics.psnr, 0, 'f', 1);
  if (m_controls->methodChecked("score") && !m_results.contains("score"))
    text += tr(" The score prior did not run: no prior loaded — Train prior or Load.");
  showInfo(text);
}

void CtPanel::selectMethod(const QString& method) {
  if (!m_results.contains(method)) return;
  m_selected = method;
  for (const QString& m : QStringList{"fbp", "sirt", "tv", "score"}) {
    const QString base = m == "score" ? tr("Score prior (generative)") : ctMethodLabel(m);
    viewer(m)->setTitle(m == method ? QStringLiteral("▶ ") + base : base);
  }
  showError();
}

void CtPanel::showError() {
  VtkImageViewer* v = viewer("error");
  const CtResultPtr r = m_results.value(m_selected);
  if (!r || r->error.empty()) {
    v->clearImage(m_objectKnown ? tr("click a reconstruction to see its error")
                                : tr("no ground truth: no error map"));
    return;
  }
  v->setTitle(tr("Error: %1 − truth").arg(ctMethodLabel(m_selected)));
  v->setCaption(tr("blue: too low · red: too high"));
  v->setImage(r->error);
}

void CtPanel::showUncertainty(const ct::ReconResult& r) {
  viewer("u.mean")->setImage(r.image);
  viewer("u.mean")->setCaption(metricsText(r.metrics));
  if (r.stddev.empty()) {
    const QString why = tr("one sample: no uncertainty (set K ≥ 2)");
    viewer("uncertainty")->clearImage(why);
    viewer("u.std")->clearImage(why);
  } else {
    // One colour scale for both views: 0 .. the largest std.
    const float hi = std::max(1e-6f, maxValue(r.stddev));
    const double mean = std::accumulate(r.stddev.values.begin(), r.stddev.values.end(), 0.0) /
                        double(r.stddev.values.size());
    for (const char* n : {"uncertainty", "u.std"}) {
      viewer(n)->setDefaultRange(0, hi);
      viewer(n)->setImage(r.stddev);
      viewer(n)->resetView();
      viewer(n)->setCaption(tr("K = %1 samples · mean std %2").arg(r.samples.depth).arg(mean, 0, 'f', 4));
    }
  }
  if (!r.error.empty()) {
    const FloatImage err = absolute(r.error);
    viewer("u.error")->setDefaultRange(0, std::max(1e-6f, maxValue(err)));
    viewer("u.error")->setImage(err);
    viewer("u.error")->resetView();
    // Is the uncertainty where the errors are? Pearson correlation, per pixel.
    if (err.values.size() == r.stddev.values.size())
      viewer("u.error")->setCaption(tr("correlation with std: %1")
                                        .arg(correlation(err.values, r.stddev.values), 0, 'f', 2));
  }
  for (int k = 0; k < 4; ++k) {
    VtkImageViewer* v = viewer(QString("u.sample%1").arg(k));
    if (k < r.samples.depth) v->setImage(r.samples.slice(k));
    else v->clearImage(tr("K < %1").arg(k + 1));
  }
}

void CtPanel::updateCurves(const QString& method, const std::vector<ct::CurvePoint>& curve) {
  QList<QPointF> psnr, residual;
  for (const ct::CurvePoint& c : curve) {
    psnr.append(QPointF(c.iteration, c.psnr));
    residual.append(QPointF(c.iteration, c.residual));
  }
  // One-shot FBP has a single point: show it as a flat line over the others' range.
  setCtCurve(m_psnrCurves, method, psnr);
  setCtCurve(m_residualCurves, method, residual);
}

void CtPanel::requestMissingNullspaces() {
  if (m_objectKnown && !viewer("n.truth.row")->hasImage())
    m_controller->requestNullspace("truth", m_object);
  for (auto it = m_results.cbegin(); it != m_results.cend(); ++it) {
    if (!it.value()->nullSpace.empty())
      onNullspace(it.key(), it.value()->rowSpace, it.value()->nullSpace);
    else
      m_controller->requestNullspace(it.key(), it.value()->image);
  }
}

void CtPanel::onNullspace(const QString& key, const FloatImage& row, const FloatImage& null) {
  VtkImageViewer* r = viewer("n." + key + ".row");
  VtkImageViewer* n = viewer("n." + key + ".null");
  if (!r || !n) return;
  r->setImage(row);
  n->setImage(null);
  double energy = 0, total = 0;
  for (float v : null.values) energy += double(v) * v;
  for (std::size_t i = 0; i < row.values.size() && i < null.values.size(); ++i) {
    const double x = double(row.values[i]) + null.values[i];
    total += x * x;
  }
  n->setCaption(tr("%1 % of the image's energy").arg(total > 0 ? 100 * energy / total : 0, 0, 'f', 1));
}

}  // namespace genlab::ui
