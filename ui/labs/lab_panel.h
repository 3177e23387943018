#pragma once
// Base of every lab's panel: controls on the left, views in the centre,
// charts below. The main window talks to the current lab through this.
#include <QImage>
#include <QString>
#include <QWidget>

namespace genlab::ui {

class LabPanel : public QWidget {
  Q_OBJECT

 public:
  using QWidget::QWidget;

  virtual QString labId() const = 0;
  virtual QString title() const = 0;
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
  // What "Export view as PNG" saves.
  virtual QImage exportImage() { return grab().toImage(); }

 Q_SIGNALS:
  // Transient status text (the main window shows it in the status bar).
  void statusMessage(const QString& text);
  // The data set changed (see dataDescription()).
  void dataChanged();
};

}  // namespace genlab::ui
