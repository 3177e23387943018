#include "ui/labs/ct/ct_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QPushButton>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>

#include "ui/bridge/engine_bridge.h"
#include "ui/labs/ct/ct_charts.h"
#include "ui/labs/ct/ct_controls.h"
#include "ui/labs/ct/ct_images.h"
#include "ui/labs/ct/ct_volume_tab.h"
#include "ui/views/bar_chart_panel.h"
#include "ui/views/chart_panel.h"
#include "ui/labs/message_panel.h"
#include "ui/views/vtk_image_viewer.h"
#include "ui/views/vtk_view.h"

namespace genlab::ui {

using core::physics::FloatImage;
namespace ct = core::ct;

namespace {
const QStringList kMethods = {"fbp", "sirt", "tv", "score"};
}  // namespace

CtPanel::CtPanel(EngineBridge* bridge, QWidget* parent)
    : LabPanel(QStringLiteral("ct"), parent), m_bridge(bridge), m_controller(new CtController(bridge, this)) {
  setObjectName("ctPanel");
  m_controls = new CtControls;
  auto* scroll = new QScrollArea;
  scroll->setWidget(m_controls);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFixedWidth(m_controls->sizeHint().width() + 24);

  m_compareLink = new ImageViewerLink(this);
  m_uncertaintyLink = new ImageViewerLink(this);
  m_nullspaceLink = new ImageViewerLink(this);
  m_tabs = new QTabWidget;
  m_tabs->setDocumentMode(true);
  m_tabs->addTab(buildCompareTab(), tr("&Compare"));
  m_tabs->addTab(buildUncertaintyTab(), tr("&Uncertainty"));
  m_tabs->addTab(buildNullspaceTab(), tr("&Nullspace"));
  m_volumeTab = new CtVolumeTab(m_controller, m_controls);
  m_tabs->addTab(m_volumeTab, tr("&3-D"));
  m_tabs->setTabToolTip(0, tr("Ground truth, measurement, every method, the selected method's "
                              "error and the score prior's uncertainty, all linked"));
  m_tabs->setTabToolTip(1, tr("The score prior's posterior: mean, per-pixel standard deviation, "
                              "error and individual samples"));
  m_tabs->setTabToolTip(2, tr("Each reconstruction split into what the scan measured (row "
                              "space) and what it cannot see (nullspace)"));
  m_tabs->setTabToolTip(3, tr("A stack of slices reconstructed one by one, shown with volume "
                              "rendering and orthogonal slices"));
  m_syncBox = new QCheckBox(tr("Link zoom (Alt+L)"));
  m_syncBox->setChecked(true);
  m_syncBox->setToolTip(tr("Zoom and pan all viewers of a tab together; the crosshair is always "
                           "linked"));
  m_tabs->setCornerWidget(m_syncBox, Qt::TopRightCorner);

  auto* split = new QSplitter(Qt::Vertical);
  split->addWidget(m_tabs);
  m_charts = buildCharts();
  split->addWidget(m_charts);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->setSpacing(10);
  layout->addWidget(scroll);
  layout->addWidget(split, 1);

  m_resimulate.setSingleShot(true);
  m_resimulate.setInterval(250);
  // Changed controls show their new measurement at once; during a run the
  // views keep the run's object, and a pending simulation waits its turn.
  connect(&m_resimulate, &QTimer::timeout, this, [this] {
    if (!m_controller->running()) simulateOnly();
    else if (m_runMethods.isEmpty()) m_resimulate.start();
  });
  connect(m_syncBox, &QCheckBox::toggled, this, [this](bool on) {
    for (ImageViewerLink* l : {m_compareLink, m_uncertaintyLink, m_nullspaceLink}) l->setSyncView(on);
  });
  connect(m_tabs, &QTabWidget::currentChanged, this, [this](int i) {
    m_charts->setVisible(m_tabs->widget(i) != m_volumeTab);
  });
  connectControls();
  connectController();
  buildShortcuts();
  updatePriorHint();
  autoLoadPrior();
  showInfo(tr("Pick an object and a scan, then Run all (Ctrl+Return). Drag in a viewer for "
              "window/level, wheel zooms, right-drag pans, R resets."));
  QTimer::singleShot(0, this, [this] {
    if (!m_controller->running() && m_results.isEmpty()) simulateOnly();
  });
}

CtPanel::~CtPanel() = default;

VtkImageViewer* CtPanel::addViewer(const QString& name, const QString& title,
                                   ImageViewerLink* link) {
  auto* v = new VtkImageViewer;
  v->setObjectName("ct." + name);
  v->setTitle(title);
  v->setMinimumSize(140, 140);
  v->setToolTip(tr("Left drag: window/level · wheel: zoom · right or middle drag: pan · "
                   "R: reset · A or double-click: fit window to data"));
  m_viewers.insert(name, v);
  if (link) link->add(v);
  return v;
}

QWidget* CtPanel::buildCompareTab() {
  auto* w = new QWidget;
  auto* grid = new QGridLayout(w);
  grid->setContentsMargins(0, 4, 0, 0);
  grid->setSpacing(4);
  const std::pair<const char*, QString> cells[] = {
      {"truth", tr("Ground truth x")},  {"measurement", tr("Measurement y (sinogram)")},
      {"fbp", ctMethodLabel("fbp")},    {"sirt", ctMethodLabel("sirt")},
      {"tv", ctMethodLabel("tv")},      {"score", tr("Score prior (generative)")},
      {"error", tr("Error map")},       {"uncertainty", tr("Uncertainty (posterior std)")}};
  int i = 0;
  for (const auto& [name, title] : cells) {
    VtkImageViewer* v = addViewer(name, title, m_compareLink);
    grid->addWidget(v, i / 4, i % 4);
    ++i;
  }
  m_compareLink->setLinked(viewer("measurement"), false);
  viewer("measurement")->setAxisNames(tr("bin"), tr("view"));
  viewer("error")->setColorMap(VtkImageViewer::ColorMap::Diverging);
  viewer("error")->setDefaultRange(-0.25, 0.25);
  viewer("uncertainty")->setColorMap(VtkImageViewer::ColorMap::Heat);
  for (const QString& m : kMethods) {
    viewer(m)->setDefaultRange(0, 1);
    viewer(m)->clearImage(tr("Run all (Ctrl+Return)"));
    connect(viewer(m), &VtkImageViewer::clicked, this, [this, m] {
      if (m_results.contains(m)) {
        m_userSelected = true;
        selectMethod(m);
      }
    });
  }
  viewer("truth")->setDefaultRange(0, 1);
  for (int c = 0; c < 4; ++c) grid->setColumnStretch(c, 1);
  return w;
}

QWidget* CtPanel::buildUncertaintyTab() {
  auto* w = new QWidget;
  auto* grid = new QGridLayout(w);
  grid->setContentsMargins(0, 4, 0, 0);
  grid->setSpacing(4);
  const std::pair<const char*, QString> cells[] = {
      {"u.truth", tr("Ground truth x")},
      {"u.mean", tr("Posterior mean")},
      {"u.std", tr("Posterior std (uncertainty)")},
      {"u.error", tr("|mean − truth|")}};
  int i = 0;
  for (const auto& [name, title] : cells) grid->addWidget(addViewer(name, title, m_uncertaintyLink), 0, i++);
  for (int k = 0; k < 4; ++k)
    grid->addWidget(addViewer(QString("u.sample%1").arg(k), tr("Sample %1").arg(k + 1),
                              m_uncertaintyLink),
                    1, k);
  for (const char* n : {"u.truth", "u.mean", "u.sample0", "u.sample1", "u.sample2", "u.sample3"})
    viewer(n)->setDefaultRange(0, 1);
  viewer("u.std")->setColorMap(VtkImageViewer::ColorMap::Heat);
  viewer("u.error")->setColorMap(VtkImageViewer::ColorMap::Heat);
  for (int c = 0; c < 4; ++c) grid->setColumnStretch(c, 1);
  return w;
}

QWidget* CtPanel::buildNullspaceTab() {
  auto* w = new QWidget;
  auto* grid = new QGridLayout(w);
  grid->setContentsMargins(0, 4, 0, 0);
  grid->setSpacing(4);
  const QStringList columns = {"truth", "fbp", "sirt", "tv", "score"};
  for (int c = 0; c < columns.size(); ++c) {
    const QString& m = columns[c];
    const QString label = m == "truth" ? tr("Truth") : ctMethodLabel(m);
    VtkImageViewer* row = addViewer("n." + m + ".row", tr("%1: measured part").arg(label),
                                    m_nullspaceLink);
    VtkImageViewer* null = addViewer("n." + m + ".null", tr("%1: unseen part").arg(label),
                                     m_nullspaceLink);
    row->setDefaultRange(0, 1);
    null->setColorMap(VtkImageViewer::ColorMap::Diverging);
    null->setDefaultRange(-0.3, 0.3);
    row->clearImage(tr("turn on Nullspace split (Alt+N)"));
    null->clearImage(QString());
    grid->addWidget(row, 0, c);
    grid->addWidget(null, 1, c);
    grid->setColumnStretch(c, 1);
  }
  return w;
}

QWidget* CtPanel::buildCharts() {
  auto* w = new QWidget;
  auto* h = new QHBoxLayout(w);
  h->setContentsMargins(0, 0, 0, 0);
  h->setSpacing(6);
  m_psnr = makeCtBarChart(tr("PSNR (higher is better)"), tr("dB"), 1);
  m_ssim = makeCtBarChart(tr("SSIM (higher is better)"), QStringLiteral("SSIM"), 3, 1.0);
  m_psnrCurves = makeCtCurveChart(tr("Convergence: PSNR"), tr("dB"), false);
  m_residualCurves = makeCtCurveChart(tr("Data residual ‖Ax − y‖ / ‖y‖"), QString(), true);
  m_psnr->setToolTip(tr("Peak signal-to-noise ratio against the ground truth"));
  m_ssim->setToolTip(tr("Structural similarity against the ground truth (1 = identical)"));
  m_psnrCurves->setToolTip(tr("PSNR of the current estimate per iteration (score prior: per "
                              "annealing step)"));
  m_residualCurves->setToolTip(tr("How well the estimate explains the measurement; fitting the "
                                  "noise drives it below the noise level"));
  h->addWidget(m_psnr, 2);
  h->addWidget(m_ssim, 2);
  h->addWidget(m_psnrCurves, 3);
  h->addWidget(m_residualCurves, 3);
  w->setMinimumHeight(210);
  return w;
}

void CtPanel::buildShortcuts() {
  auto shortcut = [this](const QKeySequence& key, auto slot) {
    auto* s = new QShortcut(key, this);
    s->setContext(Qt::WidgetWithChildrenShortcut);
    connect(s, &QShortcut::activated, this, slot);
  };
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), [this] { startTraining(); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), [this] { startTraining(); });
  shortcut(QKeySequence(Qt::Key_Escape), [this] { cancel(); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_M), [this] { simulateOnly(); });
  shortcut(QKeySequence(Qt::CTRL | Qt::Key_I), [this] { openImportDialog(); });
  // With Alt: a bare letter would steal the combo boxes' and spin boxes' typing.
  shortcut(QKeySequence(Qt::ALT | Qt::Key_N), [this] { m_controls->nullspaceBox()->toggle(); });
  shortcut(QKeySequence(Qt::ALT | Qt::Key_L), [this] { m_syncBox->toggle(); });
  for (int i = 0; i < 4; ++i)
    shortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_1 + i)), [this, i] { m_tabs->setCurrentIndex(i); });
}

void CtPanel::connectControls() {
  connect(m_controls, &CtControls::runClicked, this, &CtPanel::runAll);
  connect(m_controls, &CtControls::simulateClicked, this, &CtPanel::simulateOnly);
  connect(m_controls, &CtControls::cancelClicked, this, &CtPanel::cancel);
  connect(m_controls, &CtControls::importClicked, this, &CtPanel::openImportDialog);
  connect(m_controls, &CtControls::importFolderClicked, this, &CtPanel::openImportFolderDialog);
  connect(m_controls, &CtControls::exportClicked, this, &CtPanel::saveModelDialog);
  connect(m_controls, &CtControls::loadPriorClicked, this, &CtPanel::openModelDialog);
  connect(m_controls, &CtControls::trainPriorClicked, this, &CtPanel::trainPrior);
  connect(m_controls, &CtControls::cancelPriorClicked, m_controller,
          &CtController::cancelPriorTraining);
  connect(m_controls, &CtControls::problemChanged, this, [this] {
    updatePriorHint();
    Q_EMIT dataChanged();
    m_resimulate.start();
  });
  connect(m_controls, &CtControls::nullspaceToggled, this, [this](bool on) {
    if (on) requestMissingNullspaces();
  });
}

void CtPanel::connectController() {
  connect(m_controller, &CtController::busyChanged, this, [this](bool busy) {
    m_controls->setRunning(busy || m_volumeTab->running());
  });
  connect(m_controller, &CtController::simulated, this, &CtPanel::onSimulated);
  connect(m_controller, &CtController::methodProgress, this, &CtPanel::onProgress);
  connect(m_controller, &CtController::methodFinished, this, &CtPanel::onFinished);
  connect(m_controller, &CtController::methodFailed, this, &CtPanel::onFailed);
  connect(m_controller, &CtController::runFinished, this, &CtPanel::onRunFinished);
  connect(m_controller, &CtController::imported, this, &CtPanel::onImported);
  connect(m_controller, &CtController::nullspaceReady, this, &CtPanel::onNullspace);
  connect(m_controller, &CtController::errorOccurred, this, &CtPanel::onError);
  connect(m_controller, &CtController::exported, this,
          [this](const QString& path) { showInfo(tr("Saved %1").arg(path)); });
  connect(m_controller, &CtController::priorLoaded, this, [this](const QString& d) {
    updatePriorHint();
    showInfo(tr("Loaded the %1").arg(d));
  });
  connect(m_controller, &CtController::priorProgress, this, [this](const CtPriorProgressPtr& p) {
    const double eta = p->etaSeconds;
    m_controls->setPriorProgress(
        p->fraction,
        tr("%1/%2 · loss %3%4")
            .arg(p->step)
            .arg(p->totalSteps)
            .arg(p->loss, 0, 'f', 3)
            .arg(eta >= 0 ? tr(" · %1 min left").arg(std::ceil(eta / 60)) : QString()));
  });
  connect(m_controller, &CtController::priorFinished, this, [this](const QString& d) {
    m_controls->setPriorTraining(false);
    m_controls->setPriorProgress(1, tr("done"));
    updatePriorHint();
    showInfo(tr("Prior ready: %1").arg(d));
  });
  connect(m_controller, &CtController::priorStopped, this, [this] {
    m_controls->setPriorTraining(false);
    showInfo(tr("Prior training stopped; nothing was saved."));
  });
  connect(m_volumeTab, &CtVolumeTab::busyChanged, this, [this](bool busy) {
    m_controls->setRunning(busy || m_controller->running());
  });
  connect(m_volumeTab, &CtVolumeTab::statusMessage, this, &CtPanel::showInfo);
  connect(m_volumeTab, &CtVolumeTab::errorOccurred, this, &CtPanel::onError);
}

// ---- runs ----

void CtPanel::startTraining() {
  if (m_tabs->currentWidget() == m_volumeTab)
    m_volumeTab->startReconstruction();
  else
    runAll();
}

bool CtPanel::isTraining() const { return m_controller->running() || m_volumeTab->running(); }

bool CtPanel::objectSpec(CtObjectSpec* spec) {
  const QString kind = m_controls->objectKind();
  const int size = m_controls->scanOptions().size;
  spec->seed = std::uint64_t(m_controls->seed());
  spec->label = m_controls->objectCombo()->currentText();
  if (kind == "hubble") {
    if (m_hubble.width != size) {
      QString error;
      m_hubble = loadHubble(hubblePath(), size, &error);
      if (m_hubble.empty()) {
        onError(tr("Hubble image"), error, true);
        return false;
      }
    }
    spec->image = m_hubble;
  } else if (kind == "imported") {
    if (!m_imported) {
      onError(tr("Object"), tr("Import a file first."), false);
      return false;
    }
    const int z = std::clamp(m_controls->slice(), 0, std::max(0, m_imported->nz - 1));
    spec->image = normalised(core::data::sliceImage(*m_imported, z));
    if (m_controls->deblurMode()) spec->image = centreCrop(spec->image, size);
    spec->label = tr("%1, slice %2").arg(m_importedName).arg(z);
  } else {
    spec->phantom = kind.toStdString();
  }
  m_objectLabel = spec->label;
  return true;
}

void CtPanel::runAll() {
  CtObjectSpec spec;
  if (!objectSpec(&spec)) return;
  m_lastError.clear();
  m_resimulate.stop();
  std::vector<ct::ReconOptions> methods = m_controls->methods();
  const bool wantScore = m_controls->methodChecked("score");
  if (wantScore && !m_controller->hasPrior() && !m_controller->trainingPrior())
    methods.erase(std::remove_if(methods.begin(), methods.end(),
                                 [](const ct::ReconOptions& o) { return o.method == "score"; }),
                  methods.end());
  prepareRun(methods);
  if (methods.empty()) {
    onError(tr("Run"), tr("Check at least one method (a score prior needs a loaded prior)."), false);
    return;
  }
  m_controller->run(m_controls->scanOptions(), spec, methods);
  QStringList names;
  for (const auto& o : methods) names << ctMethodLabel(QString::fromStdString(o.method));
  showInfo(tr("Running %1 on %2…").arg(names.join(", "), spec.label));
}

void CtPanel::simulateOnly() {
  CtObjectSpec spec;
  if (!objectSpec(&spec)) return;
  m_runMethods.clear();
  m_controller->simulate(m_controls->scanOptions(), spec);
}

void CtPanel::cancel() {
  const bool any = isTraining();
  m_controller->cancel();
  m_volumeTab->cancel();
  if (any) showInfo(tr("Cancelled."));
}

void CtPanel::prepareRun(const std::vector<ct::ReconOptions>& methods) {
  m_results.clear();
  m_selected.clear();
  m_userSelected = false;
  m_psnr->clearValues();
  m_ssim->clearValues();
  m_psnrCurves->clearSeries();
  m_residualCurves->clearSeries();
  m_blur = m_controls->deblurMode();
  m_runMethods.clear();
  for (const auto& o : methods) m_runMethods << QString::fromStdString(o.method);
  for (const QString& m : kMethods) {
    const bool queued = m_runMethods.contains(m);
    VtkImageViewer* v = viewer(m);
    v->setCaption(QString());
    v->setTitle(m == "score" ? tr("Score prior (generative)") : ctMethodLabel(m));
    if (queued) v->clearImage(tr("queued…"));
    else if (m == "fbp" && m_blur) v->clearImage(tr("FBP is for CT only"));
    else if (methods.empty()) v->clearImage(tr("Run all (Ctrl+Return)"));
    else v->clearImage(tr("not run (check it in Methods)"));
  }
  for (const char* n : {"error", "uncertainty", "u.mean", "u.std", "u.error", "u.sample0",
                        "u.sample1", "u.sample2", "u.sample3"})
    viewer(n)->clearImage(QString());
  viewer("error")->clearImage(tr("click a reconstruction to see its error"));
  for (const QString& m : QStringList{"fbp", "sirt", "tv", "score"}) {
    const QString why = !m_runMethods.contains(m)      ? tr("not run")
                        : m_controls->nullspace() ? tr("waiting for %1").arg(ctMethodLabel(m))
                                                  : tr("turn on Nullspace split (Alt+N)");
    viewer("n." + m + ".row")->clearImage(why);
    viewer("n." + m + ".null")->clearImage(QString());
  }
  updatePriorHint();
  if (!methods.empty()) m_controls->setProgress(0, tr("simulating…"));
}

void CtPanel::updatePriorHint() {
  const bool has = m_controller->hasPrior();
  const QString hint = m_controller->trainingPrior()
                           ? tr("prior training… (the score method runs when it is done)")
                           : tr("no prior loaded — Train prior or Load");
  m_controls->setPriorStatus(has ? m_controller->priorDescription() : hint, has);
  if (has || m_results.contains("score")) return;
  for (const char* n : {"score", "uncertainty", "u.mean", "u.std"})
    if (!viewer(n)->hasImage()) viewer(n)->clearImage(hint);
}

void CtPanel::showInfo(const QString& text) {
  m_controls->setStatus(text, false);
  Q_EMIT statusMessage(text);
}

void CtPanel::onError(const QString& what, const QString& message, bool fileError) {
  m_lastError = message;
  m_controls->setStatus(tr("%1 failed: %2").arg(what, message), true);
  Q_EMIT statusMessage(tr("%1 failed: %2").arg(what, message.section('\n', 0, 0)));
  if (!fileError) return;
  auto* box = new QMessageBox(QMessageBox::Warning, tr("%1 failed").arg(what), message,
                              QMessageBox::Ok, this);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->setObjectName("ctErrorBox");
  box->open();  // window-modal; the event loop keeps running
}

QString CtPanel::dataDescription() const {
  const auto s = m_controls->scanOptions();
  const QString object = m_controls->objectCombo()->currentText();
  if (m_controls->deblurMode())
    return tr("%1 · blur %2").arg(object, QString::fromStdString(s.psf));
  return tr("%1 · %2 px · %3 views over %4°").arg(object).arg(s.size).arg(s.views).arg(s.arcDeg);
}

// "compare", "uncertainty", "nullspace" or "3d"; "NAME@X,Y" also puts the
// linked crosshair at image pixel (X, Y) of that tab (for screenshots).
bool CtPanel::setView(const QString& view) {
  const QString v = view.section('@', 0, 0).toLower();
  const QStringList names = {"compare", "uncertainty", "nullspace", "3d"};
  const int i = names.indexOf(v == "3-d" || v == "volume" ? QStringLiteral("3d") : v);
  if (i < 0) return false;
  QPointF cursor;
  if (view.contains('@')) {
    const QStringList xy = view.section('@', 1).split(',');
    bool okX = false, okY = false;
    if (xy.size() == 2) cursor = QPointF(xy[0].toDouble(&okX), xy[1].toDouble(&okY));
    if (!okX || !okY || i == 3) return false;
  }
  m_tabs->setCurrentIndex(i);
  if (v == "nullspace") m_controls->nullspaceBox()->setChecked(true);
  if (view.contains('@')) {
    ImageViewerLink* links[3] = {m_compareLink, m_uncertaintyLink, m_nullspaceLink};
    links[i]->showCursor(cursor);
  }
  return true;
}

bool CtPanel::setDataSpec(const QString& spec) {
  if (isTraining()) return false;
  if (m_controls->setObjectKind(spec)) return true;
  if (QFileInfo::exists(spec)) {
    importFile(spec);
    return true;
  }
  return false;
}

// The lab list's factory for this lab (core/labs/lab_list.h). Its VTK views
// need OpenGL; Qt crashes showing them where there is none, so the lab
// explains instead.
LabPanel* labs::make_ct(EngineBridge* bridge, QWidget* parent) {
  if (VtkView::openGLAvailable()) return new CtPanel(bridge, parent);
  return new MessagePanel(QStringLiteral("ct"), VtkView::openGLProblem(), parent);
}

}  // namespace genlab::ui
