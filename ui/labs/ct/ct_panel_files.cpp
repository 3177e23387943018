// CtPanel: files — import and export of volumes, loading and training the
// score prior.
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTabWidget>

#include "ui/labs/ct/ct_charts.h"
#include "ui/labs/ct/ct_controls.h"
#include "ui/labs/ct/ct_images.h"
#include "ui/labs/ct/ct_panel.h"
#include "ui/labs/ct/ct_volume_tab.h"
#include "ui/views/vtk_image_viewer.h"

namespace genlab::ui {

namespace {
QString priorFolder() {
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/ct";
}
}  // namespace

void CtPanel::openImportDialog() {
  const QString filter = QString::fromStdString(core::data::volumeFileFilter()) +
                         tr(";;All files (*)");
  const QString path = QFileDialog::getOpenFileName(this, tr("Import a volume or image"),
                                                    QString(), filter);
  if (!path.isEmpty()) importFile(path);
}

void CtPanel::openImportFolderDialog() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Import a DICOM series folder"));
  if (!dir.isEmpty()) importFile(dir);
}

void CtPanel::importFile(const QString& path) {
  m_lastError.clear();
  showInfo(tr("Reading %1…").arg(QFileInfo(path).fileName()));
  m_controller->importVolume(path);
}

void CtPanel::onImported(const QString& path, const VolumePtr& volume) {
  if (!volume || volume->voxelCount() == 0) return;
  m_imported = volume;
  m_importedName = QFileInfo(path).fileName();
  if (m_importedName.isEmpty()) m_importedName = QDir(path).dirName();
  m_controls->setImported(m_importedName, volume->nz);
  m_volumeTab->setImportedVolume(volume, m_importedName);
  showInfo(tr("Imported %1: %2").arg(m_importedName, QString::fromStdString(volume->description)));
  Q_EMIT dataChanged();
  if (!m_controller->running()) simulateOnly();
  else m_resimulate.start();
}

void CtPanel::saveModelDialog() {
  const bool volume = m_tabs->currentWidget() == m_volumeTab && m_volumeTab->hasResult();
  if (!volume && m_selected.isEmpty() && !m_objectKnown) {
    onError(tr("Export"), tr("There is nothing to export yet: run a reconstruction first."), false);
    return;
  }
  const QString what = volume ? QStringLiteral("volume")
                       : m_selected.isEmpty() ? QStringLiteral("object") : m_selected;
  const QString filter = QString::fromStdString(core::data::volumeSaveFilter());
  QString path = QFileDialog::getSaveFileName(this, tr("Export reconstruction"),
                                              QString("ct-%1.nii.gz").arg(what), filter);
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".nii.gz";
  exportTo(path);
}

void CtPanel::exportTo(const QString& path) {
  m_lastError.clear();
  if (m_tabs->currentWidget() == m_volumeTab && m_volumeTab->hasResult()) {
    m_volumeTab->exportTo(path);
    return;
  }
  const CtResultPtr r = m_results.value(m_selected);
  const core::physics::FloatImage& image = r ? r->image : m_object;
  if (image.empty()) {
    onError(tr("Export"), tr("There is nothing to export yet: run a reconstruction first."), false);
    return;
  }
  // PNG keeps what the viewer shows: its window becomes the grey range.
  VtkImageViewer* v = viewer(r ? m_selected : QStringLiteral("truth"));
  core::data::PngExport png;
  png.bits = 16;
  png.windowLo = v->level() - v->window() / 2;
  png.windowHi = v->level() + v->window() / 2;
  showInfo(tr("Saving %1…").arg(QFileInfo(path).fileName()));
  m_controller->exportVolume(stackVolume(image), path, png);
}

void CtPanel::openModelDialog() {
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Load score prior"), priorFolder(),
      tr("Score priors (*.glm *.genlab);;All files (*)"));
  if (!path.isEmpty()) loadPrior(path);
}

void CtPanel::exportModelDialog() {
  if (!m_controller->hasPrior()) {
    onError(tr("Export prior"), tr("There is no score prior to export yet: train or load one first."),
            false);
    return;
  }
  QString path = QFileDialog::getSaveFileName(this, tr("Export score prior for PyTorch"),
                                              priorFolder() + "/score-prior.pt",
                                              tr("TorchScript (*.pt)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".pt")) path += ".pt";
  exportPrior(path);
}

void CtPanel::exportPrior(const QString& pathPt) {
  showInfo(tr("Exporting the score prior to %1…").arg(QFileInfo(pathPt).fileName()));
  m_controller->exportPriorScript(pathPt);
}

void CtPanel::loadPrior(const QString& path) {
  m_lastError.clear();
  showInfo(tr("Loading prior %1…").arg(QFileInfo(path).fileName()));
  m_controller->loadPrior(path);
}

void CtPanel::trainPrior() {
  if (m_controller->trainingPrior()) return;
  const auto options = m_controls->priorOptions();
  QDir().mkpath(priorFolder());
  const QString path = priorFolder() + QString("/prior-%1.glm").arg(options.size);
  m_controls->setPriorTraining(true);
  m_controls->setPriorProgress(0, tr("starting…"));
  m_controller->trainPrior(options, path);
  updatePriorHint();
  showInfo(tr("Training a score prior (%1 steps at %2 px); it will be saved to %3 and loaded. "
              "Reconstructions queue behind it.")
               .arg(options.steps)
               .arg(options.size)
               .arg(path));
}

// A prior found at start-up: $GENLAB_CT_PRIOR, else one trained here before.
void CtPanel::autoLoadPrior() {
  QStringList candidates;
  const QString env = qEnvironmentVariable("GENLAB_CT_PRIOR");
  if (!env.isEmpty()) candidates << env;
  candidates << priorFolder() + "/prior-128.glm";
  const QString dataDir = qEnvironmentVariable("GENLAB_DATA_DIR");
  if (!dataDir.isEmpty()) candidates << dataDir + "/ct/prior.glm";
  for (const QString& c : candidates)
    if (QFileInfo(c).isFile()) {
      m_controls->setPriorStatus(tr("loading %1…").arg(QFileInfo(c).fileName()), false);
      m_controller->loadPrior(c, !env.isEmpty() && c == env ? false : true);
      return;
    }
}

}  // namespace genlab::ui
