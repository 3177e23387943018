// LatentPanel: model files, TorchScript import and export, experiment files.
#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPushButton>

#include "ui/labs/latent/latent_controls.h"
#include "ui/labs/latent/latent_panel.h"

namespace genlab::ui {

void LatentPanel::openModelDialog() {
  if (m_controller->busy()) {
    showInfo(tr("Stop training before loading a model."));
    return;
  }
  const QString path = QFileDialog::getOpenFileName(
      this, tr("Open model"), QString(),
      tr("Models (*.genlab *.pt *.pth *.ts);;GenLab models (*.genlab);;"
         "TorchScript (*.pt *.pth *.ts);;All files (*)"));
  if (!path.isEmpty()) loadModel(path);
}

void LatentPanel::saveModelDialog() {
  if (!m_controller->hasSession()) {
    onError(tr("Save model"), tr("There is no model to save yet: train or load one first."), false);
    return;
  }
  const auto& o = m_controller->sessionOptions();
  const QString suggested = QString("vae-%1-z%2.genlab")
                                .arg(QFileInfo(QString::fromStdString(o.data)).fileName())
                                .arg(o.latentDim);
  QString path = QFileDialog::getSaveFileName(this, tr("Save model"), suggested,
                                              tr("GenLab models (*.genlab);;All files (*)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".genlab";
  saveModel(path);
}

void LatentPanel::loadModel(const QString& path) {
  m_lastError.clear();
  showInfo(tr("Loading %1…").arg(QFileInfo(path).fileName()));
  if (core::latent::looksLikeTorchScript(path.toStdString())) m_controller->probeScript(path);
  else m_controller->load(path);
}

void LatentPanel::loadScriptModel(const QString& path, core::latent::ScriptImport::Outputs outputs,
                                  const QString& encoderMethod) {
  core::latent::ScriptImport im;
  im.path = path.toStdString();
  im.outputs = outputs;
  im.encoderMethod = encoderMethod.toStdString();
  if (!im.encoderMethod.empty()) im.data = m_controls->dataSpec().toStdString();
  m_lastError.clear();
  showInfo(tr("Opening %1…").arg(QFileInfo(path).fileName()));
  m_controller->loadScript(im);
}

// The probe found a usable module: ask what GenLab cannot know, then open it.
void LatentPanel::onProbed(const ScriptProbePtr& probe) {
  const QString path = QString::fromStdString(probe->path);
  auto askEncoder = [this, probe, path](core::latent::ScriptImport::Outputs outputs) {
    if (probe->encoderMethods.empty()) {
      loadScriptModel(path, outputs, QString());
      return;
    }
    QStringList items{tr("(none: the decoder alone)")};
    int current = 0;
    for (const auto& m : probe->encoderMethods) {
      if (m == "encode") current = items.size();
      items << QString::fromStdString(m);
    }
    auto* dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName("encoderDialog");
    dialog->setWindowTitle(tr("Encoder"));
    dialog->setLabelText(tr("Which method maps images (%1) to the latent mean, or to (mean, "
                            "logvar)? With one, the map shows %2 through it.")
                             .arg(QString("%1×%2").arg(probe->height).arg(probe->width),
                                  m_controls->dataLabel()));
    dialog->setComboBoxItems(items);
    dialog->setTextValue(items[current]);
    connect(dialog, &QInputDialog::textValueSelected, this, [=](const QString& choice) {
      loadScriptModel(path, outputs, choice == items[0] ? QString() : choice);
    });
    dialog->open();
  };
  if (probe->probabilities) {
    askEncoder(core::latent::ScriptImport::Outputs::Probabilities);
    return;
  }
  auto* box = new QMessageBox(QMessageBox::Question, tr("Decoder outputs"),
                              tr("%1 decodes to values from %2 to %3, outside [0, 1]. Are they "
                                 "logits (GenLab applies a sigmoid) or intensities (GenLab clips "
                                 "them to [0, 1])?")
                                  .arg(QFileInfo(path).fileName())
                                  .arg(probe->minValue, 0, 'g', 4)
                                  .arg(probe->maxValue, 0, 'g', 4),
                              QMessageBox::Cancel, this);
  box->setObjectName("outputsQuestion");
  box->setAttribute(Qt::WA_DeleteOnClose);
  QPushButton* logits = box->addButton(tr("Logits"), QMessageBox::AcceptRole);
  QPushButton* clip = box->addButton(tr("Intensities"), QMessageBox::AcceptRole);
  connect(box, &QMessageBox::buttonClicked, this, [=](QAbstractButton* b) {
    if (b == logits) askEncoder(core::latent::ScriptImport::Outputs::Logits);
    else if (b == clip) askEncoder(core::latent::ScriptImport::Outputs::Probabilities);
    else showInfo(tr("Opening %1 cancelled.").arg(QFileInfo(path).fileName()));
  });
  box->open();
}

void LatentPanel::saveModel(const QString& path) { m_controller->save(path); }

void LatentPanel::exportModelDialog() {
  if (!m_controller->hasSession() || m_controller->imported()) {
    onError(tr("Export model"), m_controller->imported()
                                    ? tr("This model came from TorchScript: its file is already the export.")
                                    : tr("There is no model to export yet: train or load one first."),
            false);
    return;
  }
  QString path = QFileDialog::getSaveFileName(this, tr("Export model for PyTorch"),
                                              QString("vae-z%1.pt").arg(m_controller->sessionOptions().latentDim),
                                              tr("TorchScript (*.pt)"));
  if (path.isEmpty()) return;
  if (!path.endsWith(".pt")) path += ".pt";
  exportModel(path);
}

void LatentPanel::exportModel(const QString& pathPt) { m_controller->exportTorchScript(pathPt); }

bool LatentPanel::openModelFile(const QString& path, const QString& encoderMethod) {
  if (core::latent::looksLikeTorchScript(path.toStdString()))
    loadScriptModel(path, core::latent::ScriptImport::Outputs::Unknown, encoderMethod);
  else
    loadModel(path);
  return true;
}

void LatentPanel::saveExperimentDialog() {
  if (!m_controller->hasSession() || m_controller->imported()) {
    onError(tr("Save experiment"),
            m_controller->imported() ? tr("An imported TorchScript model is not saved into experiments.")
                                     : tr("There is nothing to save yet: train or load a model first."),
            false);
    return;
  }
  QString path = QFileDialog::getSaveFileName(this, tr("Save experiment"), QStringLiteral("latent.genlabx"),
                                              tr("GenLab experiments (*.genlabx)"));
  if (path.isEmpty()) return;
  if (QFileInfo(path).suffix().isEmpty()) path += ".genlabx";
  saveExperiment(path);
}

QString LatentPanel::viewState() const {
  QJsonObject v;
  if (auto z = m_controller->lastDecodePoint()) v["decode"] = QJsonArray{z->x(), z->y()};
  if (auto ab = m_controller->lastInterpolation())
    v["interpolation"] = QJsonArray{ab->first.x(), ab->first.y(), ab->second.x(), ab->second.y()};
  v["grid"] = m_gridBox->isChecked();
  v["data"] = m_controls->dataSpec();
  return QString::fromUtf8(QJsonDocument(v).toJson(QJsonDocument::Compact));
}

void LatentPanel::applyViewState(const QString& json) {
  const QJsonObject v = QJsonDocument::fromJson(json.toUtf8()).object();
  const QJsonArray d = v["decode"].toArray();
  if (d.size() == 2) m_controller->requestDecode(QPointF(d[0].toDouble(), d[1].toDouble()), true);
  const QJsonArray ab = v["interpolation"].toArray();
  if (ab.size() == 4) {
    m_autoInterpolation = false;
    m_controller->requestInterpolation(QPointF(ab[0].toDouble(), ab[1].toDouble()),
                                       QPointF(ab[2].toDouble(), ab[3].toDouble()), kInterpolationSteps);
  }
  m_gridBox->setChecked(v["grid"].toBool());
}

void LatentPanel::saveExperiment(const QString& path) {
  m_controller->saveExperiment(path, m_controls->dataSpec(), viewState(), m_lastResultJson);
}

void LatentPanel::openExperimentDialog() {
  if (m_controller->busy()) {
    showInfo(tr("Stop training before opening an experiment."));
    return;
  }
  const QString path = QFileDialog::getOpenFileName(this, tr("Open experiment"), QString(),
                                                    tr("GenLab experiments (*.genlabx);;All files (*)"));
  if (!path.isEmpty()) openExperiment(path);
}

void LatentPanel::openExperiment(const QString& path, const QString& dataFolder) {
  m_lastError.clear();
  showInfo(tr("Opening experiment %1…").arg(QFileInfo(path).fileName()));
  m_controller->openExperiment(path, dataFolder);
}

// The experiment's data is not here or not the same: say which, and let the
// user point at it (its files must have the recorded hashes).
void LatentPanel::onExperimentDataMissing(const QString& path, const QString& message) {
  m_lastError = message;
  m_controls->setStatus(message, true);
  auto* box = new QMessageBox(QMessageBox::Warning, tr("Experiment data"), message,
                              QMessageBox::Cancel, this);
  box->setObjectName("experimentDataBox");
  box->setAttribute(Qt::WA_DeleteOnClose);
  QPushButton* locate = box->addButton(tr("Locate…"), QMessageBox::AcceptRole);
  connect(box, &QMessageBox::buttonClicked, this, [this, path, locate](QAbstractButton* b) {
    if (b != locate) return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Where is the experiment's data?"));
    if (!dir.isEmpty()) openExperiment(path, dir);
  });
  box->open();
}

}  // namespace genlab::ui
