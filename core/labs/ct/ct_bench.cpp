// genlab-cli ct radon-bench: times the Radon transform and its adjoint.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "core/cli/cli.h"
#include "core/engine/device.h"
#include "core/physics/phantom.h"
#include "core/physics/radon.h"
#include "core/physics/radon_kernels.h"

namespace genlab::core::ct {

namespace {
double medianMs(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double bestMs(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
double cpuMs() { return 1000.0 * double(std::clock()) / CLOCKS_PER_SEC; }
}  // namespace

int runRadonBench(const cli::Args& a, std::ostream& out, std::ostream& err) {
  a.rejectUnknown({"size", "angles", "repeats", "threads", "dump-input", "json"});
  const int size = a.integer("size", 256, 16, 4096);
  const int angles = a.integer("angles", 180, 1, 8192);
  const int repeats = a.integer("repeats", 10, 1, 10000);
  setTorchThreads(a.integer("threads", 0, 0, 1024));
  at::NoGradGuard ng;
  const auto device = defaultDevice();
  // The input: the Shepp-Logan phantom, optionally written out (raw float32,
  // row-major) so that the reference script times the same array.
  const auto phantom = physics::sheppLogan(size);
  if (a.has("dump-input")) {
    std::ofstream f(a.str("dump-input", ""), std::ios::binary);
    f.write(reinterpret_cast<const char*>(phantom.values.data()),
            static_cast<std::streamsize>(phantom.values.size() * sizeof(float)));
    if (!f) throw std::runtime_error("cannot write " + a.str("dump-input", ""));
  }
  auto x = at::from_blob(const_cast<float*>(phantom.values.data()), {size, size}, at::kFloat)
               .clone()
               .to(device);
  physics::RadonTransform radon(physics::ParallelBeamGeometry::full(size, angles));
  auto y = radon.forwardRaw(x);  // warm-up (allocations, thread pool)
  auto back = radon.adjointRaw(y);
  auto sync = [&] { (void)back.sum().item<float>(); };
  // Best of N wall times (the run least disturbed by other processes on a
  // shared machine), plus the median and the process CPU time per call.
  std::vector<double> fwd, adj;
  double fwdCpu = 0, adjCpu = 0;
  for (int i = 0; i < repeats; ++i) {
    const double c0 = cpuMs();
    auto t0 = std::chrono::steady_clock::now();
    y = radon.forwardRaw(x);
    (void)y.sum().item<float>();
    auto t1 = std::chrono::steady_clock::now();
    const double c1 = cpuMs();
    back = radon.adjointRaw(y);
    sync();
    auto t2 = std::chrono::steady_clock::now();
    const double c2 = cpuMs();
    fwd.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    adj.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    fwdCpu += c1 - c0;
    adjCpu += c2 - c1;
  }
  nlohmann::ordered_json res{{"event", "result"},
                             {"forward_ms", bestMs(fwd)},
                             {"adjoint_ms", bestMs(adj)},
                             {"forward_median_ms", medianMs(fwd)},
                             {"adjoint_median_ms", medianMs(adj)},
                             {"forward_cpu_ms", fwdCpu / repeats},
                             {"adjoint_cpu_ms", adjCpu / repeats},
                             {"size", size},
                             {"angles", angles},
                             {"detectors", radon.geometry().detectorCount()},
                             {"threads", at::get_num_threads()},
                             {"avx2", physics::detail::radonUsesAvx2()},
                             {"device", device.is_cuda() ? "cuda" : "cpu"},
                             {"repeats", repeats}};
  if (a.flag("json"))
    out << res.dump() << std::endl;
  else
    out << "radon " << size << " px, " << angles << " angles: forward " << bestMs(fwd)
        << " ms, adjoint " << bestMs(adj) << " ms (best of " << repeats << ")\n";
  return 0;
}

}  // namespace genlab::core::ct
