#include "ui/labs/style/style_gan_tabs.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <memory>

#include "core/labs/style/style_gan_requests.h"
#include "ui/bridge/lab_client.h"
#include "ui/views/chart_panel.h"
#include "ui/views/form_helpers.h"
#include "ui/views/image_convert.h"
#include "ui/views/image_view.h"

namespace genlab::ui {

namespace cs = core::style;

namespace {

QSlider* slider(const QString& name, int lo, int hi, int value, const QString& tip) {
  auto* s = new QSlider(Qt::Horizontal);
  s->setObjectName(name);
  s->setRange(lo, hi);
  s->setValue(value);
  s->setToolTip(tip);
  return s;
}

QString pct(double v) { return QString::number(100.0 * v, 'f', 1) + " %"; }

// ---------------------------------------------------------------- mixing tab

class MixingTab : public QWidget {
 public:
  MixingTab(EngineBridge* bridge, QWidget* parent) : QWidget(parent), m_client(bridge, cs::channel::kGanLab) {
    setObjectName(QStringLiteral("styleMixingTab"));
    build();
    m_client.setErrorHandler([this](const QString& what, const QString& message) {
      m_status->setText(what + QStringLiteral(" failed: ") + message);
    });
    openSession();
  }
  ~MixingTab() override {
    if (m_job) m_client.cancel(m_job);
    if (m_mixJob) m_client.cancel(m_mixJob);
    m_client.releaseOnWorker(std::move(m_session));
  }

 private:
  void build() {
    auto* controls = new QWidget;
    auto* form = form::layout(controls);
    m_steps = form::spinBox(0, 1000000, 3000, tr("Generator mini-batches to train"), 500);
    m_steps->setObjectName(QStringLiteral("ganSteps"));
    m_seed = form::spinBox(0, 1000000, 1, tr("Seed of the model and its training"));
    m_mixing = form::doubleSpinBox(0, 1, cs::StyleGanOptions{}.mixing, 2, 0.1,
                                   tr("Mixing regularisation: the share of training steps that "
                                      "also render each image with its own w below a crossover "
                                      "(at 4, 8 or 16 px) and another image's w above it, and "
                                      "ask the mix to match the image average-pooled to that "
                                      "resolution. It makes the coarse layers carry the digit's "
                                      "shape; 0 = off. Applies to a new model"));
    m_mixing->setObjectName(QStringLiteral("ganMixing"));
    m_train = new QPushButton(tr("Train"));
    m_train->setObjectName(QStringLiteral("ganTrain"));
    m_cancel = new QPushButton(tr("Stop"));
    m_cancel->setObjectName(QStringLiteral("ganCancel"));
    m_cancel->setEnabled(false);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_status = new QLabel(tr("Loading MNIST..."));
    m_status->setObjectName(QStringLiteral("ganStatus"));
    m_status->setWordWrap(true);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Mixing reg."), m_mixing);
    form->addRow(form::row({m_train, m_cancel}));
    form->addRow(m_progress);
    form->addRow(m_status);
    m_psi = slider(QStringLiteral("psi"), -50, 150, 100, tr("Truncation psi: w = mean + psi (w - mean)"));
    m_noise = slider(QStringLiteral("noise"), 0, 300, 100, tr("Per-layer noise strength (x learned)"));
    m_cross = slider(QStringLiteral("crossover"), 0, cs::kStyleLayers, cs::kMiddleCrossover,
                     tr("Layers below the crossover take the row's (coarse) style, the rest the column's (fine)"));
    m_psiLabel = new QLabel;
    m_noiseLabel = new QLabel;
    m_crossLabel = new QLabel;
    form->addRow(m_psiLabel, m_psi);
    form->addRow(m_noiseLabel, m_noise);
    form->addRow(m_crossLabel, m_cross);
    m_sampleSeed = form::spinBox(1, 1000000, 1, tr("Which z's are drawn"));
    form->addRow(tr("Sample seed"), m_sampleSeed);
    for (int k = 0; k < cs::kPcaComponents; ++k) {
      m_pca[k] = slider(QStringLiteral("pca%1").arg(k), -30, 30, 0,
                        tr("Move along principal direction %1 of w (GANSpace), in tenths of its sigma").arg(k + 1));
      m_pcaLabel[k] = new QLabel;
      form->addRow(m_pcaLabel[k], m_pca[k]);
    }
    m_pairs = form::spinBox(20, 100000, 400, tr("Pairs of sources to label"), 100);
    m_measure = new QPushButton(tr("Measure mixing"));
    m_measure->setObjectName(QStringLiteral("measureMixing"));
    form->addRow(tr("Pairs"), m_pairs);
    form->addRow(m_measure);
    m_table = new QTableWidget(cs::kStyleLayers + 1, 3);
    m_table->setObjectName(QStringLiteral("mixingTable"));
    m_table->setHorizontalHeaderLabels({tr("coarse"), tr("fine"), tr("other")});
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setDefaultSectionSize(18);
    QStringList rows;
    for (int k = 0; k <= cs::kStyleLayers; ++k) rows << tr("crossover %1").arg(k);
    m_table->setVerticalHeaderLabels(rows);
    m_table->setMinimumHeight(200);
    m_tableNote = new QLabel(tr("How often the classifier's label of a mix follows its coarse or fine source"));
    m_tableNote->setWordWrap(true);
    m_tableNote->setObjectName(QStringLiteral("mixingNote"));
    form->addRow(m_tableNote);
    form->addRow(m_table);
    controls->setMaximumWidth(360);

    m_samples = new ImageView;
    m_samples->setObjectName(QStringLiteral("samplesView"));
    m_samples->setPlaceholder(tr("samples"));
    m_grid = new ImageView;
    m_grid->setObjectName(QStringLiteral("gridView"));
    m_grid->setPlaceholder(tr("mixing grid"));
    m_pcaView = new ImageView;
    m_pcaView->setObjectName(QStringLiteral("pcaView"));
    m_pcaView->setPlaceholder(tr("PCA edit"));
    m_chart = new ChartPanel(tr("Training loss (nats per image)"));
    m_chart->setObjectName(QStringLiteral("ganChart"));
    m_chart->setXTitle(tr("step"));
    m_chart->setSeriesStyle(QStringLiteral("reconstruction"), QColor(31, 119, 180));
    m_chart->setSeriesStyle(QStringLiteral("KL"), QColor(214, 39, 40));

    auto* views = new QGridLayout;
    views->addWidget(m_grid, 0, 0, 2, 1);
    views->addWidget(m_samples, 0, 1);
    views->addWidget(m_pcaView, 1, 1);
    views->addWidget(m_chart, 2, 0, 1, 2);
    views->setColumnStretch(0, 3);
    views->setColumnStretch(1, 2);
    views->setRowStretch(0, 2);
    views->setRowStretch(1, 2);
    views->setRowStretch(2, 1);
    auto* top = new QHBoxLayout(this);
    top->addWidget(controls);
    top->addLayout(views, 1);

    connect(m_train, &QPushButton::clicked, this, [this] { train(); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
      if (m_job) m_client.cancel(m_job);
    });
    connect(m_measure, &QPushButton::clicked, this, [this] { measure(); });
    // A new seed is a new model (untrained); the steps only set the next run's length.
    connect(m_seed, qOverload<int>(&QSpinBox::valueChanged), this, [this] {
      if (!m_job && !m_mixJob) openSession();
    });
    connect(m_mixing, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this] {
      if (!m_job && !m_mixJob) openSession();
    });
    for (QSlider* s : {m_psi, m_noise, m_cross})
      connect(s, &QSlider::valueChanged, this, [this] { refresh(); });
    for (QSlider* s : m_pca) connect(s, &QSlider::valueChanged, this, [this] { refresh(); });
    connect(m_sampleSeed, qOverload<int>(&QSpinBox::valueChanged), this, [this] { refresh(); });
    labels();
  }

  void labels() {
    m_psiLabel->setText(tr("\u03c8 %1").arg(m_psi->value() / 100.0, 0, 'f', 2));
    m_noiseLabel->setText(tr("Noise %1").arg(m_noise->value() / 100.0, 0, 'f', 2));
    m_crossLabel->setText(tr("Crossover %1").arg(m_cross->value()));
    for (int k = 0; k < cs::kPcaComponents; ++k)
      m_pcaLabel[k]->setText(tr("PC%1 %2\u03c3").arg(k + 1).arg(m_pca[k]->value() / 10.0, 0, 'f', 1));
  }

  cs::StyleGanOptions options() const {
    cs::StyleGanOptions o;
    o.steps = m_steps->value();
    o.seed = std::uint64_t(m_seed->value());
    o.mixing = m_mixing->value();
    return o;
  }

  void openSession() {
    const auto o = options();
    m_client.request("open", tr("Open the style generator"),
                     [o]() -> LabClient::PayloadPtr { return cs::createGan(o); },
                     LabClient::as<cs::GanOpened>([this](std::shared_ptr<const cs::GanOpened> g) {
                       m_client.releaseOnWorker(std::move(m_session));
                       m_session = g->session;
                       m_status->setText(QString::fromStdString(g->description));
                       refresh();
                     }));
  }

  void refresh() {
    labels();
    if (!m_session) return;
    cs::GanPictureRequest r;
    r.settings.psi = m_psi->value() / 100.0;
    r.settings.noise = m_noise->value() / 100.0;
    r.crossover = m_cross->value();
    r.zSeed = std::uint64_t(m_sampleSeed->value());
    for (int k = 0; k < cs::kPcaComponents; ++k) r.pca[std::size_t(k)] = m_pca[k]->value() / 10.0;
    auto s = m_session;
    m_client.requestLatest("pictures", tr("Draw samples"),
                           [s, r]() -> LabClient::PayloadPtr { return cs::ganPictures(*s, r); },
                           LabClient::as<cs::GanPictures>([this](std::shared_ptr<const cs::GanPictures> p) {
                             m_samples->setImage(p->samples);
                             m_samples->setCaption(tr("samples, step %1").arg(p->step));
                             m_grid->setImage(p->grid);
                             m_grid->setCaption(tr("rows: coarse source (layers 0-%1) \u00b7 columns: fine source (layers %2-7)")
                                                    .arg(p->crossover - 1).arg(p->crossover));
                             m_pcaView->setImage(p->pca);
                             QString sig;
                             for (double v : p->pcaSigmas) sig += QString::number(v, 'f', 2) + " ";
                             m_pcaView->setCaption(tr("PCA edit \u00b7 \u03c3: %1").arg(sig.trimmed()));
                           }));
  }

  void train() {
    if (!m_session || m_job || m_mixJob) return;
    auto s = m_session;
    LabClient::JobHandlers h;
    h.progress = [this](const core::Snapshot& snap) { progress(snap); };
    h.ended = [this](const LabClient::JobEnd& e) {
      m_job = 0;
      m_train->setEnabled(true);
      m_cancel->setEnabled(false);
      m_measure->setEnabled(true);
      if (e.failed()) m_status->setText(tr("Training failed: ") + e.message);
      else if (e.cancelled()) m_status->setText(tr("Training stopped"));
      else if (auto r = std::dynamic_pointer_cast<const cs::StyleGanResult>(e.result))
        m_status->setText(tr("Trained %1 steps in %2 s \u00b7 test -ELBO %3 nats \u00b7 classifier %4")
                              .arg(r->steps).arg(r->trainSeconds, 0, 'f', 0)
                              .arg(r->test.recon + r->test.kl, 0, 'f', 1).arg(pct(r->classifierAccuracy)));
      refresh();
    };
    m_job = m_client.submit(std::make_unique<cs::StyleGanTrainJob>(s, m_steps->value()), std::move(h));
    m_train->setEnabled(false);
    m_cancel->setEnabled(true);
    m_measure->setEnabled(false);  // a table of one model, not of a model changing under it
  }

  void progress(const core::Snapshot& snap) {
    auto p = std::dynamic_pointer_cast<const cs::StyleGanProgress>(snap.payload);
    if (!p) return;
    if (snap.progress >= 0) m_progress->setValue(int(snap.progress * 1000));
    m_samples->setImage(p->samples);
    m_samples->setCaption(tr("samples (live), step %1").arg(p->step));
    if (p->phase == "classifier")
      m_status->setText(tr("Training the classifier: step %1 of %2").arg(p->classifierStep).arg(p->classifierSteps));
    else
      m_status->setText(tr("Generator step %1 of %2 \u00b7 %3 steps/s \u00b7 classifier accuracy %4")
                            .arg(p->step).arg(p->totalSteps).arg(p->stepsPerSecond, 0, 'f', 1)
                            .arg(p->classifierAccuracy >= 0 ? pct(p->classifierAccuracy) : tr("-")));
    QList<QPointF> rec, kl;
    for (const auto& c : p->curve) {
      rec << QPointF(double(c.step), c.recon);
      kl << QPointF(double(c.step), c.kl);
    }
    m_chart->replacePoints(QStringLiteral("reconstruction"), rec);
    m_chart->replacePoints(QStringLiteral("KL"), kl);
  }

  void measure() {
    if (!m_session || m_mixJob) return;
    cs::SampleSettings st;
    st.psi = m_psi->value() / 100.0;
    st.noise = m_noise->value() / 100.0;
    LabClient::JobHandlers h;
    h.progress = [this](const core::Snapshot& snap) {
      if (auto t = std::dynamic_pointer_cast<const cs::MixingTable>(snap.payload)) showTable(*t);
    };
    h.ended = [this](const LabClient::JobEnd& e) {
      m_mixJob = 0;
      m_measure->setEnabled(true);
      m_train->setEnabled(true);
      if (auto t = std::dynamic_pointer_cast<const cs::MixingTable>(e.result)) showTable(*t);
      if (e.failed()) m_tableNote->setText(tr("Mixing failed: ") + e.message);
    };
    m_mixJob = m_client.submit(std::make_unique<cs::MixingJob>(m_session, m_pairs->value(), st, 4242),
                               std::move(h));
    m_measure->setEnabled(false);
    m_train->setEnabled(false);
  }

  void showTable(const cs::MixingTable& t) {
    for (const auto& r : t.rows) {
      const double v[3] = {r.followsCoarse, r.followsFine, r.other};
      for (int c = 0; c < 3; ++c) {
        auto* item = new QTableWidgetItem(t.counted ? pct(v[c]) : QStringLiteral("-"));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(r.crossover, c, item);
      }
    }
    m_tableNote->setText(tr("%1 of %2 pairs counted (sources labelled differently) \u00b7 classifier test accuracy %3 \u00b7 \u03c8 %4")
                             .arg(t.counted).arg(t.pairs).arg(pct(t.classifierAccuracy)).arg(t.psi));
  }

  LabClient m_client;
  std::shared_ptr<cs::StyleGanSession> m_session;
  std::uint64_t m_job = 0, m_mixJob = 0;
  QSpinBox *m_steps, *m_seed, *m_sampleSeed, *m_pairs;
  QDoubleSpinBox* m_mixing;
  QPushButton *m_train, *m_cancel, *m_measure;
  QProgressBar* m_progress;
  QLabel *m_status, *m_psiLabel, *m_noiseLabel, *m_crossLabel, *m_tableNote;
  QLabel* m_pcaLabel[cs::kPcaComponents];
  QSlider *m_psi, *m_noise, *m_cross;
  QSlider* m_pca[cs::kPcaComponents];
  QTableWidget* m_table;
  ImageView *m_samples, *m_grid, *m_pcaView;
  ChartPanel* m_chart;
};

// ---------------------------------------------------------- checkerboard tab

// The spectrum, log scale, DC in the middle, magnified, with the stride-4
// frequencies (multiples of 7 on a 28-point grid) circled in red.
QImage markedSpectrum(const core::Image& spectrum) {
  const int n = spectrum.width, zoom = 8;
  QImage big = toQImage(spectrum).convertToFormat(QImage::Format_RGB32).scaled(n * zoom, n * zoom);
  QPainter p(&big);
  p.setRenderHint(QPainter::Antialiasing);
  p.setPen(QPen(QColor(230, 40, 40), 2));
  const int step = n / 4;
  for (int ky = 0; ky < n; ky += step)
    for (int kx = 0; kx < n; kx += step) {
      if (!ky && !kx) continue;
      const int y = (ky + n / 2) % n, x = (kx + n / 2) % n;
      p.drawEllipse(QPointF((x + 0.5) * zoom, (y + 0.5) * zoom), zoom * 0.9, zoom * 0.9);
    }
  return big;
}

// Two 2x2 overlap maps (RMS phase sums of layers 1 and 2) as grey cells with
// their values, each layer scaled to its own largest cell; tap counts below.
QImage overlapPicture(const cs::CheckerboardView& v) {
  const int cell = 56, pad = 12;
  QImage im(2 * (2 * cell) + 3 * pad, 2 * cell + 2 * pad + 18, QImage::Format_RGB32);
  im.fill(Qt::white);
  QPainter p(&im);
  for (std::size_t l = 0; l < v.overlapMaps.size() && l < 2; ++l) {
    const auto& m = v.overlapMaps[l];
    double top = 0;
    for (double x : m) top = std::max(top, x);
    const int x0 = pad + int(l) * (2 * cell + pad);
    for (int k = 0; k < 4; ++k) {
      const double f = top > 0 ? m[std::size_t(k)] / top : 0;
      const QRect r(x0 + (k % 2) * cell, pad + (k / 2) * cell, cell, cell);
      const int g = int(255 - 200 * f);
      p.fillRect(r, QColor(g, g, 255));
      p.setPen(Qt::black);
      QString text = QString::number(m[std::size_t(k)], 'f', 3);
      if (l < v.overlapCounts.size())
        text += QStringLiteral("\n%1 taps").arg(v.overlapCounts[l][std::size_t(k)]);
      p.drawText(r, Qt::AlignCenter, text);
    }
    p.drawText(QRect(x0, pad + 2 * cell, 2 * cell, 18), Qt::AlignCenter,
               QStringLiteral("layer %1 \u00b7 %2").arg(l + 1).arg(v.layerImbalance[l], 0, 'f', 3));
  }
  return im;
}

class CheckerboardTab : public QWidget {
 public:
  CheckerboardTab(EngineBridge* bridge, QWidget* parent) : QWidget(parent), m_client(bridge, cs::channel::kGanLab) {
    setObjectName(QStringLiteral("checkerboardTab"));
    build();
    m_client.setErrorHandler([this](const QString& what, const QString& message) {
      m_status->setText(what + QStringLiteral(" failed: ") + message);
    });
    open(false);
  }
  ~CheckerboardTab() override {
    if (m_job) m_client.cancel(m_job);
    for (auto& s : m_sides) m_client.releaseOnWorker(std::move(s));
  }

 private:
  struct Side {
    QComboBox* kind;
    QLabel* numbers;
    ImageView *samples, *spectrum, *overlap;
  };

  void build() {
    auto* controls = new QWidget;
    auto* form = form::layout(controls);
    const char* names[2] = {"A", "B"};
    const int defaults[2] = {0, 5};  // transposed3 vs transposed3-balanced
    for (int k = 0; k < 2; ++k) {
      auto* combo = new QComboBox;
      combo->setObjectName(QStringLiteral("upsample") + names[k]);
      for (const auto& n : cs::upsampleNames()) combo->addItem(QString::fromStdString(n));
      combo->setCurrentIndex(defaults[k]);
      m_side[k].kind = combo;
      form->addRow(tr("Upsampling %1").arg(names[k]), combo);
      connect(combo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        if (!m_job) open(false);
      });
    }
    m_objective = new QComboBox;
    m_objective->setObjectName(QStringLiteral("cbObjective"));
    m_objective->addItem(tr("GAN (no pixel loss)"), QStringLiteral("gan"));
    m_objective->addItem(tr("Reconstruction (autoencoder)"), QStringLiteral("reconstruction"));
    m_objective->setToolTip(tr(
        "How both sides train. GAN: the upsampling layers form a DCGAN-style generator "
        "trained against a small conv discriminator (non-saturating loss); nothing in "
        "the loss looks at pixels directly, so checkerboard the discriminator tolerates "
        "stays. Reconstruction: the same layers as an autoencoder's decoder, trained "
        "with a per-pixel loss, which removes image-space checkerboard by itself."));
    form->addRow(tr("Objective"), m_objective);
    connect(m_objective, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
      if (!m_job) open(false);
    });
    m_steps = form::spinBox(0, 1000000, 1500, tr("Mini-batches to train each side"), 250);
    m_steps->setObjectName(QStringLiteral("cbSteps"));
    m_seed = form::spinBox(0, 1000000, 1, tr("Seed (both sides)"));
    m_weight = form::doubleSpinBox(0, 1000, 1.0, 3, 0.1,
                                   tr("Weight of the overlap-add balance regulariser on the "
                                      "transposed3-balanced side; changes a running training"));
    m_weight->setObjectName(QStringLiteral("balanceWeight"));
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Balance weight"), m_weight);
    m_train = new QPushButton(tr("Train A and B"));
    m_train->setObjectName(QStringLiteral("cbTrain"));
    m_cancel = new QPushButton(tr("Stop"));
    m_cancel->setObjectName(QStringLiteral("cbCancel"));
    m_cancel->setEnabled(false);
    form->addRow(form::row({m_train, m_cancel}));
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    form->addRow(m_progress);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("cbStatus"));
    m_status->setWordWrap(true);
    form->addRow(m_status);
    auto* help = new QLabel(tr(
        "A generator on MNIST that upsamples 7\u219214\u219228 twice. "
        "<b>Checkerboard energy</b>: power of the generated images at the stride "
        "frequencies (circled) / all power but DC (real digits: see the status line). "
        "<b>Overlap map</b>: per output phase, the RMS over "
        "channel pairs of the taps' summed weight; equal cells = no checkerboard. "
        "<b>Quality</b>: Fr\u00e9chet distance of 1000 generated images to 1000 test "
        "digits in the features of a digit classifier trained here (lower is better); "
        "reconstruction also gives the test MSE."));
    help->setWordWrap(true);
    form->addRow(help);
    controls->setMaximumWidth(340);

    auto* grid = new QGridLayout;
    for (int k = 0; k < 2; ++k) {
      Side& s = m_side[k];
      s.numbers = new QLabel;
      s.numbers->setObjectName(QStringLiteral("cbNumbers") + names[k]);
      s.numbers->setWordWrap(true);
      s.samples = new ImageView;
      s.samples->setObjectName(QStringLiteral("samples") + names[k]);
      s.spectrum = new ImageView;
      s.spectrum->setObjectName(QStringLiteral("spectrum") + names[k]);
      s.overlap = new ImageView;
      s.overlap->setObjectName(QStringLiteral("overlap") + names[k]);
      grid->addWidget(s.numbers, 0, k);
      grid->addWidget(s.samples, 1, k);
      auto* row = new QHBoxLayout;
      row->addWidget(s.spectrum, 1);
      row->addWidget(s.overlap, 1);
      grid->addLayout(row, 2, k);
    }
    m_chart = new ChartPanel(tr("Checkerboard energy"), nullptr, ChartPanel::Scale::Log);
    m_chart->setObjectName(QStringLiteral("energyChart"));
    m_chart->setXTitle(tr("step"));
    grid->addWidget(m_chart, 3, 0, 1, 2);
    grid->setRowStretch(1, 3);
    grid->setRowStretch(2, 3);
    grid->setRowStretch(3, 2);
    auto* top = new QHBoxLayout(this);
    top->addWidget(controls);
    top->addLayout(grid, 1);

    connect(m_train, &QPushButton::clicked, this, [this] { open(true); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
      if (m_job) m_client.cancel(m_job);
    });
    connect(m_weight, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double w) {
      if (m_job) m_client.setLive(m_job, cs::live::kBalanceWeight, w);
    });
  }

  cs::CheckerboardOptions options(int k) const {
    cs::CheckerboardOptions o;
    o.upsample = cs::parseUpsample(m_side[k].kind->currentText().toStdString());
    o.objective = cs::parseObjective(m_objective->currentData().toString().toStdString());
    o.steps = m_steps->value();
    o.seed = std::uint64_t(m_seed->value());
    if (o.upsample == cs::Upsample::Transposed3Balanced) o.balanceWeight = m_weight->value();
    return o;
  }

  // Fresh A and B at initialisation; with `train`, then trains them.
  void open(bool train) {
    if (m_job) return;
    const auto a = options(0), b = options(1);
    m_train->setEnabled(false);
    m_status->setText(tr("Building A and B..."));
    m_client.requestLatest(
        "checkerboard.open", tr("Build the upsampling models"),
        [a, b]() -> LabClient::PayloadPtr { return cs::createCheckerboardPair(a, b); },
        LabClient::as<cs::CheckerboardOpened>([this, train](std::shared_ptr<const cs::CheckerboardOpened> o) {
          for (auto& s : m_sides) m_client.releaseOnWorker(std::move(s));
          m_sides = o->sides;
          m_dataEnergy = o->dataEnergy;
          m_chart->clearSeries();
          for (int k = 0; k < 2; ++k) {
            m_init[k] = o->views[std::size_t(k)].energy;
            showSide(k, o->views[std::size_t(k)], -1, -1);
          }
          m_status->setText(tr("At initialisation. Energy of the real test digits: %1")
                                .arg(m_dataEnergy, 0, 'g', 3));
          m_train->setEnabled(true);
          if (train) startJob();
        }),
        [this](const QString& message) {
          m_train->setEnabled(true);
          m_status->setText(tr("Could not build the models: ") + message);
        });
  }

  void startJob() {
    LabClient::JobHandlers h;
    h.progress = [this](const core::Snapshot& snap) {
      auto p = std::dynamic_pointer_cast<const cs::CheckerboardProgress>(snap.payload);
      if (!p) return;
      if (snap.progress >= 0) m_progress->setValue(int(snap.progress * 1000));
      for (std::size_t k = 0; k < p->sides.size() && k < 2; ++k) {
        showSide(int(k), p->sides[k], -1, -1);
        QList<QPointF> pts;
        for (const auto& c : p->curves[k])
          if (std::isfinite(c.energy)) pts << QPointF(double(c.step), c.energy);  // undefined: no point
        m_chart->replacePoints(seriesName(int(k)), pts);
      }
      if (p->judgeStep < p->judgeSteps)
        m_status->setText(tr("Training the quality judge (digit classifier): %1 of %2")
                              .arg(p->judgeStep).arg(p->judgeSteps));
      else
        m_status->setText(tr("Step %1 of %2 \u00b7 %3 s").arg(p->step).arg(p->totalSteps)
                              .arg(p->elapsedSeconds, 0, 'f', 1));
    };
    h.ended = [this](const LabClient::JobEnd& e) {
      m_job = 0;
      m_train->setEnabled(true);
      m_cancel->setEnabled(false);
      for (auto* c : {m_side[0].kind, m_side[1].kind, m_objective}) c->setEnabled(true);
      if (e.failed()) m_status->setText(tr("Training failed: ") + e.message);
      else if (e.cancelled()) m_status->setText(tr("Training stopped"));
      else if (auto r = std::dynamic_pointer_cast<const cs::CheckerboardResult>(e.result)) {
        for (std::size_t k = 0; k < r->sides.size() && k < 2; ++k)
          showSide(int(k), r->sides[k].view, r->sides[k].frechet, r->sides[k].testMse);
        m_status->setText(tr("Trained %1 steps in %2 s. Energy of the real test digits: %3. "
                             "Judge accuracy %4")
                              .arg(r->sides[0].steps).arg(r->sides[0].trainSeconds, 0, 'f', 1)
                              .arg(m_dataEnergy, 0, 'g', 3)
                              .arg(r->sides[0].judgeAccuracy, 0, 'f', 3));
      }
    };
    for (int k = 0; k < 2; ++k)
      m_chart->setSeriesStyle(seriesName(k), k ? QColor(44, 160, 44) : QColor(214, 39, 40));
    m_job = m_client.submit(std::make_unique<cs::CheckerboardJob>(m_sides, m_steps->value()),
                            std::move(h));
    m_client.setLive(m_job, cs::live::kBalanceWeight, m_weight->value());
    m_train->setEnabled(false);
    m_cancel->setEnabled(true);
    for (auto* c : {m_side[0].kind, m_side[1].kind, m_objective}) c->setEnabled(false);
  }

  QString seriesName(int k) const {
    return QStringLiteral("%1: %2").arg(k ? "B" : "A").arg(m_side[k].kind->currentText());
  }

  void showSide(int k, const cs::CheckerboardView& v, double frechet, double mse) {
    Side& s = m_side[k];
    const bool gan = v.objective == "gan";
    QString text = tr("<b>%1</b> (%2) \u00b7 step %3<br>checkerboard energy <b>%4</b> (init %5)")
                       .arg(QString::fromStdString(v.upsample), QString::fromStdString(v.objective))
                       .arg(v.step).arg(form::metric(v.energy, -1), form::metric(m_init[k], -1));
    if (!gan)
      text += tr(" \u00b7 recon %1 \u00b7 residual %2")
                  .arg(form::metric(v.reconstructionEnergy, -1), form::metric(v.residualEnergy, -1));
    text += tr("<br>phase imbalance <b>%1</b> \u00b7 ").arg(form::metric(v.imbalance, 3));
    // Before the first step no loss was computed: "—", not 0 (or the core's -1).
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double loss = v.step > 0 ? v.loss : nan;
    const double dLoss = v.step > 0 && v.discriminatorLoss >= 0 ? v.discriminatorLoss : nan;
    text += gan ? tr("G loss %1 \u00b7 D loss %2").arg(form::metric(loss, 3), form::metric(dLoss, 3))
                : tr("BCE %1").arg(form::metric(loss, 4));
    if (frechet >= 0) {
      text += tr("<br>quality: Fr\u00e9chet distance <b>%1</b>").arg(frechet, 0, 'g', 4);
      if (mse >= 0) text += tr(" \u00b7 test MSE %1").arg(mse, 0, 'g', 4);
    } else {
      text += tr("<br>quality: measured at the end of training");
    }
    s.numbers->setText(text);
    s.samples->setImage(v.samples);
    s.samples->setCaption(gan ? tr("test digits \u00b7 generated \u00b7 generated")
                              : tr("test digits \u00b7 reconstructions \u00b7 generated"));
    s.spectrum->setImage(markedSpectrum(v.spectrumImage));
    s.spectrum->setCaption(tr("log spectrum, stride freq. circled"));
    s.overlap->setImage(overlapPicture(v));
    s.overlap->setCaption(tr("overlap maps \u00b7 imbalance"));
  }

  LabClient m_client;
  std::vector<std::shared_ptr<cs::CheckerboardSession>> m_sides;
  std::uint64_t m_job = 0;
  double m_dataEnergy = 0, m_init[2] = {0, 0};
  Side m_side[2];
  QComboBox* m_objective;
  QSpinBox *m_steps, *m_seed;
  QDoubleSpinBox* m_weight;
  QPushButton *m_train, *m_cancel;
  QProgressBar* m_progress;
  QLabel* m_status;
  ChartPanel* m_chart;
};

}  // namespace

QWidget* makeStyleMixingTab(EngineBridge* bridge, QWidget* parent) {
  return new MixingTab(bridge, parent);
}

QWidget* makeCheckerboardTab(EngineBridge* bridge, QWidget* parent) {
  return new CheckerboardTab(bridge, parent);
}

}  // namespace genlab::ui
