#pragma once
// The reparameterization-trick tab: the variance of the reparameterization
// and score-function (REINFORCE) gradient estimators of d/dθ E[f(z)],
// z ~ N(μ, σ²), against the number of samples on log-log axes, with the
// closed-form variance σ₁²/n as dashed reference lines. The experiment runs
// on the worker (core's runReparamExperiment); this tab only asks and draws.
#include <QString>
#include <QTimer>
#include <QWidget>

#include <cstdint>
#include <memory>

#include "core/labs/toy2d/toy2d_reparam.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace genlab::ui {

class LogLogChart;

class Toy2dReparamTab : public QWidget {
  Q_OBJECT

 public:
  explicit Toy2dReparamTab(QWidget* parent = nullptr);

  void setExperiment(const std::shared_ptr<const core::toy2d::ReparamExperiment>& e);
  LogLogChart* chart() const { return m_chart; }
  bool hasResult() const { return bool(m_last); }
  // Asks for a run with the current settings (debounced).
  void scheduleRun();

 Q_SIGNALS:
  void runRequested(const QString& function, double mu, double sigma, int repeats, std::uint64_t seed);

 private:
  void redraw();

  QComboBox* m_function;
  QDoubleSpinBox* m_mu;
  QDoubleSpinBox* m_sigma;
  QComboBox* m_parameter;
  QSpinBox* m_repeats;
  QSpinBox* m_seed;
  LogLogChart* m_chart;
  QLabel* m_summary;
  QTimer m_debounce;
  std::shared_ptr<const core::toy2d::ReparamExperiment> m_last;
};

}  // namespace genlab::ui
