#include "core/labs/ct/ct_requests.h"

#include "core/labs/ct/ct_session_impl.h"
#include "core/labs/ct/score_export.h"

#include "core/labs/ct/training_images.h"

namespace genlab::core::ct {

std::shared_ptr<SessionReady> createSession() {
  auto r = std::make_shared<SessionReady>();
  r->session = std::make_shared<CtSession>();
  return r;
}

std::shared_ptr<Simulated> setUpScan(CtSession& s, const ScanOptions& scan,
                                     const ObjectSpec& object) {
  s.setScan(scan);
  if (!object.phantom.empty())
    s.generatePhantom(object.phantom, object.seed);
  else
    s.setObject(object.image);
  s.simulate();
  auto r = std::make_shared<Simulated>();
  r->object = s.object();
  r->measurement = s.measurement();
  return r;
}

std::shared_ptr<PriorLoaded> loadPrior(CtSession& s, const std::string& path) {
  s.loadPrior(path);
  auto r = std::make_shared<PriorLoaded>();
  r->description = s.priorDescription();
  return r;
}

void exportPriorScript(CtSession& s, const std::string& pathPt) {
  const auto& prior = s.impl().prior;
  if (!prior) throw std::invalid_argument("there is no score prior to export: train or load one first");
  exportPriorTorchScript(*prior, pathPt);
}

std::shared_ptr<VolumeRead> importVolume(const std::string& path) {
  auto r = std::make_shared<VolumeRead>();
  r->path = path;
  r->volume = std::make_shared<data::Volume>(data::readVolume(path));
  return r;
}

std::shared_ptr<VolumeRead> mriHead() {
  auto r = std::make_shared<VolumeRead>();
  r->path = mriVolumePath();
  r->volume = mriVolume();
  return r;
}

std::shared_ptr<NullspaceSplit> nullspaceSplit(const CtSession& s, const std::string& key,
                                               const physics::FloatImage& image,
                                               const std::function<bool()>& stop) {
  auto r = std::make_shared<NullspaceSplit>();
  r->key = key;
  r->views = s.nullspace(image, 200, stop);
  if (stop && stop()) return nullptr;
  return r;
}

}  // namespace genlab::core::ct
