#pragma once
// What the GUI says about the 2-D lab's views (names, tooltips). The view
// requests and the frames that answer them are core's (toy2d_requests.h).
#include <QString>
#include <QVector>

#include "core/labs/toy2d/toy2d_requests.h"

namespace genlab::ui {

using core::toy2d::Toy2dFrame;
using core::toy2d::Toy2dView;
using core::toy2d::Toy2dViewRequest;

struct Toy2dViewInfo {
  Toy2dView view;
  QString name;
  QString tooltip;
  bool usesTime = false;   // shows the diffusion time slider
  bool usesStage = false;  // shows the flow layer slider
  int minIntervalMs = 0;   // expensive views refresh at most this often while training
};

// The views a model with these capabilities offers; the first is its default.
QVector<Toy2dViewInfo> toy2dViewsFor(const core::toy2d::Capabilities& caps);
Toy2dViewInfo toy2dViewInfo(Toy2dView view);

}  // namespace genlab::ui
