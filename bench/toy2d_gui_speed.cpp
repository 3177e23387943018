// GUI training speed of the 2-D lab while its views refresh: opens the lab in
// the real main window, applies a preset (default: "GAN Lab default"),
// trains for SECONDS and prints iterations per second (from the models'
// own counters) and view refreshes per second (frames drawn by each
// column's view), plus the worker milliseconds per frame and the longest
// GUI event-loop stall. Run under Xvfb (or QT_QPA_PLATFORM=offscreen):
//   xvfb-run -a build/bin/genlab-bench-toy2d-gui [PRESET] [SECONDS] [DATA] [options]
// Options (also make the documentation's screenshots):
//   --views A,B       views of the two columns: density layers logdet discriminator
//                     mesh noising score trajectories latent decoder samples baseline overview
//   --time T          diffusion time of the sliders     --stage K   flow layer to show
//   --tab reparam     show the reparameterization tab   --screenshot FILE.png
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHash>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "ui/labs/toy2d/toy2d_column.h"
#include "ui/labs/toy2d/toy2d_controls.h"
#include "ui/labs/toy2d/toy2d_panel.h"
#include "ui/main_window.h"
#include "ui/views/field_view.h"
#include "ui/views/model_graph_view.h"

using genlab::ui::Toy2dController;
using genlab::ui::Toy2dPanel;

namespace {
// Times every event the GUI thread dispatches: the slowest ones say what
// stalls it (reported when it is over 30 ms).
class TimingApp : public QApplication {
 public:
  using QApplication::QApplication;
  bool notify(QObject* receiver, QEvent* event) override {
    if (m_depth++ > 0) {
      const bool r = QApplication::notify(receiver, event);
      --m_depth;
      return r;
    }
    // The receiver may delete itself while handling the event (DeferredDelete):
    // name it before.
    const char* cls = receiver->metaObject()->className();
    const QString name = receiver->objectName();
    const int type = int(event->type());
    QElapsedTimer t;
    t.start();
    const bool r = QApplication::notify(receiver, event);
    --m_depth;
    const double ms = t.nsecsElapsed() / 1e6;
    if (measuring && ms > worstMs) {
      worstMs = ms;
      worst = QString("%1 (%2), event %3").arg(cls, name).arg(type);
    }
    return r;
  }
  bool measuring = false;
  double worstMs = 0;
  QString worst;

 private:
  int m_depth = 0;
};

using genlab::ui::Toy2dView;

struct Extra {
  QStringList views;
  double time = -1;
  int stage = -1;
  bool reparam = false;
  QString screenshot;
};

Extra parseExtra(int argc, char** argv, QStringList& positional) {
  Extra e;
  for (int i = 1; i < argc; ++i) {
    const QString a = argv[i];
    const QString next = i + 1 < argc ? argv[i + 1] : QString();
    if (a == "--views") e.views = next.split(','), ++i;
    else if (a == "--time") e.time = next.toDouble(), ++i;
    else if (a == "--stage") e.stage = next.toInt(), ++i;
    else if (a == "--tab") e.reparam = next == "reparam", ++i;
    else if (a == "--screenshot") e.screenshot = next, ++i;
    else positional << a;
  }
  return e;
}

void applyViews(Toy2dPanel* panel, const Extra& e) {
  static const QHash<QString, Toy2dView> names{
      {"density", Toy2dView::Density},         {"layers", Toy2dView::FlowLayers},
      {"logdet", Toy2dView::LogDet},           {"discriminator", Toy2dView::Discriminator},
      {"mesh", Toy2dView::GeneratorMesh},      {"noising", Toy2dView::Noising},
      {"score", Toy2dView::Score},             {"trajectories", Toy2dView::Trajectories},
      {"latent", Toy2dView::LatentSpace},      {"decoder", Toy2dView::DecoderMesh},
      {"samples", Toy2dView::Samples},         {"baseline", Toy2dView::Baseline},
      {"overview", Toy2dView::Overview}};
  for (int i = 0; i < e.views.size() && i < 2; ++i) {
    auto* column = panel->column(i);
    if (names.contains(e.views[i]) && !column->setCurrentView(names[e.views[i]]))
      std::fprintf(stderr, "column %d has no view %s\n", i, qPrintable(e.views[i]));
    if (e.time >= 0) column->setTime(float(e.time));
    if (e.stage >= 0) column->setStage(e.stage);
  }
  if (e.reparam) panel->tabs()->setCurrentIndex(1);
}

long refreshes(Toy2dPanel* p, int i) {
  return p->column(i)->fieldView()->refreshCount() + p->column(i)->graphView()->refreshCount();
}
}  // namespace

int main(int argc, char** argv) {
  TimingApp app(argc, argv);
  QStringList args;
  const Extra extra = parseExtra(argc, argv, args);
  const QString preset = args.size() > 0 ? args[0] : "ganlab";
  const double seconds = args.size() > 1 ? args[1].toDouble() : 15.0;
  const QString data = args.size() > 2 && args[2] != "-" ? args[2] : "";
  genlab::ui::MainWindow window;
  auto* panel = qobject_cast<Toy2dPanel*>(window.openLab("toy2d"));
  if (!panel || !panel->applyPreset(preset)) {
    std::fprintf(stderr, "no toy2d lab or unknown preset %s\n", qPrintable(preset));
    return 2;
  }
  if (!data.isEmpty() && !panel->setDataSpec(data)) {
    std::fprintf(stderr, "unknown data %s\n", qPrintable(data));
    return 2;
  }
  panel->controls()->stepsSpin()->setValue(10000000);
  window.show();
  QTimer::singleShot(500, panel, [panel] { panel->startTraining(); });
  // Views are chosen once the models exist (each model offers its own).
  QObject::connect(panel->controller(), &Toy2dController::sessionsReady, panel,
                   [panel, extra] { applyViews(panel, extra); });

  // Measure from the first progress onwards (models built, training running).
  QElapsedTimer clock, tickClock;
  long it0[2] = {-1, -1}, r0[2] = {0, 0};
  double maxGap = 0;
  qint64 lastTick = -1;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = tickClock.nsecsElapsed();
    // Stalls after the first second of training (start-up builds charts and caches).
    if (clock.isValid() && clock.elapsed() > 1000 && lastTick >= 0)
      maxGap = std::max(maxGap, (now - lastTick) / 1e6 - 2.0);
    lastTick = now;
    if (!clock.isValid() && panel->iteration(0) > 0 &&
        panel->controller()->state() == Toy2dController::State::Training) {
      clock.start();
      app.measuring = true;
      for (int i = 0; i < 2; ++i) {
        it0[i] = panel->iteration(i);
        r0[i] = refreshes(panel, i);
      }
    }
    if (clock.isValid() && clock.elapsed() >= seconds * 1000) app.quit();
  });
  tickClock.start();
  tick.start(2);
  QTimer::singleShot(int(seconds * 1000) + 60000, &app, &QApplication::quit);  // safety
  app.exec();
  if (!extra.screenshot.isEmpty()) {
    applyViews(panel, extra);  // sliders may have moved with the stages
    app.processEvents();
    const QImage shot = window.grab().toImage();
    if (!shot.save(extra.screenshot)) std::fprintf(stderr, "could not save %s\n", qPrintable(extra.screenshot));
  }
  if (!clock.isValid()) {
    std::fprintf(stderr, "training never started\n");
    return 1;
  }
  const double s = clock.elapsed() / 1000.0;
  std::printf("{\"event\":\"result\",\"preset\":\"%s\",\"seconds\":%.2f", qPrintable(preset), s);
  for (int i = 0; i < panel->controller()->sessionCount(); ++i) {
    const char* name = i == 0 ? "a" : "b";
    std::printf(",\"%s_iterations_per_second\":%.1f,\"%s_view_refreshes_per_second\":%.2f,"
                "\"%s_frame_ms\":%.2f,\"%s_frame_latency_ms\":%.2f,\"%s_frame_queue_ms\":%.2f",
                name, (panel->iteration(i) - it0[i]) / s, name, (refreshes(panel, i) - r0[i]) / s,
                name, panel->controller()->frameCostMs(i), name,
                panel->controller()->frameLatencyMs(i), name, panel->controller()->frameQueueMs(i));
  }
  std::printf(",\"max_gui_stall_ms\":%.1f,\"slowest_event_ms\":%.1f,\"slowest_event\":\"%s\"}\n",
              maxGap, app.worstMs, qPrintable(app.worst));
  return 0;
}
