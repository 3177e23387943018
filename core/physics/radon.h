#pragma once
// 2-D parallel-beam Radon transform and its exact adjoint (backprojection).
//
// Pixel-driven with linear interpolation on the detector: pixel (r, q) at
// (x, y) = (q - c, r - c), c = (size - 1) / 2, projects at angle theta to
// t = x cos(theta) + y sin(theta) and splits its value between the two
// nearest detector bins (bin k sits at t = k - (bins - 1) / 2, width 1 pixel).
// The adjoint reads the same two bins with the same weights, i.e. it is the
// classic interpolating backprojection of FBP, and forward and adjoint are
// transposes of one sparse matrix to rounding. The weights are recomputed on
// the fly from one shared expression instead of being stored: at 256 px and
// 180 views the matrix would hold 24 M entries (~280 MB).
#include <string>
#include <vector>

#include "core/physics/linear_operator.h"

namespace genlab::core::physics {

struct ParallelBeamGeometry {
  int size = 128;                 // the image is size x size pixels
  int detectors = 0;              // bins of 1 pixel; 0 = ceil(size * sqrt(2)), the whole square
  std::vector<double> anglesDeg;  // projection angles in degrees

  int detectorCount() const;
  int views() const { return static_cast<int>(anglesDeg.size()); }
  // Angular step of one view in radians (for FBP's quadrature): the spacing of
  // evenly spaced angles, pi for a single view.
  double angleStepRad() const;
  void validate() const;  // throws std::invalid_argument

  // Presets. Views are evenly spaced, the last one a step short of the arc's end.
  static ParallelBeamGeometry full(int size, int views = 180);  // over 180 degrees
  static ParallelBeamGeometry sparseView(int size, int views);  // over 180 degrees
  static ParallelBeamGeometry limitedAngle(int size, int views, double arcDeg,
                                           double startDeg = 0);
};

class RadonTransform : public LinearOperator {
 public:
  explicit RadonTransform(ParallelBeamGeometry geometry);
  std::string name() const override { return "radon"; }
  std::vector<std::int64_t> imageShape() const override;
  std::vector<std::int64_t> measurementShape() const override;  // {views, bins}
  const ParallelBeamGeometry& geometry() const { return m_geometry; }

  at::Tensor forwardRaw(const at::Tensor& x) const override;
  at::Tensor adjointRaw(const at::Tensor& y) const override;

  // Off the CPU the operator runs as gathers and index_adds of the same
  // weights; tests force that path on the CPU to compare the two.
  void setForceGenericPath(bool on) { m_forceGeneric = on; }

 private:
  at::Tensor forwardGeneric(const at::Tensor& x) const;
  at::Tensor adjointGeneric(const at::Tensor& y) const;
  // Per-(view, pixel) lower bin (in a sinogram padded by one bin each side)
  // and upper weight, as tensors on `device` (generic path).
  void binTables(c10::Device device, at::Tensor& lower, at::Tensor& upper) const;

  ParallelBeamGeometry m_geometry;
  std::vector<double> m_cos, m_sin;
  bool m_forceGeneric = false;
};

}  // namespace genlab::core::physics
