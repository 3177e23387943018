#pragma once
// Blur with a known point-spread function, as a LinearOperator: the same
// solvers (SIRT-style Landweber, TV, score prior, nullspace view) run on
// deblurring as on CT. Linear convolution with a zero boundary, computed by
// FFT on a grid padded to (H + kh - 1) x (W + kw - 1) so nothing wraps; the
// adjoint is the correlation with the same PSF (the flipped kernel).
#include <string>

#include "core/physics/float_image.h"
#include "core/physics/linear_operator.h"

namespace genlab::core::physics {

// Normalised (sum 1) PSFs. Gaussian: radius 0 = ceil(3 sigma).
FloatImage gaussianPsf(double sigma, int radius = 0);
// A uniform line of `length` pixels at `angleDeg`, anti-aliased by sub-sampling.
FloatImage motionPsf(double length, double angleDeg);

class BlurOperator : public LinearOperator {
 public:
  // Images are height x width; the PSF's centre is pixel (kh / 2, kw / 2).
  BlurOperator(int height, int width, FloatImage psf);
  std::string name() const override { return "blur"; }
  std::vector<std::int64_t> imageShape() const override { return {m_height, m_width}; }
  std::vector<std::int64_t> measurementShape() const override { return {m_height, m_width}; }
  const FloatImage& psf() const { return m_psf; }

  at::Tensor forwardRaw(const at::Tensor& x) const override;
  at::Tensor adjointRaw(const at::Tensor& y) const override;

 private:
  at::Tensor psfSpectrum(const at::Tensor& like) const;  // rfft2 of the padded PSF
  int m_height, m_width;
  FloatImage m_psf;
  int m_padH, m_padW;  // FFT grid
};

}  // namespace genlab::core::physics
