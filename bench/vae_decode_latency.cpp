// Decode latency while training: posts a decode request every 20 ms to the
// engine while a VAE trains on it, and reports how long each answer took
// (post -> reply on the listener), as the GUI would experience it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "core/engine/device.h"
#include "core/engine/engine.h"
#include "core/labs/latent/latent_requests.h"
#include "core/labs/latent/vae_job.h"

using namespace genlab::core;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  genlab::core::configureProcess();
  const std::string data = argc > 1 ? argv[1] : "mnist";
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 15;
  setTorchThreads(1);
  std::mutex m;
  std::map<int, Clock::time_point> sent;
  std::vector<double> latencies;
  std::atomic<bool> trainingDone{false};
  Engine engine([&](const Snapshot& s) {
    if (s.job != 0 && s.terminal()) trainingDone = true;
    if (s.channel.rfind("bench.decode.", 0) != 0) return;
    const int id = std::atoi(s.channel.c_str() + 13);
    std::lock_guard<std::mutex> g(m);
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent[id]).count());
  });
  latent::VaeOptions o;
  o.data = data;
  o.latentDim = 2;
  o.epochs = 100;
  o.liveMapSeconds = 1.0;  // as in the GUI
  std::shared_ptr<latent::VaeSession> session;
  engine.runSync([&] { session = latent::VaeSession::create(o); });
  const auto job = engine.submit(std::make_unique<latent::VaeTrainJob>(session));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  engine.resetSliceStats();  // the longest step and request while training, not the set-up
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  for (int i = 0; Clock::now() < end && !trainingDone; ++i) {
    {
      std::lock_guard<std::mutex> g(m);
      sent[i] = Clock::now();
    }
    const float x = -2.f + 4.f * (i % 50) / 50.f;
    engine.post("bench.decode." + std::to_string(i), [session, x, i](const auto& send) {
      send(Snapshot::reply("bench.decode." + std::to_string(i),
                           latent::decodePoint(*session, x, 0.5f)));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  engine.cancel(job);
  engine.waitIdle();
  std::lock_guard<std::mutex> g(m);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) { return latencies[std::min(latencies.size() - 1, size_t(q * latencies.size()))]; };
  if (latencies.empty()) return 1;
  std::printf("{\"event\":\"result\",\"requests\":%zu,\"decode_p50_ms\":%.2f,\"decode_p95_ms\":%.2f,"
              "\"decode_max_ms\":%.2f,\"longest_step_ms\":%.1f,\"longest_request_ms\":%.1f}\n",
              latencies.size(), pct(0.5), pct(0.95), latencies.back(), engine.longestStepMs(),
              engine.longestRequestMs());
  return 0;
}
