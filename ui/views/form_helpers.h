#pragma once
// Small builders every lab's control column uses, so that spin boxes and
// form rows look and behave the same in every lab.
#include <QString>

#include <initializer_list>

class QDoubleSpinBox;
class QFormLayout;
class QSpinBox;
class QWidget;

namespace genlab::ui::form {

// An integer box: range, value, tooltip, step; no group separators.
QSpinBox* spinBox(int lo, int hi, int value, const QString& tip, int step = 1);
// A real-valued box with `decimals` digits.
QDoubleSpinBox* doubleSpinBox(double lo, double hi, double value, int decimals, double step,
                              const QString& tip);
// Widgets side by side, sharing the width equally, without margins.
QWidget* row(std::initializer_list<QWidget*> widgets);
// A form layout on `w` whose fields grow; `flush`: no outer margins (nested forms).
QFormLayout* layout(QWidget* w, bool flush = false);

// A metric as text: fixed `decimals` ('f') or 3 significant digits
// (decimals < 0), with a true minus sign; "—" when it could not be computed
// (NaN or infinite: no ground truth, nothing held out...), never "nan" or 0.
QString metric(double v, int decimals = 2);

}  // namespace genlab::ui::form
