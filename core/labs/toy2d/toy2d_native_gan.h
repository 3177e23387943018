#pragma once
// The GAN on hand-written CPU MLPs (see toy2d_native_mlp.h for why), and the
// pieces both GAN back-ends share. Core-internal, torch-free.
#include <memory>

#include "core/labs/toy2d/toy2d_model.h"
#include "core/labs/toy2d/toy2d_native_mlp.h"

namespace genlab::core::toy2d {

// Per-logit loss terms of the non-saturating ("ns") and least-squares ("ls")
// GANs: value and derivative with respect to the logit.
//   ns: D minimises softplus(-l_real) + softplus(l_fake); G minimises softplus(-l_fake)
//   ls: D minimises (l_real - 1)^2 / 2 + l_fake^2 / 2;    G minimises (l_fake - 1)^2 / 2
struct GanLossTerms {
  static float dReal(bool ls, float l, float* grad);
  static float dFake(bool ls, float l, float* grad);
  static float gFake(bool ls, float l, float* grad);
};

class NativeGan : public Model, public GanViews {
 public:
  NativeGan(const Toy2dOptions& o, std::shared_ptr<DataSampler> sampler);

  // Model
  std::string label() const override;
  std::vector<std::string> lossNames() const override { return {"D", "G"}; }
  void trainStep(float* losses) override;
  void setLearningRateScale(double scale) override;
  std::vector<float> sample(int n, std::uint64_t seed) override;
  void overview(ModelOverview& ov, const Points2D& data, const GridSpec& grid, int points) override;
  // generate(z) with the averaged generator (defined in toy2d_script.cpp, which has torch).
  void exportTorchScript(const std::string& pathPt, ScriptFrame frame) override;
  std::vector<float> scriptForward(const std::vector<float>& z, int n) override { return generate(z); }

  // GanViews
  int noiseDim() const override { return m_noiseDim; }
  std::string discriminatorQuantity() const override;
  std::vector<float> discriminator(const std::vector<float>& xy) override;
  std::vector<float> generate(const std::vector<float>& latent) override;
  void generatorGradients(int n, std::uint64_t seed, std::vector<float>& xy,
                          std::vector<float>& uv) override;

  // For tests: one loss and its gradients (into the nets' grads(), zeroed
  // first) on given real points and noise, without an optimiser step.
  float discriminatorLossAndGrad(const float* real, const float* noise, int n);
  float generatorLossAndGrad(const float* noise, int n);
  NativeMlp& generatorNet() { return m_g; }
  NativeMlp& discriminatorNet() { return m_d; }
  const NativeMlp& averagedGeneratorNet() const { return m_gAverage; }

 private:
  void fillNoise(float* z, int n, Rng& rng) const;
  Toy2dOptions m_o;
  std::shared_ptr<DataSampler> m_sampler;
  int m_noiseDim;
  bool m_ls;
  NativeMlp m_g, m_d;
  // The generator's weights averaged over training (an exponential moving
  // average, as in most modern GANs): samples and views use it, because the
  // raw generator keeps oscillating around the equilibrium.
  NativeMlp m_gAverage;
  long m_gSteps = 0;
  NativeOptimizer m_optG, m_optD;
  Rng m_rng;
  std::vector<float> m_real, m_noise, m_both, m_dl, m_dx;
};

// Shared by both GAN back-ends.
constexpr double kGanAverageDecay = 0.999;
std::vector<float> latentGrid(int noiseDim, int nu, float range);  // nu^noiseDim points
void fillGanOverview(Model& m, GanViews& g, ModelOverview& ov, const Points2D& data,
                     const GridSpec& grid, int points);

}  // namespace genlab::core::toy2d
