#include "ui/labs/ct/ct_controls.h"
#include "ui/views/form_helpers.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

namespace {
struct Preset {
  const char* name;
  int views;
  double arc;
  const char* tip;
};
const Preset kPresets[] = {
    {"Full scan", 180, 180, "180 views over 180°: every direction measured; FBP is already good"},
    {"Sparse view", 23, 180, "Few views over the full half-turn: streaks for FBP"},
    {"Limited angle", 60, 90, "Views over a partial arc only: whole directions are never seen"},
};
}  // namespace

CtControls::CtControls(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(6);
  layout->addWidget(buildProblem());
  layout->addWidget(buildScan());
  layout->addWidget(buildBlur());
  layout->addWidget(buildMethods());
  layout->addWidget(buildPrior());
  layout->addWidget(buildRun());
  layout->addStretch(1);
  fillObjects();
  applyPreset(2);
  updateEnabled();
}

QGroupBox* CtControls::buildProblem() {
  auto* box = new QGroupBox(tr("Problem"));
  auto* form = new QFormLayout(box);
  m_mode = new QComboBox;
  m_mode->addItem(tr("CT (parallel beam)"), QStringLiteral("ct"));
  m_mode->addItem(tr("Deblurring (PSF)"), QStringLiteral("blur"));
  m_mode->setToolTip(tr("The forward operator A: a Radon transform (CT), or a convolution with "
                        "a known point-spread function (astronomical deblurring). Every method "
                        "runs unchanged on either."));
  m_object = new QComboBox;
  m_object->setObjectName("ctObject");
  m_object->setToolTip(tr("The object x to image: a phantom, a held-out MRI slice, the Hubble "
                          "deep field (deblurring), or a slice of an imported file"));
  m_seed = form::spinBox(0, 99999, 1, tr("Seed of the random-ellipse phantom / MRI slice and of the noise"));
  m_slice = form::spinBox(0, 0, 0, tr("Slice of the imported volume"));
  m_sliceLabel = new QLabel(tr("Slice"));
  m_size = form::spinBox(32, 512, 128, tr("Image size in pixels (CT: the object is resampled to size × "
                                 "size; deblurring: the crop of the image)"), 32);
  m_size->setSuffix(tr(" px"));
  m_import = new QPushButton(tr("Import…"));
  m_import->setToolTip(tr("Read a DICOM file or series folder, NIfTI (.nii, .nii.gz), MetaImage "
                          "(.mha, .mhd) or PNG and use one of its slices as the object (Ctrl+I); "
                          "a volume also goes to the 3-D tab"));
  m_export = new QPushButton(tr("Export…"));
  m_export->setToolTip(tr("Save the selected reconstruction (▶; click a viewer to select) as "
                          "NIfTI, MetaImage or PNG; on the 3-D tab, the volume (Ctrl+S)"));
  form->addRow(tr("Problem"), m_mode);
  form->addRow(tr("Object"), m_object);
  form->addRow(tr("Seed"), m_seed);
  form->addRow(m_sliceLabel, m_slice);
  form->addRow(tr("Size"), m_size);
  form->addRow(form::row({m_import, m_export}));
  connect(m_mode, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
    fillObjects();
    updateEnabled();
    Q_EMIT problemChanged();
  });
  connect(m_object, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
    updateEnabled();
    Q_EMIT problemChanged();
  });
  for (QSpinBox* s : {m_seed, m_slice, m_size})
    connect(s, QOverload<int>::of(&QSpinBox::valueChanged), this, &CtControls::problemChanged);
  auto* importMenu = new QMenu(m_import);
  importMenu->addAction(tr("File (DICOM, NIfTI, MetaImage, PNG)…"), this, &CtControls::importClicked);
  importMenu->addAction(tr("DICOM series folder…"), this, &CtControls::importFolderClicked);
  m_import->setMenu(importMenu);
  connect(m_export, &QPushButton::clicked, this, &CtControls::exportClicked);
  return box;
}

QGroupBox* CtControls::buildScan() {
  m_scanBox = new QGroupBox(tr("Scan"));
  auto* form = new QFormLayout(m_scanBox);
  m_preset = new QComboBox;
  m_preset->setObjectName("ctPreset");
  for (const Preset& p : kPresets) {
    m_preset->addItem(tr(p.name));
    m_preset->setItemData(m_preset->count() - 1, tr(p.tip), Qt::ToolTipRole);
  }
  m_preset->setToolTip(tr("Full, sparse-view or limited-angle acquisition"));
  m_views = form::spinBox(1, 1024, 60, tr("Number of projection angles"));
  m_arc = form::doubleSpinBox(1, 180, 90, 0, 5, tr("Arc the views cover, in degrees (180 = every direction)"));
  m_arc->setSuffix(QStringLiteral("°"));
  m_photons = new QComboBox;
  m_photons->addItem(tr("noiseless"), 0.0);
  for (double p : {1e6, 1e5, 1e4, 1e3})
    m_photons->addItem(tr("%1 photons").arg(QString::number(p, 'g', 1)), p);
  m_photons->setCurrentIndex(2);
  m_photons->setToolTip(tr("Incident photons per detector bin (Poisson noise): fewer = noisier"));
  form->addRow(tr("Preset"), m_preset);
  form->addRow(tr("Views"), m_views);
  form->addRow(tr("Arc"), m_arc);
  form->addRow(tr("Dose"), m_photons);
  connect(m_preset, QOverload<int>::of(&QComboBox::activated), this, [this](int i) {
    applyPreset(i);
    Q_EMIT problemChanged();
  });
  connect(m_views, QOverload<int>::of(&QSpinBox::valueChanged), this, &CtControls::problemChanged);
  connect(m_arc, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this,
          &CtControls::problemChanged);
  connect(m_photons, QOverload<int>::of(&QComboBox::currentIndexChanged), this,
          &CtControls::problemChanged);
  return m_scanBox;
}

QGroupBox* CtControls::buildBlur() {
  m_blurBox = new QGroupBox(tr("Blur"));
  auto* form = new QFormLayout(m_blurBox);
  m_psf = new QComboBox;
  m_psf->addItem(tr("Gaussian"), QStringLiteral("gaussian"));
  m_psf->addItem(tr("Motion"), QStringLiteral("motion"));
  m_psf->setToolTip(tr("Point-spread function: a Gaussian (seeing, defocus) or a straight "
                       "motion streak"));
  m_psfSigma = form::doubleSpinBox(0.3, 20, 2.5, 1, 0.5, tr("Gaussian PSF standard deviation in pixels"));
  m_psfLength = form::doubleSpinBox(1, 100, 15, 0, 1, tr("Motion streak length in pixels"));
  m_psfAngle = form::doubleSpinBox(-180, 180, 30, 0, 5, tr("Motion direction in degrees"));
  m_blurNoise = form::doubleSpinBox(0, 20, 1, 2, 0.25, tr("Gaussian noise, in % of the brightest blurred pixel"));
  m_blurNoise->setSuffix(QStringLiteral(" %"));
  form->addRow(tr("PSF"), m_psf);
  form->addRow(tr("Sigma"), m_psfSigma);
  form->addRow(tr("Length"), m_psfLength);
  form->addRow(tr("Angle"), m_psfAngle);
  form->addRow(tr("Noise"), m_blurNoise);
  connect(m_psf, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
    updateEnabled();
    Q_EMIT problemChanged();
  });
  for (QDoubleSpinBox* s : {m_psfSigma, m_psfLength, m_psfAngle, m_blurNoise})
    connect(s, QOverload<double>::of(&QDoubleSpinBox::valueChanged), this,
            &CtControls::problemChanged);
  return m_blurBox;
}

QGroupBox* CtControls::buildMethods() {
  auto* box = new QGroupBox(tr("Methods"));
  auto* grid = new QGridLayout(box);
  grid->setColumnStretch(1, 1);
  m_fbp = new QCheckBox(tr("FBP"));
  m_fbp->setToolTip(tr("Filtered back-projection: one pass, the classical baseline"));
  m_filter = new QComboBox;
  for (const char* f : {"ramp", "shepp-logan", "cosine", "hann"}) m_filter->addItem(f, f);
  m_filter->setToolTip(tr("FBP filter: ramp is sharpest; cosine and Hann suppress noise"));
  m_sirt = new QCheckBox(tr("SIRT"));
  m_sirt->setToolTip(tr("Simultaneous iterative reconstruction (Landweber): least squares, "
                        "x ≥ 0"));
  m_sirtIters = form::spinBox(1, 5000, 200, tr("SIRT iterations"), 50);
  m_tv = new QCheckBox(tr("TV"));
  m_tv->setToolTip(tr("Total-variation regularised least squares (Chambolle–Pock): "
                      "piecewise-constant images"));
  m_tvWeight = form::doubleSpinBox(0, 0.1, 0, 5, 0.0001, tr("TV weight λ (data term scaled by 1/‖A‖²): "
                                               "larger = smoother. Automatic: 1e-4 for a "
                                               "limited arc, 3e-4 otherwise"));
  m_tvWeight->setSpecialValueText(tr("λ auto"));
  m_tvIters = form::spinBox(10, 5000, 500, tr("TV iterations"), 50);
  m_score = new QCheckBox(tr("Score prior"));
  m_score->setToolTip(tr("Generative: posterior sampling with a trained score (diffusion) prior; "
                         "K samples give a mean and a per-pixel uncertainty"));
  m_samples = form::spinBox(1, 32, 4, tr("Posterior samples K (uncertainty needs K ≥ 2)"));
  m_samples->setPrefix(tr("K = "));
  m_scoreSteps = form::spinBox(0, 2000, 0, tr("Annealing steps per sample (0 = the sampler's default)"), 10);
  m_scoreSteps->setSpecialValueText(tr("default steps"));
  for (QCheckBox* c : {m_fbp, m_sirt, m_tv, m_score}) c->setChecked(true);
  grid->addWidget(m_fbp, 0, 0);
  grid->addWidget(m_filter, 0, 1, 1, 2);
  grid->addWidget(m_sirt, 1, 0);
  grid->addWidget(m_sirtIters, 1, 1, 1, 2);
  grid->addWidget(m_tv, 2, 0);
  grid->addWidget(m_tvWeight, 2, 1);
  grid->addWidget(m_tvIters, 2, 2);
  grid->addWidget(m_score, 3, 0);
  grid->addWidget(m_samples, 3, 1);
  grid->addWidget(m_scoreSteps, 3, 2);
  m_nullspace = new QCheckBox(tr("Nullspace split (Alt+N)"));
  m_nullspace->setToolTip(tr("Split every reconstruction into the part the measurement sees "
                             "(row space) and the part it cannot see (nullspace): what did "
                             "each method invent?"));
  grid->addWidget(m_nullspace, 4, 0, 1, 3);
  connect(m_nullspace, &QCheckBox::toggled, this, &CtControls::nullspaceToggled);
  return box;
}

QGroupBox* CtControls::buildPrior() {
  auto* box = new QGroupBox(tr("Score prior"));
  auto* v = new QVBoxLayout(box);
  m_priorLabel = new QLabel(tr("No prior loaded."));
  m_priorLabel->setWordWrap(true);
  m_priorLabel->setObjectName("ctPriorLabel");
  m_loadPrior = new QPushButton(tr("Load…"));
  m_loadPrior->setToolTip(tr("Load a score prior trained with `genlab-cli ct train-prior` "
                             "(.glm) (Ctrl+O)"));
  m_trainPrior = new QPushButton(tr("Train"));
  m_trainPrior->setToolTip(tr("Train a new score prior on random-ellipse phantoms at the current "
                              "size; it is saved and loaded when done"));
  m_cancelPrior = new QPushButton(tr("Stop"));
  m_cancelPrior->setToolTip(tr("Stop prior training (nothing is saved)"));
  m_priorSteps = form::spinBox(10, 100000, core::ct::PriorOptions{}.steps,
                      tr("Adam steps of prior training (4500 ≈ 14 minutes on 2 CPU cores at "
                         "128 px); training ends after 18 minutes whatever the count"),
                      500);
  m_priorSteps->setSuffix(tr(" steps"));
  m_priorProgress = new QProgressBar;
  m_priorProgress->setRange(0, 1000);
  m_priorProgress->setValue(0);
  m_priorProgress->setFormat(tr("not training"));
  m_priorProgress->setTextVisible(true);
  v->addWidget(m_priorLabel);
  v->addWidget(form::row({m_loadPrior, m_trainPrior, m_cancelPrior}));
  v->addWidget(form::row({m_priorSteps, m_priorProgress}));
  connect(m_loadPrior, &QPushButton::clicked, this, &CtControls::loadPriorClicked);
  connect(m_trainPrior, &QPushButton::clicked, this, &CtControls::trainPriorClicked);
  connect(m_cancelPrior, &QPushButton::clicked, this, &CtControls::cancelPriorClicked);
  return box;
}

QWidget* CtControls::buildRun() {
  auto* w = new QWidget;
  auto* v = new QVBoxLayout(w);
  v->setContentsMargins(0, 4, 0, 0);
  m_run = new QPushButton(tr("Run all"));
  m_run->setObjectName("ctRun");
  m_run->setToolTip(tr("Simulate the measurement and run every checked method (Ctrl+Return)"));
  QFont bold = m_run->font();
  bold.setBold(true);
  m_run->setFont(bold);
  m_cancel = new QPushButton(tr("Cancel"));
  m_cancel->setToolTip(tr("Stop the running methods (Esc)"));
  m_simulate = new QPushButton(tr("Simulate"));
  m_simulate->setToolTip(tr("Only simulate the measurement of the object (Ctrl+M)"));
  v->addWidget(form::row({m_run, m_simulate, m_cancel}));
  m_progress = new QProgressBar;
  m_progress->setRange(0, 1000);
  m_progress->setValue(0);
  m_progress->setTextVisible(true);
  m_progress->setFormat(tr("idle"));
  m_progress->setObjectName("ctProgress");
  v->addWidget(m_progress);
  m_status = new QLabel;
  m_status->setWordWrap(true);
  m_status->setObjectName("ctStatus");
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->setToolTip(tr("Last message or error"));
  v->addWidget(m_status);
  connect(m_run, &QPushButton::clicked, this, &CtControls::runClicked);
  connect(m_cancel, &QPushButton::clicked, this, &CtControls::cancelClicked);
  connect(m_simulate, &QPushButton::clicked, this, &CtControls::simulateClicked);
  return w;
}

void CtControls::fillObjects() {
  const QString previous = objectKind();
  const QSignalBlocker block(m_object);
  m_object->clear();
  if (deblurMode()) m_object->addItem(tr("Hubble deep field"), QStringLiteral("hubble"));
  m_object->addItem(tr("Shepp–Logan"), QStringLiteral("shepp-logan"));
  m_object->addItem(tr("Random ellipses (held out)"), QStringLiteral("ellipses"));
  m_object->addItem(tr("MRI slice (held out)"), QStringLiteral("mri"));
  if (m_importedSlices > 0)
    m_object->addItem(tr("Imported: %1").arg(m_importedName), QStringLiteral("imported"));
  const int i = m_object->findData(previous);
  m_object->setCurrentIndex(deblurMode() && previous != "imported" ? 0
                            : i >= 0                            ? i
                                                                : (deblurMode() ? 0 : 1));
}

void CtControls::applyPreset(int index) {
  if (index < 0 || index >= int(std::size(kPresets))) return;
  const QSignalBlocker b1(m_views), b2(m_arc), b3(m_preset);
  m_preset->setCurrentIndex(index);
  m_views->setValue(kPresets[index].views);
  m_arc->setValue(kPresets[index].arc);
}

void CtControls::updateEnabled() {
  const bool blur = deblurMode();
  m_scanBox->setVisible(!blur);
  m_blurBox->setVisible(blur);
  const bool motion = m_psf->currentData().toString() == "motion";
  m_psfSigma->setEnabled(!motion);
  m_psfLength->setEnabled(motion);
  m_psfAngle->setEnabled(motion);
  m_fbp->setEnabled(!blur);
  const QString kind = objectKind();
  m_seed->setEnabled(kind == "ellipses" || kind == "mri");
  m_slice->setVisible(kind == "imported");
  m_sliceLabel->setVisible(kind == "imported");
  const bool busy = m_running;
  m_run->setEnabled(!busy);
  m_simulate->setEnabled(!busy);
  m_cancel->setEnabled(busy);
  m_trainPrior->setEnabled(!m_training);
  m_cancelPrior->setEnabled(m_training);
  m_loadPrior->setEnabled(!m_training);
  m_priorSteps->setEnabled(!m_training);
}

bool CtControls::deblurMode() const { return m_mode->currentData().toString() == "blur"; }

void CtControls::setDeblurMode(bool on) { m_mode->setCurrentIndex(on ? 1 : 0); }

QString CtControls::objectKind() const { return m_object->currentData().toString(); }

bool CtControls::setObjectKind(const QString& kind) {
  if (kind == "hubble" && !deblurMode()) setDeblurMode(true);
  const int i = m_object->findData(kind);
  if (i < 0) return false;
  m_object->setCurrentIndex(i);
  return true;
}

int CtControls::seed() const { return m_seed->value(); }
int CtControls::slice() const { return m_slice->value(); }

void CtControls::setImported(const QString& name, int slices) {
  m_importedName = name;
  m_importedSlices = slices;
  {
    const QSignalBlocker b(m_slice);
    m_slice->setRange(0, std::max(0, slices - 1));
    m_slice->setValue(slices / 2);
  }
  fillObjects();
  setObjectKind(QStringLiteral("imported"));
  updateEnabled();
}

core::ct::ScanOptions CtControls::scanOptions() const {
  core::ct::ScanOptions s;
  s.modality = deblurMode() ? "blur" : "ct";
  s.size = m_size->value();
  s.seed = std::uint64_t(m_seed->value());
  if (deblurMode()) {
    s.psf = m_psf->currentData().toString().toStdString();
    s.psfSigma = m_psfSigma->value();
    s.psfLength = m_psfLength->value();
    s.psfAngleDeg = m_psfAngle->value();
    s.noise = m_blurNoise->value() > 0 ? "gaussian" : "none";
    s.gaussianLevel = m_blurNoise->value() / 100.0;
  } else {
    s.views = m_views->value();
    s.arcDeg = m_arc->value();
    s.photons = m_photons->currentData().toDouble();
    s.noise = s.photons > 0 ? "poisson" : "none";
  }
  return s;
}

std::vector<core::ct::ReconOptions> CtControls::methods() const {
  std::vector<core::ct::ReconOptions> out;
  core::ct::ReconOptions base;
  base.nullspace = m_nullspace->isChecked();
  base.seed = std::uint64_t(m_seed->value());
  if (m_fbp->isChecked() && !deblurMode()) {
    auto o = base;
    o.method = "fbp";
    o.filter = m_filter->currentData().toString().toStdString();
    out.push_back(o);
  }
  if (m_sirt->isChecked()) {
    auto o = base;
    o.method = "sirt";
    o.iterations = m_sirtIters->value();
    out.push_back(o);
  }
  if (m_tv->isChecked()) {
    auto o = base;
    o.method = "tv";
    o.tvWeight = m_tvWeight->value();
    o.iterations = m_tvIters->value();
    out.push_back(o);
  }
  if (m_score->isChecked()) {
    auto o = base;
    o.method = "score";
    o.samples = m_samples->value();
    o.scoreSteps = m_scoreSteps->value();
    out.push_back(o);
  }
  return out;
}

bool CtControls::methodChecked(const QString& m) const {
  if (m == "fbp") return m_fbp->isChecked() && !deblurMode();
  if (m == "sirt") return m_sirt->isChecked();
  if (m == "tv") return m_tv->isChecked();
  if (m == "score") return m_score->isChecked();
  return false;
}

void CtControls::setMethodChecked(const QString& m, bool on) {
  for (auto [name, box] : {std::pair{"fbp", m_fbp}, {"sirt", m_sirt}, {"tv", m_tv},
                           {"score", m_score}})
    if (m == name) box->setChecked(on);
}

void CtControls::setIterations(const QString& m, int n) {
  if (m == "sirt") m_sirtIters->setValue(n);
  if (m == "tv") m_tvIters->setValue(n);
  if (m == "score") m_scoreSteps->setValue(n);
}

bool CtControls::nullspace() const { return m_nullspace->isChecked(); }

core::ct::PriorOptions CtControls::priorOptions() const {
  core::ct::PriorOptions p;
  p.data = "ellipses";
  p.size = m_size->value();
  p.steps = m_priorSteps->value();
  p.seed = 1;
  return p;
}

void CtControls::setRunning(bool running) {
  m_running = running;
  updateEnabled();
}

void CtControls::setPriorTraining(bool training) {
  m_training = training;
  if (!training) m_priorProgress->setFormat(tr("not training"));
  updateEnabled();
}

void CtControls::setPriorStatus(const QString& text, bool loaded) {
  m_priorLabel->setText(text);
  m_priorLabel->setStyleSheet(loaded ? QString() : QStringLiteral("color: #8a5a00;"));
}

void CtControls::setProgress(double fraction, const QString& text) {
  m_progress->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
  m_progress->setFormat(text);
}

void CtControls::setPriorProgress(double fraction, const QString& text) {
  m_priorProgress->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
  m_priorProgress->setFormat(text);
}

void CtControls::setStatus(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

QString CtControls::statusText() const { return m_status->text(); }

}  // namespace genlab::ui
