#include "ui/labs/latent/latent_controls.h"
#include "ui/views/form_helpers.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "core/data/image_data.h"

namespace genlab::ui {

namespace {
constexpr int kFolderRole = Qt::UserRole + 1;  // Qt::UserRole holds the data spec

bool mnistAvailable() {
  const QDir dir(QString::fromStdString(core::mnistDirectory()));
  for (const char* name : {"train-images-idx3-ubyte", "train-images.idx3-ubyte"})
    if (dir.exists(name) || dir.exists(QString(name) + ".gz")) return true;
  return false;
}

}  // namespace

LatentControls::LatentControls(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(8);
  layout->addWidget(buildDataBox());
  layout->addWidget(buildModelBox());
  layout->addWidget(buildTrainingBox());
  layout->addWidget(buildButtons());
  m_progress = new QProgressBar;
  m_progress->setRange(0, 1000);
  m_progress->setValue(0);
  m_progress->setTextVisible(true);
  m_progress->setFormat(tr("not trained yet"));
  m_progress->setToolTip(tr("Training progress: current epoch, training speed and time left"));
  m_progress->setObjectName("latentProgress");
  layout->addWidget(m_progress);
  m_status = new QLabel;
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->setObjectName("latentStatus");
  m_status->setToolTip(tr("Last message or error"));
  layout->addWidget(m_status);
  layout->addStretch(1);
}

QGroupBox* LatentControls::buildDataBox() {
  m_dataBox = new QGroupBox(tr("Data"));
  auto* form = new QFormLayout(m_dataBox);
  m_data = new QComboBox;
  m_data->addItem(tr("MNIST"), QStringLiteral("mnist"));
  m_data->addItem(tr("Digits (embedded, 8x8)"), QStringLiteral("digits"));
  m_data->addItem(tr("Folder…"), QString());
  m_data->setItemData(2, true, kFolderRole);
  const bool haveMnist = mnistAvailable();
  m_data->setItemData(0, haveMnist ? tr("MNIST, 28x28 handwritten digits (60 000 train / 10 000 test)")
                                   : tr("MNIST was not found in %1: run scripts/fetch-data.sh")
                                         .arg(QString::fromStdString(core::mnistDirectory())),
                      Qt::ToolTipRole);
  m_data->setItemData(1, tr("scikit-learn's 1797 digits, 8x8, built into GenLab"), Qt::ToolTipRole);
  m_data->setItemData(2, tr("A folder with MNIST-format IDX files or PNG images and labels.csv"),
                      Qt::ToolTipRole);
  m_data->setCurrentIndex(haveMnist ? 0 : 1);
  m_lastDataIndex = m_data->currentIndex();
  m_data->setToolTip(tr("Images to train on and explore"));
  connect(m_data, QOverload<int>::of(&QComboBox::activated), this, &LatentControls::onDataActivated);
  form->addRow(tr("Data set"), m_data);
  return m_dataBox;
}

QGroupBox* LatentControls::buildModelBox() {
  m_modelBox = new QGroupBox(tr("Model"));
  auto* form = new QFormLayout(m_modelBox);
  m_arch = new QComboBox;
  m_arch->addItem(tr("MLP"), QStringLiteral("mlp"));
  m_arch->addItem(tr("Conv"), QStringLiteral("conv"));
  m_arch->setToolTip(tr("MLP: pixels → hidden → z (Kingma & Welling). Conv: convolutional "
                        "encoder and decoder"));
  m_latentDim = form::spinBox(1, 64, 2,
                     tr("Number of latent dimensions. Above 2 the map shows the top-2 PCA "
                        "plane of the posterior means"));
  m_hidden = form::spinBox(8, 4096, 400, tr("Hidden units of the encoder and decoder"), 50);
  form->addRow(tr("Architecture"), m_arch);
  form->addRow(tr("Latent dimension"), m_latentDim);
  form->addRow(tr("Hidden units"), m_hidden);
  return m_modelBox;
}

QGroupBox* LatentControls::buildTrainingBox() {
  auto* box = new QGroupBox(tr("Training"));
  auto* form = new QFormLayout(box);
  m_beta = new QSlider(Qt::Horizontal);
  m_beta->setRange(0, 80);  // 0..4 in steps of 0.05
  m_beta->setValue(20);
  m_beta->setToolTip(tr("β: weight of the KL term (β-VAE). Takes effect immediately, also "
                        "while training. Large β trades reconstruction for a smoother, "
                        "more prior-like latent space"));
  m_betaLabel = new QLabel;
  m_betaLabel->setMinimumWidth(fontMetrics().horizontalAdvance("1.00 (now 0.00)") + 4);
  auto* betaRow = new QHBoxLayout;
  betaRow->addWidget(m_beta, 1);
  betaRow->addWidget(m_betaLabel);
  connect(m_beta, &QSlider::valueChanged, this, [this] {
    updateBetaLabel();
    Q_EMIT betaChanged(beta());
  });
  updateBetaLabel();
  m_warmup = form::spinBox(0, 1000, 0, tr("β ramps up linearly from 0 over this many epochs (KL annealing)"));
  m_epochs = form::spinBox(1, 100000, 10, tr("Epochs to train when Start is pressed"));
  m_batch = form::spinBox(1, 65536, 128, tr("Mini-batch size"));
  m_lr = new QDoubleSpinBox;
  m_lr->setDecimals(5);
  m_lr->setRange(0.00001, 1.0);
  m_lr->setSingleStep(0.0001);
  m_lr->setValue(0.001);
  m_lr->setToolTip(tr("Adam learning rate"));
  m_seed = form::spinBox(0, 2147483647, 1, tr("Seed of every random choice (weights, batches, noise): "
                                     "the same seed gives the same run"));
  form->addRow(tr("β (KL weight)"), betaRow);
  form->addRow(tr("KL warm-up epochs"), m_warmup);
  form->addRow(tr("Epochs"), m_epochs);
  form->addRow(tr("Batch size"), m_batch);
  form->addRow(tr("Learning rate"), m_lr);
  form->addRow(tr("Seed"), m_seed);
  return box;
}

QWidget* LatentControls::buildButtons() {
  auto* w = new QWidget;
  auto* grid = new QGridLayout(w);
  grid->setContentsMargins(0, 0, 0, 0);
  auto button = [](const QString& text, const QString& tip) {
    auto* b = new QPushButton(text);
    b->setToolTip(tip);
    return b;
  };
  m_start = button(tr("Start"), tr("Train for the chosen epochs; continues the current model "
                                   "when its options are unchanged (Ctrl+Return)"));
  m_start->setDefault(true);
  m_pause = button(tr("Pause"), tr("Pause or resume training (Space)"));
  m_step = button(tr("Step"), tr("Run one training slice while paused"));
  m_reset = button(tr("Reset"), tr("Stop training and rebuild an untrained model from the "
                                   "options (Ctrl+R)"));
  m_save = button(tr("Save model…"), tr("Save the model, its options and progress (Ctrl+S)"));
  m_load = button(tr("Load model…"), tr("Open a saved model to explore or train further (Ctrl+O)"));
  m_start->setObjectName("latentStart");
  m_pause->setObjectName("latentPause");
  m_step->setObjectName("latentStep");
  m_reset->setObjectName("latentReset");
  grid->addWidget(m_start, 0, 0);
  grid->addWidget(m_pause, 0, 1);
  grid->addWidget(m_step, 1, 0);
  grid->addWidget(m_reset, 1, 1);
  grid->addWidget(m_save, 2, 0);
  grid->addWidget(m_load, 2, 1);
  connect(m_start, &QPushButton::clicked, this, &LatentControls::startClicked);
  connect(m_pause, &QPushButton::clicked, this, &LatentControls::pauseClicked);
  connect(m_step, &QPushButton::clicked, this, &LatentControls::stepClicked);
  connect(m_reset, &QPushButton::clicked, this, &LatentControls::resetClicked);
  connect(m_save, &QPushButton::clicked, this, &LatentControls::saveClicked);
  connect(m_load, &QPushButton::clicked, this, &LatentControls::loadClicked);
  m_pause->setEnabled(false);
  m_step->setEnabled(false);
  m_save->setEnabled(false);
  return w;
}

int LatentControls::folderItemIndex() const {
  // Index of the item holding a chosen folder (between "Digits" and "Folder…"), or -1.
  return m_data->count() > 3 ? 2 : -1;
}

void LatentControls::onDataActivated(int index) {
  if (!m_data->itemData(index, kFolderRole).toBool()) {
    m_lastDataIndex = index;
    Q_EMIT dataSpecChanged(dataSpec());
    return;
  }
  const QString dir = QFileDialog::getExistingDirectory(
      this, tr("Choose a folder with IDX files or PNG images + labels.csv"));
  if (dir.isEmpty()) {
    m_data->setCurrentIndex(m_lastDataIndex);
    return;
  }
  setDataSpec(dir);
}

bool LatentControls::setDataSpec(const QString& spec) {
  if (spec.isEmpty()) return false;
  const int known = m_data->findData(spec);
  if (known >= 0 && !m_data->itemData(known, kFolderRole).toBool()) {
    m_data->setCurrentIndex(known);
  } else {
    const QString label = tr("Folder: %1").arg(QFileInfo(spec).fileName());
    int i = folderItemIndex();
    if (i < 0) {
      m_data->insertItem(2, label, spec);
      i = 2;
    } else {
      m_data->setItemText(i, label);
      m_data->setItemData(i, spec);
    }
    m_data->setItemData(i, QDir::toNativeSeparators(spec), Qt::ToolTipRole);
    m_data->setCurrentIndex(i);
  }
  m_lastDataIndex = m_data->currentIndex();
  Q_EMIT dataSpecChanged(dataSpec());
  return true;
}

QString LatentControls::dataSpec() const { return m_data->currentData().toString(); }
QString LatentControls::dataLabel() const { return m_data->currentText(); }

double LatentControls::beta() const { return m_beta->value() * 0.05; }

core::latent::VaeOptions LatentControls::options() const {
  core::latent::VaeOptions o;
  o.data = dataSpec().toStdString();
  o.architecture = m_arch->currentData().toString().toStdString();
  o.latentDim = m_latentDim->value();
  o.hidden = m_hidden->value();
  o.beta = beta();
  o.klWarmupEpochs = m_warmup->value();
  o.lr = m_lr->value();
  o.batch = m_batch->value();
  o.epochs = m_epochs->value();
  o.seed = static_cast<std::uint64_t>(m_seed->value());
  return o;
}

void LatentControls::setOptions(const core::latent::VaeOptions& o) {
  setDataSpec(QString::fromStdString(o.data));
  const int arch = m_arch->findData(QString::fromStdString(o.architecture));
  if (arch >= 0) m_arch->setCurrentIndex(arch);
  m_latentDim->setValue(o.latentDim);
  m_hidden->setValue(o.hidden);
  {
    const QSignalBlocker block(m_beta);  // the session already has its beta
    m_beta->setValue(int(std::lround(o.beta / 0.05)));
    updateBetaLabel();
  }
  m_warmup->setValue(o.klWarmupEpochs);
  m_lr->setValue(o.lr);
  m_batch->setValue(o.batch);
  m_epochs->setValue(o.epochs);
  m_seed->setValue(int(std::min<std::uint64_t>(o.seed, 2147483647u)));
}

void LatentControls::setRunState(VaeController::State state, bool hasSession) {
  using State = VaeController::State;
  const bool idle = state == State::Idle;
  const bool running = state == State::Training || state == State::Paused;
  m_dataBox->setEnabled(idle);
  m_modelBox->setEnabled(idle);
  for (QWidget* w : {static_cast<QWidget*>(m_warmup), static_cast<QWidget*>(m_epochs),
                     static_cast<QWidget*>(m_batch), static_cast<QWidget*>(m_lr),
                     static_cast<QWidget*>(m_seed)})
    w->setEnabled(idle);
  m_modelBox->setEnabled(idle && !m_imported);
  m_start->setEnabled(idle && !m_imported);
  m_pause->setEnabled(running);
  m_pause->setText(state == State::Paused ? tr("Resume") : tr("Pause"));
  m_step->setEnabled(state == State::Paused);
  m_reset->setEnabled(state != State::Preparing);
  m_save->setEnabled(hasSession && state != State::Preparing && !m_imported);
  m_load->setEnabled(idle);
}

void LatentControls::setImported(bool imported) {
  m_imported = imported;
  const QString why = tr("This model was imported from TorchScript: GenLab explores it (decode, "
                         "interpolate, the manifold grid, the map through its encoder) but trains "
                         "only the models it builds. Reset builds a new GenLab model.");
  for (QWidget* w : {static_cast<QWidget*>(m_start), static_cast<QWidget*>(m_modelBox),
                     static_cast<QWidget*>(m_save)}) {
    w->setToolTip(imported ? why : QString());
    if (imported) w->setEnabled(false);
  }
  if (!imported) {
    m_start->setToolTip(tr("Train (Space pauses)"));
    m_save->setToolTip(tr("Save the model (Ctrl+S)"));
  }
}

void LatentControls::setProgress(double fraction, const QString& text) {
  m_progress->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
  m_progress->setFormat(text);
}

void LatentControls::setStatus(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: #c0392b; font-weight: bold;") : QString());
}

void LatentControls::setEffectiveBeta(double beta) {
  m_effectiveBeta = beta;
  updateBetaLabel();
}

void LatentControls::updateBetaLabel() {
  QString text = QString::number(beta(), 'f', 2);
  if (m_effectiveBeta >= 0 && std::abs(m_effectiveBeta - beta()) > 1e-6)
    text += tr(" (now %1)").arg(m_effectiveBeta, 0, 'f', 2);
  m_betaLabel->setText(text);
}

}  // namespace genlab::ui
