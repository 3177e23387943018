#include "ui/labs/toy2d/toy2d_controls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
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
#include <QVBoxLayout>

#include "ui/labs/toy2d/toy2d_model_box.h"
#include "ui/views/form_helpers.h"

namespace genlab::ui {

using core::toy2d::Toy2dOptions;

namespace {
const char* const kBuiltins[][2] = {{"moons", "Two moons"},       {"rings", "Rings"},
                                    {"8gaussians", "8 Gaussians"}, {"checkerboard", "Checkerboard"},
                                    {"swissroll", "Swiss roll"},   {"spiral", "Spiral"}};
constexpr double kBrushStep = 0.02;  // world units per brush slider step

}  // namespace

Toy2dControls::Toy2dControls(QWidget* parent) : QWidget(parent) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(0, 0, 0, 0);
  // The run buttons first: always in sight, even on a small screen.
  v->addWidget(buildButtons());
  v->addWidget(buildPresetRow());
  v->addWidget(buildTrainingBox());
  v->addWidget(buildDataBox());
  m_modelA = new Toy2dModelBox(tr("Model A (left)"), false);
  m_modelB = new Toy2dModelBox(tr("Model B (right)"), true);
  v->addWidget(m_modelA);
  v->addWidget(m_modelB);
  v->addWidget(buildSamplerBox());
  v->addStretch(1);
  for (Toy2dModelBox* b : {m_modelA, m_modelB})
    connect(b, &Toy2dModelBox::changed, this, [this] {
      updateVisibility();
      Q_EMIT optionsChanged();
    });
  applyPreset("flow-vs-gan");
  updateVisibility();
}

QWidget* Toy2dControls::buildPresetRow() {
  auto* w = new QWidget;
  auto* f = form::layout(w);
  f->setContentsMargins(0, 0, 0, 0);
  m_preset = new QComboBox;
  for (const Toy2dPreset& p : toy2dPresets()) {
    m_preset->addItem(p.name, p.id);
    m_preset->setItemData(m_preset->count() - 1, p.tooltip, Qt::ToolTipRole);
  }
  m_preset->setToolTip(tr("Ready-made experiments: they set the data, both models and the steps"));
  connect(m_preset, &QComboBox::activated, this, [this](int i) {
    applyPreset(m_preset->itemData(i).toString());
  });
  f->addRow(tr("Preset"), m_preset);
  return w;
}

QGroupBox* Toy2dControls::buildDataBox() {
  auto* box = new QGroupBox(tr("Data"));
  auto* v = new QVBoxLayout(box);
  auto* f = new QFormLayout;
  f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  m_data = new QComboBox;
  for (const auto& b : kBuiltins) m_data->addItem(tr(b[1]), QString(b[0]));
  m_data->addItem(tr("Draw your own…"), "drawn");
  m_data->setToolTip(tr("A built-in 2-D distribution, your own drawing, or an imported CSV file"));
  connect(m_data, &QComboBox::activated, this, &Toy2dControls::onDataActivated);
  m_points = new QSpinBox;
  m_points->setRange(200, 200000);
  m_points->setSingleStep(1000);
  m_points->setValue(12000);
  m_points->setToolTip(tr("Points generated for a built-in data set"));
  m_heldOut = new QDoubleSpinBox;
  m_heldOut->setRange(5, 50);
  m_heldOut->setSuffix(" %");
  m_heldOut->setDecimals(1);
  m_heldOut->setValue(100.0 / 6.0);
  m_heldOut->setToolTip(tr("Share of the points held out (never trained on) to measure NLL and MMD"));
  m_seed = new QSpinBox;
  m_seed->setRange(0, 1000000);
  m_seed->setValue(1);
  m_seed->setToolTip(tr("Seed of the data, the train / held-out split and the models' initial "
                        "weights: the same seed gives the same run"));
  f->addRow(tr("Data set"), m_data);
  f->addRow(tr("Points"), m_points);
  f->addRow(tr("Held out"), m_heldOut);
  f->addRow(tr("Seed"), m_seed);
  v->addLayout(f);
  v->addWidget(buildDrawTools());
  auto* files = new QHBoxLayout;
  auto* import = new QPushButton(tr("Import CSV…"));
  import->setToolTip(tr("Load 2-D points from a CSV file with one x,y per line"));
  auto* exportButton = new QPushButton(tr("Export CSV…"));
  exportButton->setToolTip(tr("Save the current points (drawn, or the data set's train and "
                              "held-out points) as CSV"));
  files->addWidget(import);
  files->addWidget(exportButton);
  v->addLayout(files);
  connect(import, &QPushButton::clicked, this, &Toy2dControls::importClicked);
  connect(exportButton, &QPushButton::clicked, this, &Toy2dControls::exportClicked);
  for (QAbstractSpinBox* s : std::initializer_list<QAbstractSpinBox*>{m_points, m_heldOut, m_seed})
    connect(s, &QAbstractSpinBox::editingFinished, this, &Toy2dControls::optionsChanged);
  return box;
}

QWidget* Toy2dControls::buildDrawTools() {
  m_drawTools = new QWidget;
  auto* g = new QGridLayout(m_drawTools);
  g->setContentsMargins(0, 0, 0, 0);
  m_brush = new QSlider(Qt::Horizontal);
  m_brush->setRange(2, 50);
  m_brush->setValue(10);
  m_brush->setToolTip(tr("Brush radius"));
  m_brushLabel = new QLabel;
  m_density = new QSpinBox;
  m_density->setRange(1, 100);
  m_density->setValue(12);
  m_density->setSuffix(tr(" pts/dab"));
  m_density->setToolTip(tr("Points added by each dab of the brush while you drag"));
  m_erase = new QPushButton(tr("Erase"));
  m_erase->setCheckable(true);
  m_erase->setToolTip(tr("Erase points under the brush instead of painting (or hold Shift)"));
  auto* clear = new QPushButton(tr("Clear"));
  clear->setToolTip(tr("Remove every drawn point"));
  m_drawnCount = new QLabel(tr("0 points"));
  auto* hint = new QLabel(tr("Paint on the left view: drag to add points, Shift+drag to erase."));
  hint->setWordWrap(true);
  hint->setStyleSheet("color: palette(mid);");
  g->addWidget(new QLabel(tr("Brush")), 0, 0);
  g->addWidget(m_brush, 0, 1);
  g->addWidget(m_brushLabel, 0, 2);
  g->addWidget(new QLabel(tr("Density")), 1, 0);
  g->addWidget(m_density, 1, 1, 1, 2);
  g->addWidget(m_erase, 2, 0);
  g->addWidget(clear, 2, 1);
  g->addWidget(m_drawnCount, 2, 2);
  g->addWidget(hint, 3, 0, 1, 3);
  auto brushText = [this] { m_brushLabel->setText(QString::number(brushRadius(), 'f', 2)); };
  brushText();
  connect(m_brush, &QSlider::valueChanged, this, [this, brushText] {
    brushText();
    Q_EMIT drawToolChanged();
  });
  connect(m_density, &QSpinBox::valueChanged, this, &Toy2dControls::drawToolChanged);
  connect(m_erase, &QPushButton::toggled, this, &Toy2dControls::drawToolChanged);
  connect(clear, &QPushButton::clicked, this, &Toy2dControls::clearDrawnClicked);
  return m_drawTools;
}

QGroupBox* Toy2dControls::buildSamplerBox() {
  m_samplerBox = new QGroupBox(tr("Diffusion sampler"));
  auto* f = form::layout(m_samplerBox);
  m_sampler = new QComboBox;
  m_sampler->addItem(tr("Reverse SDE (Euler–Maruyama)"), "sde");
  m_sampler->addItem(tr("Probability-flow ODE"), "ode");
  m_sampler->addItem(tr("Ancestral (DDPM)"), "ancestral");
  m_sampler->setToolTip(tr("How samples travel from noise to data: the stochastic reverse-time "
                           "SDE, or the deterministic ODE with the same marginals"));
  m_sampleSteps = new QSpinBox;
  m_sampleSteps->setRange(1, 2000);
  m_sampleSteps->setValue(200);
  m_sampleSteps->setToolTip(tr("Predictor steps from t = 1 to t ≈ 0"));
  m_corrector = new QSpinBox;
  m_corrector->setRange(0, 10);
  m_corrector->setToolTip(tr("Langevin corrector steps after each predictor step (0: none)"));
  m_snr = new QDoubleSpinBox;
  m_snr->setRange(0.01, 2.0);
  m_snr->setSingleStep(0.02);
  m_snr->setValue(0.16);
  m_snr->setToolTip(tr("Signal-to-noise ratio that sets the corrector's step size"));
  m_paths = new QSpinBox;
  m_paths->setRange(5, 1000);
  m_paths->setValue(100);
  m_paths->setToolTip(tr("Sample paths drawn in the Reverse sampling view"));
  f->addRow(tr("Sampler"), m_sampler);
  f->addRow(tr("Steps"), m_sampleSteps);
  f->addRow(tr("Corrector steps"), m_corrector);
  f->addRow(tr("Corrector SNR"), m_snr);
  f->addRow(tr("Paths shown"), m_paths);
  connect(m_sampler, &QComboBox::currentIndexChanged, this, &Toy2dControls::samplerChanged);
  for (QAbstractSpinBox* s : std::initializer_list<QAbstractSpinBox*>{m_sampleSteps, m_corrector, m_snr, m_paths})
    connect(s, &QAbstractSpinBox::editingFinished, this, &Toy2dControls::samplerChanged);
  return m_samplerBox;
}

QGroupBox* Toy2dControls::buildTrainingBox() {
  auto* box = new QGroupBox(tr("Training"));
  auto* f = form::layout(box);
  m_steps = new QSpinBox;
  m_steps->setRange(1, 10000000);
  m_steps->setSingleStep(1000);
  m_steps->setValue(5000);
  m_steps->setToolTip(tr("Iterations each model trains for (Play again continues for as many more)"));
  m_speed = new QComboBox;
  const std::pair<const char*, double> speeds[] = {{"Full speed", 0},     {"300 it/s", 300},
                                                   {"100 it/s", 100},     {"30 it/s", 30},
                                                   {"10 it/s (slow motion)", 10},
                                                   {"3 it/s", 3},         {"1 it/s", 1}};
  for (const auto& [name, rate] : speeds) m_speed->addItem(tr(name), rate);
  m_speed->setToolTip(tr("Slow motion: at most this many iterations per second per model"));
  m_liveEval = new QCheckBox(tr("Evaluate every 5 s"));
  m_liveEval->setChecked(true);
  m_liveEval->setToolTip(tr("Measure held-out NLL and MMD while training (not counted as "
                            "training time); the table and the charts follow"));
  f->addRow(tr("Steps"), m_steps);
  f->addRow(tr("Speed"), m_speed);
  f->addRow(QString(), m_liveEval);
  connect(m_speed, &QComboBox::currentIndexChanged, this,
          [this] { Q_EMIT speedChanged(slowMotion()); });
  connect(m_liveEval, &QCheckBox::toggled, this,
          [this] { Q_EMIT liveEvaluationChanged(liveEvaluation()); });
  return box;
}

QWidget* Toy2dControls::buildButtons() {
  auto* w = new QWidget;
  auto* g = new QGridLayout(w);
  g->setContentsMargins(0, 0, 0, 0);
  m_play = new QPushButton(tr("▶ Train"));
  m_play->setToolTip(tr("Train, pause, resume (Space)"));
  m_step = new QPushButton(tr("Step"));
  m_step->setToolTip(tr("One iteration of every model while paused (S)"));
  m_reset = new QPushButton(tr("Reset"));
  m_reset->setToolTip(tr("Stop and rebuild untrained models from the options (Ctrl+R)"));
  QFont bold = m_play->font();
  bold.setBold(true);
  m_play->setFont(bold);
  m_play->setMinimumHeight(34);
  m_progress = new QProgressBar;
  m_progress->setRange(0, 1000);
  m_progress->setValue(0);
  m_progress->setTextVisible(true);
  m_progress->setFormat(tr("untrained"));
  m_status = new QLabel;
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->setObjectName("toy2dStatus");
  g->addWidget(m_play, 0, 0, 1, 2);
  g->addWidget(m_step, 1, 0);
  g->addWidget(m_reset, 1, 1);
  g->addWidget(m_progress, 2, 0, 1, 2);
  g->addWidget(m_status, 3, 0, 1, 2);
  connect(m_play, &QPushButton::clicked, this, &Toy2dControls::playClicked);
  connect(m_step, &QPushButton::clicked, this, &Toy2dControls::stepClicked);
  connect(m_reset, &QPushButton::clicked, this, &Toy2dControls::resetClicked);
  return w;
}

void Toy2dControls::onDataActivated(int index) {
  if (index == m_lastData) return;
  m_lastData = index;
  updateVisibility();
  Q_EMIT dataSpecChanged();
}

void Toy2dControls::updateVisibility() {
  const bool drawn = drawMode();
  m_drawTools->setVisible(drawn);
  m_points->setEnabled(core::toy2d::isBuiltinDataset(dataSpec().toStdString()));
  const bool diffusion = m_modelA->model() == "diffusion" || m_modelB->model() == "diffusion";
  m_samplerBox->setVisible(diffusion);
}

QString Toy2dControls::dataSpec() const { return m_data->currentData().toString(); }
QString Toy2dControls::dataLabel() const { return m_data->currentText(); }

bool Toy2dControls::setDataSpec(const QString& spec) {
  if (spec.isEmpty()) return false;
  int i = m_data->findData(spec);
  if (i < 0) {
    if (!QFileInfo(spec).isFile()) return false;
    addCsvFile(spec);
    return true;
  }
  m_data->setCurrentIndex(i);
  onDataActivated(i);
  return true;
}

void Toy2dControls::addCsvFile(const QString& path) {
  int i = m_data->findData(path);
  if (i < 0) {
    m_data->addItem(tr("File: %1").arg(QFileInfo(path).fileName()), path);
    i = m_data->count() - 1;
    m_data->setItemData(i, path, Qt::ToolTipRole);
  }
  m_data->setCurrentIndex(i);
  onDataActivated(i);
}

double Toy2dControls::brushRadius() const { return m_brush->value() * kBrushStep; }
int Toy2dControls::brushDensity() const { return m_density->value(); }
bool Toy2dControls::eraseMode() const { return m_erase->isChecked(); }
void Toy2dControls::setDrawnCount(int n) { m_drawnCount->setText(tr("%1 points").arg(n)); }

bool Toy2dControls::applyPreset(const QString& id) {
  for (const Toy2dPreset& p : toy2dPresets()) {
    if (p.id != id) continue;
    m_preset->setCurrentIndex(m_preset->findData(id));
    if (!p.data.isEmpty() && dataSpec() != p.data) setDataSpec(p.data);
    m_modelA->setOptions(p.models[0]);
    if (p.models.size() > 1) m_modelB->setOptions(p.models[1]);
    else m_modelB->setModel("none");
    m_steps->setValue(int(p.steps));
    updateVisibility();
    Q_EMIT optionsChanged();
    return true;
  }
  return false;
}

std::vector<Toy2dOptions> Toy2dControls::modelOptions() const {
  std::vector<Toy2dOptions> out;
  for (Toy2dModelBox* b : {m_modelA, m_modelB}) {
    if (!b->enabled()) continue;
    Toy2dOptions o = b->options();
    o.data = drawMode() ? "drawn" : dataSpec().toStdString();
    o.dataPoints = m_points->value();
    o.heldOutFraction = m_heldOut->value() / 100.0;
    o.seed = std::uint64_t(m_seed->value());
    o.steps = m_steps->value();
    const auto s = sampler();
    o.sampler = s.sampler;
    o.sampleSteps = s.steps;
    o.correctorSteps = s.correctorSteps;
    o.snr = s.snr;
    out.push_back(o);
  }
  return out;
}

core::toy2d::SamplerSettings Toy2dControls::sampler() const {
  core::toy2d::SamplerSettings s;
  s.sampler = m_sampler->currentData().toString().toStdString();
  s.steps = m_sampleSteps->value();
  s.correctorSteps = m_corrector->value();
  s.snr = m_snr->value();
  return s;
}

int Toy2dControls::trajectoryCount() const { return m_paths->value(); }
long Toy2dControls::steps() const { return m_steps->value(); }
double Toy2dControls::slowMotion() const { return m_speed->currentData().toDouble(); }
double Toy2dControls::liveEvaluation() const { return m_liveEval->isChecked() ? 5.0 : 0.0; }

void Toy2dControls::setRunState(Toy2dController::State state, bool hasSessions) {
  using S = Toy2dController::State;
  m_play->setText(state == S::Training ? tr("❚❚ Pause") : state == S::Paused ? tr("▶ Resume") : tr("▶ Train"));
  m_play->setEnabled(state != S::Preparing);
  m_step->setEnabled(state == S::Paused || (state == S::Idle && hasSessions));
  m_reset->setEnabled(state != S::Preparing);
  const bool locked = state != S::Idle;
  m_modelA->setLocked(locked);
  m_modelB->setLocked(locked);
  m_preset->setEnabled(!locked);
  m_data->setEnabled(!locked);
  m_points->setEnabled(!locked && core::toy2d::isBuiltinDataset(dataSpec().toStdString()));
  m_heldOut->setEnabled(!locked);
  m_seed->setEnabled(!locked);
}

void Toy2dControls::setProgress(double fraction, const QString& text) {
  m_progress->setValue(int(std::clamp(fraction, 0.0, 1.0) * 1000));
  m_progress->setFormat(text);
}

void Toy2dControls::setStatus(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? "color: #c01818;" : QString());
}

}  // namespace genlab::ui
