#include "core/physics/blur.h"

#include <ATen/ATen.h>

#include <cmath>
#include <stdexcept>

namespace genlab::core::physics {

namespace {
constexpr double kPi = 3.14159265358979323846;

void normalise(FloatImage& k) {
  double sum = 0;
  for (float v : k.values) sum += v;
  if (!(sum > 0)) throw std::invalid_argument("a point-spread function must have a positive sum");
  for (float& v : k.values) v = static_cast<float>(v / sum);
}

void checkImages(const at::Tensor& t, int h, int w) {
  if (t.dim() < 2 || t.size(-2) != h || t.size(-1) != w)
    throw std::invalid_argument("blur: images must end in " + std::to_string(h) + " x " +
                                std::to_string(w));
}
}  // namespace

FloatImage gaussianPsf(double sigma, int radius) {
  if (!(sigma > 0 && sigma <= 100)) throw std::invalid_argument("PSF sigma must be in (0, 100]");
  if (radius <= 0) radius = static_cast<int>(std::ceil(3 * sigma));
  FloatImage k(2 * radius + 1, 2 * radius + 1);
  for (int y = -radius; y <= radius; ++y)
    for (int x = -radius; x <= radius; ++x)
      k.at(x + radius, y + radius) = static_cast<float>(std::exp(-(x * x + y * y) / (2 * sigma * sigma)));
  normalise(k);
  return k;
}

FloatImage motionPsf(double length, double angleDeg) {
  if (!(length >= 1 && length <= 200)) throw std::invalid_argument("motion length must be 1..200 px");
  const int radius = static_cast<int>(std::ceil(length / 2)) + 1;
  FloatImage k(2 * radius + 1, 2 * radius + 1);
  const double c = std::cos(angleDeg * kPi / 180), s = std::sin(angleDeg * kPi / 180);
  // Walk the segment in fine steps and splat bilinearly: a smooth, centred line.
  const int steps = static_cast<int>(length * 16) + 1;
  for (int i = 0; i < steps; ++i) {
    const double t = (steps == 1 ? 0.0 : -length / 2 + length * i / (steps - 1));
    const double x = radius + t * c, y = radius - t * s;
    const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
    const double fx = x - x0, fy = y - y0;
    k.at(x0, y0) += static_cast<float>((1 - fx) * (1 - fy));
    k.at(x0 + 1, y0) += static_cast<float>(fx * (1 - fy));
    k.at(x0, y0 + 1) += static_cast<float>((1 - fx) * fy);
    k.at(x0 + 1, y0 + 1) += static_cast<float>(fx * fy);
  }
  normalise(k);
  return k;
}

BlurOperator::BlurOperator(int height, int width, FloatImage psf)
    : m_height(height), m_width(width), m_psf(std::move(psf)) {
  if (height < 1 || width < 1 || height > 16384 || width > 16384)
    throw std::invalid_argument("blur: image sides must be 1..16384");
  if (m_psf.empty() || m_psf.depth != 1 || m_psf.width > width || m_psf.height > height)
    throw std::invalid_argument("blur: the PSF must be a 2-D image no larger than the image");
  m_padH = height + m_psf.height - 1;
  m_padW = width + m_psf.width - 1;
}

at::Tensor BlurOperator::psfSpectrum(const at::Tensor& like) const {
  auto k = at::from_blob(const_cast<float*>(m_psf.values.data()), {m_psf.height, m_psf.width},
                         at::kFloat)
               .to(like.device(), like.scalar_type());
  return at::fft_rfft2(k, at::IntArrayRef{m_padH, m_padW});
}

at::Tensor BlurOperator::forwardRaw(const at::Tensor& x) const {
  checkImages(x, m_height, m_width);
  const auto spectrum = at::fft_rfft2(x, at::IntArrayRef{m_padH, m_padW}) * psfSpectrum(x);
  const auto full = at::fft_irfft2(spectrum, at::IntArrayRef{m_padH, m_padW});
  return full.narrow(-2, m_psf.height / 2, m_height).narrow(-1, m_psf.width / 2, m_width).contiguous();
}

at::Tensor BlurOperator::adjointRaw(const at::Tensor& y) const {
  checkImages(y, m_height, m_width);
  const int top = m_psf.height / 2, left = m_psf.width / 2;
  // Adjoint of the crop: embed y where the crop took it from; then correlate.
  const auto z = at::constant_pad_nd(
      y, {left, m_padW - m_width - left, top, m_padH - m_height - top}, 0);
  const auto spectrum = at::fft_rfft2(z) * at::conj(psfSpectrum(y));
  const auto full = at::fft_irfft2(spectrum, at::IntArrayRef{m_padH, m_padW});
  return full.narrow(-2, 0, m_height).narrow(-1, 0, m_width).contiguous();
}

}  // namespace genlab::core::physics
