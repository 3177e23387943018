#pragma once
// A model drawn as a graph of live thumbnails joined by labelled arrows,
// e.g. noise -> generator -> samples -> discriminator <- data. Nodes are laid
// out left to right by their longest path from a source; each thumbnail is a
// FieldScene rendered without axes. Thumbnails are cached and re-rendered
// only when the graph or the size changes.
#include <QImage>
#include <QString>
#include <QVector>
#include <QWidget>

#include "ui/views/field_scene.h"

namespace genlab::ui {

struct GraphNode {
  QString id, title, caption;
  FieldScene scene;
};

struct GraphEdge {
  QString from, to, label;
};

class ModelGraphView : public QWidget {
  Q_OBJECT

 public:
  explicit ModelGraphView(QWidget* parent = nullptr);

  void setGraph(QVector<GraphNode> nodes, QVector<GraphEdge> edges, const QString& title = {});
  void clear();
  int nodeCount() const { return int(m_nodes.size()); }
  const QVector<GraphNode>& nodes() const { return m_nodes; }
  long refreshCount() const { return m_refreshes; }
  void setFontScale(double scale);

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void layout();
  QVector<int> columns() const;  // the column of each node

  QVector<GraphNode> m_nodes;
  QVector<GraphEdge> m_edges;
  QString m_title;
  QVector<QRect> m_boxes;     // thumbnail rectangles
  QVector<QImage> m_thumbs;
  int m_perBand = 1;
  int m_gapX = 44;
  bool m_dirty = true;
  long m_refreshes = 0;
  double m_fontScale = 1.0;
};

}  // namespace genlab::ui
