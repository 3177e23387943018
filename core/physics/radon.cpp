#include "core/physics/radon.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/physics/radon_kernels.h"

namespace genlab::core::physics {

namespace {
constexpr double kPi = 3.14159265358979323846;

void checkTrailing(const at::Tensor& t, int64_t d0, int64_t d1, const char* what) {
  if (t.dim() < 2 || t.size(-2) != d0 || t.size(-1) != d1)
    throw std::invalid_argument(std::string("radon: ") + what + " must end in " +
                                std::to_string(d0) + " x " + std::to_string(d1));
  if (!at::isFloatingType(t.scalar_type()) || t.scalar_type() == at::kHalf ||
      t.scalar_type() == at::kBFloat16)
    throw std::invalid_argument(std::string("radon: ") + what + " must be float32 or float64");
}
}  // namespace

int ParallelBeamGeometry::detectorCount() const {
  return detectors > 0 ? detectors : static_cast<int>(std::ceil(size * std::sqrt(2.0)));
}

double ParallelBeamGeometry::angleStepRad() const {
  if (anglesDeg.size() < 2) return kPi;
  const auto [lo, hi] = std::minmax_element(anglesDeg.begin(), anglesDeg.end());
  return (*hi - *lo) / (anglesDeg.size() - 1) * kPi / 180.0;
}

void ParallelBeamGeometry::validate() const {
  if (size < 4 || size > 4096) throw std::invalid_argument("image size must be 4..4096 pixels");
  if (detectors < 0 || detectors > 8192)
    throw std::invalid_argument("detector bins must be 0 (automatic) .. 8192");
  if (anglesDeg.empty() || anglesDeg.size() > 8192)
    throw std::invalid_argument("a scan needs 1..8192 projection angles");
  for (double a : anglesDeg)
    if (!std::isfinite(a)) throw std::invalid_argument("projection angles must be finite");
}

ParallelBeamGeometry ParallelBeamGeometry::full(int size, int views) {
  return limitedAngle(size, views, 180.0);
}

ParallelBeamGeometry ParallelBeamGeometry::sparseView(int size, int views) {
  return limitedAngle(size, views, 180.0);
}

ParallelBeamGeometry ParallelBeamGeometry::limitedAngle(int size, int views, double arcDeg,
                                                        double startDeg) {
  if (views < 1) throw std::invalid_argument("a scan needs at least one view");
  if (!(arcDeg > 0 && arcDeg <= 360)) throw std::invalid_argument("the arc must be in (0, 360] degrees");
  ParallelBeamGeometry g;
  g.size = size;
  for (int i = 0; i < views; ++i) g.anglesDeg.push_back(startDeg + arcDeg * i / views);
  g.validate();
  return g;
}

RadonTransform::RadonTransform(ParallelBeamGeometry geometry) : m_geometry(std::move(geometry)) {
  m_geometry.validate();
  for (double a : m_geometry.anglesDeg) {
    m_cos.push_back(std::cos(a * kPi / 180.0));
    m_sin.push_back(std::sin(a * kPi / 180.0));
  }
}

std::vector<std::int64_t> RadonTransform::imageShape() const {
  return {m_geometry.size, m_geometry.size};
}

std::vector<std::int64_t> RadonTransform::measurementShape() const {
  return {m_geometry.views(), m_geometry.detectorCount()};
}

at::Tensor RadonTransform::forwardRaw(const at::Tensor& x) const {
  const int n = m_geometry.size, bins = m_geometry.detectorCount();
  checkTrailing(x, n, n, "images");
  if (!x.device().is_cpu() || m_forceGeneric) return forwardGeneric(x);
  auto flat = x.reshape({-1, n, n}).contiguous();
  auto out = at::empty({flat.size(0), m_geometry.views(), bins}, flat.options());
  const auto views = detail::radonViews(m_cos, m_sin, n, bins);
  AT_DISPATCH_FLOATING_TYPES(flat.scalar_type(), "radon_forward", [&] {
    detail::radonForwardCpu<scalar_t>(flat.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
                                      flat.size(0), n, bins, views);
  });
  return out.reshape(withBatch(x, 2, measurementShape()));
}

at::Tensor RadonTransform::adjointRaw(const at::Tensor& y) const {
  const int n = m_geometry.size, bins = m_geometry.detectorCount();
  checkTrailing(y, m_geometry.views(), bins, "sinograms");
  if (!y.device().is_cpu() || m_forceGeneric) return adjointGeneric(y);
  auto flat = y.reshape({-1, m_geometry.views(), bins}).contiguous();
  auto out = at::empty({flat.size(0), n, n}, flat.options());
  const auto views = detail::radonViews(m_cos, m_sin, n, bins);
  AT_DISPATCH_FLOATING_TYPES(flat.scalar_type(), "radon_adjoint", [&] {
    detail::radonAdjointCpu<scalar_t>(flat.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
                                      flat.size(0), n, bins, views);
  });
  return out.reshape(withBatch(y, 2, imageShape()));
}

void RadonTransform::binTables(c10::Device device, at::Tensor& lower, at::Tensor& upper) const {
  const int n = m_geometry.size, bins = m_geometry.detectorCount();
  const auto views = detail::radonViews(m_cos, m_sin, n, bins);
  const auto nv = static_cast<int64_t>(views.size());
  auto d = at::TensorOptions().dtype(at::kDouble);
  std::vector<double> c(nv), s(nv), b0(nv);
  for (int64_t a = 0; a < nv; ++a) {
    c[a] = views[a].cos;
    s[a] = views[a].sin;
    b0[a] = views[a].base0;
  }
  auto ct = at::tensor(c, d).view({nv, 1, 1}), st = at::tensor(s, d).view({nv, 1, 1});
  auto bt = at::tensor(b0, d).view({nv, 1, 1});
  auto idx = at::arange(n, d);
  auto kp = (bt + idx.view({1, n, 1}) * st) + idx.view({1, 1, n}) * ct;  // (views, r, q)
  auto valid = (kp >= 0).logical_and(kp < bins + 1);
  auto floorKp = at::floor(kp).clamp(0, bins);
  auto w = (kp - floorKp) * valid;
  auto rowOffset = (at::arange(nv, at::TensorOptions().dtype(at::kLong)) * (bins + 2)).view({nv, 1, 1});
  lower = (floorKp.to(at::kLong) + rowOffset).reshape({-1}).to(device);
  // Weights of the lower and upper bin, zero where the pixel misses the detector.
  upper = at::stack({(1 - w) * valid, w}).reshape({2, -1}).to(device);
}

at::Tensor RadonTransform::forwardGeneric(const at::Tensor& x) const {
  const int n = m_geometry.size, bins = m_geometry.detectorCount();
  const int64_t nv = m_geometry.views();
  at::Tensor lower, weights;
  binTables(x.device(), lower, weights);
  auto flat = x.reshape({-1, int64_t(n) * n});
  weights = weights.to(x.scalar_type());
  auto out = at::zeros({flat.size(0), nv * (bins + 2)}, x.options());
  auto src = flat.repeat({1, nv});  // (B, views * n * n), view-major like the tables
  out.index_add_(1, lower, src * weights[0]);
  out.index_add_(1, lower + 1, src * weights[1]);
  auto sino = out.view({-1, nv, bins + 2}).narrow(2, 1, bins);
  return sino.reshape(withBatch(x, 2, measurementShape()));
}

at::Tensor RadonTransform::adjointGeneric(const at::Tensor& y) const {
  const int n = m_geometry.size, bins = m_geometry.detectorCount();
  const int64_t nv = m_geometry.views();
  at::Tensor lower, weights;
  binTables(y.device(), lower, weights);
  weights = weights.to(y.scalar_type());
  auto padded = at::constant_pad_nd(y.reshape({-1, nv, bins}), {1, 1}, 0).reshape({-1, nv * (bins + 2)});
  auto lo = padded.index_select(1, lower) * weights[0];
  auto hi = padded.index_select(1, lower + 1) * weights[1];
  auto img = (lo + hi).view({-1, nv, int64_t(n) * n}).sum(1);
  return img.reshape(withBatch(y, 2, imageShape()));
}

}  // namespace genlab::core::physics
