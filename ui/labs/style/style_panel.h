#pragma once
// The Style lab: a tab per part. "AdaIN" (style transfer with sliders and
// the statistics behind it) is built here; the style-mixing and checkerboard
// tabs come from ui/labs/style/style_gan_tabs.h.
#include "ui/labs/lab_panel.h"
#include "ui/labs/style/adain_tab.h"

class QTabWidget;

namespace genlab::ui {

class StylePanel : public LabPanel {
  Q_OBJECT

 public:
  explicit StylePanel(EngineBridge* bridge, QWidget* parent = nullptr);

  void startTraining() override;
  bool isTraining() const override;
  QString dataDescription() const override;
  bool hasModelFiles() const override { return true; }
  void openModelDialog() override;
  void saveModelDialog() override;
  bool openModelFile(const QString& path, const QString& encoderMethod) override;
  // --view adain | mixing | checkerboard: the tab shown.
  bool setView(const QString& view) override;

  AdainTab* adainTab() const { return m_adain; }
  AdainController* controller() const { return m_adain->controller(); }
  QTabWidget* tabs() const { return m_tabs; }

 private:
  QTabWidget* m_tabs;
  AdainTab* m_adain;
};

}  // namespace genlab::ui
