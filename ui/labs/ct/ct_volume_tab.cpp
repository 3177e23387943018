#include "ui/labs/ct/ct_volume_tab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <vector>

#include "ui/labs/ct/ct_charts.h"
#include "ui/labs/ct/ct_controls.h"
#include "ui/labs/ct/ct_images.h"
#include "ui/views/vtk_image_viewer.h"
#include "ui/views/vtk_volume_viewer.h"

namespace genlab::ui {

using core::physics::FloatImage;
namespace ct = core::ct;

namespace {
// Coronal (fixed row) and sagittal (fixed column) cuts of a top-row-first
// stack; the last slice goes to the top so that the head stands upright.
FloatImage coronal(const FloatImage& s, int row) {
  FloatImage out(s.width, s.depth);
  for (int z = 0; z < s.depth; ++z)
    for (int x = 0; x < s.width; ++x) out.at(x, s.depth - 1 - z) = s.at(x, row, z);
  return out;
}
FloatImage sagittal(const FloatImage& s, int column) {
  FloatImage out(s.height, s.depth);
  for (int z = 0; z < s.depth; ++z)
    for (int y = 0; y < s.height; ++y) out.at(y, s.depth - 1 - z) = s.at(column, y, z);
  return out;
}
}  // namespace

CtVolumeTab::CtVolumeTab(CtController* controller, CtControls* controls, QWidget* parent)
    : QWidget(parent), m_controller(controller), m_controls(controls) {
  m_volume = new VtkVolumeViewer;
  m_volume->setObjectName("ct.volume");
  m_volume->setTitle(tr("Volume rendering"));
  m_volume->clearVolume(tr("Reconstruct a volume (Run on this tab)"));
  m_volume->setToolTip(tr("Left drag: rotate · wheel or right drag: zoom · middle drag: pan · "
                          "R: reset the camera"));
  m_volume->setMinimumSize(300, 300);
  const QString titles[3] = {tr("Axial (z)"), tr("Coronal (y)"), tr("Sagittal (x)")};
  for (int a = 0; a < 3; ++a) {
    m_reslice[a] = new VtkImageViewer;
    m_reslice[a]->setObjectName(QString("ct.reslice%1").arg(a));
    m_reslice[a]->setTitle(titles[a]);
    m_reslice[a]->setDefaultRange(0, 1);
    m_reslice[a]->setMinimumSize(160, 160);
    m_reslice[a]->setToolTip(tr("Click to move the other two planes here · left drag: "
                                "window/level · wheel: zoom · R: reset"));
  }
  // A click in one reslice moves the planes of the other two there.
  connect(m_reslice[0], &VtkImageViewer::clicked, this, [this](QPointF p) {
    setSlice(0, int(std::lround(p.x())));
    setSlice(1, int(std::lround(p.y())));
  });
  connect(m_reslice[1], &VtkImageViewer::clicked, this, [this](QPointF p) {
    setSlice(0, int(std::lround(p.x())));
    setSlice(2, m_stack.depth - 1 - int(std::lround(p.y())));
  });
  connect(m_reslice[2], &VtkImageViewer::clicked, this, [this](QPointF p) {
    setSlice(1, int(std::lround(p.x())));
    setSlice(2, m_stack.depth - 1 - int(std::lround(p.y())));
  });

  auto* right = new QVBoxLayout;
  right->setSpacing(4);
  for (auto* v : m_reslice) right->addWidget(v, 1);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 4, 0, 0);
  layout->setSpacing(6);
  layout->addWidget(buildControls());
  layout->addWidget(m_volume, 3);
  layout->addLayout(right, 1);

  connect(m_controller, &CtController::mriReady, this, [this](const VolumePtr& v) {
    m_mri = v;
    if (!m_waitingForMri) return;
    m_waitingForMri = false;
    submit(v);
  });
  connect(m_controller, &CtController::errorOccurred, this, [this](const QString& what) {
    if (what == tr("MRI volume") && m_waitingForMri) {
      m_waitingForMri = false;
      Q_EMIT busyChanged(running());
    }
  });
  connect(m_controller, &CtController::volumeProgress, this, &CtVolumeTab::onProgress);
  connect(m_controller, &CtController::volumeFinished, this, &CtVolumeTab::onFinished);
  connect(m_controller, &CtController::volumeStopped, this, [this](bool cancelled) {
    m_run->setEnabled(true);
    m_progress->setFormat(cancelled ? tr("cancelled") : tr("failed"));
    Q_EMIT busyChanged(running());
  });
}

QWidget* CtVolumeTab::buildControls() {
  auto* w = new QWidget;
  w->setFixedWidth(230);
  auto* v = new QVBoxLayout(w);
  v->setContentsMargins(0, 0, 0, 0);
  auto* form = new QFormLayout;
  m_source = new QComboBox;
  m_source->addItem(tr("MRI head (Colin27)"), QStringLiteral("mri"));
  m_source->setToolTip(tr("The volume whose slices are scanned and reconstructed"));
  m_method = new QComboBox;
  for (const char* m : {"fbp", "sirt", "tv", "score"})
    m_method->addItem(ctMethodLabel(m), QString::fromLatin1(m));
  m_method->setCurrentIndex(2);
  m_method->setToolTip(tr("One method for every slice; its settings come from the Methods box"));
  m_count = new QSpinBox;
  m_count->setRange(2, 256);
  m_count->setValue(24);
  m_count->setToolTip(tr("How many slices, evenly spaced over the slices with content"));
  m_iters = new QSpinBox;
  m_iters->setRange(10, 5000);
  m_iters->setSingleStep(50);
  m_iters->setValue(150);
  m_iters->setToolTip(tr("SIRT / TV iterations per slice (fewer than in 2-D: a volume has many "
                         "slices); the other settings come from the Methods box"));
  m_show = new QComboBox;
  m_show->addItem(tr("Reconstruction"));
  m_show->addItem(tr("Ground truth"));
  m_show->addItem(tr("Error |recon − truth|"));
  m_show->setToolTip(tr("What the 3-D view and the reslices show"));
  form->addRow(tr("Volume"), m_source);
  form->addRow(tr("Method"), m_method);
  form->addRow(tr("Slices"), m_count);
  form->addRow(tr("Iterations"), m_iters);
  form->addRow(tr("Show"), m_show);
  v->addLayout(form);
  m_run = new QPushButton(tr("Reconstruct volume"));
  m_run->setToolTip(tr("Scan each slice with the current scan settings and reconstruct it "
                       "(Ctrl+Return on this tab; Esc cancels)"));
  v->addWidget(m_run);
  m_progress = new QProgressBar;
  m_progress->setRange(0, 1000);
  m_progress->setFormat(tr("idle"));
  m_progress->setTextVisible(true);
  v->addWidget(m_progress);
  m_showVolume = new QCheckBox(tr("Volume rendering"));
  m_showPlanes = new QCheckBox(tr("Slice planes"));
  m_showVolume->setChecked(true);
  m_showPlanes->setChecked(true);
  v->addWidget(m_showVolume);
  v->addWidget(m_showPlanes);
  auto* grid = new QGridLayout;
  const char* axes[3] = {"x", "y", "z"};
  for (int a = 0; a < 3; ++a) {
    m_slider[a] = new QSlider(Qt::Horizontal);
    m_slider[a]->setRange(0, 0);
    m_slider[a]->setToolTip(tr("Position of the %1 plane").arg(axes[a]));
    grid->addWidget(new QLabel(QString::fromLatin1(axes[a])), a, 0);
    grid->addWidget(m_slider[a], a, 1);
    connect(m_slider[a], &QSlider::valueChanged, this, [this] { updateReslices(); });
  }
  v->addLayout(grid);
  m_summary = new QLabel;
  m_summary->setWordWrap(true);
  m_summary->setObjectName("ctVolumeSummary");
  v->addWidget(m_summary);
  v->addStretch(1);
  connect(m_run, &QPushButton::clicked, this, &CtVolumeTab::startReconstruction);
  connect(m_show, QOverload<int>::of(&QComboBox::currentIndexChanged), this, &CtVolumeTab::showStack);
  connect(m_showVolume, &QCheckBox::toggled, m_volume, &VtkVolumeViewer::setVolumeVisible);
  connect(m_showPlanes, &QCheckBox::toggled, m_volume, &VtkVolumeViewer::setSlicesVisible);
  return w;
}

void CtVolumeTab::setImportedVolume(const VolumePtr& volume, const QString& name) {
  m_imported = volume;
  m_importedName = name;
  const int i = m_source->findData(QStringLiteral("imported"));
  const QString label = tr("Imported: %1").arg(name);
  if (i >= 0) m_source->setItemText(i, label);
  else m_source->addItem(label, QStringLiteral("imported"));
  m_source->setCurrentIndex(m_source->findData(QStringLiteral("imported")));
}

void CtVolumeTab::startReconstruction() {
  if (running()) return;
  if (m_controls->deblurMode()) {
    Q_EMIT errorOccurred(tr("Volume reconstruction"),
                         tr("The 3-D view reconstructs CT scans: switch Problem to CT."), false);
    return;
  }
  const bool imported = m_source->currentData().toString() == "imported";
  m_run->setEnabled(false);
  m_progress->setValue(0);
  if (imported) {
    submit(m_imported);
  } else if (m_mri) {
    submit(m_mri);
  } else {
    m_waitingForMri = true;
    m_progress->setFormat(tr("reading the MRI volume…"));
    m_controller->fetchMri();
  }
  Q_EMIT busyChanged(running());
}

void CtVolumeTab::submit(const VolumePtr& volume) {
  if (!volume) {
    m_run->setEnabled(true);
    Q_EMIT errorOccurred(tr("Volume reconstruction"), tr("Import a volume first."), false);
    return;
  }
  const QString method = m_method->currentData().toString();
  ct::ReconOptions options;
  options.method = method.toStdString();
  for (const auto& o : m_controls->methods())
    if (o.method == options.method) options = o;
  options.nullspace = false;
  if (method == "sirt" || method == "tv") options.iterations = m_iters->value();
  if (method == "score" && !m_controller->hasPrior()) {
    m_run->setEnabled(true);
    m_progress->setFormat(tr("no prior"));
    Q_EMIT errorOccurred(tr("Volume reconstruction"),
                         tr("no prior loaded — Train prior or Load (or pick another method)"), false);
    Q_EMIT busyChanged(running());
    return;
  }
  ct::VolumeSlices slices;
  slices.count = m_count->value();
  m_progress->setFormat(tr("starting…"));
  m_controller->runVolume(m_controls->scanOptions(), volume, options, slices);
  Q_EMIT statusMessage(tr("Reconstructing %1 slices with %2, one after another…")
                           .arg(slices.count)
                           .arg(ctMethodLabel(method)));
  Q_EMIT busyChanged(running());
}

void CtVolumeTab::cancel() {
  m_waitingForMri = false;
  m_controller->cancelVolume();
  m_run->setEnabled(!m_controller->volumeRunning());
}

void CtVolumeTab::onProgress(const CtVolumeProgressPtr& p) {
  const double fraction =
      (p->done + (p->iterations > 0 ? double(p->iteration) / p->iterations : 0)) / std::max(1, p->total);
  m_progress->setValue(int(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
  m_progress->setFormat(tr("slice %1/%2 · %3 s").arg(p->done + 1).arg(p->total).arg(p->elapsedSeconds, 0, 'f', 0));
  // While it runs the axial view follows the slice being reconstructed.
  if (!p->preview.empty()) {
    m_reslice[0]->setTitle(tr("Axial: slice z = %1 (running)").arg(p->slice));
    m_reslice[0]->setImage(p->preview);
  }
}

void CtVolumeTab::onFinished(const CtVolumeResultPtr& r) {
  m_result = r;
  m_run->setEnabled(true);
  m_progress->setValue(1000);
  m_progress->setFormat(tr("done · %1 s").arg(r->seconds, 0, 'f', 0));
  m_summary->setText(tr("%1 slices of %2 px with %3: mean PSNR %4 dB, SSIM %5.")
                         .arg(r->slices.size())
                         .arg(r->scan.size)
                         .arg(ctMethodLabel(QString::fromStdString(r->options.method)))
                         .arg(r->meanPsnr, 0, 'f', 1)
                         .arg(r->meanSsim, 0, 'f', 3));
  m_spacing = r->reconstruction.spacing;
  showStack();
  m_volume->resetCamera();
  Q_EMIT statusMessage(tr("Volume done: ") + m_summary->text());
  Q_EMIT busyChanged(running());
}

void CtVolumeTab::showStack() {
  if (!m_result) return;
  const int mode = m_show->currentIndex();
  const FloatImage recon = volumeStack(m_result->reconstruction);
  if (mode == 0) {
    m_stack = recon;
  } else {
    m_stack = volumeStack(m_result->truth);
    if (mode == 2 && m_stack.values.size() == recon.values.size())
      for (std::size_t i = 0; i < m_stack.values.size(); ++i)
        m_stack.values[i] = std::abs(recon.values[i] - m_stack.values[i]);
  }
  // A robust top (99.5th percentile): limited-angle reconstructions are darker than the truth.
  std::vector<float> sorted = m_stack.values;
  const std::size_t k = std::size_t(0.995 * (sorted.size() - 1));
  std::nth_element(sorted.begin(), sorted.begin() + std::ptrdiff_t(k), sorted.end());
  const double hi = std::max(1e-3, double(sorted[k]));
  m_volume->setRange(0, hi);
  m_volume->setVolume(m_stack, m_spacing);
  m_volume->setTitle(tr("%1 · %2 · %3 slices · mean PSNR %4 dB")
                         .arg(m_show->currentText(),
                              ctMethodLabel(QString::fromStdString(m_result->options.method)))
                         .arg(m_result->slices.size())
                         .arg(m_result->meanPsnr, 0, 'f', 1));
  for (auto* v : m_reslice) {
    v->setColorMap(mode == 2 ? VtkImageViewer::ColorMap::Heat : VtkImageViewer::ColorMap::Grey);
    v->setDefaultRange(0, hi);
  }
  const int dims[3] = {m_stack.width, m_stack.height, m_stack.depth};
  for (int a = 0; a < 3; ++a) {
    const QSignalBlocker b(m_slider[a]);
    const int keep = m_slider[a]->maximum() == dims[a] - 1 ? m_slider[a]->value() : dims[a] / 2;
    m_slider[a]->setRange(0, dims[a] - 1);
    m_slider[a]->setValue(keep);
  }
  updateReslices();
  for (auto* v : m_reslice) v->resetView();
}

void CtVolumeTab::setSlice(int axis, int index) {
  if (m_stack.empty()) return;
  m_slider[axis]->setValue(index);  // updates the views through valueChanged
}

void CtVolumeTab::updateReslices() {
  if (m_stack.empty()) return;
  const int x = m_slider[0]->value(), y = m_slider[1]->value(), z = m_slider[2]->value();
  m_volume->setSlices(x, y, z);
  const double aspect = m_spacing[0] > 0 ? m_spacing[2] / m_spacing[0] : 1.0;
  const int zSource = m_result && z < int(m_result->slices.size()) ? m_result->slices[z] : z;
  m_reslice[0]->setTitle(tr("Axial: slice %1 of %2 (z = %3)").arg(z + 1).arg(m_stack.depth).arg(zSource));
  m_reslice[0]->setImage(m_stack.slice(z));
  m_reslice[1]->setTitle(tr("Coronal: row %1").arg(y));
  m_reslice[1]->setImage(coronal(m_stack, y), aspect);
  m_reslice[2]->setTitle(tr("Sagittal: column %1").arg(x));
  m_reslice[2]->setImage(sagittal(m_stack, x), aspect);
  // Each reslice shows where the other two planes cut it.
  m_reslice[0]->setCrosshair(QPointF(x, y), true);
  m_reslice[1]->setCrosshair(QPointF(x, m_stack.depth - 1 - z), true);
  m_reslice[2]->setCrosshair(QPointF(y, m_stack.depth - 1 - z), true);
}

void CtVolumeTab::exportTo(const QString& path) {
  if (!m_result) return;
  core::data::Volume v = m_show->currentIndex() == 0 ? m_result->reconstruction
                                                     : stackVolume(m_stack, m_spacing);
  core::data::PngExport png;
  png.windowLo = 0;
  png.windowHi = 1;
  Q_EMIT statusMessage(tr("Saving %1…").arg(path));
  m_controller->exportVolume(v, path, png);
}

}  // namespace genlab::ui
