#pragma once
// What the style lab's generator and checkerboard tabs ask of the worker, as
// functions returning plain payloads (the GUI runs them through its
// LabClient(bridge, "style.gan"); the CLI and tests call them directly).
// Torch-free.
#include <memory>
#include <string>
#include <vector>

#include "core/labs/style/checkerboard_model.h"
#include "core/labs/style/style_gan.h"

namespace genlab::core::style {

namespace channel {
inline constexpr char kGanLab[] = "style.gan";                      // the LabClient's prefix
inline constexpr char kGanTrain[] = "style.gan.train";               // training job result
inline constexpr char kGanProgress[] = "style.gan.train.progress";
inline constexpr char kMixing[] = "style.gan.mixing";                // mixing table job result
inline constexpr char kMixingProgress[] = "style.gan.mixing.progress";
inline constexpr char kCheckerboard[] = "style.gan.checkerboard";    // A/B training job result
inline constexpr char kCheckerboardProgress[] = "style.gan.checkerboard.progress";
}  // namespace channel

namespace live {
inline constexpr char kBalanceWeight[] = "balance_weight";  // CheckerboardJob
}

struct GanOpened : Payload {
  std::shared_ptr<StyleGanSession> session;
  std::string description;
};
// A new untrained session (loads the data). Worker only.
std::shared_ptr<GanOpened> createGan(const StyleGanOptions& o);
// A model file saved by StyleGanSession::save (its data must be here).
std::shared_ptr<GanOpened> openGan(const std::string& path);

struct GanPictureRequest {
  SampleSettings settings;
  int crossover = kMiddleCrossover;
  std::vector<double> pca = std::vector<double>(kPcaComponents, 0.0);  // in sigmas
  std::uint64_t zSeed = 1;
  int rows = 4, cols = 4, samples = 16;
};
struct GanPictures : Payload {
  Image samples, grid, pca;
  std::vector<double> pcaSigmas;
  int crossover = 0;
  long step = 0;
};
std::shared_ptr<GanPictures> ganPictures(StyleGanSession& s, const GanPictureRequest& r);

struct CheckerboardOpened : Payload {
  std::vector<std::shared_ptr<CheckerboardSession>> sides;
  std::vector<CheckerboardView> views;  // at initialisation
  double dataEnergy = 0;
};
// Two fresh sessions (A, B) sharing one copy of the data. Worker only.
std::shared_ptr<CheckerboardOpened> createCheckerboardPair(const CheckerboardOptions& a,
                                                           const CheckerboardOptions& b);

}  // namespace genlab::core::style
