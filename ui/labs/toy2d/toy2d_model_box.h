#pragma once
// One model's options in the 2-D lab's left column: the model kind (flow,
// GAN, diffusion, VAE; "none" for the second slot), the options that only
// that kind has, and the network / optimiser shared by all.
#include <QGroupBox>

#include "core/labs/toy2d/toy2d_options.h"

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;
class QStackedWidget;

namespace genlab::ui {

class Toy2dModelBox : public QGroupBox {
  Q_OBJECT

 public:
  Toy2dModelBox(const QString& title, bool allowNone, QWidget* parent = nullptr);

  // "flow", "gan", "diffusion", "vae" or "none".
  QString model() const;
  bool enabled() const { return model() != "none"; }
  void setModel(const QString& model);  // loads that model's defaults
  // The options from the widgets (data, steps and seed are the caller's).
  core::toy2d::Toy2dOptions options() const;
  void setOptions(const core::toy2d::Toy2dOptions& options);
  void setLocked(bool locked);  // while training: the model cannot change under it

  QComboBox* modelCombo() const { return m_model; }
  QComboBox* ganLossCombo() const { return m_ganLoss; }

 Q_SIGNALS:
  void changed();

 private:
  QWidget* buildFlowPage();
  QWidget* buildGanPage();
  QWidget* buildDiffusionPage();
  QWidget* buildVaePage();
  void onModelChanged();
  void fitPages();
  void loadWidgets(const core::toy2d::Toy2dOptions& o);

  core::toy2d::Toy2dOptions m_base;
  QComboBox* m_model;
  QStackedWidget* m_pages;
  QWidget* m_common;
  QComboBox* m_flowType;
  QSpinBox* m_flowLayers;
  QComboBox* m_ganLoss;
  QSpinBox* m_dSteps;
  QSpinBox* m_noiseDim;
  QDoubleSpinBox* m_lrD;
  QDoubleSpinBox* m_lrG;
  QComboBox* m_schedule;
  QSpinBox* m_latentDim;
  QSpinBox* m_hidden;
  QSpinBox* m_layers;
  QSpinBox* m_batch;
  QComboBox* m_optimizer;
  QDoubleSpinBox* m_lr;
  bool m_loading = false;
};

}  // namespace genlab::ui
