// CellsPanel::demoLassos: the three lassos a user would draw on a trained
// map (control and treated of one training type, control of the held-out
// type), then Apply δ. Used by `--view lasso` (screenshots) and the tests.
#include <QComboBox>

#include <algorithm>
#include <cmath>

#include "ui/labs/cells/cells_panel.h"
#include "ui/views/latent_map_view.h"

namespace genlab::ui {

void CellsPanel::demoLassos() {
  m_demoPending = false;
  if (!m_lastMap || m_lastMap->typeNames.size() < 2) return;
  const auto& m = *m_lastMap;
  const int held = [&] {
    for (std::size_t i = 0; i < m.heldOut.size(); ++i)
      if (m.heldOut[i]) return m.type[i];
    return 0;
  }();
  const int other = held == 1 ? 2 % int(m.typeNames.size()) : 1;
  // A lasso a user would draw: the convex hull of the group's central 90%.
  auto hull = [&](int type, int cond) {
    std::vector<QPointF> pts;
    double cx = 0, cy = 0;
    for (std::size_t i = 0; i < m.type.size(); ++i)
      if (m.type[i] == type && m.condition[i] == cond && !m.heldOut[i]) {
        pts.emplace_back(m.xy[2 * i], m.xy[2 * i + 1]);
        cx += m.xy[2 * i];
        cy += m.xy[2 * i + 1];
      }
    if (pts.size() < 3) return QPolygonF();
    cx /= pts.size();
    cy /= pts.size();
    std::sort(pts.begin(), pts.end(), [&](const QPointF& a, const QPointF& b) {
      return std::hypot(a.x() - cx, a.y() - cy) < std::hypot(b.x() - cx, b.y() - cy);
    });
    pts.resize(std::max<std::size_t>(3, pts.size() * 9 / 10));
    std::sort(pts.begin(), pts.end(), [](const QPointF& a, const QPointF& b) {
      return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y());
    });
    std::vector<QPointF> h(2 * pts.size());
    std::size_t k = 0;
    auto cross = [](QPointF o, QPointF a, QPointF b) {
      return (a.x() - o.x()) * (b.y() - o.y()) - (a.y() - o.y()) * (b.x() - o.x());
    };
    for (std::size_t i = 0; i < pts.size(); ++i) {
      while (k >= 2 && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
      h[k++] = pts[i];
    }
    for (std::size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
      while (k >= t && cross(h[k - 2], h[k - 1], pts[i - 1]) <= 0) --k;
      h[k++] = pts[i - 1];
    }
    h.resize(k > 0 ? k - 1 : 0);
    return QPolygonF(QVector<QPointF>(h.begin(), h.end()));
  };
  m_map->setLasso(1, hull(other, 0));
  m_map->setLasso(2, hull(other, 1));
  m_map->setLasso(3, hull(held, 0));
  m_colourBy->setCurrentIndex(3);
  m_controller->apply(m_map->selection(1), m_map->selection(2), m_map->selection(3));
}

}  // namespace genlab::ui
