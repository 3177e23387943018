#pragma once
// Measurement noise, seeded. CT detectors count photons: the clean line
// integrals p become counts ~ Poisson(I0 exp(-s p)) and are measured back as
// -log(counts / I0) / s, so the solvers still see line integrals (in pixel
// units) with realistic, signal-dependent noise. Imaging (deblurring) counts
// photons in proportion to the signal instead. Gaussian noise is the simple
// alternative.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <string>

namespace genlab::core::physics {

struct NoiseModel {
  enum class Kind { None, Poisson, Gaussian };
  Kind kind = Kind::None;
  double photons = 1e5;         // Poisson: incident photons per detector bin (or per unit signal)
  double gaussianLevel = 0.01;  // Gaussian: std as a fraction of the largest clean measurement
  bool transmission = true;     // true: Beer-Lambert + log (CT); false: counts ~ signal
  // CT: attenuation of a value-1 pixel, in units of 1 / (field-of-view width);
  // s = attenuationPerFov / image size. 2 puts typical phantoms at 10-70 %
  // transmission, like a body in a clinical scanner.
  double attenuationPerFov = 2.0;

  static Kind kindFromName(const std::string& name);  // "none", "poisson", "gaussian"
  static std::string kindName(Kind k);
  void validate() const;  // throws std::invalid_argument
};

// Noisy measurement of the same shape, units and device as `clean`. `size` is
// the image side (for the CT attenuation scale). Zero counts are clamped to
// one photon before the log, so the measurement stays finite.
at::Tensor simulateMeasurement(const at::Tensor& clean, const NoiseModel& model, int size,
                               at::Generator& gen);

}  // namespace genlab::core::physics
