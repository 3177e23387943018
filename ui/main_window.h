#pragma once
// GenLab's main window: a home page listing the labs, the lab panels in a
// stack, File / Labs / Help menus and a status bar with device and data.
#include <QHash>
#include <QMainWindow>
#include <QString>

class QAction;
class QLabel;
class QStackedWidget;

namespace genlab::ui {

class EngineBridge;
class LabPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Shows the lab (creating its panel on first use); nullptr for an unknown id.
  LabPanel* openLab(const QString& id);
  void showHome();
  LabPanel* currentPanel() const;
  EngineBridge* bridge() const { return m_bridge; }

 private:
  QWidget* buildHome();
  void buildMenus();
  void buildStatusBar();
  void onCurrentChanged();
  void updateDataLabel();
  void exportView();
  void about();

  EngineBridge* m_bridge;
  QStackedWidget* m_stack;
  QHash<QString, LabPanel*> m_panels;
  QLabel* m_deviceLabel = nullptr;
  QLabel* m_dataLabel = nullptr;
  QAction* m_openAction = nullptr;
  QAction* m_saveAction = nullptr;
  QAction* m_exportAction = nullptr;
  QAction* m_exportModelAction = nullptr;
  QAction* m_saveExperimentAction = nullptr;
  QAction* m_openExperimentAction = nullptr;
};

}  // namespace genlab::ui
