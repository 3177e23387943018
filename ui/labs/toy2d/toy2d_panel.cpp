#include "ui/labs/toy2d/toy2d_panel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLocale>
#include <QMessageBox>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>

#include "ui/bridge/engine_bridge.h"
#include "ui/labs/toy2d/toy2d_column.h"
#include "ui/labs/toy2d/toy2d_compare.h"
#include "ui/labs/toy2d/toy2d_controls.h"
#include "ui/labs/toy2d/toy2d_reparam_tab.h"
#include "ui/views/field_view.h"

namespace genlab::ui {

namespace {
QString grouped(double v) { return QLocale().toString(qlonglong(std::llround(v))); }

QString modelStats(const core::toy2d::ModelProgress& m) {
  QString text = QObject::tr("step %1").arg(grouped(double(m.iteration)));
  if (m.iterationsPerSecond > 0) text += QObject::tr(" · %1 it/s").arg(grouped(m.iterationsPerSecond));
  if (!m.evaluations.empty()) {
    const auto& e = m.evaluations.back();
    if (std::isfinite(e.nll)) text += QObject::tr(" · NLL %1").arg(e.nll, 0, 'f', 2);
    text += QObject::tr(" · MMD² %1").arg(e.mmd, 0, 'g', 2);
  }
  if (m.evaluating) text += QObject::tr(" · evaluating…");
  return text;
}
}  // namespace

Toy2dPanel::Toy2dPanel(EngineBridge* bridge, QWidget* parent)
    : LabPanel(QStringLiteral("toy2d"), parent), m_bridge(bridge), m_controller(new Toy2dController(bridge, this)) {
  setObjectName("toy2dPanel");
  setFocusPolicy(Qt::StrongFocus);
  m_controls = new Toy2dControls;

  m_tabs = new QTabWidget;
  m_tabs->addTab(buildModelsTab(), tr("Models side by side"));
  m_reparam = new Toy2dReparamTab;
  m_tabs->addTab(m_reparam, tr("Reparameterization trick"));
  m_tabs->setTabToolTip(0, tr("Two models on the same data, their views, numbers and losses"));
  m_tabs->setTabToolTip(1, tr("Why VAEs sample with z = μ + σε: gradient variance of two estimators"));

  layoutControlsAndCentre(m_controls, m_tabs);

  m_rebuildDebounce.setSingleShot(true);
  m_rebuildDebounce.setInterval(400);
  connect(&m_rebuildDebounce, &QTimer::timeout, this, [this] {
    if (!trainingOrPaused() && !m_controls->drawMode()) m_controller->rebuild(setup());
  });
  connectControls();
  connectController();
  buildShortcuts();
  m_controller->setLiveEvaluation(m_controls->liveEvaluation());
  onStateChanged(Toy2dController::State::Idle);
  // Untrained models on the default data: something to look at right away.
  m_controller->rebuild(setup());
}

Toy2dPanel::~Toy2dPanel() = default;

QWidget* Toy2dPanel::buildModelsTab() {
  auto* top = new QWidget;
  auto* h = new QHBoxLayout(top);
  h->setContentsMargins(0, 0, 0, 0);
  h->setSpacing(14);
  for (int i = 0; i < 2; ++i) {
    m_columns[i] = new Toy2dColumn(i);
    h->addWidget(m_columns[i], 1);
  }
  m_compare = new Toy2dComparison;
  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(top);
  split->addWidget(m_compare);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);
  m_compare->setMinimumHeight(230);
  return split;
}

void Toy2dPanel::buildShortcuts() {
  addShortcut(QKeySequence(Qt::Key_Space), [this] { togglePause(); });
  addShortcut(QKeySequence(Qt::Key_S), [this] { stepOnce(); });
  addShortcut(QKeySequence(Qt::CTRL | Qt::Key_R), [this] { reset(); });
  addShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), [this] { startTraining(); });
  m_exportShortcut = addShortcut(QKeySequence(Qt::CTRL | Qt::Key_E), [this] { exportViewDialog(-1); });
}

void Toy2dPanel::showEvent(QShowEvent* event) {
  LabPanel::showEvent(event);
  // Inside the main window its File menu owns Ctrl+E (and calls exportImage());
  // a second shortcut would make the key ambiguous.
  bool windowHasIt = false;
  for (QAction* a : window()->findChildren<QAction*>())
    if (a->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_E)) windowHasIt = true;
  m_exportShortcut->setEnabled(!windowHasIt);
}

void Toy2dPanel::connectControls() {
  Toy2dControls* c = m_controls;
  connect(c, &Toy2dControls::playClicked, this, &Toy2dPanel::togglePause);
  connect(c, &Toy2dControls::stepClicked, this, &Toy2dPanel::stepOnce);
  connect(c, &Toy2dControls::resetClicked, this, &Toy2dPanel::reset);
  connect(c, &Toy2dControls::importClicked, this, &Toy2dPanel::importDialog);
  connect(c, &Toy2dControls::exportClicked, this, &Toy2dPanel::exportPointsDialog);
  connect(c, &Toy2dControls::dataSpecChanged, this, &Toy2dPanel::onDataSpecChanged);
  connect(c, &Toy2dControls::optionsChanged, this, &Toy2dPanel::rebuildSoon);
  connect(c, &Toy2dControls::speedChanged, m_controller, &Toy2dController::setSlowMotion);
  connect(c, &Toy2dControls::liveEvaluationChanged, m_controller, &Toy2dController::setLiveEvaluation);
  connect(c, &Toy2dControls::samplerChanged, this, [this] {
    m_controller->setSampler(m_controls->sampler());
    for (int i = 0; i < 2; ++i) pushRequest(i);
  });
  connect(c, &Toy2dControls::clearDrawnClicked, this, [this] {
    m_drawn = {};
    ++m_drawnRevision;
    m_controller->clearSessions();
    showCanvas();
  });
  connect(c, &Toy2dControls::drawToolChanged, this, [this] {
    FieldView* f = m_columns[0]->fieldView();
    f->setBrushRadius(m_controls->brushRadius());
    f->setEraseMode(m_controls->eraseMode());
  });
  for (Toy2dColumn* col : m_columns) {
    connect(col, &Toy2dColumn::requestChanged, this, &Toy2dPanel::pushRequest);
    connect(col, &Toy2dColumn::exportRequested, this, &Toy2dPanel::exportViewDialog);
  }
  connect(m_columns[0]->fieldView(), &FieldView::brushStroke, this, &Toy2dPanel::onBrush);
  connect(m_compare, &Toy2dComparison::exportCsvClicked, this, &Toy2dPanel::exportTableDialog);
  connect(m_reparam, &Toy2dReparamTab::runRequested, m_controller, &Toy2dController::runReparam);
  connect(m_tabs, &QTabWidget::currentChanged, this, [this](int i) {
    if (i == 1 && !m_reparam->hasResult()) m_reparam->scheduleRun();
  });
}

void Toy2dPanel::connectController() {
  Toy2dController* c = m_controller;
  connect(c, &Toy2dController::stateChanged, this, &Toy2dPanel::onStateChanged);
  connect(c, &Toy2dController::sessionsReady, this, &Toy2dPanel::onSessionsReady);
  connect(c, &Toy2dController::progressed, this, &Toy2dPanel::onProgress);
  connect(c, &Toy2dController::frameReady, this, [this](const Toy2dFramePtr& f) {
    if (f->column >= 0 && f->column < 2) m_columns[f->column]->applyFrame(f);
  });
  connect(c, &Toy2dController::finished, this, &Toy2dPanel::onFinished);
  connect(c, &Toy2dController::cancelled, this, [this] { showInfo(tr("Training stopped.")); });
  connect(c, &Toy2dController::sessionsCleared, this, [this] {
    m_lastProgress.reset();
    m_dataSummary.clear();
    m_compare->clear();
    m_controls->setProgress(0, tr("no models"));
    showInfo(tr("Draw your data, then press Train."));
    Q_EMIT dataChanged();
  });
  connect(c, &Toy2dController::errorOccurred, this, &Toy2dPanel::onError);
  connect(c, &Toy2dController::info, this, &Toy2dPanel::showInfo);
  connect(c, &Toy2dController::reparamReady, m_reparam, &Toy2dReparamTab::setExperiment);
  connect(c, &Toy2dController::csvImported, this, [this](const QString& path, const PointsPtr& pts) {
    m_lastError.clear();
    showInfo(tr("Imported %1 points from %2").arg(pts->size()).arg(path));
    m_controls->addCsvFile(path);
  });
}

Toy2dSetup Toy2dPanel::setup() const {
  Toy2dSetup s;
  s.models = m_controls->modelOptions();
  s.steps = m_controls->steps();
  s.sampler = m_controls->sampler();
  if (m_controls->drawMode()) {
    s.drawn = std::make_shared<core::toy2d::Points2D>(m_drawn);
    s.drawnRevision = m_drawnRevision;
  }
  return s;
}

void Toy2dPanel::pushRequest(int column) {
  Toy2dColumn* col = m_columns[column];
  if (!col->hasModel()) {
    m_controller->clearViewRequest(column);
    return;
  }
  Toy2dViewRequest r = col->request();
  r.trajectories = m_controls->trajectoryCount();
  m_controller->setViewRequest(column, r);
}

void Toy2dPanel::startTraining() {
  if (m_controller->state() == Toy2dController::State::Paused) {
    m_controller->resume();
    return;
  }
  if (m_controller->state() == Toy2dController::State::Preparing) {
    // The untrained models are still being built: train them once they are.
    m_startWhenReady = true;
    return;
  }
  if (m_controller->busy()) return;
  if (m_controls->drawMode() && m_drawn.size() < 20) {
    onError(tr("Training"), tr("Draw at least 20 points first (you have %1): drag on the left view.")
                                .arg(m_drawn.size()), false);
    return;
  }
  m_lastError.clear();
  const Toy2dSetup s = setup();
  showInfo(m_controller->canContinue(s) ? tr("Training %1 more steps…").arg(s.steps)
                                        : tr("Building the models on %1…").arg(m_controls->dataLabel()));
  m_rebuildDebounce.stop();
  m_controller->start(s);
}

bool Toy2dPanel::isTraining() const { return m_controller->busy(); }

void Toy2dPanel::togglePause() {
  switch (m_controller->state()) {
    case Toy2dController::State::Training: m_controller->pause(); break;
    case Toy2dController::State::Paused: m_controller->resume(); break;
    case Toy2dController::State::Idle: startTraining(); break;
    case Toy2dController::State::Preparing: break;
  }
}

void Toy2dPanel::stepOnce() {
  if (m_controller->sessionCount() == 0 && !m_controller->busy()) {
    showInfo(tr("Building the models first; press Step again."));
    m_controller->rebuild(setup());
    return;
  }
  m_controller->step();
}

void Toy2dPanel::reset() {
  if (m_controller->state() == Toy2dController::State::Preparing) return;
  m_lastError.clear();
  if (m_controls->drawMode() && m_drawn.size() < 20) {
    m_controller->clearSessions();
    showCanvas();
    return;
  }
  showInfo(tr("Rebuilding untrained models…"));
  m_controller->rebuild(setup());
}

bool Toy2dPanel::trainingOrPaused() const {
  const auto st = m_controller->state();
  return st == Toy2dController::State::Training || st == Toy2dController::State::Paused;
}

bool Toy2dPanel::applyPreset(const QString& id) {
  // While models are being built the newer setup simply replaces them.
  if (trainingOrPaused()) return false;
  return m_controls->applyPreset(id);
}

bool Toy2dPanel::setDataSpec(const QString& spec) {
  if (trainingOrPaused()) return false;
  return m_controls->setDataSpec(spec);
}

QString Toy2dPanel::dataDescription() const {
  return m_dataSummary.isEmpty() ? m_controls->dataLabel() : m_dataSummary;
}

long Toy2dPanel::iteration(int model) const {
  if (!m_lastProgress || model < 0 || model >= int(m_lastProgress->models.size())) return -1;
  return m_lastProgress->models[model].iteration;
}

void Toy2dPanel::rebuildSoon() {
  if (trainingOrPaused() || m_controls->drawMode()) return;
  m_rebuildDebounce.start();
}

void Toy2dPanel::onDataSpecChanged() {
  m_dataSummary.clear();
  Q_EMIT dataChanged();
  if (m_controls->drawMode()) {
    m_rebuildDebounce.stop();
    m_controller->clearSessions();
    showCanvas();
  } else {
    rebuildSoon();
  }
}

void Toy2dPanel::onStateChanged(Toy2dController::State state) {
  m_controls->setRunState(state, m_controller->sessionCount() > 0);
}

void Toy2dPanel::onSessionsReady(const QString& description) {
  m_lastProgress.reset();
  m_dataSummary = description;
  std::vector<std::string> labels;
  std::vector<std::vector<std::string>> losses;
  for (int i = 0; i < 2; ++i) {
    auto s = m_controller->session(i);
    if (s) {
      m_columns[i]->setModel(s->capabilities(), QString::fromStdString(s->label()), s->sharedData());
      labels.push_back(s->label());
      losses.push_back(s->lossNames());
    } else {
      m_columns[i]->clearModel(tr("No second model.\n\nChoose one under “Model B” on the left to "
                                  "compare two models on the same data."));
    }
  }
  if (auto s = m_controller->session(0))
    m_compare->reset(labels, losses, s->data().name, s->baseline());
  if (m_controls->drawMode()) {
    m_columns[0]->fieldView()->setPaintMode(true);
    m_columns[0]->fieldView()->setBrushRadius(m_controls->brushRadius());
  }
  for (int i = 0; i < 2; ++i) pushRequest(i);
  m_controls->setRunState(m_controller->state(), true);
  m_controls->setProgress(0, tr("untrained"));
  showInfo(tr("Models ready on %1.").arg(description));
  Q_EMIT dataChanged();
  if (m_startWhenReady) {
    m_startWhenReady = false;
    QTimer::singleShot(0, this, &Toy2dPanel::startTraining);
  }
}

void Toy2dPanel::onProgress(const Toy2dProgressPtr& p) {
  m_lastProgress = p;
  QStringList parts;
  double done = 0;
  for (std::size_t i = 0; i < p->models.size() && i < 2; ++i) {
    const auto& m = p->models[i];
    m_columns[i]->setStats(modelStats(m));
    parts << QStringLiteral("%1 %2").arg(i == 0 ? "A" : "B", grouped(double(m.iteration)));
    done += m.targetIteration > 0 ? std::min(1.0, double(m.iteration) / m.targetIteration) : 0;
  }
  const double fraction = p->models.empty() ? 0 : done / p->models.size();
  m_controls->setProgress(fraction, parts.join(QStringLiteral(" · ")) +
                                        tr(" · %1 s").arg(p->elapsedSeconds, 0, 'f', 0));
  m_compare->setProgress(*p, !m_controller->busy());
}

void Toy2dPanel::onFinished(const Toy2dResultPtr& r) {
  m_compare->setResult(r->rows);
  if (m_lastProgress) m_compare->setProgress(*m_lastProgress, true);
  QStringList parts;
  for (std::size_t i = 0; i < r->rows.size(); ++i) {
    const auto& row = r->rows[i];
    QString t = QStringLiteral("%1 %2: MMD² %3").arg(i == 0 ? "A" : "B", QString::fromStdString(row.model))
                    .arg(row.eval.mmd, 0, 'g', 3);
    if (std::isfinite(row.eval.nll)) t += tr(", NLL %1").arg(row.eval.nll, 0, 'f', 3);
    parts << t;
  }
  m_controls->setProgress(1.0, tr("done"));
  showInfo(tr("Training finished. %1").arg(parts.join(QStringLiteral("; "))));
}

void Toy2dPanel::onError(const QString& what, const QString& message, bool modal) {
  m_lastError = message;
  if (modal) m_startWhenReady = false;
  m_controls->setStatus(tr("%1 failed: %2").arg(what, message), true);
  Q_EMIT statusMessage(tr("%1 failed: %2").arg(what, message.section('\n', 0, 0)));
  if (!modal) return;
  openErrorBox(tr("%1 failed").arg(what), message, "toy2dErrorBox");
}

void Toy2dPanel::showInfo(const QString& text) {
  m_controls->setStatus(text, false);
  Q_EMIT statusMessage(text);
}

// The lab list's factory for this lab (core/labs/lab_list.h).
LabPanel* labs::make_toy2d(EngineBridge* bridge, QWidget* parent) {
  return new Toy2dPanel(bridge, parent);
}

}  // namespace genlab::ui
