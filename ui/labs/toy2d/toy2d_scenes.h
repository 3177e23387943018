#pragma once
// GUI side of the 2-D lab's views: turns a Toy2dFrame (plain core payloads)
// into the FieldScene a FieldView draws, with the lab's colours, colour maps
// and legends, and a ModelOverview into the model graph's nodes and edges.
#include <QColor>
#include <QRectF>
#include <QSet>
#include <QString>
#include <QVector>

#include <optional>

#include "core/labs/toy2d/toy2d_data.h"
#include "core/labs/toy2d/toy2d_views.h"
#include "ui/labs/toy2d/toy2d_frames.h"
#include "ui/views/field_scene.h"
#include "ui/views/model_graph_view.h"

namespace genlab::ui {

namespace toy2dcolors {
const QColor kData(35, 35, 45);          // training data on densities
const QColor kSamples(255, 84, 30);      // model samples
const QColor kReal(0, 109, 44);          // GAN Lab: real (green)
const QColor kFake(118, 42, 131);        // GAN Lab: fake (purple)
const QColor kArrows(20, 20, 20);
const QColor kMesh(70, 70, 80);
const QColor kDrawn(31, 119, 180);
}  // namespace toy2dcolors

struct Toy2dSceneContext {
  const core::toy2d::Toy2dData* data = nullptr;  // the session's data (train points drawn)
  const core::toy2d::Heatmap* noisedDensity = nullptr;  // cached for the frame's t
  int stage = -1;                // flow layer to show; < 0: the last
  QSet<QString> hiddenLayers;    // layer ids the user switched off
  QString title;
};

// The scene of one frame. `stages` receives the flow's stage names (for the slider).
FieldScene buildToy2dScene(const Toy2dFrame& frame, const Toy2dSceneContext& ctx,
                           QStringList* stages = nullptr);
// Which layer ids a view can show (for the column's layer menu): id and label.
QVector<QPair<QString, QString>> toy2dLayersOf(Toy2dView view);
// A world rectangle that frames the frame (data space, or latent space for LatentSpace).
QRectF toy2dHomeRect(const Toy2dFrame& frame, const core::toy2d::Toy2dData* data);
// Data-space home rectangle: the training points with a margin, square.
QRectF toy2dDataRect(const core::toy2d::Points2D& points, double minHalf = 1.0);
// The draw-your-own canvas: the points drawn so far.
FieldScene toy2dCanvasScene(const core::toy2d::Points2D& points, const QString& hint);
// The model overview as a graph of thumbnails.
void toy2dOverviewGraph(const core::toy2d::ModelOverview& ov, QVector<GraphNode>& nodes,
                        QVector<GraphEdge>& edges);

}  // namespace genlab::ui
