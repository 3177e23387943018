#include "ui/labs/style/adain_tab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <QDir>

#include "core/data/read_limits.h"
#include "core/labs/style/style_image.h"
#include "ui/labs/style/adain_stats_chart.h"
#include "ui/labs/style/style_pad.h"
#include "ui/views/chart_panel.h"
#include "ui/views/form_helpers.h"
#include "ui/views/image_convert.h"
#include "ui/views/image_view.h"

namespace genlab::ui {

using namespace core::style;

namespace {
QSlider* slider(int lo, int hi, int value, const QString& tip) {
  auto* s = new QSlider(Qt::Horizontal);
  s->setRange(lo, hi);
  s->setValue(value);
  s->setToolTip(tip);
  return s;
}
const char* kSlotNames[4] = {"A", "B", "C", "D"};
}  // namespace

AdainTab::AdainTab(EngineBridge* bridge, QWidget* parent)
    : QWidget(parent), m_controller(new AdainController(bridge, this)) {
  auto* controls = buildControls();
  auto* scroll = new QScrollArea;
  scroll->setWidget(controls);
  scroll->setWidgetResizable(true);
  scroll->setFixedWidth(300);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFrameShape(QFrame::NoFrame);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(scroll);
  layout->addWidget(buildCentre(), 1);

  connect(m_controller, &AdainController::opened, this, [this](const QString& summary, bool trained) {
    m_decoderLabel->setText(summary);
    if (const int i = m_upsampling->findData(m_controller->upsampling()); i >= 0) m_upsampling->setCurrentIndex(i);
    enableBalance();
    if (!trained)
      Q_EMIT statusMessage(tr("No AdaIN decoder yet: press Train decoder (or run `make data`)."));
    if (!m_defaultsLoaded) loadDefaultImages();
    requestTransfer();
  });
  connect(m_controller, &AdainController::imagesChanged, this, [this](const StyleImagesPtr& images) {
    if (!images->content.empty()) {
      m_contentView->setImage(images->content);
      m_contentView->setCaption(tr("content: %1 (%2 x %3)").arg(m_names[0]).arg(images->content.width).arg(images->content.height));
    }
    requestTransfer();
  });
  connect(m_controller, &AdainController::transferred, this, &AdainTab::onTransferred);
  connect(m_controller, &AdainController::progressed, this, [this](const StyleProgressPtr& p) {
    m_progress->setValue(int(1000.0 * p->step / std::max(1L, p->totalSteps)));
    QList<QPointF> c, s;
    const int n = int(p->contentLoss.size());
    const int every = std::max(1, n / 400);
    for (int i = 0; i < n; i += every) {
      c.append(QPointF(i + 1, p->contentLoss[i]));
      s.append(QPointF(i + 1, p->styleLoss[i]));
    }
    m_loss->replacePoints(QStringLiteral("content"), c);
    m_loss->replacePoints(QStringLiteral("style"), s);
    m_decoderLabel->setText(tr("training: step %1 of %2, %3 steps/s")
                                .arg(p->step).arg(p->totalSteps).arg(p->stepsPerSecond, 0, 'f', 2));
    // The decoder changes as it learns: show what it does now (every few steps).
    if (p->step % 10 == 0) requestTransfer();
  });
  connect(m_controller, &AdainController::finished, this, [this](const StyleTrainResultPtr& r) {
    m_progress->setValue(1000);
    m_decoderLabel->setText(m_controller->summary());
    Q_EMIT statusMessage(tr("Decoder trained: %1 steps in %2 s, loss %3 -> %4")
                             .arg(r->steps).arg(r->trainSeconds, 0, 'f', 1)
                             .arg(r->before.total, 0, 'f', 3).arg(r->after.total, 0, 'f', 3));
    requestTransfer();
  });
  connect(m_controller, &AdainController::decoderFileChanged, this, &AdainTab::showDecoderFile);
  connect(m_controller, &AdainController::trainingChanged, this, [this](bool training) {
    m_train->setEnabled(!training);
    m_stop->setEnabled(training);
    m_useDefault->setEnabled(!training);
    m_saveTo->setEnabled(!training);
    m_newDecoder->setEnabled(!training);
    enableBalance();
    if (!training) m_decoderLabel->setText(m_controller->summary());
  });
  connect(m_controller, &AdainController::errorOccurred, this, &AdainTab::errorMessage);
  connect(m_controller, &AdainController::info, this, &AdainTab::statusMessage);
  m_controller->openAtLaunch();
}

QWidget* AdainTab::buildControls() {
  auto* w = new QWidget;
  auto* v = new QVBoxLayout(w);
  v->setContentsMargins(0, 0, 4, 0);

  auto* images = new QGroupBox(tr("Images"));
  auto* iv = new QVBoxLayout(images);
  auto* content = new QPushButton(tr("Content image…"));
  content->setToolTip(tr("Open the content photo (PNG or JPEG): its structure is kept."));
  connect(content, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Content image"), {}, tr("Images (*.png *.jpg *.jpeg)"));
    if (!f.isEmpty()) loadImageFile(-1, f);
  });
  iv->addWidget(content);
  auto* row = new QGridLayout;
  for (int k = 0; k < 4; ++k) {
    auto* b = new QPushButton(tr("Style %1…").arg(QLatin1String(kSlotNames[k])));
    b->setToolTip(tr("Open style %1 (PNG or JPEG) into corner %1 of the style pad; "
                     "right-click to clear it.").arg(QLatin1String(kSlotNames[k])));
    b->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(b, &QPushButton::clicked, this, [this, k] {
      const QString f = QFileDialog::getOpenFileName(this, tr("Style image"), {}, tr("Images (*.png *.jpg *.jpeg)"));
      if (!f.isEmpty()) loadImageFile(k, f);
    });
    connect(b, &QPushButton::customContextMenuRequested, this, [this, k] { setImage(k, QImage(), QString()); });
    m_styleButtons[k] = b;
    row->addWidget(b, k / 2, k % 2);
  }
  iv->addLayout(row);
  m_pad = new StylePad;
  iv->addWidget(m_pad);
  connect(m_pad, &StylePad::weightsChanged, this, [this] { requestTransfer(); });
  auto* exportButton = new QPushButton(tr("Export result…"));
  exportButton->setToolTip(tr("Save the result image as PNG or JPEG."));
  connect(exportButton, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getSaveFileName(this, tr("Export result"), QStringLiteral("style-result.png"),
                                                   tr("Images (*.png *.jpg)"));
    if (!f.isEmpty() && !exportResult(f)) Q_EMIT errorMessage(tr("Export result"), tr("Could not write %1").arg(f));
  });
  iv->addWidget(exportButton);
  v->addWidget(images);

  auto* sliders = new QGroupBox(tr("Transfer"));
  auto* f = form::layout(sliders);
  m_alpha = slider(0, 100, 100, tr("α: 0 keeps the content's feature statistics, 1 takes the "
                                   "style's; in between blends the features linearly."));
  m_alphaLabel = new QLabel(QStringLiteral("1.00"));
  f->addRow(tr("α"), form::row({m_alpha, m_alphaLabel}));
  connect(m_alpha, &QSlider::sliderReleased, this, [this] { requestTransfer(); });
  connect(m_alpha, &QSlider::valueChanged, this, [this](int v) {
    m_alphaLabel->setText(QString::number(v / 100.0, 'f', 2));
    requestTransfer();
  });
  const QString names[3] = {tr("Deep (AdaIN)"), tr("Mid (1/4)"), tr("Fine (1/2)")};
  const QString tips[3] = {
      tr("Strength of AdaIN at the encoder's deepest layer (times α): the classic transfer."),
      tr("Extra: re-normalise the decoder's 1/4-resolution stage towards the style's own "
         "statistics at that stage (times α): coarser texture and colour."),
      tr("Extra: the same at the decoder's 1/2-resolution stage (times α): finer texture.")};
  for (int k = 0; k < 3; ++k) {
    m_strength[k] = slider(0, 100, k == 0 ? 100 : 0, tips[k]);
    f->addRow(names[k], m_strength[k]);
    connect(m_strength[k], &QSlider::valueChanged, this, [this] { requestTransfer(); });
    connect(m_strength[k], &QSlider::sliderReleased, this, [this] { requestTransfer(); });
  }
  m_preserve = new QCheckBox(tr("Preserve colour"));
  m_preserve->setToolTip(tr("Keep the content's colours: the result's luminance with the "
                            "content's chroma (YIQ)."));
  connect(m_preserve, &QCheckBox::toggled, this, [this] { requestTransfer(); });
  f->addRow(m_preserve);
  m_previewSize = form::spinBox(64, 1024, 256, tr("Longer side of the images the transfer runs on (pixels)."), 32);
  connect(m_previewSize, qOverload<int>(&QSpinBox::valueChanged), this,
          [this](int side) { m_controller->setPreviewSize(side); });
  f->addRow(tr("Preview size"), m_previewSize);
  v->addWidget(sliders);

  auto* train = new QGroupBox(tr("Decoder"));
  auto* tf = form::layout(train);
  m_decoderLabel = new QLabel(tr("opening…"));
  m_decoderLabel->setWordWrap(true);
  tf->addRow(m_decoderLabel);
  m_steps = form::spinBox(1, 100000, 300, tr("Adam steps (batch 4) on crops of the lab's photos."), 50);
  m_trainSize = form::spinBox(32, 512, 128, tr("Side of the training crops (pixels, multiple of 8)."), 32);
  tf->addRow(tr("Steps"), m_steps);
  tf->addRow(tr("Crop size"), m_trainSize);
  m_train = new QPushButton(tr("Train decoder"));
  m_train->setToolTip(tr("Train the decoder in use further, in the background (the encoder stays "
                         "fixed); it is saved when done or stopped to the file named above: your "
                         "own decoder file, never the shipped default unless you pick it with Save to…."));
  m_stop = new QPushButton(tr("Stop"));
  m_stop->setEnabled(false);
  m_stop->setToolTip(tr("Stop training; what the decoder learnt so far is kept and saved."));
  connect(m_train, &QPushButton::clicked, this, &AdainTab::startTraining);
  connect(m_stop, &QPushButton::clicked, m_controller, &AdainController::cancel);
  tf->addRow(form::row({m_train, m_stop}));
  m_fileLabel = new QLabel;
  m_fileLabel->setWordWrap(true);
  m_fileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  tf->addRow(m_fileLabel);
  m_useDefault = new QPushButton(tr("Use default"));
  m_useDefault->setToolTip(tr("Go back to the shipped default decoder (%1); your own file stays where it is.")
                               .arg(QString::fromStdString(defaultDecoderPath())));
  m_saveTo = new QPushButton(tr("Save to…"));
  m_saveTo->setToolTip(tr("Choose the file that Train decoder saves to."));
  connect(m_useDefault, &QPushButton::clicked, m_controller, &AdainController::openDefault);
  connect(m_saveTo, &QPushButton::clicked, this, &AdainTab::chooseTrainTarget);
  tf->addRow(form::row({m_useDefault, m_saveTo}));
  // The checkerboard experiment (docs/style-gan.md, "In the AdaIN decoder").
  m_upsampling = new QComboBox;
  m_upsampling->addItem(tr("nearest + conv"), QStringLiteral("nearest"));
  m_upsampling->addItem(tr("transposed k3/s2"), QStringLiteral("transposed3"));
  m_upsampling->addItem(tr("transposed k4/s2"), QStringLiteral("transposed4"));
  m_upsampling->setToolTip(tr("Upsampling of a new decoder. Transposed convolutions draw a checkerboard at the "
                              "decoder's 1/8 grid that the AdaIN loss hardly sees; the result's caption gives "
                              "its checkerboard energy."));
  m_newDecoder = new QPushButton(tr("New decoder"));
  m_newDecoder->setToolTip(tr("Start an untrained decoder with this upsampling; Train decoder then saves it to "
                              "its own file (my-decoder-<upsampling>.genlab), not over yours."));
  connect(m_newDecoder, &QPushButton::clicked, this,
          [this] { m_controller->newDecoder(m_upsampling->currentData().toString()); });
  tf->addRow(tr("Upsampling"), m_upsampling);
  m_balance = form::doubleSpinBox(0, 1000, 0, 1, 1,
                                  tr("Weight of the overlap-add balance regulariser when training a transposed "
                                     "decoder (0: off). It evens out the kernel taps each output phase gets."));
  m_balance->setEnabled(false);
  tf->addRow(tr("Balance weight"), m_balance);
  tf->addRow(m_newDecoder);
  m_progress = new QProgressBar;
  m_progress->setRange(0, 1000);
  m_progress->setValue(0);
  tf->addRow(m_progress);
  v->addWidget(train);
  v->addStretch(1);
  return w;
}

QWidget* AdainTab::buildCentre() {
  auto* w = new QWidget;
  auto* v = new QVBoxLayout(w);
  v->setContentsMargins(0, 0, 0, 0);
  auto* top = new QHBoxLayout;
  m_contentView = new ImageView;
  m_styleView = new ImageView;
  m_resultView = new ImageView;
  m_contentView->setPlaceholder(tr("Open a content image"));
  m_styleView->setPlaceholder(tr("Open a style image"));
  m_resultView->setPlaceholder(tr("The result appears here"));
  m_contentView->setToolTip(tr("The content image, as the transfer sees it (resized)."));
  m_styleView->setToolTip(tr("The style images on the pad; their statistics are mixed by the pad's weights."));
  m_resultView->setToolTip(tr("The decoder's image of the AdaIN features."));
  for (auto* iv : {m_contentView, m_styleView, m_resultView}) top->addWidget(iv, 1);
  v->addLayout(top, 1);
  auto* bottom = new QHBoxLayout;
  m_stats = new StatsScatter;
  m_loss = new ChartPanel(tr("Decoder training loss"));
  m_loss->setXTitle(tr("step"));
  m_loss->setSeriesStyle(QStringLiteral("content"), QColor(60, 120, 200));
  m_loss->setSeriesStyle(QStringLiteral("style"), QColor(220, 110, 40));
  m_loss->setToolTip(tr("AdaIN's loss while the decoder trains: content (deepest layer, against "
                        "the AdaIN target) and style (means and stds at all three layers)."));
  bottom->addWidget(m_stats, 3);
  bottom->addWidget(m_loss, 2);
  v->addLayout(bottom, 1);
  return w;
}

bool AdainTab::loadImageFile(int slot, const QString& path) {
  QImageReader reader(path);
  reader.setAutoTransform(true);
  // Refuse huge images before decoding them (the same limit as the core's).
  const QSize size = reader.size();
  const auto limit = core::readLimits().maxPixels;
  if (size.isValid() && std::uint64_t(size.width()) * size.height() > limit) {
    Q_EMIT errorMessage(tr("Open image"), tr("%1: %2 x %3 pixels is more than the limit of %4")
                                              .arg(path).arg(size.width()).arg(size.height()).arg(limit));
    return false;
  }
  const QImage image = reader.read();
  if (image.isNull()) {
    Q_EMIT errorMessage(tr("Open image"), tr("%1: %2").arg(path, reader.errorString()));
    return false;
  }
  setImage(slot, image, QFileInfo(path).fileName());
  return true;
}

void AdainTab::setImage(int slot, const QImage& image, const QString& name) {
  if (slot < -1 || slot > 3) return;
  m_names[slot + 1] = name;
  if (slot >= 0) {
    m_styleImages[slot] = image;
    m_pad->setThumbnail(slot, image);
    showStyles();
  }
  m_controller->setImage(slot, image);
}

void AdainTab::showStyles() {
  std::vector<int> loaded;
  for (int k = 0; k < 4; ++k)
    if (!m_styleImages[k].isNull()) loaded.push_back(k);
  if (loaded.empty()) {
    m_styleView->clear();
    return;
  }
  if (loaded.size() == 1) {
    m_styleView->setImage(m_styleImages[loaded[0]].scaled(256, 256, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    m_styleView->setCaption(tr("style %1: %2").arg(QLatin1String(kSlotNames[loaded[0]]), m_names[loaded[0] + 1]));
    return;
  }
  // A 2 x 2 mosaic in pad order.
  QImage mosaic(256, 256, QImage::Format_RGB888);
  mosaic.fill(palette().window().color());
  QPainter p(&mosaic);
  QStringList names;
  for (int k : loaded) {
    const QRect cell((k % 2) * 128, (k / 2) * 128, 128, 128);
    p.drawImage(cell, m_styleImages[k].scaled(128, 128, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation),
                QRect(0, 0, 128, 128));
    names << QStringLiteral("%1 %2").arg(QLatin1String(kSlotNames[k]), QFileInfo(m_names[k + 1]).completeBaseName());
  }
  p.end();
  m_styleView->setImage(mosaic);
  m_styleView->setCaption(names.join(QStringLiteral(" · ")));
}

void AdainTab::loadDefaultImages() {
  m_defaultsLoaded = true;
  const QDir dir(QString::fromStdString(styleDataDirectory()));
  if (dir.exists(QStringLiteral("chelsea.png"))) loadImageFile(-1, dir.filePath(QStringLiteral("chelsea.png")));
  const char* styles[4] = {"flower.png", "brick.png", "hubble_deep_field.png", "gravel.png"};
  for (int k = 0; k < 4; ++k)
    if (dir.exists(QLatin1String(styles[k]))) loadImageFile(k, dir.filePath(QLatin1String(styles[k])));
}

TransferParams AdainTab::params() const {
  TransferParams p;
  p.alpha = m_alpha->value() / 100.0;
  const auto w = m_pad->weights();
  for (int k = 0; k < 4; ++k) p.weights[k] = w[k];
  for (int k = 0; k < 3; ++k) p.strength[k] = m_strength[k]->value() / 100.0;
  p.preserveColour = m_preserve->isChecked();
  return p;
}

void AdainTab::requestTransfer() {
  auto p = params();
  // While a slider is held, skip re-encoding the result (about a third of the
  // work): the chart shows the AdaIN target instead until the slider is let go.
  bool dragging = m_alpha->isSliderDown();
  for (auto* s : m_strength) dragging = dragging || s->isSliderDown();
  p.resultStats = !dragging;
  m_controller->transfer(p);
}

void AdainTab::onTransferred(const StyleTransferPtr& r) {
  ++m_transfers;
  m_result = toQImage(r->image);
  m_resultView->setImage(m_result);
  m_resultView->setCaption(tr("result: α %1 · %2 ms on the worker · checkerboard %3%4")
                               .arg(m_alpha->value() / 100.0, 0, 'f', 2)
                               .arg(r->milliseconds, 0, 'f', 0)
                               .arg(form::metric(r->checkerboard, 4))
                               .arg(m_controller->trained() ? QString() : tr(" · decoder untrained")));
  m_resultView->setToolTip(tr("Checkerboard energy: the result's power at the multiples of its size / %1 "
                              "(the decoder's upsampling grid) over all its power, DC excepted; a photo has "
                              "about 0.002, a pure checkerboard 1.")
                               .arg(r->checkerboardStride));
  m_stats->setStats(QStringLiteral("content"), r->content.mean, r->content.std);
  m_stats->setStats(QStringLiteral("style"), r->style.mean, r->style.std);
  m_stats->setStats(QStringLiteral("result"), r->result.mean, r->result.std);
  m_stats->setResultLabel(r->resultReencoded ? tr("result (encoded again)")
                                             : tr("result (AdaIN target, while dragging)"));
  m_stats->setLayer(QString::fromStdString(r->statsLayer));
}

void AdainTab::showDecoderFile() {
  const QString path = m_controller->loadedPath();
  const QString inUse = path.isEmpty() ? tr("In use: a fresh, untrained decoder.")
                        : m_controller->usingDefault() ? tr("In use: the default decoder, %1.").arg(path)
                                                       : tr("In use: %1.").arg(path);
  m_fileLabel->setText(inUse + QLatin1Char(' ') +
                       tr("Training saves to %1.").arg(m_controller->trainTarget()));
}

void AdainTab::chooseTrainTarget() {
  const QString f = QFileDialog::getSaveFileName(this, tr("Train decoder saves to"), m_controller->trainTarget(),
                                                 tr("GenLab models (*.genlab)"));
  if (!f.isEmpty()) m_controller->setTrainTarget(f);
}

// The regulariser's weight applies to a transposed decoder, and not while one trains.
void AdainTab::enableBalance() {
  m_balance->setEnabled(!m_controller->training() && m_controller->upsampling() != QLatin1String("nearest"));
}

void AdainTab::startTraining() {
  m_loss->clearPoints();
  m_progress->setValue(0);
  m_controller->train(m_steps->value(), m_trainSize->value() / 4 * 4, 4, 1, m_balance->value());
}

bool AdainTab::exportResult(const QString& path) {
  if (m_result.isNull()) return false;
  return m_result.save(path);
}

}  // namespace genlab::ui
