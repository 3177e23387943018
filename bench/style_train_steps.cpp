// Style lab decoder training: milliseconds per training step of the AdaIN
// decoder as the worker runs it (trainSlice: one sample at a time, in
// pieces, so the GUI stays responsive) and as one whole batch (trainStep),
// same session settings as `make data` (pretrained encoder when converted,
// 128-px crops, batch 4). Alternates the two modes REPEATS times on fresh
// sessions and prints one JSON line with every timing.
//
//   genlab-bench-style-train [STEPS] [REPEATS] [THREADS]
#include <ATen/Parallel.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/labs/style/style_image.h"
#include "core/labs/style/style_session.h"

using namespace genlab::core;
using namespace genlab::core::style;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 20;
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 2;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 2;
  if (steps < 1 || repeats < 1 || threads < 1) {
    std::fprintf(stderr, "usage: genlab-bench-style-train [STEPS] [REPEATS] [THREADS]\n");
    return 2;
  }
  at::set_num_threads(threads);
  const auto photos = findTrainingPhotos();
  if (photos.contents.empty() || photos.styles.empty()) {
    std::fprintf(stderr, "no training photos in %s: run `make data` first\n", styleDataDirectory().c_str());
    return 2;
  }
  std::vector<Image> contents, styles;
  for (const auto& f : photos.contents) contents.push_back(readImageFile(f));
  for (const auto& f : photos.styles) styles.push_back(readImageFile(f));
  TrainConfig c;  // make data's: 128 px, batch 4, seed 1
  c.size = 128;
  std::string out = "{\"bench\":\"style-train\",\"encoder\":\"" + defaultEncoderKind() +
                    "\",\"threads\":" + std::to_string(threads) + ",\"steps\":" + std::to_string(steps);
  std::vector<double> sliced, whole;
  for (int r = 0; r < repeats; ++r)
    for (int mode = 0; mode < 2; ++mode) {
      StyleSession s(1, defaultEncoderKind());
      s.setTraining(contents, styles, c);
      for (int w = 0; w < 2; ++w) s.trainStep();  // warm-up
      const auto t0 = Clock::now();
      for (int i = 0; i < steps; ++i) {
        if (mode == 0) {
          TrainMetrics m;
          while (!s.trainSlice(1e9, &m)) {
          }
        } else {
          s.trainStep();
        }
      }
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / steps;
      (mode == 0 ? sliced : whole).push_back(ms);
    }
  const auto list = [](const std::vector<double>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
  };
  out += ",\"sliced_ms_per_step\":" + list(sliced) + ",\"whole_ms_per_step\":" + list(whole) + "}";
  std::printf("%s\n", out.c_str());
  return 0;
}
