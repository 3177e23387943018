#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "core/engine/engine.h"

using namespace genlab::core;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
// A job that never ends by itself; each step takes `stepTime`.
struct EndlessJob : Job {
  std::chrono::milliseconds stepTime;
  std::atomic<int>* steps;
  EndlessJob(std::chrono::milliseconds t, std::atomic<int>* s) : stepTime(t), steps(s) {}
  std::string name() const override { return "test.endless"; }
  bool step(JobContext&) override {
    std::this_thread::sleep_for(stepTime);
    ++*steps;
    return false;
  }
};

struct ThrowingJob : Job {
  std::string name() const override { return "test.throw"; }
  bool step(JobContext&) override { throw std::runtime_error("the model exploded"); }
};

struct CountingJob : Job {
  int n;
  explicit CountingJob(int n_) : n(n_) {}
  std::string name() const override { return "test.count"; }
  bool step(JobContext& ctx) override {
    if (--n > 0) return false;
    Snapshot s;
    s.kind = Snapshot::Kind::Result;
    s.channel = "test.count";
    s.message = "done";
    ctx.publish(s);
    return true;
  }
};

struct Recorder {
  std::mutex m;
  std::vector<Snapshot> all;
  void operator()(const Snapshot& s) {
    std::lock_guard<std::mutex> g(m);
    all.push_back(s);
  }
  bool anyOf(Snapshot::Kind k, const std::string& channel) {
    std::lock_guard<std::mutex> g(m);
    for (auto& s : all)
      if (s.kind == k && s.channel == channel) return true;
    return false;
  }
};

template <class Pred>
bool waitFor(Pred p, std::chrono::milliseconds limit) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (p()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return p();
}
}  // namespace

TEST_CASE("cancel takes effect within 200 ms", "[engine]") {
  Recorder rec;
  Engine engine([&](const Snapshot& s) { rec(s); });
  std::atomic<int> steps{0};
  const auto id = engine.submit(std::make_unique<EndlessJob>(20ms, &steps));
  REQUIRE(waitFor([&] { return steps.load() > 2; }, 2000ms));
  const auto t0 = Clock::now();
  engine.cancel(id);
  REQUIRE(waitFor([&] { return engine.state(id) == JobState::Cancelled; }, 1000ms));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  CHECK(ms < 200);
  CHECK(rec.anyOf(Snapshot::Kind::Cancelled, "test.endless"));
}

TEST_CASE("an exception in a job becomes an error and the engine keeps working", "[engine]") {
  Recorder rec;
  Engine engine([&](const Snapshot& s) { rec(s); });
  const auto bad = engine.submit(std::make_unique<ThrowingJob>());
  const auto good = engine.submit(std::make_unique<CountingJob>(3));
  engine.waitIdle();
  CHECK(engine.state(bad) == JobState::Failed);
  CHECK(engine.state(good) == JobState::Finished);
  std::lock_guard<std::mutex> g(rec.m);
  bool sawError = false, sawResult = false;
  for (auto& s : rec.all) {
    if (s.kind == Snapshot::Kind::Error && s.job == bad) {
      sawError = true;
      CHECK(s.message == "the model exploded");
    }
    if (s.kind == Snapshot::Kind::Result && s.job == good) sawResult = true;
  }
  CHECK(sawError);
  CHECK(sawResult);
}

TEST_CASE("an interactive request is answered while a job runs", "[engine]") {
  Recorder rec;
  Engine engine([&](const Snapshot& s) { rec(s); });
  std::atomic<int> steps{0};
  const auto id = engine.submit(std::make_unique<EndlessJob>(10ms, &steps));
  REQUIRE(waitFor([&] { return steps.load() > 0; }, 2000ms));
  std::atomic<bool> answered{false};
  const auto t0 = Clock::now();
  engine.post("test.decode", [&](const std::function<void(Snapshot)>& send) {
    Snapshot s;
    s.kind = Snapshot::Kind::Reply;
    s.channel = "test.decode";
    send(s);
    answered = true;
  });
  REQUIRE(waitFor([&] { return answered.load(); }, 1000ms));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  CHECK(ms < 50);  // one step is 10 ms
  CHECK(engine.state(id) == JobState::Running);
  CHECK(rec.anyOf(Snapshot::Kind::Reply, "test.decode"));
  // A failing request reports an error and leaves the job running.
  engine.post("test.bad", [](const std::function<void(Snapshot)>&) {
    throw std::invalid_argument("no such point");
  });
  REQUIRE(waitFor([&] { return rec.anyOf(Snapshot::Kind::Error, "test.bad"); }, 1000ms));
  CHECK(engine.state(id) == JobState::Running);
  engine.cancel(id);
}

TEST_CASE("pause holds a job and single steps advance it by one", "[engine]") {
  Engine engine([](const Snapshot&) {});
  std::atomic<int> steps{0};
  const auto id = engine.submit(std::make_unique<EndlessJob>(1ms, &steps));
  REQUIRE(waitFor([&] { return steps.load() > 0; }, 2000ms));
  engine.pause(id);
  std::this_thread::sleep_for(20ms);  // let the step in flight finish
  const int held = steps.load();
  std::this_thread::sleep_for(50ms);
  CHECK(steps.load() == held);
  CHECK(engine.state(id) == JobState::Paused);
  engine.stepOnce(id);
  REQUIRE(waitFor([&] { return steps.load() == held + 1; }, 1000ms));
  std::this_thread::sleep_for(30ms);
  CHECK(steps.load() == held + 1);
  engine.resume(id);
  REQUIRE(waitFor([&] { return steps.load() > held + 5; }, 1000ms));
  engine.cancel(id);
  REQUIRE(waitFor([&] { return engine.state(id) == JobState::Cancelled; }, 1000ms));
}

TEST_CASE("destroying the engine with a running job ends it cleanly", "[engine]") {
  std::atomic<int> steps{0};
  {
    Engine engine([](const Snapshot&) {});
    engine.submit(std::make_unique<EndlessJob>(5ms, &steps));
    REQUIRE(waitFor([&] { return steps.load() > 0; }, 2000ms));
  }
  SUCCEED("engine joined");
}
