#pragma once
// The Cells lab's networks behind a torch-free facade (only cells_model.cpp
// includes torch). One encoder/decoder family serves both models:
//   VAE  (conditions == 0): q(z|x), p(x|z);
//   cVAE (conditions  > 0): q(z|x,c), p(x|z,c), c one-hot.
// Likelihood: Gaussian with unit variance on log-normalised expression (the
// reconstruction term is half the squared error summed over genes), as scGen
// does; see docs/cells.md for why.
#include <cstdint>
#include <memory>
#include <vector>

namespace genlab::core::cells {

struct ModelShape {
  int genes = 0;
  int conditions = 0;  // 0: plain VAE
  int latent = 10;
  int hidden = 256;
};

struct StepLoss {
  double loss = 0, recon = 0, kl = 0;  // per cell
};

class CellsModel {
 public:
  CellsModel(const ModelShape& shape, double lr, std::uint64_t seed);
  ~CellsModel();
  CellsModel(const CellsModel&) = delete;
  CellsModel& operator=(const CellsModel&) = delete;

  const ModelShape& shape() const { return m_shape; }
  // One Adam step on `n` rows of x (n x genes, row-major); cond may be null for the VAE.
  StepLoss trainStep(const float* x, const int* cond, int n, double beta);
  // Posterior means, n x latent.
  void encode(const float* x, const int* cond, int n, float* out) const;
  // Decoder means, n x genes.
  void decode(const float* z, const int* cond, int n, float* out) const;
  void setLearningRate(double lr);

 private:
  struct Impl;
  ModelShape m_shape;
  std::unique_ptr<Impl> m_impl;
};

// Principal axes of the rows of x (n x d, row-major): the mean (d) and the
// top k axes (k x d, row-major), by an eigendecomposition of the covariance.
void principalAxes(const float* x, std::int64_t n, int d, int k, std::vector<float>& mean,
                   std::vector<float>& axes);

}  // namespace genlab::core::cells
