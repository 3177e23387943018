#include "ui/views/form_helpers.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSpinBox>
#include <QWidget>

#include <cmath>

namespace genlab::ui::form {

QString metric(double v, int decimals) {
  if (!std::isfinite(v)) return QString(QChar(0x2014));
  const QString text = decimals >= 0 ? QString::number(v, 'f', decimals) : QString::number(v, 'g', 3);
  return QString(text).replace(QLatin1Char('-'), QChar(0x2212));
}

QSpinBox* spinBox(int lo, int hi, int value, const QString& tip, int step) {
  auto* s = new QSpinBox;
  s->setRange(lo, hi);
  s->setValue(value);
  s->setSingleStep(step);
  s->setToolTip(tip);
  s->setGroupSeparatorShown(false);
  return s;
}

QDoubleSpinBox* doubleSpinBox(double lo, double hi, double value, int decimals, double step,
                              const QString& tip) {
  auto* s = new QDoubleSpinBox;
  s->setRange(lo, hi);
  s->setDecimals(decimals);
  s->setSingleStep(step);
  s->setValue(value);
  s->setToolTip(tip);
  return s;
}

QWidget* row(std::initializer_list<QWidget*> widgets) {
  auto* w = new QWidget;
  auto* h = new QHBoxLayout(w);
  h->setContentsMargins(0, 0, 0, 0);
  h->setSpacing(4);
  for (QWidget* x : widgets) h->addWidget(x, 1);
  return w;
}

QFormLayout* layout(QWidget* w, bool flush) {
  auto* f = new QFormLayout(w);
  if (flush) f->setContentsMargins(0, 0, 0, 0);
  f->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  return f;
}

}  // namespace genlab::ui::form
