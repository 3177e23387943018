#include "ui/labs/toy2d/toy2d_column.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QSlider>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

#include "ui/labs/toy2d/toy2d_scenes.h"
#include "ui/views/field_view.h"
#include "ui/views/model_graph_view.h"

namespace genlab::ui {

namespace {
constexpr int kTimeSteps = 1000;
constexpr double kFontScale = 1.25;  // legible on a projector

QLabel* boldLabel(double scale) {
  auto* l = new QLabel;
  QFont f = l->font();
  f.setBold(true);
  f.setPointSizeF(f.pointSizeF() * scale);
  l->setFont(f);
  return l;
}
}  // namespace

Toy2dColumn::Toy2dColumn(int index, QWidget* parent) : QWidget(parent), m_index(index) {
  auto* v = new QVBoxLayout(this);
  v->setContentsMargins(0, 0, 0, 0);
  v->setSpacing(4);
  m_title = boldLabel(1.25);
  m_title->setText(index == 0 ? tr("A") : tr("B"));
  m_stats = new QLabel;
  m_stats->setToolTip(tr("Training iteration, speed and the last held-out evaluation"));
  auto* head = new QHBoxLayout;
  head->addWidget(m_title);
  head->addStretch(1);
  head->addWidget(m_stats);
  v->addLayout(head);

  auto* bar = new QHBoxLayout;
  m_view = new QComboBox;
  m_view->setToolTip(tr("What to look at: the views this model offers"));
  m_view->setMinimumWidth(190);
  m_layers = new QToolButton;
  m_layers->setText(tr("Layers"));
  m_layers->setPopupMode(QToolButton::InstantPopup);
  m_layers->setToolTip(tr("Show or hide the parts of this view (heatmap, data, samples, arrows…)"));
  auto* exportButton = new QToolButton;
  exportButton->setText(tr("PNG…"));
  exportButton->setToolTip(tr("Export this view as a PNG image"));
  bar->addWidget(new QLabel(tr("View")));
  bar->addWidget(m_view, 1);
  bar->addWidget(m_layers);
  bar->addWidget(exportButton);
  v->addLayout(bar);

  m_stack = new QStackedWidget;
  m_field = new FieldView;
  m_field->setObjectName(QStringLiteral("toy2dField%1").arg(index));
  m_field->setFontScale(kFontScale);
  m_graph = new ModelGraphView;
  m_graph->setObjectName(QStringLiteral("toy2dGraph%1").arg(index));
  m_graph->setFontScale(1.1);
  m_stack->addWidget(m_field);
  m_stack->addWidget(m_graph);
  v->addWidget(m_stack, 1);

  m_sliderRow = new QWidget;
  auto* s = new QHBoxLayout(m_sliderRow);
  s->setContentsMargins(0, 0, 0, 0);
  m_sliderName = new QLabel;
  m_slider = new QSlider(Qt::Horizontal);
  m_sliderValue = new QLabel;
  m_sliderValue->setMinimumWidth(220);
  s->addWidget(m_sliderName);
  s->addWidget(m_slider, 1);
  s->addWidget(m_sliderValue);
  v->addWidget(m_sliderRow);
  m_sliderRow->setVisible(false);

  connect(m_view, &QComboBox::currentIndexChanged, this, &Toy2dColumn::onViewChanged);
  connect(m_slider, &QSlider::valueChanged, this, [this] {
    updateSlider();
    if (toy2dViewInfo(currentView()).usesTime) m_timeSlider = m_slider->value();
    if (toy2dViewInfo(currentView()).usesStage) rebuildScene();
    else Q_EMIT requestChanged(m_index);
  });
  connect(exportButton, &QToolButton::clicked, this, [this] { Q_EMIT exportRequested(m_index); });
  connect(m_field, &FieldView::exportRequested, this, [this] { Q_EMIT exportRequested(m_index); });
  // Heatmaps and arrows cover what is visible: pan, zoom and resize recompute them.
  connect(m_field, &FieldView::viewChanged, this, [this] {
    if (hasModel() && !m_field->paintMode()) Q_EMIT requestChanged(m_index);
  });
  clearModel(QString());
}

void Toy2dColumn::setModel(const core::toy2d::Capabilities& caps, const QString& label,
                           std::shared_ptr<const core::toy2d::Toy2dData> data) {
  // A model of the same kind keeps its view; a new kind starts at its default.
  const bool sameKind = m_view->count() > 0 && label.section(' ', 0, 0) == m_label.section(' ', 0, 0);
  const Toy2dView previous = currentView();
  m_label = label;
  m_data = std::move(data);
  m_frame.reset();
  m_noisedDensity.reset();
  m_noisedT = -1;
  m_homeSet = false;
  m_title->setText(QStringLiteral("%1 · %2").arg(m_index == 0 ? "A" : "B", label));
  m_view->blockSignals(true);
  m_view->clear();
  for (const Toy2dViewInfo& info : toy2dViewsFor(caps)) {
    m_view->addItem(info.name, int(info.view));
    m_view->setItemData(m_view->count() - 1, info.tooltip, Qt::ToolTipRole);
  }
  const int keep = sameKind ? m_view->findData(int(previous)) : -1;
  m_view->setCurrentIndex(keep >= 0 ? keep : 0);
  m_view->blockSignals(false);
  m_view->setEnabled(true);
  m_field->setPaintMode(false);
  m_field->setHomeRect(toy2dDataRect(m_data->train, 0.5));
  FieldScene empty;
  empty.title = m_view->currentText();
  empty.emptyText = tr("Computing the view…");
  m_field->setScene(empty);
  onViewChanged();
}

void Toy2dColumn::clearModel(const QString& message) {
  m_data.reset();
  m_frame.reset();
  m_label.clear();
  m_title->setText(m_index == 0 ? tr("A") : tr("B"));
  m_stats->clear();
  m_view->blockSignals(true);
  m_view->clear();
  m_view->blockSignals(false);
  m_view->setEnabled(false);
  m_layers->setEnabled(false);
  m_sliderRow->setVisible(false);
  m_stack->setCurrentWidget(m_field);
  FieldScene scene;
  scene.emptyText = message;
  m_field->setScene(scene);
}

void Toy2dColumn::showCanvas(FieldScene scene, const QRectF& home) {
  m_stack->setCurrentWidget(m_field);
  m_field->setPaintMode(true);
  m_field->setHomeRect(home);
  m_field->setScene(std::move(scene));
}

Toy2dView Toy2dColumn::currentView() const {
  const QVariant d = m_view->currentData();
  return d.isValid() ? Toy2dView(d.toInt()) : Toy2dView::Samples;
}

bool Toy2dColumn::setCurrentView(Toy2dView view) {
  const int i = m_view->findData(int(view));
  if (i < 0) return false;
  m_view->setCurrentIndex(i);
  return true;
}

float Toy2dColumn::time() const {
  const double u = double(m_slider->value()) / kTimeSteps;
  return float(std::clamp(u * u, 0.0, 1.0));  // quadratic: the action is at small t
}

void Toy2dColumn::setTime(float t) {
  if (!toy2dViewInfo(currentView()).usesTime) return;
  m_slider->setValue(int(std::lround(std::sqrt(std::clamp(double(t), 0.0, 1.0)) * kTimeSteps)));
  m_timeSlider = m_slider->value();
}

int Toy2dColumn::stage() const { return m_slider->value(); }
void Toy2dColumn::setStage(int stage) {
  if (toy2dViewInfo(currentView()).usesStage) m_slider->setValue(stage);
}

Toy2dViewRequest Toy2dColumn::request() const {
  Toy2dViewRequest r;
  r.view = currentView();
  const QRectF w = m_field->visibleWorld();
  if (r.view != Toy2dView::LatentSpace && w.width() > 0 && w.height() > 0) {
    r.x0 = float(w.left());
    r.x1 = float(w.right());
    r.y0 = float(w.top());
    r.y1 = float(w.bottom());
  }
  if (toy2dViewInfo(r.view).usesTime) {
    r.t = time();
    r.noisedDensity = !m_noisedDensity || std::abs(m_noisedT - r.t) > 1e-7f || m_noisedExtent != w;
  }
  return r;
}

void Toy2dColumn::onViewChanged() {
  const Toy2dViewInfo info = toy2dViewInfo(currentView());
  m_stack->setCurrentWidget(info.view == Toy2dView::Overview ? static_cast<QWidget*>(m_graph) : m_field);
  m_sliderRow->setVisible(hasModel() && (info.usesTime || info.usesStage));
  m_slider->blockSignals(true);
  if (info.usesTime) {
    m_sliderName->setText(tr("Time t"));
    m_slider->setToolTip(tr("Diffusion time: 0 is the data, 1 is pure noise (the scale is "
                            "quadratic: most of the change happens at small t)"));
    m_slider->setRange(0, kTimeSteps);
    m_slider->setValue(m_timeSlider);
  } else if (info.usesStage) {
    m_sliderName->setText(tr("Layer"));
    m_slider->setToolTip(tr("Stage 0 is the base N(0, I); each step applies one more layer "
                            "of the generative direction"));
    m_slider->setRange(0, std::max(1, int(m_stageNames.size()) - 1));
    m_slider->setValue(m_slider->maximum());
  }
  m_slider->blockSignals(false);
  updateSlider();
  m_field->setToolTip(info.tooltip + tr("\n\nWheel: zoom · right-drag or Ctrl+drag: pan · "
                                        "double-click: fit · right-click: export"));
  buildLayerMenu();
  m_frame.reset();
  if (hasModel()) Q_EMIT requestChanged(m_index);
}

void Toy2dColumn::buildLayerMenu() {
  auto* menu = new QMenu(m_layers);
  for (const auto& [id, name] : toy2dLayersOf(currentView())) {
    QAction* a = menu->addAction(name);
    a->setCheckable(true);
    a->setChecked(!m_hidden.contains(id));
    const QString key = id;
    connect(a, &QAction::toggled, this, [this, key](bool on) {
      if (on) m_hidden.remove(key);
      else m_hidden.insert(key);
      rebuildScene();
    });
  }
  delete m_layers->menu();
  m_layers->setMenu(menu);
  m_layers->setEnabled(hasModel() && !menu->isEmpty());
}

void Toy2dColumn::updateSlider() {
  const Toy2dViewInfo info = toy2dViewInfo(currentView());
  if (info.usesTime) {
    m_sliderValue->setText(tr("t = %1").arg(double(time()), 0, 'f', 3));
  } else if (info.usesStage) {
    const int k = m_slider->value();
    m_sliderValue->setText(k < m_stageNames.size() ? m_stageNames[k] : QString::number(k));
  }
}

void Toy2dColumn::applyFrame(const std::shared_ptr<const Toy2dFrame>& frame) {
  if (!frame || !hasModel() || frame->view != currentView()) return;  // switched meanwhile
  if (frame->heatmap && (frame->view == Toy2dView::Noising || frame->view == Toy2dView::Score)) {
    m_noisedDensity = frame->heatmap;
    m_noisedT = frame->t;
    m_noisedExtent = m_field->visibleWorld();
  }
  m_frame = frame;
  if (frame->view == Toy2dView::Overview) {
    QVector<GraphNode> nodes;
    QVector<GraphEdge> edges;
    if (frame->overview) toy2dOverviewGraph(*frame->overview, nodes, edges);
    m_graph->setGraph(std::move(nodes), std::move(edges),
                      tr("%1 · step %2").arg(m_label).arg(frame->step));
    return;
  }
  if (!m_homeSet || m_homeView != frame->view) {
    m_field->setHomeRect(toy2dHomeRect(*frame, m_data.get()));
    m_homeSet = true;
    m_homeView = frame->view;
  }
  rebuildScene();
}

void Toy2dColumn::rebuildScene() {
  if (!m_frame || m_frame->view == Toy2dView::Overview) return;
  Toy2dSceneContext ctx;
  ctx.data = m_data.get();
  if (m_noisedDensity && std::abs(m_noisedT - m_frame->t) <= 1e-7f) ctx.noisedDensity = &*m_noisedDensity;
  const bool stageView = toy2dViewInfo(m_frame->view).usesStage;
  ctx.stage = stageView ? m_slider->value() : -1;
  ctx.hiddenLayers = m_hidden;
  ctx.title = m_view->currentText();
  QStringList stages;
  FieldScene scene = buildToy2dScene(*m_frame, ctx, &stages);
  if (stageView && stages != m_stageNames) {
    const bool atEnd = m_slider->value() >= m_slider->maximum();
    m_stageNames = stages;
    m_slider->blockSignals(true);
    m_slider->setRange(0, std::max(1, int(stages.size()) - 1));
    if (atEnd) m_slider->setValue(m_slider->maximum());
    m_slider->blockSignals(false);
    updateSlider();
    ctx.stage = m_slider->value();
    scene = buildToy2dScene(*m_frame, ctx);
  }
  m_field->setScene(std::move(scene));
}

void Toy2dColumn::setStats(const QString& text) { m_stats->setText(text); }

QImage Toy2dColumn::exportImage() {
  if (m_stack->currentWidget() == m_graph) return m_graph->grab().toImage();
  return m_field->exportImage();
}

}  // namespace genlab::ui
