#pragma once
// A 2-D field: heatmap with a colour map and colour bar, arrows, point sets,
// polylines and meshes (see field_scene.h), with axes, a legend, pan / zoom
// and optional mouse painting (draw-your-own data). The scene is rendered
// into a cached QImage, re-rendered only when the scene, the view or the
// size change; hover, the brush cursor and the readout are drawn on top.
//
// Mouse: wheel zooms around the cursor; right-, middle- or Ctrl+left-drag
// pans; double-click fits. In paint mode left-drag paints, Shift+left-drag
// (or the erase mode) erases.
#include <QImage>
#include <QPointF>
#include <QRectF>
#include <QWidget>

#include <optional>

#include "ui/views/field_scene.h"

class QToolButton;

namespace genlab::ui {

class FieldView : public QWidget {
  Q_OBJECT

 public:
  explicit FieldView(QWidget* parent = nullptr);

  // Replaces everything drawn. Counts as one refresh.
  void setScene(FieldScene scene);
  const FieldScene& scene() const { return m_scene; }
  void clear();
  // The world rectangle "Fit" returns to; followed until the user pans or zooms.
  void setHomeRect(const QRectF& world);
  QRectF homeRect() const { return m_home; }
  QRectF visibleWorld() const { return m_vp.visibleWorld(); }
  // Larger axis, legend and title text (projectors); 1 = the widget's font.
  void setFontScale(double scale);

  // Draw-your-own: left-drag emits brushStroke; the brush is drawn at the cursor.
  void setPaintMode(bool on);
  bool paintMode() const { return m_paintMode; }
  void setBrushRadius(double worldRadius);
  double brushRadius() const { return m_brushRadius; }
  void setEraseMode(bool on);
  bool eraseMode() const { return m_erase; }

  QPointF worldAt(const QPointF& widgetPos) const { return m_vp.toWorld(widgetPos); }
  QPointF widgetPosOf(const QPointF& world) const { return m_vp.toPixel(world); }
  QRect plotRect() const { return m_vp.plot; }

  // Diagnostics and tests: scenes set, cache renders done.
  long refreshCount() const { return m_refreshes; }
  long renderCount() const { return m_renders; }

  // What "Export view as PNG" saves: the widget as it looks, without the hover readout.
  QImage exportImage();

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 public Q_SLOTS:
  void fit();

 Q_SIGNALS:
  void hovered(QPointF world);
  // One dab of the brush at `world` (press, then every few pixels while dragging).
  void brushStroke(QPointF world, bool erase);
  void strokeFinished();
  void viewChanged();
  void exportRequested();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  void layoutViewport();
  void renderCache();
  void drawTitle(QPainter& p);
  void drawOverlay(QPainter& p);
  void dab(const QPointF& widgetPos, bool erase);
  void showMenu(const QPoint& globalPos);

  FieldScene m_scene;
  FieldStyle m_style;
  FieldViewport m_vp;
  QRectF m_home{-3, -3, 6, 6};
  QRectF m_lastVisible;  // viewChanged is emitted when this changes
  bool m_follow = true;  // fit to m_home on resize / home change
  QImage m_cache;
  bool m_dirty = true;
  long m_refreshes = 0;
  long m_renders = 0;

  bool m_paintMode = false;
  bool m_erase = false;
  double m_brushRadius = 0.2;
  enum class Drag { None, Pan, Paint } m_drag = Drag::None;
  bool m_dragErase = false;
  QPointF m_lastMouse, m_lastDab, m_pressPos;
  std::optional<QPointF> m_hover;  // widget coordinates
  bool m_hideHover = false;
  QToolButton* m_fitButton;
};

}  // namespace genlab::ui
