// Style lab slider latency: the AdaIN tab's transfer request as the GUI sends
// it while a slider is dragged (latest-wins: the next one goes when the last
// answered), posted to an idle engine; the time from post to reply on the
// listener. Content and style are set once (their encoder features cached),
// then alpha, the per-layer strengths and the style pad move.
//
// Besides post -> reply wall times it reports the worker thread's CPU time
// per image-only move (CLOCK_THREAD_CPUTIME_ID): at 1 thread that is what the
// move costs with the machine to itself, whatever else runs beside the bench
// (with more threads the pool's other threads are not counted, so it is
// printed for 1 thread only).
//
//   genlab-bench-style-slider DECODER CONTENT.png STYLE.png[,STYLE2.png...] [SIZE] [MOVES]
// Prints one JSON line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <sstream>
#include <string>
#include <ctime>
#include <vector>

#include "core/engine/device.h"
#include "core/engine/engine.h"
#include "core/labs/style/style_image.h"
#include "core/labs/style/style_requests.h"

using namespace genlab::core;
using namespace genlab::core::style;
using Clock = std::chrono::steady_clock;

namespace {
double threadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

double pct(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(q * (v.size() - 1) + 0.5))];
}
}  // namespace

int main(int argc, char** argv) {
  configureProcess();
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s DECODER CONTENT.png STYLE.png[,STYLE.png...] [SIZE] [MOVES]\n", argv[0]);
    return 2;
  }
  const int size = argc > 4 ? std::atoi(argv[4]) : 256;
  const int moves = argc > 5 ? std::atoi(argv[5]) : 100;
  std::vector<std::string> styles;
  {
    std::stringstream in(argv[3]);
    for (std::string s; std::getline(in, s, ',');) styles.push_back(s);
  }
  std::mutex m;
  std::condition_variable cv;
  bool replied = false;
  std::string error;
  Engine engine([&](const Snapshot& s) {
    std::lock_guard<std::mutex> g(m);
    if (s.kind == Snapshot::Kind::Error) error = s.message;
    replied = true;
    cv.notify_all();
  });
  std::shared_ptr<StyleSession> session;
  int width = 0, height = 0, threads = 0;
  engine.runSync([&] {
    if (const char* t = std::getenv("THREADS"); t && *t) setTorchThreads(std::atoi(t));
    threads = torchThreads();
    session = StyleSession::load(argv[1]);
    session->setContent(readImageFile(argv[2]), size);
    for (std::size_t i = 0; i < styles.size() && i < 4; ++i) session->setStyle(int(i), readImageFile(styles[i]), size);
    width = session->contentImage().width;
    height = session->contentImage().height;
  });
  double lastCpuMs = 0;
  auto once = [&](const TransferParams& p) {
    {
      std::lock_guard<std::mutex> g(m);
      replied = false;
    }
    const auto t0 = Clock::now();
    double* cpu = &lastCpuMs;
    engine.post("bench.style", [session, p, cpu](const auto& send) {
      const double c0 = threadCpuMs();
      auto r = runTransfer(*session, p);
      *cpu = threadCpuMs() - c0;  // read after the reply below, which the mutex orders
      send(Snapshot::reply("bench.style", r));
    });
    std::unique_lock<std::mutex> g(m);
    cv.wait(g, [&] { return replied; });
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  };
  std::vector<double> withStats, imageOnly, imageOnlyCpu;
  TransferParams p;
  p.weights = {1, double(styles.size() > 1), double(styles.size() > 2), double(styles.size() > 3)};
  for (int warm = 0; warm < 3; ++warm) once(p);
  for (int i = 0; i < moves; ++i) {
    p.alpha = 0.5 + 0.5 * std::sin(i * 0.3);
    p.strength[1] = (i % 20) / 20.0;
    p.strength[2] = (i % 7) / 7.0;
    p.preserveColour = (i / 25) % 2;
    p.weights[0] = 1 + (i % 10) / 10.0;
    p.resultStats = true;
    withStats.push_back(once(p));
    p.resultStats = false;
    imageOnly.push_back(once(p));
    imageOnlyCpu.push_back(lastCpuMs);
  }
  if (!error.empty()) {
    std::fprintf(stderr, "genlab-bench-style-slider: %s\n", error.c_str());
    return 1;
  }
  std::printf(
      "{\"bench\":\"style_slider\",\"width\":%d,\"height\":%d,\"styles\":%zu,\"moves\":%d,"
      "\"threads\":%d,\"p50_ms\":%.1f,\"p95_ms\":%.1f,\"max_ms\":%.1f,"
      "\"image_only_p50_ms\":%.1f,\"image_only_p95_ms\":%.1f,"
      "\"image_only_cpu_p50_ms\":%s,\"image_only_cpu_p95_ms\":%s,\"decoder\":\"%s\"}\n",
      width, height, styles.size(), moves, threads, pct(withStats, 0.5),
      pct(withStats, 0.95), pct(withStats, 1.0), pct(imageOnly, 0.5), pct(imageOnly, 0.95),
      threads == 1 ? std::to_string(pct(imageOnlyCpu, 0.5)).c_str() : "null",
      threads == 1 ? std::to_string(pct(imageOnlyCpu, 0.95)).c_str() : "null",
      session->describe().c_str());
  return 0;
}
