#pragma once
// The inverse-problems lab behind a torch-free facade, for the GUI panels
// (VTK viewers) and the CLI. Everything an image view shows comes out as a
// plain physics::FloatImage; every method's numbers and curves as plain
// structs. Every method except options accessors must run on the engine's
// worker thread (post it with Engine::post, or run the jobs below).
//
// Typical use: setScan -> generatePhantom (or setObject with a slice the GUI
// read via VTK) -> simulate -> submit makeReconstructionJob(session, ...) per
// method; each job publishes ReconProgress on "ct.progress" and one
// ReconResult on "ct.result". Several methods can be queued on one session.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/data/volume_io.h"
#include "core/engine/engine.h"
#include "core/engine/snapshot.h"
#include "core/labs/ct/ct_options.h"
#include "core/physics/float_image.h"

namespace genlab::core::ct {

using physics::FloatImage;

// Numbers for one reconstruction. NaN where there is no ground truth.
struct ReconMetrics {
  double psnr = 0, ssim = 0;  // against the object, when it is known
  double residual = 0;        // ||A x - y|| / ||y|| against the (noisy) measurement
  double seconds = 0;         // wall time of the reconstruction
};

// One point of a method's live curve (per iteration, per noise level).
struct CurvePoint {
  int iteration = 0;
  double residual = 0;
  double psnr = 0;  // NaN without ground truth
};

struct ReconProgress : Payload {
  std::string method;
  int iteration = 0, total = 0;
  double elapsedSeconds = 0;
  std::vector<CurvePoint> curve;
  FloatImage preview;  // current estimate (posterior mean for the score prior)
};

struct ReconResult : Payload {
  std::string method;
  ReconOptions options;
  ReconMetrics metrics;
  std::vector<CurvePoint> curve;
  FloatImage image;      // the reconstruction (posterior mean for the score prior)
  FloatImage stddev;     // score prior with K >= 2: per-pixel posterior std; else empty
  FloatImage samples;    // score prior: the K samples as a stack (depth K); else empty
  FloatImage error;      // image - object, when the object is known; else empty
  FloatImage rowSpace;   // options.nullspace: the measured part of `image`
  FloatImage nullSpace;  // options.nullspace: the unseen part (image = rowSpace + nullSpace)
  int nullspaceIterations = 0;
};

// Measured / unseen decomposition of any image (see solvers.h).
struct NullspaceViews {
  FloatImage rowSpace, nullSpace;
  int iterations = 0;
  double measuredResidual = 0;
};

struct PriorProgress : Payload {
  long step = 0, totalSteps = 0;
  double loss = 0;               // smoothed
  std::vector<double> lossCurve;  // one point per ~1 % of training
  double elapsedSeconds = 0, stepsPerSecond = 0;
  double fraction = 0;     // of the run, by steps or by its time box
  double etaSeconds = -1;  // < 0: not known yet
};

struct PriorResult : Payload {
  long steps = 0;
  double seconds = 0, loss = 0;
  std::string path;  // where it was saved; empty when not saved
  std::vector<FloatImage> denoised;  // a few training images denoised from sigma = 0.2, for a glance
};

class CtSession {
 public:
  CtSession();
  ~CtSession();
  CtSession(const CtSession&) = delete;
  CtSession& operator=(const CtSession&) = delete;

  // The object. "shepp-logan", "ellipses" (a held-out random-ellipse phantom
  // that prior training never uses) or "mri" (a held-out axial slice of the
  // MRI volume, seed picks which; see training_images.h) at the scan's size;
  // or any float image, e.g. a slice of a volume read with data::readVolume
  // (data::sliceImage gives it top row first; `slice` picks one of a stack),
  // padded to a square and resampled to the scan's size for CT.
  void generatePhantom(const std::string& kind, std::uint64_t seed);
  void setObject(const FloatImage& image, int slice = 0);
  bool hasObject() const;
  FloatImage object() const;

  // Scan or blur geometry and noise; invalidates the measurement.
  void setScan(const ScanOptions& scan);
  const ScanOptions& scan() const;
  // Projects (or blurs) the object and adds the scan's noise (its seed).
  void simulate();
  // A measurement from elsewhere (views x bins, or the blurred image); the
  // object then counts as unknown unless set afterwards.
  void setMeasurement(const FloatImage& data);
  bool hasMeasurement() const;
  FloatImage measurement() const;       // what the methods see
  FloatImage cleanMeasurement() const;  // without noise (empty when not simulated)

  // The score prior (GenLab model file from `ct train-prior`).
  void loadPrior(const std::string& path);
  bool hasPrior() const;
  std::string priorDescription() const;

  // A reconstruction, synchronously on the calling (worker) thread; the job
  // below runs the same code in slices.
  ReconResult reconstruct(const ReconOptions& options);
  // `stop`, when given, is asked between iterations; when it says so the
  // split ends early (its views are then partial: callers drop them).
  NullspaceViews nullspace(const FloatImage& image, int maxIterations = 200,
                           const std::function<bool()>& stop = {}) const;

  struct Impl;  // opaque outside core/labs/ct
  Impl& impl() { return *m_impl; }
  const Impl& impl() const { return *m_impl; }

 private:
  std::unique_ptr<Impl> m_impl;
};

// Reconstruction as an engine job: ReconProgress on "ct.progress" (throttled),
// then one ReconResult on "ct.result". The job keeps the session alive.
std::unique_ptr<Job> makeReconstructionJob(std::shared_ptr<CtSession> session,
                                           const ReconOptions& options);

// Trains a new score prior: PriorProgress on "ct.prior.progress", then one
// PriorResult on "ct.prior". Saves to `savePath` when not empty (atomically)
// and leaves the prior loaded in the session.
std::unique_ptr<Job> makePriorTrainingJob(std::shared_ptr<CtSession> session,
                                          const PriorOptions& options, std::string savePath);

// ---- A volume, slice by slice (the 3-D view) ---------------------------------
// Each chosen z slice of a volume becomes a CT object (as training images
// do, see training_images.h: top row first, padded square, resampled to the
// scan's size, values mapped to [0, 1]), is scanned with the session's scan
// (noise seed = scan seed + z) and reconstructed with one method (score
// sampling seed = options seed + z). The session's own object, measurement
// and views are left alone; its scan and prior are used as they are when the
// job starts.

struct VolumeSlices {
  // z indices; empty: `count` slices evenly spaced over the slices with
  // content (see pickVolumeSlices), or every slice when count is 0.
  std::vector<int> slices;
  int count = 0;
  // Values map to [0, 1] by (v - lo) / (hi - lo), clamped; when lo >= hi the
  // volume's 0.5th and 99.5th percentiles are used.
  double lo = 0, hi = 0;
};

// `count` z indices evenly spaced over the slices whose content covers at
// least 40 % of the fullest slice's (all slices if none qualify); sorted.
std::vector<int> pickVolumeSlices(const data::Volume& volume, int count);

struct VolumeProgress : Payload {
  int done = 0, total = 0;             // slices finished, slices to do
  int slice = -1;                      // z of the slice in progress
  int iteration = 0, iterations = 0;   // the method's progress on that slice
  double elapsedSeconds = 0;
  FloatImage object, preview;          // that slice's object and current estimate
  std::vector<ReconMetrics> metrics;   // one per finished slice
};

struct VolumeResult : Payload {
  ScanOptions scan;
  ReconOptions options;
  std::vector<int> slices;             // z indices in the source volume, ascending
  std::vector<ReconMetrics> metrics;   // one per slice
  double meanPsnr = 0, meanSsim = 0, seconds = 0;
  // scan.size x scan.size x slices.size(), in data::Volume's (VTK) order; the
  // spacing and origin follow the source volume's (mm where it had them).
  data::Volume reconstruction;
  data::Volume truth;                  // the objects the scans were simulated from
};

// VolumeProgress on "ct.volume.progress" (at most ~10 per second), then one
// VolumeResult on "ct.volume.result"; cancellable between iterations (the
// engine then publishes its Cancelled snapshot and no result). Throws
// std::invalid_argument / data::VolumeError for bad options or volume.
std::unique_ptr<Job> makeVolumeReconstructionJob(std::shared_ptr<CtSession> session,
                                                 data::Volume volume, const ReconOptions& options,
                                                 const VolumeSlices& slices = {});

}  // namespace genlab::core::ct
