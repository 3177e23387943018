#pragma once
// Options of the Latent Explorer (VAE) lab. Plain, JSON-serialisable.
#include <cstdint>
#include <string>

namespace genlab::core::latent {

struct VaeOptions {
  std::string data = "digits";       // "mnist", "digits" (embedded) or a folder
  std::string architecture = "mlp";  // "mlp" (784-400-z) or "conv"
  int latentDim = 2;
  int hidden = 400;
  double beta = 1.0;        // weight of the KL term (beta-VAE)
  int klWarmupEpochs = 0;   // beta ramps linearly from 0 over this many epochs
  double lr = 1e-3;         // Adam
  int batch = 128;
  int epochs = 10;
  std::uint64_t seed = 1;
  // Torch intra-op threads; 0: kDefaultThreads. One torch thread beside
  // OpenBLAS's own pool was the fastest split on 2 cores (README, Threads).
  int threads = 0;
  static constexpr int kDefaultThreads = 1;
  int effectiveThreads() const { return threads > 0 ? threads : kDefaultThreads; }
  double liveMapSeconds = 0;   // > 0: refresh the latent map this often mid-epoch
  int maxTrainImages = 0;      // > 0: train on the first N (after shuffling) only

  std::string toJson() const;                       // one JSON object
  static VaeOptions fromJson(const std::string&);   // throws std::invalid_argument
  void validate() const;                            // throws std::invalid_argument
};

}  // namespace genlab::core::latent
