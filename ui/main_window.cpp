#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCommandLinkButton>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

#include "ui/bridge/engine_bridge.h"
#include "ui/labs/lab_panel.h"
#include "ui/labs/lab_registry.h"

// resources/genlab.qrc lives in the static genlab_ui library: without this
// reference the linker would drop it. Q_INIT_RESOURCE must be called outside
// any namespace.
static void initGenlabResources() { Q_INIT_RESOURCE(genlab); }

namespace genlab::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_bridge(new EngineBridge(this)) {
  initGenlabResources();
  setWindowTitle(QStringLiteral("GenLab"));
  setWindowIcon(QIcon(QStringLiteral(":/icons/genlab.png")));
  m_stack = new QStackedWidget;
  m_stack->addWidget(buildHome());
  setCentralWidget(m_stack);
  connect(m_stack, &QStackedWidget::currentChanged, this, &MainWindow::onCurrentChanged);
  buildMenus();
  buildStatusBar();
  onCurrentChanged();
  resize(1600, 1000);
}

MainWindow::~MainWindow() {
  // Panels post their last requests to the engine: delete them while it exists.
  disconnect(m_stack, nullptr, this, nullptr);
  delete takeCentralWidget();
  m_panels.clear();
}

QWidget* MainWindow::buildHome() {
  auto* home = new QWidget;
  auto* outer = new QVBoxLayout(home);
  outer->addStretch(1);
  auto* column = new QWidget;
  column->setMaximumWidth(760);
  auto* v = new QVBoxLayout(column);
  auto* title = new QLabel(tr("GenLab"));
  QFont big = title->font();
  big.setPointSizeF(big.pointSizeF() * 2.4);
  big.setBold(true);
  title->setFont(big);
  auto* icon = new QLabel;
  icon->setPixmap(QIcon(QStringLiteral(":/icons/genlab.png")).pixmap(64, 64));
  auto* titleRow = new QHBoxLayout;
  titleRow->addWidget(icon);
  titleRow->addWidget(title, 1);
  v->addLayout(titleRow);
  auto* subtitle = new QLabel(tr("A laboratory for deep generative models: pick a lab, watch a "
                                 "model train live, click around its latent space."));
  subtitle->setWordWrap(true);
  v->addWidget(subtitle);
  v->addSpacing(16);
  for (const LabInfo& lab : LabRegistry::labs()) {
    auto* button = new QCommandLinkButton(lab.menuTitle(), lab.description);
    button->setObjectName("home_" + lab.id);
    button->setIcon(lab.icon());
    button->setIconSize(QSize(40, 40));
    const QString id = lab.id;
    connect(button, &QCommandLinkButton::clicked, this, [this, id] { openLab(id); });
    v->addWidget(button);
  }
  auto* centre = new QHBoxLayout;
  centre->addStretch(1);
  centre->addWidget(column, 4);
  centre->addStretch(1);
  outer->addLayout(centre);
  outer->addStretch(2);
  return home;
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  m_openAction = file->addAction(tr("&Open model…"), QKeySequence::Open, this, [this] {
    if (LabPanel* p = currentPanel()) p->openModelDialog();
  });
  m_saveAction = file->addAction(tr("&Save model…"), QKeySequence::Save, this, [this] {
    if (LabPanel* p = currentPanel()) p->saveModelDialog();
  });
  m_saveExperimentAction = file->addAction(
      tr("Save e&xperiment…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), this, [this] {
        if (LabPanel* p = currentPanel()) p->saveExperimentDialog();
      });
  m_openExperimentAction = file->addAction(
      tr("Open expe&riment…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, [this] {
        if (LabPanel* p = currentPanel()) p->openExperimentDialog();
      });
  for (QAction* a : {m_saveExperimentAction, m_openExperimentAction})
    a->setToolTip(tr("One file with the options, seeds, the data's SHA-256, the model and the view"));
  m_exportModelAction = file->addAction(tr("Export model for &PyTorch…"), this, [this] {
    if (LabPanel* p = currentPanel()) p->exportModelDialog();
  });
  m_exportModelAction->setToolTip(tr("TorchScript (encoder and decoder) and a state dict that "
                                     "PyTorch opens; see docs/export.md"));
  m_exportAction = file->addAction(tr("&Export view as PNG…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                                   this, &MainWindow::exportView);
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), qApp, &QApplication::quit);

  QMenu* labs = menuBar()->addMenu(tr("&Labs"));
  labs->addAction(tr("&Home"), QKeySequence(Qt::CTRL | Qt::Key_H), this, &MainWindow::showHome);
  labs->addSeparator();
  for (const LabInfo& lab : LabRegistry::labs()) {
    const QString id = lab.id;
    QAction* a = labs->addAction(lab.icon(), lab.menuTitle(), this, [this, id] { openLab(id); });
    a->setToolTip(lab.description);
  }
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About GenLab"), this, &MainWindow::about);
}

void MainWindow::buildStatusBar() {
  m_dataLabel = new QLabel;
  m_dataLabel->setToolTip(tr("Data set of the current lab"));
  m_deviceLabel = new QLabel;
  m_deviceLabel->setToolTip(tr("Where models train: CUDA when a GPU is available, else CPU; and "
                               "the intra-op threads of the last training step (each lab has "
                               "the default measured fastest for its models)"));
  auto showDevice = [this] {
    const int threads = core::Engine::workerThreads();
    const QString device = tr("Device: %1").arg(EngineBridge::deviceName());
    m_deviceLabel->setText(threads <= 0  ? device
                           : threads == 1 ? tr("%1 · 1 thread").arg(device)
                                          : tr("%1 · %2 threads").arg(device).arg(threads));
  };
  showDevice();
  auto* deviceTimer = new QTimer(this);
  connect(deviceTimer, &QTimer::timeout, this, showDevice);
  deviceTimer->start(1000);
  for (QLabel* label : {m_dataLabel, m_deviceLabel}) {
    label->setContentsMargins(8, 0, 8, 0);
    statusBar()->addPermanentWidget(label);
  }
}

LabPanel* MainWindow::openLab(const QString& id) {
  if (LabPanel* existing = m_panels.value(id)) {
    m_stack->setCurrentWidget(existing);
    return existing;
  }
  const LabInfo* info = LabRegistry::find(id);
  if (!info) return nullptr;
  LabPanel* panel = info->factory(m_bridge, m_stack);
  m_panels.insert(id, panel);
  m_stack->addWidget(panel);
  connect(panel, &LabPanel::statusMessage, this,
          [this](const QString& text) { statusBar()->showMessage(text, 10000); });
  connect(panel, &LabPanel::dataChanged, this, &MainWindow::updateDataLabel);
  m_stack->setCurrentWidget(panel);
  panel->setFocus();
  return panel;
}

void MainWindow::showHome() { m_stack->setCurrentIndex(0); }

LabPanel* MainWindow::currentPanel() const {
  return qobject_cast<LabPanel*>(m_stack->currentWidget());
}

void MainWindow::onCurrentChanged() {
  LabPanel* p = currentPanel();
  const bool files = p && p->hasModelFiles();
  m_openAction->setEnabled(files);
  m_saveAction->setEnabled(files);
  m_exportAction->setEnabled(p != nullptr);
  m_exportModelAction->setEnabled(p && p->canExportModel());
  m_saveExperimentAction->setEnabled(p && p->hasExperiments());
  m_openExperimentAction->setEnabled(p && p->hasExperiments());
  updateDataLabel();
}

void MainWindow::updateDataLabel() {
  if (!m_dataLabel) return;
  LabPanel* p = currentPanel();
  const QString data = p ? p->dataDescription() : QString();
  m_dataLabel->setText(data.isEmpty() ? QString() : tr("Data: %1").arg(data));
  m_dataLabel->setVisible(!data.isEmpty());
}

void MainWindow::exportView() {
  LabPanel* p = currentPanel();
  if (!p) return;
  QString path = QFileDialog::getSaveFileName(this, tr("Export view as PNG"),
                                              QString("genlab-%1.png").arg(p->labId()),
                                              tr("PNG images (*.png)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".png", Qt::CaseInsensitive)) path += ".png";
  if (!p->exportImage().save(path, "PNG"))
    QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1.").arg(path));
  else
    statusBar()->showMessage(tr("Saved %1").arg(path), 8000);
}

void MainWindow::about() {
  QMessageBox::about(
      this, tr("About GenLab"),
      tr("<h3>GenLab %1</h3><p>A native desktop laboratory for deep generative models: "
         "train, watch and explore them live.</p>"
         "<p>Device: %2<br>Qt %3 (Widgets, Charts) over LibTorch.</p>")
          .arg(QStringLiteral(GENLAB_VERSION), EngineBridge::deviceName(), qVersion()));
}

}  // namespace genlab::ui
