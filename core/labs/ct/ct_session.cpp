#include "core/labs/ct/ct_session.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/engine/device.h"
#include "core/labs/ct/ct_metrics.h"
#include "core/labs/ct/ct_session_impl.h"
#include "core/labs/ct/solvers.h"
#include "core/labs/ct/training_images.h"
#include "core/physics/blur.h"
#include "core/physics/noise.h"
#include "core/physics/phantom.h"
#include "core/physics/radon.h"

namespace genlab::core::ct {

at::Tensor toTensor(const FloatImage& image, c10::Device device) {
  if (image.empty() || image.width < 1 || image.height < 1 ||
      image.values.size() != image.sliceSize() * static_cast<std::size_t>(image.depth))
    throw std::invalid_argument("the image is empty or its size does not match its values");
  std::vector<int64_t> shape{image.height, image.width};
  if (image.depth > 1) shape.insert(shape.begin(), image.depth);
  return at::from_blob(const_cast<float*>(image.values.data()), shape, at::kFloat)
      .clone()
      .to(device);
}

FloatImage toImage(const at::Tensor& t) {
  if (t.dim() != 2 && t.dim() != 3) throw std::invalid_argument("toImage needs 2-D or 3-D data");
  const auto c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  FloatImage img(static_cast<int>(c.size(-1)), static_cast<int>(c.size(-2)),
                 t.dim() == 3 ? static_cast<int>(c.size(0)) : 1);
  std::copy(c.data_ptr<float>(), c.data_ptr<float>() + c.numel(), img.values.begin());
  return img;
}

void CtSession::Impl::rebuildOperator(int height, int width) {
  if (scan.modality == "ct") {
    auto g = physics::ParallelBeamGeometry::limitedAngle(scan.size, scan.views, scan.arcDeg,
                                                         scan.startDeg);
    g.detectors = scan.detectors;
    op = std::make_unique<physics::RadonTransform>(g);
  } else {
    auto psf = scan.psf == "motion" ? physics::motionPsf(scan.psfLength, scan.psfAngleDeg)
                                    : physics::gaussianPsf(scan.psfSigma);
    op = std::make_unique<physics::BlurOperator>(height, width, std::move(psf));
  }
}

const physics::LinearOperator& CtSession::Impl::oper() const {
  if (!op) throw std::invalid_argument("set an object or a measurement first");
  return *op;
}

void CtSession::Impl::requireMeasurement() const {
  if (!measured.defined()) throw std::invalid_argument("simulate a scan (or set a measurement) first");
}

CurvePoint CtSession::Impl::curvePoint(const Reconstructor& r) {
  at::NoGradGuard ng;
  const auto x = r.current();
  CurvePoint p;
  p.iteration = r.done();
  p.residual = relativeResidual(r.op->forwardRaw(x), r.y);
  p.psnr = r.truth.defined() && r.truth.sizes().equals(x.sizes())
               ? psnr(x, r.truth)
               : std::numeric_limits<double>::quiet_NaN();
  return p;
}

ReconResult CtSession::Impl::finish(const ReconOptions& options, const Reconstructor& r,
                                    std::vector<CurvePoint> curve, double seconds,
                                    const std::function<bool()>& stop) {
  at::NoGradGuard ng;
  ReconResult out;
  out.method = options.method;
  out.options = options;
  const auto x = r.current();
  out.image = toImage(x);
  out.metrics.seconds = seconds;
  out.metrics.residual = relativeResidual(r.op->forwardRaw(x), r.y);
  const bool known = r.truth.defined() && r.truth.sizes().equals(x.sizes());
  out.metrics.psnr = known ? psnr(x, r.truth) : std::numeric_limits<double>::quiet_NaN();
  out.metrics.ssim = known ? ssim(x, r.truth) : std::numeric_limits<double>::quiet_NaN();
  if (known) out.error = toImage(x - r.truth);
  if (auto s = r.samples(); s.defined()) out.samples = toImage(s);
  if (auto s = r.stddev(); s.defined()) out.stddev = toImage(s);
  if (options.nullspace) {
    const auto split = nullspaceSplit(*r.op, x, 200, 1e-4, stop);
    out.rowSpace = toImage(split.rowSpace);
    out.nullSpace = toImage(split.nullSpace);
    out.nullspaceIterations = split.iterations;
  }
  out.curve = std::move(curve);
  return out;
}

CtSession::CtSession() : m_impl(std::make_unique<Impl>()) { m_impl->device = defaultDevice(); }
CtSession::~CtSession() = default;

void CtSession::generatePhantom(const std::string& kind, std::uint64_t seed) {
  const int n = m_impl->scan.size;
  if (kind == "shepp-logan")
    setObject(physics::sheppLogan(n));
  else if (kind == "ellipses")
    setObject(physics::randomEllipsePhantom(n, seed, physics::PhantomStream::HeldOut));
  else if (kind == "mri")
    setObject(mriPhantom(n, seed));
  else
    throw std::invalid_argument("phantom must be 'shepp-logan', 'ellipses' or 'mri', not '" + kind + "'");
}

void CtSession::setObject(const FloatImage& image, int slice) {
  auto& s = *m_impl;
  if (slice < 0 || slice >= std::max(1, image.depth))
    throw std::invalid_argument("slice " + std::to_string(slice) + " is outside the volume");
  if (s.scan.modality == "ct") checkPaddedSquare(image.width, image.height);
  at::NoGradGuard ng;
  auto t = toTensor(image.depth > 1 ? image.slice(slice) : image, s.device);
  if (s.scan.modality == "ct") {
    // Pad to a square (centred), then resample to the scan's size.
    const int64_t h = t.size(0), w = t.size(1), side = std::max(h, w);
    t = at::constant_pad_nd(t, {(side - w) / 2, side - w - (side - w) / 2, (side - h) / 2,
                                side - h - (side - h) / 2}, 0);
    if (side != s.scan.size)
      t = at::upsample_bilinear2d(t.view({1, 1, side, side}), {s.scan.size, s.scan.size}, false)
              .view({s.scan.size, s.scan.size});
  }
  s.object = t.contiguous();
  s.clean = at::Tensor();
  s.measured = at::Tensor();
  s.rebuildOperator(static_cast<int>(s.object.size(0)), static_cast<int>(s.object.size(1)));
}

bool CtSession::hasObject() const { return m_impl->object.defined(); }
FloatImage CtSession::object() const {
  return m_impl->object.defined() ? toImage(m_impl->object) : FloatImage();
}

void CtSession::setScan(const ScanOptions& scan) {
  scan.validate();
  auto& s = *m_impl;
  const bool resize = s.object.defined() && scan.modality == "ct" &&
                      (scan.size != s.scan.size || s.scan.modality != "ct");
  s.scan = scan;
  s.clean = at::Tensor();
  s.measured = at::Tensor();
  s.op.reset();
  if (resize)
    setObject(toImage(s.object));
  else if (s.object.defined())
    s.rebuildOperator(static_cast<int>(s.object.size(0)), static_cast<int>(s.object.size(1)));
}

const ScanOptions& CtSession::scan() const { return m_impl->scan; }

void CtSession::simulate() {
  auto& s = *m_impl;
  if (!s.object.defined()) throw std::invalid_argument("set or generate an object first");
  at::NoGradGuard ng;
  s.clean = s.oper().forwardRaw(s.object);
  physics::NoiseModel noise;
  noise.kind = s.scan.noiseless() ? physics::NoiseModel::Kind::None
                                  : physics::NoiseModel::kindFromName(s.scan.noise);
  noise.photons = s.scan.photons;
  noise.gaussianLevel = s.scan.gaussianLevel;
  noise.transmission = s.scan.modality == "ct";
  auto gen = at::make_generator<at::CPUGeneratorImpl>(s.scan.seed * 6364136223846793005ULL + 1);
  s.measured = physics::simulateMeasurement(s.clean, noise, s.scan.size, gen);
}

void CtSession::setMeasurement(const FloatImage& data) {
  auto& s = *m_impl;
  auto t = toTensor(data, s.device);
  if (!s.op) {
    if (s.scan.modality != "ct")
      throw std::invalid_argument("set the object (for its size) before a blurred measurement");
    s.rebuildOperator(s.scan.size, s.scan.size);
  }
  const auto shape = s.op->measurementShape();
  if (t.dim() != 2 || t.size(0) != shape[0] || t.size(1) != shape[1])
    throw std::invalid_argument("the measurement must be " + std::to_string(shape[0]) + " x " +
                                std::to_string(shape[1]) + " for this scan");
  s.object = at::Tensor();
  s.clean = at::Tensor();
  s.measured = t;
}

bool CtSession::hasMeasurement() const { return m_impl->measured.defined(); }
FloatImage CtSession::measurement() const {
  return m_impl->measured.defined() ? toImage(m_impl->measured) : FloatImage();
}
FloatImage CtSession::cleanMeasurement() const {
  return m_impl->clean.defined() ? toImage(m_impl->clean) : FloatImage();
}

void CtSession::loadPrior(const std::string& path) {
  m_impl->prior = ScorePrior::load(path, m_impl->device);
  m_impl->priorPath = path;
}

bool CtSession::hasPrior() const { return m_impl->prior != nullptr; }

std::string CtSession::priorDescription() const {
  const auto& p = m_impl->prior;
  if (!p) return "no prior loaded";
  return "score prior " + std::to_string(p->size()) + " px, " + std::to_string(p->trainedSteps()) +
         " steps (" + std::to_string(static_cast<long>(p->trainedSeconds())) + " s) on " +
         p->options().data + (m_impl->priorPath.empty() ? "" : ", " + m_impl->priorPath);
}

NullspaceViews CtSession::nullspace(const FloatImage& image, int maxIterations,
                                    const std::function<bool()>& stop) const {
  const auto& s = *m_impl;
  const auto split = nullspaceSplit(s.oper(), toTensor(image, s.device), maxIterations, 1e-4, stop);
  return {toImage(split.rowSpace), toImage(split.nullSpace), split.iterations,
          split.measuredResidual};
}

}  // namespace genlab::core::ct
