#pragma once
// Small drawing helpers shared by the painted views.
#include <QFont>

namespace genlab::ui {

// `f` with its point size multiplied by `s` (pixel-sized fonts unchanged).
inline QFont scaledFont(const QFont& f, double s) {
  QFont out = f;
  if (out.pointSizeF() > 0) out.setPointSizeF(out.pointSizeF() * s);
  return out;
}

}  // namespace genlab::ui
