#include "ui/views/kl_bars_view.h"

#include <QPaintEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace genlab::ui {

namespace {
constexpr double kFloor = 1e-3;  // bottom of the log axis (nats)

double logPos(double v, double top) {
  const double lo = std::log10(kFloor), hi = std::log10(top);
  return (std::log10(std::max(v, kFloor)) - lo) / (hi - lo);
}
}  // namespace

KlBarsView::KlBarsView(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setToolTip(tr("KL divergence of each latent dimension from the prior, averaged over the "
                "test set (log scale). Dimensions below %1 nats (dashed line) carry no "
                "information: they have collapsed to the prior.")
                 .arg(kThreshold));
}

QSize KlBarsView::sizeHint() const { return {320, 230}; }
QSize KlBarsView::minimumSizeHint() const { return {180, 150}; }

void KlBarsView::setValues(const std::vector<double>& klPerDim) {
  m_values = klPerDim;
  update();
}

void KlBarsView::clear() {
  m_values.clear();
  update();
}

int KlBarsView::activeUnits() const {
  return int(std::count_if(m_values.begin(), m_values.end(),
                           [](double v) { return v > kThreshold; }));
}

bool KlBarsView::collapseWarning() const {
  return !m_values.empty() && 2 * activeUnits() < dimensions();
}

QString KlBarsView::summary() const {
  if (m_values.empty()) return tr("active units: –");
  if (collapseWarning())
    return tr("posterior collapse: %1 of %2 dimensions active").arg(activeUnits()).arg(dimensions());
  return tr("active units: %1 of %2 dimensions").arg(activeUnits()).arg(dimensions());
}

void KlBarsView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().color(QPalette::Base));
  const QFontMetrics fm = fontMetrics();
  QFont bold = font();
  bold.setBold(true);
  p.setFont(bold);
  p.setPen(palette().color(QPalette::WindowText));
  p.drawText(QRect(0, 2, width(), fm.height() + 2), Qt::AlignHCenter, tr("KL per dimension (nats)"));
  p.setFont(collapseWarning() ? bold : font());
  p.setPen(collapseWarning() ? QColor(200, 30, 30) : palette().color(QPalette::WindowText));
  p.drawText(QRect(0, fm.height() + 4, width(), fm.height() + 2), Qt::AlignHCenter, summary());
  p.setFont(font());

  const int left = fm.horizontalAdvance("0.001") + 10, right = 8;
  const int top = 2 * fm.height() + 14, bottom = fm.height() + 8;
  const QRect plot(left, top, std::max(10, width() - left - right),
                   std::max(10, height() - top - bottom));
  const double maxV = m_values.empty() ? 1.0 : *std::max_element(m_values.begin(), m_values.end());
  const double topV = std::pow(10.0, std::ceil(std::log10(std::max(maxV, 0.1)) - 1e-9));
  drawAxis(p, plot, topV);
  drawBars(p, plot, topV);
  const int ty = plot.bottom() - int(logPos(kThreshold, topV) * plot.height());
  p.setPen(QPen(QColor(200, 30, 30), 1.5, Qt::DashLine));
  p.drawLine(plot.left(), ty, plot.right(), ty);
  const QString label = tr("active above 0.01");
  const QRect box(plot.right() - fm.horizontalAdvance(label) - 10, ty - fm.height() - 3,
                  fm.horizontalAdvance(label) + 6, fm.height() + 2);
  p.fillRect(box, QColor(255, 255, 255, 215));
  p.setPen(QColor(200, 30, 30));
  p.drawText(box, Qt::AlignCenter, label);
}

void KlBarsView::drawAxis(QPainter& p, const QRect& plot, double topV) const {
  const QFontMetrics fm = fontMetrics();
  p.setPen(palette().color(QPalette::Mid));
  p.drawRect(plot.adjusted(0, 0, -1, -1));
  for (double v = kFloor; v <= topV * 1.0001; v *= 10) {
    const int y = plot.bottom() - int(logPos(v, topV) * plot.height());
    p.setPen(QColor(225, 225, 230));
    p.drawLine(plot.left() + 1, y, plot.right() - 1, y);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(0, y - fm.height() / 2, plot.left() - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(v, 'g', 3));
  }
}

void KlBarsView::drawBars(QPainter& p, const QRect& plot, double topV) const {
  const QFontMetrics fm = fontMetrics();
  const int d = dimensions();
  if (d == 0) {
    p.setPen(QColor(140, 140, 150));
    p.drawText(plot, Qt::AlignCenter, tr("no evaluation yet"));
    return;
  }
  const double cell = double(plot.width()) / d;
  const int labelEvery = std::max(1, int(std::ceil(fm.horizontalAdvance("88") * 1.6 / cell)));
  for (int i = 0; i < d; ++i) {
    const int x0 = plot.left() + int(i * cell + cell * 0.15);
    const int x1 = plot.left() + int((i + 1) * cell - cell * 0.15);
    const int h = int(logPos(m_values[i], topV) * plot.height());
    const bool active = m_values[i] > kThreshold;
    p.fillRect(QRect(x0, plot.bottom() - h, std::max(1, x1 - x0), h),
               active ? QColor(31, 119, 180) : QColor(170, 170, 175));
    if (i % labelEvery == 0) {
      p.setPen(palette().color(QPalette::WindowText));
      p.drawText(QRect(int(plot.left() + i * cell) - 10, plot.bottom() + 2, int(cell) + 20,
                       fm.height()),
                 Qt::AlignHCenter | Qt::AlignTop, QString("z%1").arg(i + 1));
    }
  }
}

}  // namespace genlab::ui
