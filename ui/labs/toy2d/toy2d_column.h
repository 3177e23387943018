#pragma once
// One model's column in the 2-D lab's split view: a header with the model
// and its live numbers, a view selector (the views the model's capabilities
// offer), a layer menu, the FieldView (or the model graph for the overview)
// and a slider for the views that have one (flow layer, diffusion time).
#include <QSet>
#include <QString>
#include <QWidget>

#include <memory>
#include <optional>

#include "core/labs/toy2d/toy2d_session.h"
#include "ui/labs/toy2d/toy2d_frames.h"
#include "ui/views/field_scene.h"

class QComboBox;
class QLabel;
class QSlider;
class QStackedWidget;
class QToolButton;

namespace genlab::ui {

class FieldView;
class ModelGraphView;

class Toy2dColumn : public QWidget {
  Q_OBJECT

 public:
  Toy2dColumn(int index, QWidget* parent = nullptr);

  int index() const { return m_index; }
  // The model this column shows (views from its capabilities), or none.
  void setModel(const core::toy2d::Capabilities& caps, const QString& label,
                std::shared_ptr<const core::toy2d::Toy2dData> data);
  void clearModel(const QString& message);
  bool hasModel() const { return bool(m_data); }
  // Draw-your-own: the canvas replaces the model's view.
  void showCanvas(FieldScene scene, const QRectF& home);

  Toy2dView currentView() const;
  bool setCurrentView(Toy2dView view);  // false if this model has no such view
  // What to ask the worker for (the caller adds the sampler settings).
  Toy2dViewRequest request() const;
  void applyFrame(const std::shared_ptr<const Toy2dFrame>& frame);
  void setStats(const QString& text);
  // Training step of the frame on show (-1: none yet).
  long frameStep() const { return m_frame ? m_frame->step : -1; }

  float time() const;  // diffusion time of the slider
  void setTime(float t);
  int stage() const;
  void setStage(int stage);

  FieldView* fieldView() const { return m_field; }
  ModelGraphView* graphView() const { return m_graph; }
  QComboBox* viewCombo() const { return m_view; }
  QSlider* slider() const { return m_slider; }
  // The visible view as an image (the field or the model graph).
  QImage exportImage();

 Q_SIGNALS:
  // The request changed (view, time): ask for a frame now.
  void requestChanged(int column);
  void exportRequested(int column);

 private:
  void onViewChanged();
  void updateSlider();
  void rebuildScene();
  void buildLayerMenu();

  int m_index;
  QLabel* m_title;
  QLabel* m_stats;
  QComboBox* m_view;
  QToolButton* m_layers;
  QStackedWidget* m_stack;
  FieldView* m_field;
  ModelGraphView* m_graph;
  QWidget* m_sliderRow;
  QLabel* m_sliderName;
  QSlider* m_slider;
  QLabel* m_sliderValue;

  QString m_label;
  std::shared_ptr<const core::toy2d::Toy2dData> m_data;
  std::shared_ptr<const Toy2dFrame> m_frame;
  std::optional<core::toy2d::Heatmap> m_noisedDensity;  // cached for m_noisedT
  float m_noisedT = -1;
  QRectF m_noisedExtent;
  QStringList m_stageNames;
  QSet<QString> m_hidden;
  int m_timeSlider = 250;  // kept while another view uses the slider
  bool m_homeSet = false;
  Toy2dView m_homeView = Toy2dView::Samples;
};

}  // namespace genlab::ui
