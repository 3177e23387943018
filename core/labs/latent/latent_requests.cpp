#include "core/labs/latent/latent_requests.h"

#include <filesystem>
#include <stdexcept>
#include <tuple>

#include "core/data/image_data.h"

namespace genlab::core::latent {

namespace {
std::string dataName(const std::string& spec) {
  if (spec == "mnist") return "MNIST";
  if (spec == "digits") return "digits";
  return std::filesystem::path(spec).filename().string();
}
}  // namespace

std::string dataSummary(const std::string& spec, const ImageSplit& d) {
  return dataName(spec) + " \u00b7 " + std::to_string(d.train.count) + " train / " +
         std::to_string(d.test.count) + " test \u00b7 " + std::to_string(d.train.height) +
         "\u00d7" + std::to_string(d.train.width);
}

std::shared_ptr<OpenedSession> createSession(const VaeOptions& options) {
  auto out = std::make_shared<OpenedSession>();
  out->session = VaeSession::create(options);
  out->effective = options;
  out->description = dataSummary(options.data, out->session->data());
  out->provenance = out->session->data().train.provenance;
  // An untrained model's map: the test set already has a place in latent space.
  out->session->evaluate();
  out->map = out->session->latentMap();
  return out;
}

std::shared_ptr<OpenedSession> openModel(const std::string& path) {
  std::string provenance;
  const VaeOptions stored = VaeSession::peekOptions(path, &provenance);
  auto out = std::make_shared<OpenedSession>();
  out->effective = stored;
  out->loaded = true;
  std::shared_ptr<const ImageSplit> data;
  std::string note;
  try {
    data = std::make_shared<ImageSplit>(loadImageData(stored.data, unsigned(stored.seed)));
  } catch (const std::exception& e) {
    if (stored.data == "digits") throw;
    auto digits = std::make_shared<ImageSplit>(loadImageData("digits", unsigned(stored.seed)));
    try {
      out->session = VaeSession::load(path, digits);
    } catch (const std::exception& e2) {
      throw std::runtime_error("The model was trained on " + dataName(stored.data) +
                               ", which is not available here:\n" + e.what() +
                               "\n\nThe embedded digits cannot stand in for it: " + e2.what());
    }
    out->effective.data = "digits";
    note = " (its data, " + dataName(stored.data) + ", is not here: exploring with digits)";
  }
  if (!out->session) out->session = VaeSession::load(path, data);
  out->session->evaluate();
  out->map = out->session->latentMap();
  out->description = dataSummary(out->effective.data, out->session->data());
  out->provenance = "model " + path + ", " +
                    std::to_string(int(out->session->epochsDone() + 0.5)) + " epochs on " +
                    (provenance.empty() ? dataName(stored.data) : provenance) + note;
  return out;
}

std::shared_ptr<OpenedSession> openScriptModel(const ScriptImport& import) {
  std::shared_ptr<const ImageSplit> data;
  if (!import.encoderMethod.empty() && !import.data.empty())
    data = std::make_shared<ImageSplit>(loadImageData(import.data, import.seed));
  auto out = std::make_shared<OpenedSession>();
  out->session = VaeSession::openScript(import, data);
  out->session->evaluate();  // the map through the encoder (empty without one)
  out->map = out->session->latentMap();
  out->loaded = true;
  out->effective = out->session->options();
  const auto& d = out->session->data().test;
  out->description = "TorchScript " + std::filesystem::path(import.path).filename().string() +
                     " \u00b7 z in R^" + std::to_string(out->effective.latentDim) + " \u00b7 " +
                     std::to_string(d.height) + "\u00d7" + std::to_string(d.width) +
                     (import.encoderMethod.empty()
                          ? std::string(" \u00b7 decoder only")
                          : " \u00b7 map: " + dataName(import.data) + " via " + import.encoderMethod);
  out->provenance = "imported TorchScript model " + import.path + " (explored, not trained here)";
  return out;
}

std::shared_ptr<DecodedPoint> decodePoint(VaeSession& s, float x, float y) {
  auto d = std::make_shared<DecodedPoint>();
  d->x = x;
  d->y = y;
  d->image = s.decode(x, y);
  return d;
}

std::shared_ptr<DecodedGrid> decodeGrid(VaeSession& s, float x0, float x1, float y0, float y1,
                                        int n) {
  auto g = std::make_shared<DecodedGrid>();
  std::tie(g->x0, g->x1, g->y0, g->y1, g->n) = std::make_tuple(x0, x1, y0, y1, n);
  g->tiles = s.decodeGrid(x0, x1, y0, y1, n);
  return g;
}

std::shared_ptr<Interpolation> interpolate(VaeSession& s, float ax, float ay, float bx, float by,
                                           int steps) {
  auto in = std::make_shared<Interpolation>();
  std::tie(in->ax, in->ay, in->bx, in->by) = std::make_tuple(ax, ay, bx, by);
  in->images = s.interpolate(ax, ay, bx, by, steps);
  return in;
}

std::shared_ptr<const LatentMap> refreshMap(VaeSession& s) {
  s.beginMapRefresh();
  while (!s.mapRefreshChunk()) {
  }
  return s.latentMap();
}

}  // namespace genlab::core::latent
