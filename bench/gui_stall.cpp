// Longest GUI event-loop stall while a lab trains: opens the lab in the real
// main window, starts training, and runs a 2 ms timer on the GUI thread; the
// largest gap between its ticks (minus the 2 ms) is the longest time the GUI
// could not respond. Run under Xvfb (or QT_QPA_PLATFORM=offscreen).
#include <QApplication>
#include <QElapsedTimer>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "core/engine/engine.h"
#include "ui/labs/lab_panel.h"
#include "ui/main_window.h"

int main(int argc, char** argv) {
  genlab::core::configureProcess();
  QApplication app(argc, argv);
  const QString lab = argc > 1 ? argv[1] : "latent";
  const QString data = argc > 2 ? argv[2] : "mnist";
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 20;
  genlab::ui::MainWindow window;
  window.resize(1600, 1000);
  auto* panel = window.openLab(lab);
  if (!panel) {
    std::fprintf(stderr, "unknown lab %s\n", qPrintable(lab));
    return 2;
  }
  if (!data.isEmpty() && data != "-") panel->setDataSpec(data);
  window.show();
  QTimer::singleShot(500, panel, [panel] { panel->startTraining(); });
  std::vector<double> gaps;
  QElapsedTimer clock;
  qint64 last = -1;
  QTimer tick;
  tick.setTimerType(Qt::PreciseTimer);
  QObject::connect(&tick, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    if (last >= 0 && now > 2'000'000'000LL) gaps.push_back((now - last) / 1e6);  // after start-up
    last = now;
  });
  clock.start();
  tick.start(2);
  QTimer::singleShot(seconds * 1000 + 2000, &app, &QApplication::quit);
  app.exec();
  if (gaps.empty()) return 1;
  std::sort(gaps.begin(), gaps.end());
  auto pct = [&](double q) { return gaps[std::min(gaps.size() - 1, size_t(q * gaps.size()))]; };
  std::printf("{\"event\":\"result\",\"lab\":\"%s\",\"training\":%s,\"ticks\":%zu,"
              "\"gap_p50_ms\":%.2f,\"gap_p99_ms\":%.2f,\"max_stall_ms\":%.2f}\n",
              qPrintable(lab), panel->isTraining() ? "true" : "false", gaps.size(), pct(0.5),
              pct(0.99), gaps.back() - 2.0);
  return 0;
}
