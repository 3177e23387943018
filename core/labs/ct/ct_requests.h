#pragma once
// Requests of the CT lab that are not jobs: making the session, setting up a
// scan, loading a prior, reading volumes and the nullspace split. Each must
// run on the engine worker (the GUI posts it through its LabClient) and
// returns a plain payload. Torch-free.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/data/volume_io.h"
#include "core/engine/snapshot.h"
#include "core/labs/ct/ct_options.h"
#include "core/labs/ct/ct_session.h"
#include "core/physics/float_image.h"

namespace genlab::core::ct {

// Channel names of this lab (job names, their snapshots, request slots).
namespace channel {
inline constexpr char kLab[] = "ct";
inline constexpr char kReconstruct[] = "ct.reconstruct";   // one method: a job ...
inline constexpr char kProgress[] = "ct.progress";         // ... its ReconProgress
inline constexpr char kResult[] = "ct.result";             // ... its ReconResult
inline constexpr char kTrainPrior[] = "ct.train-prior";    // prior training: a job ...
inline constexpr char kPriorProgress[] = "ct.prior.progress";
inline constexpr char kPrior[] = "ct.prior";               // ... its PriorResult
inline constexpr char kReconstructVolume[] = "ct.reconstruct-volume";
inline constexpr char kVolumeProgress[] = "ct.volume.progress";
inline constexpr char kVolumeResult[] = "ct.volume.result";
}  // namespace channel

struct SessionReady : Payload {
  std::shared_ptr<CtSession> session;
};
// The lab's session, made on the worker that owns it.
std::shared_ptr<SessionReady> createSession();

// What to image: a built-in phantom, or a given picture normalised to [0, 1].
struct ObjectSpec {
  std::string phantom;  // "shepp-logan", "ellipses", "mri"; empty: use `image`
  std::uint64_t seed = 1;
  physics::FloatImage image;
};
struct Simulated : Payload {
  physics::FloatImage object, measurement;
};
// Sets the scan and the object and simulates the measurement the methods see.
std::shared_ptr<Simulated> setUpScan(CtSession& s, const ScanOptions& scan,
                                     const ObjectSpec& object);

struct PriorLoaded : Payload {
  std::string description;
};
std::shared_ptr<PriorLoaded> loadPrior(CtSession& s, const std::string& path);
// The session's prior as TorchScript for PyTorch (score_export.h); refuses
// when no prior is loaded.
void exportPriorScript(CtSession& s, const std::string& pathPt);

struct VolumeRead : Payload {
  std::string path;
  std::shared_ptr<const data::Volume> volume;
};
std::shared_ptr<VolumeRead> importVolume(const std::string& path);
// The MRI head volume (read once).
std::shared_ptr<VolumeRead> mriHead();

struct NullspaceSplit : Payload {
  std::string key;
  NullspaceViews views;
};
// `image` split into its measured and unseen parts under the session's scan.
// Null (no half result) when `stop` says so between iterations: the
// Nullspace tab's request is stopped by Stop and by closing the lab.
std::shared_ptr<NullspaceSplit> nullspaceSplit(const CtSession& s, const std::string& key,
                                               const physics::FloatImage& image,
                                               const std::function<bool()>& stop = {});

}  // namespace genlab::core::ct
