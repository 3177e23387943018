#include "core/physics/noise.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

namespace genlab::core::physics {

NoiseModel::Kind NoiseModel::kindFromName(const std::string& name) {
  if (name == "none") return Kind::None;
  if (name == "poisson") return Kind::Poisson;
  if (name == "gaussian") return Kind::Gaussian;
  throw std::invalid_argument("noise must be 'none', 'poisson' or 'gaussian', not '" + name + "'");
}

std::string NoiseModel::kindName(Kind k) {
  switch (k) {
    case Kind::None: return "none";
    case Kind::Poisson: return "poisson";
    case Kind::Gaussian: return "gaussian";
  }
  return "none";
}

void NoiseModel::validate() const {
  if (kind == Kind::Poisson && !(photons >= 1 && photons <= 1e12))
    throw std::invalid_argument("photon count must be between 1 and 1e12 (0 means noiseless)");
  if (kind == Kind::Gaussian && !(gaussianLevel >= 0 && gaussianLevel <= 10))
    throw std::invalid_argument("Gaussian noise level must be between 0 and 10");
  if (!(attenuationPerFov > 0 && attenuationPerFov <= 100))
    throw std::invalid_argument("attenuation must be in (0, 100] per field of view");
}

at::Tensor simulateMeasurement(const at::Tensor& clean, const NoiseModel& model, int size,
                               at::Generator& gen) {
  model.validate();
  at::NoGradGuard ng;
  // Sampling happens on the CPU with the caller's seeded generator, so the
  // same seed gives the same noise on every device.
  const auto cpu = clean.detach().to(at::kCPU, at::kDouble);
  at::Tensor out;
  switch (model.kind) {
    case NoiseModel::Kind::None:
      return clean.detach().clone();
    case NoiseModel::Kind::Gaussian: {
      const double scale = model.gaussianLevel * cpu.abs().max().item<double>();
      out = cpu + scale * at::randn(cpu.sizes(), gen, cpu.options());
      break;
    }
    case NoiseModel::Kind::Poisson: {
      if (model.transmission) {
        const double s = model.attenuationPerFov / size;
        const auto rate = model.photons * at::exp(-s * cpu);
        const auto counts = at::poisson(rate, gen).clamp_min(1.0);
        out = -at::log(counts / model.photons) / s;
      } else {
        out = at::poisson(model.photons * cpu.clamp_min(0.0), gen) / model.photons;
      }
      break;
    }
  }
  return out.to(clean.device(), clean.scalar_type());
}

}  // namespace genlab::core::physics
