#include "ui/labs/latent/latent_panel.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QInputDialog>
#include <QPushButton>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMessageBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <cmath>

#include "ui/bridge/engine_bridge.h"
#include "ui/labs/latent/latent_controls.h"
#include "ui/views/chart_panel.h"
#include "ui/views/image_strip_view.h"
#include "ui/views/image_view.h"
#include "ui/views/kl_bars_view.h"
#include "ui/views/latent_map_view.h"

namespace genlab::ui {

namespace {
const QColor kTrainColor(31, 119, 180), kTestColor(230, 110, 0);

// 14000 -> "14 000"
QString grouped(double value) {
  QString digits = QString::number(std::llround(value));
  for (int i = digits.size() - 3; i > 0 && digits[i - 1].isDigit(); i -= 3)
    digits.insert(i, QChar(0x202F));  // narrow no-break space
  return digits;
}

QString clock(double seconds) {
  const long s = std::lround(std::max(0.0, seconds));
  if (s >= 3600)
    return QString("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'));
  return QString("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QString progressText(const core::latent::VaeProgress& p) {
  const int current = std::min(p.epochs, int(std::floor(p.epoch + 1e-9)) + 1);
  QString text = QObject::tr("epoch %1/%2").arg(std::max(1, current)).arg(p.epochs);
  if (p.evaluating) return text + QObject::tr(" · evaluating…");
  if (p.samplesPerSecond > 0) text += QObject::tr(" · %1 img/s").arg(grouped(p.samplesPerSecond));
  if (p.etaSeconds >= 0) text += QObject::tr(" · %1 left").arg(clock(p.etaSeconds));
  return text;
}

QLabel* heading(const QString& text) {
  auto* label = new QLabel(text);
  QFont f = label->font();
  f.setBold(true);
  label->setFont(f);
  return label;
}
}  // namespace

LatentPanel::LatentPanel(EngineBridge* bridge, QWidget* parent)
    : LabPanel(QStringLiteral("latent"), parent), m_bridge(bridge), m_controller(new VaeController(bridge, this)) {
  setObjectName("latentPanel");
  m_controls = new LatentControls;

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(buildCentre());
  split->addWidget(buildCharts());
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);

  layoutControlsAndCentre(m_controls, split);

  m_gridDebounce.setSingleShot(true);
  m_gridDebounce.setInterval(150);
  connect(&m_gridDebounce, &QTimer::timeout, this, [this] {
    if (m_gridBox->isChecked() && m_controller->hasSession() && m_map->pointCount() > 0)
      m_controller->requestGrid(m_map->visibleLatentRect(), kGridSize);
  });
  connectController();
  buildShortcuts();
  onStateChanged(VaeController::State::Idle);
}

LatentPanel::~LatentPanel() = default;

QWidget* LatentPanel::buildCentre() {
  auto* w = new QWidget;
  auto* grid = new QGridLayout(w);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setHorizontalSpacing(12);
  m_map = new LatentMapView;
  m_map->setObjectName("latentMap");
  m_map->setToolTip(tr("Latent map"));
  grid->addWidget(heading(tr("Latent space (posterior means of the test set)")), 0, 0);
  grid->addWidget(m_map, 1, 0);
  grid->addWidget(buildDecodedColumn(), 0, 1, 2, 1);
  auto* stripTitle = heading(tr("Interpolation A → B"));
  stripTitle->setToolTip(tr("Shift+click two points on the map"));
  m_strip = new ImageStripView;
  m_strip->setObjectName("latentInterpolation");
  m_strip->setPlaceholder(tr("Shift+click a point A, then a point B on the map to decode "
                             "%1 steps between them").arg(kInterpolationSteps));
  m_strip->setToolTip(tr("Decoded images along the straight line from A to B in latent space"));
  m_strip->setMinimumHeight(90);
  grid->addWidget(stripTitle, 2, 0, 1, 2);
  grid->addWidget(m_strip, 3, 0, 1, 2);
  grid->setRowStretch(1, 1);
  grid->setColumnStretch(0, 1);
  return w;
}

QWidget* LatentPanel::buildDecodedColumn() {
  auto* w = new QWidget;
  w->setFixedWidth(270);
  auto* v = new QVBoxLayout(w);
  v->setContentsMargins(0, 0, 0, 0);
  v->addWidget(heading(tr("Decoded")));
  m_decoded = new ImageView;
  m_decoded->setObjectName("latentDecoded");
  m_decoded->setMinimumSize(260, 284);
  m_decoded->setPlaceholder(tr("Click on the map to decode a latent point"));
  m_decoded->setToolTip(tr("The decoder's mean image p(x|z) at the pinned point"));
  v->addWidget(m_decoded);
  m_coord = new QLabel(QStringLiteral(" "));
  m_coord->setToolTip(tr("Latent coordinate under the mouse"));
  v->addWidget(m_coord);
  m_gridBox = new QCheckBox(tr("Manifold grid (G)"));
  m_gridBox->setToolTip(tr("Decode a %1x%1 grid over the visible part of the map and show it "
                           "over the scatter").arg(kGridSize));
  v->addWidget(m_gridBox);
  auto* help = new QLabel(tr("Click or drag on the map to decode. Shift+click A, then B, to "
                             "interpolate. Wheel zooms; right-drag or Ctrl+drag pans."));
  help->setWordWrap(true);
  help->setStyleSheet("color: palette(mid);");
  v->addWidget(help);
  m_note = new QLabel(tr("Latent dimension > 2: the map shows the top-2 PCA plane of the "
                         "posterior means; clicks decode through that plane."));
  m_note->setWordWrap(true);
  m_note->setStyleSheet("color: #8a5a00;");
  m_note->setVisible(false);
  v->addWidget(m_note);
  v->addStretch(1);
  connect(m_gridBox, &QCheckBox::toggled, this, [this](bool on) {
    m_map->setOverlayVisible(on);
    if (on) scheduleGrid();
  });
  return w;
}

QWidget* LatentPanel::buildCharts() {
  auto* w = new QWidget;
  auto* h = new QHBoxLayout(w);
  h->setContentsMargins(0, 0, 0, 0);
  h->setSpacing(6);
  m_elbo = new ChartPanel(tr("ELBO (higher is better)"));
  m_recon = new ChartPanel(tr("Reconstruction −log p(x|z)"));
  m_kl = new ChartPanel(tr("KL(q(z|x) ‖ p(z))"));
  for (ChartPanel* c : {m_elbo, m_recon, m_kl}) {
    c->setSeriesStyle(tr("train"), kTrainColor);
    c->setSeriesStyle(tr("test"), kTestColor, true);
    c->setYTitle(tr("nats"));
    h->addWidget(c, 1);
  }
  m_elbo->setToolTip(tr("Evidence lower bound with β = 1: train (averaged over a few steps) and "
                        "test (after each epoch)"));
  m_recon->setToolTip(tr("Expected negative log-likelihood of the image under the decoder"));
  m_kl->setToolTip(tr("KL divergence of the posterior from the prior N(0, I)"));
  m_klBars = new KlBarsView;
  m_klBars->setObjectName("latentKlBars");
  h->addWidget(m_klBars, 1);
  w->setMinimumHeight(200);
  return w;
}

void LatentPanel::buildShortcuts() {
  addShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), [this] { startTraining(); });
  addShortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), [this] { startTraining(); });
  addShortcut(QKeySequence(Qt::Key_Space), [this] { togglePause(); });
  addShortcut(QKeySequence(Qt::CTRL | Qt::Key_R), [this] { reset(); });
  addShortcut(QKeySequence(Qt::Key_G), [this] { m_gridBox->toggle(); });
}

void LatentPanel::connectController() {
  connect(m_controls, &LatentControls::startClicked, this, &LatentPanel::startTraining);
  connect(m_controls, &LatentControls::pauseClicked, this, &LatentPanel::togglePause);
  connect(m_controls, &LatentControls::stepClicked, m_controller, &VaeController::step);
  connect(m_controls, &LatentControls::resetClicked, this, &LatentPanel::reset);
  connect(m_controls, &LatentControls::saveClicked, this, &LatentPanel::saveModelDialog);
  connect(m_controls, &LatentControls::loadClicked, this, &LatentPanel::openModelDialog);
  connect(m_controls, &LatentControls::betaChanged, m_controller, &VaeController::setBeta);
  connect(m_controls, &LatentControls::dataSpecChanged, this, [this] {
    if (!m_controller->hasSession() ||
        m_controller->sessionOptions().data != m_controls->dataSpec().toStdString())
      m_dataSummary.clear();
    Q_EMIT dataChanged();
  });
  connect(m_map, &LatentMapView::picked, this, [this](QPointF z) {
    m_controller->requestDecode(z);
  });
  connect(m_map, &LatentMapView::interpolationStarted, this, [this] { m_autoInterpolation = false; });
  connect(m_map, &LatentMapView::interpolationRequested, this, [this](QPointF a, QPointF b) {
    m_autoInterpolation = false;
    m_controller->requestInterpolation(a, b, kInterpolationSteps);
  });
  connect(m_map, &LatentMapView::viewChanged, this, &LatentPanel::scheduleGrid);
  connect(m_map, &LatentMapView::hovered, this, [this](QPointF z) {
    m_coord->setText(tr("cursor: %1 = (%2, %3)")
                         .arg(m_latentDim > 2 ? tr("plane") : tr("z"))
                         .arg(z.x(), 0, 'f', 2)
                         .arg(z.y(), 0, 'f', 2));
  });

  connect(m_controller, &VaeController::stateChanged, this, &LatentPanel::onStateChanged);
  connect(m_controller, &VaeController::sessionReady, this, &LatentPanel::onSessionReady);
  connect(m_controller, &VaeController::progressed, this, &LatentPanel::onProgress);
  connect(m_controller, &VaeController::mapUpdated, this, &LatentPanel::onMap);
  connect(m_controller, &VaeController::decoded, this, &LatentPanel::onDecoded);
  connect(m_controller, &VaeController::gridDecoded, this, [this](const QImage& im, QRectF r) {
    m_map->setOverlay(im, r);
  });
  connect(m_controller, &VaeController::interpolated, this,
          [this](QPointF, QPointF, const QVector<QImage>& images) {
            QStringList captions;
            for (int i = 0; i < images.size(); ++i)
              captions << (i == 0 ? "A" : i == images.size() - 1 ? "B" : QString());
            m_strip->setImages(images, captions);
          });
  connect(m_controller, &VaeController::finished, this, &LatentPanel::onFinished);
  connect(m_controller, &VaeController::probed, this, &LatentPanel::onProbed);
  connect(m_controller, &VaeController::experimentDataMissing, this,
          &LatentPanel::onExperimentDataMissing);
  connect(m_controller, &VaeController::experimentOpened, this,
          [this](const QString& view, const QString& result) {
            m_lastResultJson = result;
            applyViewState(view);
            showInfo(tr("Opened %1").arg(m_controller->provenance()));
          });
  connect(m_controller, &VaeController::cancelled, this, [this] {
    keepCurves();
    showInfo(tr("Training stopped."));
  });
  connect(m_controller, &VaeController::errorOccurred, this, &LatentPanel::onError);
  connect(m_controller, &VaeController::info, this, &LatentPanel::showInfo);
}

void LatentPanel::startTraining() {
  if (m_controller->busy()) return;
  m_lastError.clear();
  const auto options = m_controls->options();
  const bool more = m_controller->canContinue(options);
  showInfo(more ? tr("Training %1 more epochs…").arg(options.epochs)
                : tr("Loading %1 and building the model…").arg(m_controls->dataLabel()));
  m_controller->start(options);
}

bool LatentPanel::isTraining() const { return m_controller->busy(); }

void LatentPanel::togglePause() {
  if (m_controller->state() == VaeController::State::Training) m_controller->pause();
  else if (m_controller->state() == VaeController::State::Paused) m_controller->resume();
}

void LatentPanel::reset() {
  if (m_controller->state() == VaeController::State::Preparing) return;
  m_lastError.clear();
  showInfo(tr("Rebuilding an untrained model…"));
  m_controller->reset(m_controls->options());
}

bool LatentPanel::setDataSpec(const QString& spec) {
  if (m_controller->busy()) return false;
  return m_controls->setDataSpec(spec);
}

QString LatentPanel::dataDescription() const {
  return m_dataSummary.isEmpty() ? m_controls->dataLabel() : m_dataSummary;
}

void LatentPanel::onStateChanged(VaeController::State state) {
  m_controls->setRunState(state, m_controller->hasSession());
}

void LatentPanel::onSessionReady(const QString& summary, bool loaded) {
  m_keptTrain.clear();
  m_keptTest.clear();
  m_lastProgress.reset();
  m_autoInterpolation = true;
  for (ChartPanel* c : {m_elbo, m_recon, m_kl}) c->clearPoints();
  m_klBars->clear();
  m_map->clearPoints();
  m_decoded->clear();
  m_strip->clear();
  m_dataSummary = summary;
  m_controls->setImported(m_controller->imported());
  m_controls->setRunState(m_controller->state(), true);
  if (m_controller->imported()) {
    m_controls->setProgress(0, tr("imported: explore it"));
    showInfo(tr("Opened %1").arg(m_controller->provenance()));
  } else if (loaded) {
    m_controls->setOptions(m_controller->sessionOptions());
    m_controls->setProgress(0, tr("loaded; Start trains it further"));
    showInfo(tr("Loaded %1").arg(m_controller->provenance()));
  } else {
    m_controls->setProgress(0, tr("untrained"));
    showInfo(tr("Model built on %1").arg(m_controller->provenance()));
  }
  Q_EMIT dataChanged();
}

void LatentPanel::onProgress(const VaeProgressPtr& p) {
  m_lastProgress = p;
  const double fraction = p->totalSteps > 0 ? double(p->step) / p->totalSteps : 0;
  m_controls->setProgress(fraction, progressText(*p));
  m_controls->setEffectiveBeta(p->beta);
  if (!p->klPerDim.empty()) m_klBars->setValues(p->klPerDim);
  updateCharts();
}

void LatentPanel::onMap(const LatentMapPtr& map) {
  m_latentDim = map->latentDim;
  m_note->setVisible(m_latentDim > 2);
  if (m_latentDim > 2) m_map->setAxisNames("PC1", "PC2");
  else m_map->setAxisNames("z1", m_latentDim > 1 ? "z2" : QString());
  m_map->setPoints(map->xy, map->labels);
  m_controller->refreshRequests();
  if (!m_map->pinned()) {
    // Something to look at before the first click: the decoded prior mean.
    m_map->setPinned(QPointF(0, 0));
    m_controller->requestDecode(QPointF(0, 0));
  }
  if (m_autoInterpolation) autoInterpolate(*map);
  scheduleGrid();
}

void LatentPanel::autoInterpolate(const core::latent::LatentMap& map) {
  // Until the user picks endpoints, interpolate between the two class
  // centroids that lie farthest apart; they follow the map as it trains.
  QPointF sum[10];
  int count[10] = {};
  for (std::size_t i = 0; i < map.labels.size() && 2 * i + 1 < map.xy.size(); ++i) {
    const int label = map.labels[i];
    if (label < 0 || label > 9) continue;
    sum[label] += QPointF(map.xy[2 * i], map.xy[2 * i + 1]);
    ++count[label];
  }
  double best = -1;
  QPointF a, b;
  for (int i = 0; i < 10; ++i)
    for (int j = i + 1; j < 10; ++j) {
      if (count[i] < 5 || count[j] < 5) continue;
      const QPointF d = sum[i] / count[i] - sum[j] / count[j];
      const double dist = QPointF::dotProduct(d, d);
      if (dist > best) {
        best = dist;
        a = sum[i] / count[i];
        b = sum[j] / count[j];
      }
    }
  if (best <= 0) return;
  m_map->setInterpolation(a, b);
  m_controller->requestInterpolation(a, b, kInterpolationSteps);
}

void LatentPanel::onDecoded(QPointF z, const QImage& image) {
  m_decoded->setImage(image);
  const QString where = m_latentDim > 2 ? tr("plane") : tr("z");
  const QString text = tr("%1 = (%2, %3)").arg(where).arg(z.x(), 0, 'f', 3).arg(z.y(), 0, 'f', 3);
  m_decoded->setCaption(text);
}

void LatentPanel::onFinished(const VaeResultPtr& r) {
  keepCurves();
  m_lastResultJson = QString(R"({"event":"result","test_elbo":%1,"test_recon":%2,"test_kl":%3,)"
                             R"("active_units":%4,"epochs":%5})")
                         .arg(r->test.elbo, 0, 'g', 17)
                         .arg(r->test.recon, 0, 'g', 17)
                         .arg(r->test.kl, 0, 'g', 17)
                         .arg(r->activeUnits)
                         .arg(r->epochs);
  const QString text = tr("done · %1 · test ELBO %2 · %3 img/s")
                           .arg(r->epochs == 1 ? tr("1 epoch") : tr("%1 epochs").arg(r->epochs))
                           .arg(r->test.elbo, 0, 'f', 1)
                           .arg(grouped(r->samplesPerSecond));
  m_controls->setProgress(1.0, text);
  showInfo(tr("Training finished: test ELBO %1 nats (reconstruction %2, KL %3); %4 of %5 "
              "latent dimensions active; %6 s.")
               .arg(r->test.elbo, 0, 'f', 2)
               .arg(r->test.recon, 0, 'f', 2)
               .arg(r->test.kl, 0, 'f', 2)
               .arg(r->activeUnits)
               .arg(m_controller->sessionOptions().latentDim)
               .arg(r->trainSeconds, 0, 'f', 1));
}

void LatentPanel::onError(const QString& what, const QString& message, bool fileError) {
  m_lastError = message;
  m_controls->setStatus(tr("%1 failed: %2").arg(what, message), true);
  Q_EMIT statusMessage(tr("%1 failed: %2").arg(what, message.section('\n', 0, 0)));
  if (!fileError && what == tr("Decoding")) return;  // the status line is enough
  openErrorBox(tr("%1 failed").arg(what), message, "latentErrorBox");
}

void LatentPanel::showInfo(const QString& text) {
  m_controls->setStatus(text, false);
  Q_EMIT statusMessage(text);
}

void LatentPanel::keepCurves() {
  if (!m_lastProgress) return;
  m_keptTrain.insert(m_keptTrain.end(), m_lastProgress->train.begin(), m_lastProgress->train.end());
  m_keptTest.insert(m_keptTest.end(), m_lastProgress->test.begin(), m_lastProgress->test.end());
  m_lastProgress.reset();
}

void LatentPanel::updateCharts() {
  using core::latent::CurvePoint;
  auto series = [this](bool test, double core::latent::VaeMetrics::*field) {
    QList<QPointF> points;
    const auto& kept = test ? m_keptTest : m_keptTrain;
    for (const CurvePoint& c : kept) points.append(QPointF(c.epoch, c.m.*field));
    if (m_lastProgress)
      for (const CurvePoint& c : test ? m_lastProgress->test : m_lastProgress->train)
        points.append(QPointF(c.epoch, c.m.*field));
    return points;
  };
  const std::pair<ChartPanel*, double core::latent::VaeMetrics::*> charts[] = {
      {m_elbo, &core::latent::VaeMetrics::elbo},
      {m_recon, &core::latent::VaeMetrics::recon},
      {m_kl, &core::latent::VaeMetrics::kl}};
  for (const auto& [chart, field] : charts) {
    chart->replacePoints(tr("train"), series(false, field));
    chart->replacePoints(tr("test"), series(true, field));
  }
}

void LatentPanel::scheduleGrid() {
  if (m_gridBox->isChecked()) m_gridDebounce.start();
}

// The lab list's factory for this lab (core/labs/lab_list.h).
LabPanel* labs::make_latent(EngineBridge* bridge, QWidget* parent) {
  return new LatentPanel(bridge, parent);
}

}  // namespace genlab::ui
