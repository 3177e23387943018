#pragma once
// Base of every lab's panel: controls on the left, views in the centre,
// charts below. The main window talks to the current lab through this.
#include <QImage>
#include <QKeySequence>
#include <QString>
#include <QWidget>

#include <functional>

#include "core/labs/lab_list.h"

class QShortcut;

namespace genlab::ui {

class LabPanel : public QWidget {
  Q_OBJECT

 public:
  // `labId`: the lab's id in core/labs/lab_list.h; the title comes from there.
  explicit LabPanel(QString labId, QWidget* parent = nullptr);

  QString labId() const { return m_labId; }
  QString title() const;
  virtual void startTraining() = 0;
  virtual bool isTraining() const = 0;

  // Optional: preselect a data set ("mnist", "digits", a folder). False if
  // this lab does not take that spec.
  virtual bool setDataSpec(const QString& spec) { return false; }
  // A short description of the current data set for the status bar.
  virtual QString dataDescription() const { return {}; }
  // File menu hooks; labs without models keep the defaults.
  virtual bool hasModelFiles() const { return false; }
  virtual void openModelDialog() {}
  virtual void saveModelDialog() {}
  // genlab --model FILE [--encoder METHOD]: opens a model without dialogs;
  // false if this lab does not open model files.
  virtual bool openModelFile(const QString& path, const QString& encoderMethod) { return false; }
  // File > Export model for PyTorch (TorchScript); labs without it keep the defaults.
  virtual bool canExportModel() const { return false; }
  virtual void exportModelDialog() {}
  // File > Save / Open experiment (options, data hashes, model, view state).
  virtual bool hasExperiments() const { return false; }
  virtual void saveExperimentDialog() {}
  virtual void openExperimentDialog() {}
  // Optional: show one of the lab's views or tabs by name (genlab --view NAME,
  // for scripted screenshots). False if this lab has no such view.
  virtual bool setView(const QString& view) { return false; }
  // What "Export view as PNG" saves.
  virtual QImage exportImage() { return grab().toImage(); }

 protected:
  // The shape every lab shares: `controls` in a fixed-width scroll area on
  // the left, `centre` taking the rest.
  void layoutControlsAndCentre(QWidget* controls, QWidget* centre);
  // A shortcut active while focus is anywhere inside this panel.
  QShortcut* addShortcut(const QKeySequence& key, std::function<void()> action);
  // A window-modal warning that does not block the event loop; deletes itself.
  void openErrorBox(const QString& title, const QString& message, const QString& objectName);

 private:
  QString m_labId;

 Q_SIGNALS:
  // Transient status text (the main window shows it in the status bar).
  void statusMessage(const QString& text);
  // The data set changed (see dataDescription()).
  void dataChanged();
};

class EngineBridge;

// Each lab's factory, defined in its ui folder and listed by the lab list
// (core/labs/lab_list.h); declared there for every lab.
namespace labs {
#define GENLAB_DECLARE_PANEL(id, ...) LabPanel* make_##id(EngineBridge* bridge, QWidget* parent);
GENLAB_LABS(GENLAB_DECLARE_PANEL)
#undef GENLAB_DECLARE_PANEL
}  // namespace labs

}  // namespace genlab::ui
