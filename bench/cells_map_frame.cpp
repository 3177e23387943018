// Map frame time of the Cells lab at 100 000 cells during training (the
// shared LatentMapView): opens the panel on simulated data (sim-shift, CELLS x 2 000 genes), trains, and pans
// the map every 16 ms (each pan re-renders every dot, as a drag does) while
// the worker trains and sends new maps. Prints the paint times of the map
// (p50, p95, max), the GUI thread's frame intervals, and how many maps
// arrived. Run under Xvfb (or QT_QPA_PLATFORM=offscreen):
//   xvfb-run -a build/bin/genlab-bench-cells-map [CELLS] [SECONDS]
#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/engine/engine.h"
#include "ui/bridge/engine_bridge.h"
#include "ui/views/latent_map_view.h"
#include "ui/labs/cells/cells_panel.h"

using namespace genlab;

int main(int argc, char** argv) {
  core::configureProcess();
  QApplication app(argc, argv);
  const int cells = argc > 1 ? std::atoi(argv[1]) : 100000;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 30;
  ui::EngineBridge bridge;
  ui::CellsPanel panel(&bridge);
  panel.resize(1400, 900);
  panel.show();
  core::cells::CellsOptions o = panel.options();
  o.data = core::cells::kSimShift;
  o.simCells = cells;
  o.simGenes = 2000;
  o.hvg = 0;
  o.epochs = 1000;  // trains for the whole measurement; cancelled at the end
  int maps = 0;
  QObject::connect(panel.controller(), &ui::CellsController::mapUpdated, [&] { ++maps; });
  std::vector<double> paint, interval;
  QElapsedTimer clock, measuring;
  bool started = false;
  QTimer pan;
  pan.setInterval(16);
  double last = 0;
  int k = 0;
  QObject::connect(&pan, &QTimer::timeout, [&] {
    auto* map = panel.mapView();
    if (!started) {
      if (map->pointCount() < cells || !panel.isTraining()) return;
      started = true;
      measuring.start();
      last = 0;
      return;
    }
    const double now = measuring.nsecsElapsed() / 1e6;
    interval.push_back(now - last);
    last = now;
    map->panBy(QPointF((k++ / 30) % 2 ? 3 : -3, 1));
    map->repaint();  // paint now, timed by the view itself
    paint.push_back(map->lastPaintMs());
    if (now > seconds * 1000) {
      panel.controller()->cancel();
      QApplication::quit();
    }
  });
  pan.start();
  panel.controller()->start(o);
  clock.start();
  app.exec();
  auto pct = [](std::vector<double> v, double q) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(q * (v.size() - 1)))];
  };
  std::printf("cells %d: %zu frames in %.1f s of training, %d maps from the worker\n", cells,
              paint.size(), measuring.nsecsElapsed() / 1e9, maps);
  std::printf("map paint ms: p50 %.2f  p95 %.2f  max %.2f\n", pct(paint, 0.5), pct(paint, 0.95),
              pct(paint, 1.0));
  std::printf("frame interval ms: p50 %.2f  p95 %.2f  max %.2f\n", pct(interval, 0.5),
              pct(interval, 0.95), pct(interval, 1.0));
  return started ? 0 : 1;
}
