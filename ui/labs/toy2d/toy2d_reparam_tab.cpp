#include "ui/labs/toy2d/toy2d_reparam_tab.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <cmath>

#include "ui/views/log_log_chart.h"

namespace genlab::ui {

namespace {
const QColor kReparam(31, 119, 180), kScore(214, 39, 40);

QString pretty(const std::string& f) {
  if (f == "square") return QStringLiteral("z²");
  if (f == "cube") return QStringLiteral("z³");
  if (f == "sin") return QStringLiteral("sin z");
  if (f == "exp") return QStringLiteral("eᶻ");
  return QString::fromStdString(f);
}
}  // namespace

Toy2dReparamTab::Toy2dReparamTab(QWidget* parent) : QWidget(parent) {
  auto* h = new QHBoxLayout(this);
  auto* side = new QWidget;
  side->setMaximumWidth(340);
  auto* sv = new QVBoxLayout(side);
  auto* intro = new QLabel(tr(
      "<b>The reparameterization trick.</b> To train through a random draw z ~ N(μ, σ²) we need "
      "∂/∂θ E[f(z)]. The <span style='color:#1f77b4'><b>reparameterization</b></span> estimator "
      "writes z = μ + σε and differentiates f; the <span style='color:#d62728'><b>score-function "
      "(REINFORCE)</b></span> estimator multiplies f(z) by ∂ log N(z; μ, σ²)/∂θ and never "
      "differentiates f. Both are unbiased; their variances differ, often by orders of "
      "magnitude. Dashed lines: the exact variance σ₁²/n."));
  intro->setWordWrap(true);
  sv->addWidget(intro);
  auto* f = new QFormLayout;
  m_function = new QComboBox;
  for (const std::string& name : core::toy2d::reparamFunctions())
    m_function->addItem(pretty(name), QString::fromStdString(name));
  m_function->setToolTip(tr("The function whose expectation is differentiated"));
  m_mu = new QDoubleSpinBox;
  m_mu->setRange(-5, 5);
  m_mu->setSingleStep(0.1);
  m_mu->setValue(1.0);
  m_mu->setToolTip(tr("Mean μ of z"));
  m_sigma = new QDoubleSpinBox;
  m_sigma->setRange(0.05, 5);
  m_sigma->setSingleStep(0.1);
  m_sigma->setValue(1.0);
  m_sigma->setToolTip(tr("Standard deviation σ of z"));
  m_parameter = new QComboBox;
  m_parameter->addItem(tr("∂/∂μ"), "mu");
  m_parameter->addItem(tr("∂/∂σ"), "sigma");
  m_parameter->setToolTip(tr("Which derivative to estimate"));
  m_repeats = new QSpinBox;
  m_repeats->setRange(20, 5000);
  m_repeats->setValue(400);
  m_repeats->setToolTip(tr("Independent estimates per sample count: the variance is measured over them"));
  m_seed = new QSpinBox;
  m_seed->setRange(0, 1000000);
  m_seed->setValue(1);
  m_seed->setToolTip(tr("Seed of the random draws"));
  f->addRow(tr("f(z)"), m_function);
  f->addRow(tr("μ"), m_mu);
  f->addRow(tr("σ"), m_sigma);
  f->addRow(tr("Gradient"), m_parameter);
  f->addRow(tr("Repeats"), m_repeats);
  f->addRow(tr("Seed"), m_seed);
  sv->addLayout(f);
  auto* run = new QPushButton(tr("Run again"));
  run->setToolTip(tr("Draw new estimates (the settings above re-run it automatically)"));
  sv->addWidget(run);
  m_summary = new QLabel;
  m_summary->setWordWrap(true);
  m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
  sv->addWidget(m_summary);
  sv->addStretch(1);
  h->addWidget(side);
  m_chart = new LogLogChart(tr("Variance of the gradient estimate vs number of samples"));
  m_chart->setObjectName("toy2dReparamChart");
  m_chart->setAxisTitles(tr("samples n"), tr("variance of the estimate"));
  h->addWidget(m_chart, 1);

  m_debounce.setSingleShot(true);
  m_debounce.setInterval(200);
  connect(&m_debounce, &QTimer::timeout, this, [this] {
    Q_EMIT runRequested(m_function->currentData().toString(), m_mu->value(), m_sigma->value(),
                        m_repeats->value(), std::uint64_t(m_seed->value()));
  });
  connect(run, &QPushButton::clicked, this, [this] {
    m_seed->setValue(m_seed->value() + 1);
    scheduleRun();
  });
  connect(m_function, &QComboBox::currentIndexChanged, this, &Toy2dReparamTab::scheduleRun);
  connect(m_parameter, &QComboBox::currentIndexChanged, this, &Toy2dReparamTab::redraw);
  for (QDoubleSpinBox* s : {m_mu, m_sigma})
    connect(s, &QDoubleSpinBox::valueChanged, this, &Toy2dReparamTab::scheduleRun);
  for (QSpinBox* s : {m_repeats, m_seed})
    connect(s, &QSpinBox::valueChanged, this, &Toy2dReparamTab::scheduleRun);
}

void Toy2dReparamTab::scheduleRun() { m_debounce.start(); }

void Toy2dReparamTab::setExperiment(const std::shared_ptr<const core::toy2d::ReparamExperiment>& e) {
  m_last = e;
  redraw();
}

void Toy2dReparamTab::redraw() {
  if (!m_last) return;
  const std::string param = m_parameter->currentData().toString().toStdString();
  m_chart->clearSeries();
  QString text = tr("<b>E[%1]</b> = %2, exact ∂/∂%3 = %4<br>")
                     .arg(pretty(m_last->function))
                     .arg(m_last->exact.value, 0, 'g', 4)
                     .arg(param == "mu" ? "μ" : "σ")
                     .arg(param == "mu" ? m_last->exact.dMu : m_last->exact.dSigma, 0, 'g', 4);
  double reparamVar = 0, scoreVar = 0;
  for (const auto& c : m_last->curves) {
    if (c.parameter != param) continue;
    const bool reparam = c.estimator == "reparameterization";
    const QColor color = reparam ? kReparam : kScore;
    QList<QPointF> measured, reference;
    for (std::size_t i = 0; i < c.samples.size(); ++i) {
      measured.append(QPointF(c.samples[i], c.variance[i]));
      reference.append(QPointF(c.samples[i], c.referenceVariance[i]));
    }
    const QString name = reparam ? tr("reparameterization") : tr("score function (REINFORCE)");
    m_chart->setSeries(name, measured, color, false, true);
    m_chart->setSeries(name + tr(" · exact σ₁²/n"), reference, color, true, false);
    (reparam ? reparamVar : scoreVar) = c.singleSampleVariance;
    text += tr("%1: one-sample variance %2<br>").arg(name).arg(c.singleSampleVariance, 0, 'g', 4);
  }
  if (reparamVar > 0 && scoreVar > 0)
    text += tr("<b>REINFORCE needs %1× more samples</b> for the same variance.")
                .arg(scoreVar / reparamVar, 0, 'g', 3);
  text += tr("<br><i>%1 repeats per n.</i>").arg(m_last->repeats);
  m_summary->setText(text);
}

}  // namespace genlab::ui
