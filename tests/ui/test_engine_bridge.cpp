// The bridge coalesces droppable snapshots per channel and never drops results or errors.
#include <catch2/catch.hpp>

#include <QThread>

#include "core/engine/engine.h"
#include "ui/bridge/engine_bridge.h"
#include "ui_test_util.h"

using genlab::core::Snapshot;
using genlab::ui::EngineBridge;
using genlab::ui::test::waitUntil;

TEST_CASE("bridge coalesces a burst of progress but delivers every result and error", "[bridge]") {
  EngineBridge bridge;
  int progressDeliveries = 0, results = 0, errors = 0, cancels = 0, outOfOrder = 0;
  double lastProgress = -1;
  std::vector<int> resultOrder;
  QObject::connect(&bridge, &EngineBridge::snapshot, [&](const Snapshot& s) {
    if (s.channel == "test.progress") {
      ++progressDeliveries;
      if (s.progress <= lastProgress) ++outOfOrder;  // never older than what was shown
      lastProgress = s.progress;
    } else if (s.kind == Snapshot::Kind::Result) {
      ++results;
      resultOrder.push_back(int(s.progress));
    } else if (s.kind == Snapshot::Kind::Error) {
      ++errors;
    } else if (s.kind == Snapshot::Kind::Cancelled) {
      ++cancels;
    }
  });
  bridge.post("test.burst", [](const EngineBridge::Send& send) {
    for (int i = 0; i < 1000; ++i) {
      Snapshot p;
      p.kind = Snapshot::Kind::Progress;
      p.channel = "test.progress";
      p.progress = i;
      send(p);
      if (i % 100 == 99) {
        Snapshot r;
        r.kind = Snapshot::Kind::Result;
        r.channel = "test.result";
        r.progress = i;
        send(r);
        Snapshot e;
        e.kind = Snapshot::Kind::Error;
        e.channel = "test.result";
        e.message = "error " + std::to_string(i);
        send(e);
      }
    }
    Snapshot c;
    c.kind = Snapshot::Kind::Cancelled;
    c.channel = "test.result";
    send(c);
  });
  // An exception in posted work comes back as an Error on that channel.
  bridge.post("test.throw", [](const EngineBridge::Send&) { throw std::runtime_error("boom"); });

  REQUIRE(waitUntil([&] { return lastProgress == 999 && errors == 11 && cancels == 1; }, 20000));
  QCoreApplication::processEvents();
  CHECK(results == 10);
  CHECK(errors == 11);
  CHECK(cancels == 1);
  CHECK(progressDeliveries < 100);
  CHECK(outOfOrder == 0);
  CHECK(std::is_sorted(resultOrder.begin(), resultOrder.end()));
  CHECK(bridge.deliveryBatches() < 50);
  INFO("progress deliveries: " << progressDeliveries);
}

TEST_CASE("bridge reports a device name", "[bridge]") {
  // The bridge names the device the engine really uses (CPU on a CPU-only LibTorch).
  const QString name = EngineBridge::deviceName();
  CHECK(name == QString::fromStdString(genlab::core::Engine::deviceName()).toUpper());
}
