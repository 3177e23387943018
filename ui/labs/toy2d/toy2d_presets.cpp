// The 2-D lab's presets (declared in toy2d_controls.h).
#include <QObject>

#include "ui/labs/toy2d/toy2d_controls.h"

namespace genlab::ui {

using core::toy2d::Toy2dOptions;

namespace {
Toy2dOptions defaults(const char* model) { return Toy2dOptions::defaultsFor(model); }

// GAN Lab's defaults (Kahng et al. 2018), as the CLI's --preset gan-lab.
Toy2dOptions ganLab() { return Toy2dOptions::preset("gan-lab"); }

// The same kind of GAN with equal learning rates: it covers all eight modes.
Toy2dOptions balanced() {
  Toy2dOptions o = defaults("gan");
  o.ganLoss = "ns";
  return o;
}

// A GAN that collapses onto a few of the 8 Gaussians: a generator 20x
// faster than its discriminator chases the discriminator's current weak spot
// instead of covering every mode. As the CLI's --preset gan-mode-collapse (its collapse is checked in
// tests/core/test_toy2d_models.cpp).
Toy2dOptions collapsing() { return Toy2dOptions::preset("gan-mode-collapse"); }

}  // namespace

std::vector<Toy2dPreset> toy2dPresets() {
  auto tr = [](const char* s) { return QObject::tr(s); };
  Toy2dOptions planar = defaults("flow");
  planar.flowType = "planar";
  planar.flowLayers = 16;
  return {
      {"flow-vs-gan", tr("Flow vs GAN (default)"),
       tr("A RealNVP flow and a GAN on the two moons, side by side: exact likelihood versus a "
          "two-player game"),
       "moons", {defaults("flow"), defaults("gan")}, 5000},
      {"ganlab", tr("GAN Lab default"),
       tr("GAN Lab's settings: 2-D noise, 1 hidden layer of 8 ReLU units in G and D, batch 150, "
          "SGD with lr 0.1 (D) and 0.03 (G), log loss, 2 D steps per G step"),
       QString(), {ganLab()}, 100000},
      {"collapse", tr("GAN mode collapse"),
       tr("Left: a GAN whose generator learns 20× faster than its discriminator collapses "
          "within a few hundred steps: all its samples land in one small blob (usually on one "
          "of the 8 Gaussians) and hop between modes. Right: the same GAN with equal learning "
          "rates covers all eight."),
       "8gaussians", {collapsing(), balanced()}, 4000},
      {"diffusion-vs-flow", tr("Diffusion vs flow"),
       tr("A score-based diffusion model and a RealNVP flow on the rings"),
       "rings", {defaults("diffusion"), defaults("flow")}, 5000},
      {"vae-vs-flow", tr("VAE vs flow"),
       tr("A 2-D VAE and a RealNVP flow on the two moons: a likelihood bound versus the exact one"),
       "moons", {defaults("vae"), defaults("flow")}, 5000},
      {"planar-vs-realnvp", tr("Planar vs RealNVP"),
       tr("16 planar layers against 8 affine couplings on the rings: how much a flow layer can bend"),
       "rings", {planar, defaults("flow")}, 5000},
  };
}

}  // namespace genlab::ui
