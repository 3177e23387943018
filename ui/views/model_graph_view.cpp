#include "ui/views/model_graph_view.h"

#include <QHash>
#include <QPainter>

#include <algorithm>
#include <cmath>

#include "ui/views/view_style.h"

namespace genlab::ui {

ModelGraphView::ModelGraphView(QWidget* parent) : QWidget(parent) {
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setToolTip(tr("The model as a graph: each thumbnail is live data flowing through it"));
}

QSize ModelGraphView::sizeHint() const { return {620, 560}; }
QSize ModelGraphView::minimumSizeHint() const { return {260, 220}; }

void ModelGraphView::setGraph(QVector<GraphNode> nodes, QVector<GraphEdge> edges,
                              const QString& title) {
  m_nodes = std::move(nodes);
  m_edges = std::move(edges);
  m_title = title;
  ++m_refreshes;
  m_dirty = true;
  update();
}

void ModelGraphView::clear() { setGraph({}, {}, {}); }

void ModelGraphView::setFontScale(double scale) {
  m_fontScale = scale;
  m_dirty = true;
  update();
}

void ModelGraphView::resizeEvent(QResizeEvent*) { m_dirty = true; }

QVector<int> ModelGraphView::columns() const {
  QHash<QString, int> index;
  for (int i = 0; i < m_nodes.size(); ++i) index.insert(m_nodes[i].id, i);
  QVector<int> col(m_nodes.size(), 0);
  // Longest path from a source (the graph is small and acyclic; the bound
  // stops a cycle from looping).
  for (int round = 0; round < m_nodes.size(); ++round) {
    bool changed = false;
    for (const GraphEdge& e : m_edges) {
      const int a = index.value(e.from, -1), b = index.value(e.to, -1);
      if (a < 0 || b < 0 || col[b] >= col[a] + 1) continue;
      col[b] = col[a] + 1;
      changed = true;
    }
    if (!changed) break;
  }
  // Sources sit just left of their first consumer (data next to what eats it).
  for (int i = 0; i < m_nodes.size(); ++i) {
    int next = 1 << 20;
    bool hasIn = false;
    for (const GraphEdge& e : m_edges) {
      if (index.value(e.to, -1) == i) hasIn = true;
      if (index.value(e.from, -1) == i) next = std::min(next, col[index.value(e.to, 0)]);
    }
    if (!hasIn && next < (1 << 20)) col[i] = std::max(col[i], next - 1);
  }
  return col;
}

void ModelGraphView::layout() {
  m_boxes.clear();
  m_thumbs.clear();
  m_dirty = false;
  if (m_nodes.isEmpty()) return;
  const QVector<int> col = columns();
  const int ncol = *std::max_element(col.begin(), col.end()) + 1;
  QVector<QVector<int>> members(ncol);
  for (int i = 0; i < col.size(); ++i) members[col[i]].push_back(i);
  int rows = 1;
  for (const auto& m : members) rows = std::max(rows, int(m.size()));
  const QFontMetrics fm(scaledFont(font(), m_fontScale));
  const int top = m_title.isEmpty() ? 8 : fm.height() + 14;
  const int textH = 2 * fm.height() + 14;  // title above, caption below each thumbnail
  const int gapX = std::clamp(width() / (4 * std::max(1, ncol)), 44, 110);
  // Long chains wrap into bands (rows of columns) when that makes thumbnails larger.
  int bestBands = 1, side = 0;
  for (int bands = 1; bands <= 3; ++bands) {
    const int perBand = (ncol + bands - 1) / bands;
    const int cellW = (width() - gapX * (perBand + 1)) / perBand;
    const int cellH = (height() - top - 8) / (rows * bands) - textH;
    const int s = std::min(cellW, cellH);
    if (s > side + 8) {
      side = s;
      bestBands = bands;
    }
  }
  side = std::max(40, side);
  m_gapX = gapX;
  m_perBand = (ncol + bestBands - 1) / bestBands;
  const int cols = std::min(ncol, m_perBand);
  const int totalW = cols * side + (cols - 1) * gapX;
  const int x0 = std::max(4, (width() - totalW) / 2);
  const int bandH = rows * (side + textH);
  const int y0 = top + std::max(0, (height() - top - bestBands * bandH) / 2);
  m_boxes.resize(m_nodes.size());
  for (int c = 0; c < ncol; ++c) {
    const int band = c / m_perBand, inBand = c % m_perBand;
    const int n = members[c].size();
    int y = y0 + band * bandH + (bandH - n * (side + textH)) / 2 + fm.height() + 6;
    for (int i : members[c]) {
      m_boxes[i] = QRect(x0 + inBand * (side + gapX), y, side, side);
      y += side + textH;
    }
  }
  FieldStyle style;
  style.axes = style.legend = style.colorBar = false;
  for (const GraphNode& n : m_nodes) {
    const QSize sz = m_boxes[m_thumbs.size()].size() * devicePixelRatioF();
    QImage img = renderFieldImage(n.scene, sz, style, font());
    img.setDevicePixelRatio(devicePixelRatioF());
    m_thumbs.push_back(img);
  }
}

void ModelGraphView::paintEvent(QPaintEvent*) {
  if (m_dirty) layout();
  QPainter p(this);
  p.fillRect(rect(), palette().color(QPalette::Window));
  p.setRenderHint(QPainter::Antialiasing);
  const QFont f = scaledFont(font(), m_fontScale);
  QFont bold = f;
  bold.setBold(true);
  const QFontMetrics fm(f);
  if (m_nodes.isEmpty()) {
    p.setPen(QColor(90, 90, 100));
    p.setFont(f);
    p.drawText(rect(), Qt::AlignCenter, tr("The model overview appears once a model exists."));
    return;
  }
  if (!m_title.isEmpty()) {
    p.setFont(scaledFont(bold, 1.1));
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(8, 4, width() - 16, fm.height() + 8), Qt::AlignLeft | Qt::AlignVCenter, m_title);
  }
  QHash<QString, int> index;
  for (int i = 0; i < m_nodes.size(); ++i) index.insert(m_nodes[i].id, i);
  // Edges first, under the thumbnails; their labels last, over everything.
  const QFont small = scaledFont(f, 0.85);
  const QFontMetrics sfm(small);
  QVector<QPair<QRectF, QString>> labels;
  p.setFont(f);
  for (const GraphEdge& e : m_edges) {
    const int a = index.value(e.from, -1), b = index.value(e.to, -1);
    if (a < 0 || b < 0) continue;
    QPointF from(m_boxes[a].right() + 4, m_boxes[a].center().y());
    const QPointF to(m_boxes[b].left() - 6, m_boxes[b].center().y());
    p.setPen(QPen(QColor(70, 70, 90), 2.2));
    p.setBrush(Qt::NoBrush);
    if (to.x() <= from.x()) {
      // Wrapped into the next band: down, back left, and in from the left.
      const double yMid = m_boxes[a].bottom() + fm.height() + 10;
      const double xIn = m_boxes[b].left() - 22;
      p.drawPolyline(QPolygonF({QPointF(m_boxes[a].center().x(), m_boxes[a].bottom() + fm.height() + 4),
                                QPointF(m_boxes[a].center().x(), yMid), QPointF(xIn, yMid),
                                QPointF(xIn, to.y())}));
      from = QPointF(xIn, to.y());
    }
    p.drawLine(from, to);
    const QPointF d = to - from;
    const double len = std::max(1.0, std::hypot(d.x(), d.y()));
    const QPointF u = d / len, n(-u.y(), u.x());
    QPolygonF head({to, to - 12 * u + 6 * n, to - 12 * u - 6 * n});
    p.setBrush(QColor(70, 70, 90));
    p.drawPolygon(head);
    if (e.label.isEmpty() || len < sfm.horizontalAdvance(e.label) + 8) continue;  // no room
    const QPointF mid = from + 0.5 * d;
    labels.push_back({QRectF(mid.x() - sfm.horizontalAdvance(e.label) / 2.0 - 4,
                             mid.y() - sfm.height() - 3, sfm.horizontalAdvance(e.label) + 8,
                             sfm.height() + 2),
                      e.label});
  }
  for (int i = 0; i < m_nodes.size() && i < m_thumbs.size(); ++i) {
    const QRect& r = m_boxes[i];
    p.drawImage(r, m_thumbs[i]);
    p.setPen(QPen(QColor(60, 60, 80), 1.5));
    p.setBrush(Qt::NoBrush);
    p.drawRect(QRectF(r).adjusted(-0.5, -0.5, 0.5, 0.5));
    p.setFont(bold);
    p.setPen(palette().color(QPalette::WindowText));
    const int spare = std::min(40, m_gapX / 2 - 4);  // titles may reach into the gaps, not across
    const QRect titleBox(r.left() - spare, r.top() - fm.height() - 4, r.width() + 2 * spare, fm.height() + 2);
    p.drawText(titleBox, Qt::AlignCenter, QFontMetrics(bold).elidedText(m_nodes[i].title, Qt::ElideRight, titleBox.width()));
    p.setFont(f);
    p.setPen(QColor(70, 70, 80));
    const QRect capBox(r.left() - spare, r.bottom() + 3, r.width() + 2 * spare, fm.height() + 2);
    p.drawText(capBox, Qt::AlignCenter, fm.elidedText(m_nodes[i].caption, Qt::ElideRight, capBox.width()));
  }
  p.setFont(small);
  for (const auto& [box, text] : labels) {
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(255, 255, 240, 235));
    p.drawRoundedRect(box, 3, 3);
    p.setPen(QColor(40, 40, 60));
    p.drawText(box, Qt::AlignCenter, text);
  }
}

}  // namespace genlab::ui
