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
  std::string laneName;
  EndlessJob(std::chrono::milliseconds t, std::atomic<int>* s, std::string lane = "test.endless")
      : stepTime(t), steps(s), laneName(std::move(lane)) {}
  std::string name() const override { return "test.endless"; }
  std::string lane() const override { return laneName; }
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

TEST_CASE("cancel takes effect at the next step boundary", "[engine]") {
  Recorder rec;
  Engine engine([&](const Snapshot& s) { rec(s); });
  std::atomic<int> steps{0};
  const auto id = engine.submit(std::make_unique<EndlessJob>(20ms, &steps));
  REQUIRE(waitFor([&] { return steps.load() > 2; }, 5000ms));
  const int atCancel = steps.load();
  engine.cancel(id);
  REQUIRE(waitFor([&] { return engine.state(id) == JobState::Cancelled; }, 5000ms));
  CHECK(steps.load() <= atCancel + 1);  // at most the step in flight
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
  std::atomic<int> stepsWaited{-1};
  const int atPost = steps.load();
  engine.post("test.decode", [&](const std::function<void(Snapshot)>& send) {
    stepsWaited = steps.load() - atPost;
    send(Snapshot::reply("test.decode", nullptr));
    answered = true;
  });
  REQUIRE(waitFor([&] { return answered.load(); }, 5000ms));
  CHECK(stepsWaited.load() <= 1);  // at most the step in flight
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

namespace {
// Steps of about 1 ms for `duration`, asking publishDue() at every step;
// reports its step count in the message of "test.chatty.count".
struct ChattyJob : Job {
  std::chrono::milliseconds duration;
  int steps = 0;
  Clock::time_point started;
  explicit ChattyJob(std::chrono::milliseconds d) : duration(d) {}
  std::string name() const override { return "test.chatty"; }
  void begin(JobContext&) override { started = Clock::now(); }
  bool step(JobContext& ctx) override {
    std::this_thread::sleep_for(1ms);
    ++steps;
    if (ctx.publishDue()) ctx.publish(Snapshot::progressOf("test.chatty", nullptr));
    if (Clock::now() - started < duration) return false;
    Snapshot s = Snapshot::result("test.chatty.count", nullptr);
    s.message = std::to_string(steps);
    ctx.publish(s);
    return true;
  }
};
}  // namespace

TEST_CASE("progress is throttled across steps, not once per step", "[engine][scheduler]") {
  Recorder rec;
  Engine engine([&](const Snapshot& s) { rec(s); });
  engine.submit(std::make_unique<ChattyJob>(1000ms));
  engine.waitIdle();
  std::lock_guard<std::mutex> g(rec.m);
  int progress = 0, steps = 0;
  for (const auto& s : rec.all) {
    if (s.kind == Snapshot::Kind::Progress && s.channel == "test.chatty") ++progress;
    if (s.channel == "test.chatty.count") steps = std::stoi(s.message);
  }
  INFO("steps " << steps << ", progress snapshots " << progress);
  CHECK(steps > 100);      // it did step many times...
  CHECK(progress <= 25);   // ...and published about every 50 ms (20 a second)
  CHECK(progress >= 5);
}

TEST_CASE("jobs of two labs both advance, and pausing one leaves the other running",
          "[engine][scheduler]") {
  Engine engine([](const Snapshot&) {});
  std::atomic<int> a{0}, b{0};
  // A long job first: one FIFO would never let the second job start.
  const auto ja = engine.submit(std::make_unique<EndlessJob>(2ms, &a, "labA.train"));
  const auto jb = engine.submit(std::make_unique<EndlessJob>(2ms, &b, "labB.train"));
  CHECK(waitFor([&] { return a.load() > 5 && b.load() > 5; }, 1000ms));

  engine.pause(ja);
  REQUIRE(waitFor([&] { return engine.state(ja) == JobState::Paused; }, 1000ms));
  std::this_thread::sleep_for(10ms);  // the step in flight ends
  const int aHeld = a.load(), bBefore = b.load();
  CHECK(waitFor([&] { return b.load() > bBefore + 20; }, 2000ms));
  CHECK(a.load() == aHeld);

  // Both running: an interactive request waits for at most the step in flight.
  engine.resume(ja);
  REQUIRE(waitFor([&] { return a.load() > aHeld + 2; }, 1000ms));
  std::atomic<int> waited{-1};
  std::atomic<bool> answered{false};
  const int atPost = a.load() + b.load();
  engine.post("test.decode", [&](const std::function<void(Snapshot)>&) {
    waited = a.load() + b.load() - atPost;
    answered = true;
  });
  REQUIRE(waitFor([&] { return answered.load(); }, 5000ms));
  CHECK(waited.load() <= 1);
  engine.cancelAll();
  engine.waitIdle();
  CHECK(engine.state(ja) == JobState::Cancelled);
  CHECK(engine.state(jb) == JobState::Cancelled);
}

TEST_CASE("jobs of one lane run one after the other; a paused one steps aside",
          "[engine][scheduler]") {
  Engine engine([](const Snapshot&) {});
  std::atomic<int> a{0}, b{0};
  const auto ja = engine.submit(std::make_unique<EndlessJob>(2ms, &a, "lab.train"));
  const auto jb = engine.submit(std::make_unique<EndlessJob>(2ms, &b, "lab.train"));
  REQUIRE(waitFor([&] { return a.load() > 5; }, 1000ms));
  CHECK(b.load() == 0);
  CHECK(engine.state(jb) == JobState::Queued);
  engine.pause(ja);
  CHECK(waitFor([&] { return b.load() > 5; }, 1000ms));
  // waitIdle does not wait for a paused job.
  engine.cancel(jb);
  engine.waitIdle();
  CHECK(engine.state(ja) == JobState::Paused);
  engine.cancel(ja);
}

TEST_CASE("live settings reach a running job between steps", "[engine]") {
  struct LiveJob : Job {
    std::atomic<double>* seen;
    explicit LiveJob(std::atomic<double>* s) : seen(s) {}
    std::string name() const override { return "test.live"; }
    bool step(JobContext& ctx) override {
      if (auto v = ctx.live().take("beta")) *seen = *v;
      std::this_thread::sleep_for(1ms);
      return false;
    }
  };
  Engine engine([](const Snapshot&) {});
  std::atomic<double> seen{0};
  const auto id = engine.submit(std::make_unique<LiveJob>(&seen));
  engine.setLive(id, "beta", 4.0);
  CHECK(waitFor([&] { return seen.load() == 4.0; }, 2000ms));
  engine.setLive(id, "beta", 0.5);
  CHECK(waitFor([&] { return seen.load() == 0.5; }, 2000ms));
  engine.cancel(id);
  engine.waitIdle();
}

TEST_CASE("a listener that throws does not take the worker down", "[engine]") {
  std::atomic<int> calls{0};
  Engine engine([&](const Snapshot&) {
    ++calls;
    throw std::bad_alloc();
  });
  const auto bad = engine.submit(std::make_unique<ThrowingJob>());
  const auto good = engine.submit(std::make_unique<CountingJob>(3));
  engine.waitIdle();
  CHECK(engine.state(bad) == JobState::Failed);
  CHECK(engine.state(good) == JobState::Finished);
  CHECK(calls.load() >= 2);
}

TEST_CASE("quitting with two jobs running ends both as cancelled", "[engine]") {
  Recorder rec;
  std::atomic<int> a{0}, b{0};
  {
    Engine engine([&](const Snapshot& s) { rec(s); });
    engine.submit(std::make_unique<EndlessJob>(2ms, &a, "labA.train"));
    const auto jb = engine.submit(std::make_unique<EndlessJob>(2ms, &b, "labB.train"));
    engine.pause(jb);
    REQUIRE(waitFor([&] { return a.load() > 2; }, 2000ms));
  }
  std::lock_guard<std::mutex> g(rec.m);
  int cancelled = 0;
  for (const auto& s : rec.all) cancelled += s.kind == Snapshot::Kind::Cancelled;
  CHECK(cancelled == 2);
}
