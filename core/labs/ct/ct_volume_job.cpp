// A volume reconstructed slice by slice as one engine job: every slice is
// scanned and reconstructed on a private session (the caller's 2-D state is
// left alone), in steps of about 15 ms, cancellable between iterations.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <tuple>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/labs/ct/ct_requests.h"
#include "core/labs/ct/ct_session.h"
#include "core/labs/ct/ct_session_impl.h"
#include "core/labs/ct/training_images.h"

namespace genlab::core::ct {

namespace {
using Clock = JobClock;
constexpr auto kSlice = kJobSlice;
constexpr auto kPublishEvery = std::chrono::milliseconds(100);

class VolumeReconstructionJob : public Job {
 public:
  VolumeReconstructionJob(std::shared_ptr<CtSession> session, data::Volume volume,
                          ReconOptions options, std::vector<int> slices, float lo, float hi)
      : m_session(std::move(session)), m_volume(std::move(volume)), m_options(std::move(options)),
        m_slices(std::move(slices)), m_lo(lo), m_hi(hi) {
    m_options.nullspace = false;  // per slice it would cost more than the method
  }
  std::string name() const override { return channel::kReconstructVolume; }
  int threads() const override { return m_options.method == "score" ? PriorOptions::kDefaultThreads : 0; }

  void begin(JobContext&) override {
    m_started = Clock::now();
    const auto& from = m_session->impl();
    m_scan = from.scan;
    m_work = std::make_unique<CtSession>();  // here: sessions belong to the worker thread
    m_work->impl().device = from.device;
    m_work->impl().prior = from.prior;  // shared, read-only while sampling
    m_work->impl().priorPath = from.priorPath;
  }

  bool step(JobContext& ctx) override {
    const auto slice = Clock::now();
    while (!ctx.cancelled() && Clock::now() - slice < kSlice) {
      if (!m_recon) startSlice();
      m_recon->advance();
      if (m_recon->done() >= m_recon->total()) {
        finishSlice();
        if (m_index == static_cast<int>(m_slices.size())) return true;
      }
    }
    if (ctx.publishDue(kPublishEvery)) publishProgress(ctx);
    return false;
  }

  void end(JobContext& ctx, bool cancelled) override {
    if (cancelled || m_index < static_cast<int>(m_slices.size())) return;
    auto r = std::make_shared<VolumeResult>();
    r->scan = m_scan;
    r->options = m_options;
    r->slices = m_slices;
    r->metrics = m_metrics;
    double psnr = 0, ssim = 0;
    for (const auto& m : m_metrics) {
      psnr += m.psnr;
      ssim += m.ssim;
    }
    r->meanPsnr = psnr / m_metrics.size();
    r->meanSsim = ssim / m_metrics.size();
    r->seconds = secondsSince(m_started);
    r->reconstruction = stack(m_images);
    r->truth = stack(m_objects);
    r->reconstruction.description = "reconstruction (" + m_options.method + ") of " +
                                    std::to_string(m_slices.size()) + " slices of " + m_volume.description;
    r->truth.description = "objects: " + std::to_string(m_slices.size()) + " slices of " + m_volume.description;
    ctx.publish(Snapshot::result(channel::kVolumeResult, std::move(r)));
  }

 private:
  int z() const { return m_slices[m_index]; }

  void startSlice() {
    ScanOptions scan = m_scan;
    scan.seed = m_scan.seed + static_cast<std::uint64_t>(z());
    m_work->setScan(scan);
    m_work->setObject(ctObjectFromSlice(m_volume, z(), m_scan.size, m_lo, m_hi));
    m_work->simulate();
    ReconOptions o = m_options;
    o.seed = m_options.seed + static_cast<std::uint64_t>(z());
    m_sliceStarted = Clock::now();
    m_recon = m_work->impl().makeReconstructor(o);
  }

  void finishSlice() {
    const ReconResult r = CtSession::Impl::finish(m_options, *m_recon, {}, secondsSince(m_sliceStarted));
    m_metrics.push_back(r.metrics);
    m_images.push_back(r.image);
    m_objects.push_back(m_work->object());
    m_recon.reset();
    ++m_index;
  }

  data::Volume stack(const std::vector<FloatImage>& images) const {
    // The square the slices were padded to, resampled to the scan's size.
    const int side = std::max(m_volume.nx, m_volume.ny);
    const double s = double(side) / m_scan.size;
    double gap = 1;
    if (m_slices.size() > 1) gap = double(m_slices.back() - m_slices.front()) / (m_slices.size() - 1);
    data::Volume v = data::volumeFromImages(
        images, {m_volume.spacing[0] * s, m_volume.spacing[1] * s, m_volume.spacing[2] * gap});
    v.origin = {m_volume.origin[0] - (side - m_volume.nx) / 2 * m_volume.spacing[0],
                m_volume.origin[1] - (side - m_volume.ny) / 2 * m_volume.spacing[1],
                m_volume.origin[2] + m_slices.front() * m_volume.spacing[2]};
    v.format = "reconstruction";
    return v;
  }

  void publishProgress(JobContext& ctx) {
    auto p = std::make_shared<VolumeProgress>();
    p->done = m_index;
    p->total = static_cast<int>(m_slices.size());
    p->elapsedSeconds = secondsSince(m_started);
    p->metrics = m_metrics;
    if (m_recon) {
      p->slice = z();
      p->iteration = m_recon->done();
      p->iterations = m_recon->total();
      p->object = m_work->object();
      p->preview = toImage(m_recon->current());
    }
    const double within = p->iterations > 0 ? double(p->iteration) / p->iterations : 0;
    const double fraction = (p->done + within) / std::max(1, p->total);
    ctx.publish(Snapshot::progressOf(channel::kVolumeProgress, std::move(p), fraction));
  }

  std::shared_ptr<CtSession> m_session;
  data::Volume m_volume;
  ReconOptions m_options;
  std::vector<int> m_slices;
  float m_lo, m_hi;
  ScanOptions m_scan;
  std::unique_ptr<CtSession> m_work;
  std::unique_ptr<Reconstructor> m_recon;
  int m_index = 0;
  std::vector<ReconMetrics> m_metrics;
  std::vector<FloatImage> m_images, m_objects;
  Clock::time_point m_started, m_sliceStarted;
};
}  // namespace

std::vector<int> pickVolumeSlices(const data::Volume& volume, int count) {
  data::validateVolume(volume, "the volume");
  if (count < 0) throw std::invalid_argument("the number of slices must not be negative");
  std::vector<int> content = contentSlices(volume);
  if (content.empty())
    for (int z = 0; z < volume.nz; ++z) content.push_back(z);
  if (count == 0 || count >= static_cast<int>(content.size())) return content;
  std::vector<int> out;
  for (int i = 0; i < count; ++i) {
    const double t = count == 1 ? 0.5 : double(i) / (count - 1);
    const int z = content[static_cast<std::size_t>(std::lround(t * (content.size() - 1)))];
    if (out.empty() || out.back() != z) out.push_back(z);
  }
  return out;
}

std::unique_ptr<Job> makeVolumeReconstructionJob(std::shared_ptr<CtSession> session,
                                                 data::Volume volume, const ReconOptions& options,
                                                 const VolumeSlices& slices) {
  if (!session) throw std::invalid_argument("no session");
  options.validate();
  data::validateVolume(volume, "the volume");
  std::vector<int> z = slices.slices;
  if (z.empty()) {
    z = pickVolumeSlices(volume, slices.count);
  } else {
    std::sort(z.begin(), z.end());
    z.erase(std::unique(z.begin(), z.end()), z.end());
    if (z.front() < 0 || z.back() >= volume.nz)
      throw std::invalid_argument("slice " + std::to_string(z.front() < 0 ? z.front() : z.back()) +
                                  " is outside the volume (0.." + std::to_string(volume.nz - 1) + ")");
  }
  float lo = static_cast<float>(slices.lo), hi = static_cast<float>(slices.hi);
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) std::tie(lo, hi) = robustRange(volume);
  return std::make_unique<VolumeReconstructionJob>(std::move(session), std::move(volume), options,
                                                   std::move(z), lo, hi);
}

}  // namespace genlab::core::ct
