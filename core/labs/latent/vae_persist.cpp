// Saving and loading the Latent Explorer's model (GenLab model file; its
// lab field stays "vae", the name files have carried since the first release).
#include <nlohmann/json.hpp>

#include "core/labs/latent/vae_session.h"
#include "core/labs/latent/vae_session_impl.h"
#include "core/nn/optimizer_state.h"
#include "core/util/atomic_file.h"
#include "core/util/model_file.h"
#include "core/util/tensor_blob.h"

namespace genlab::core::latent {

namespace {
constexpr const char* kLab = "vae";


std::string bytesToHex(const torch::Tensor& state) {
  static const char* digits = "0123456789abcdef";
  auto c = state.contiguous();
  const auto* p = c.data_ptr<std::uint8_t>();
  std::string out;
  out.reserve(c.numel() * 2);
  for (int64_t i = 0; i < c.numel(); ++i) {
    out.push_back(digits[p[i] >> 4]);
    out.push_back(digits[p[i] & 15]);
  }
  return out;
}

torch::Tensor hexToBytes(const std::string& hex, const std::string& path) {
  if (hex.size() % 2 != 0) throw ModelFileError(path + ": malformed random-number state");
  auto t = torch::empty({static_cast<int64_t>(hex.size() / 2)}, torch::kUInt8);
  auto* p = t.data_ptr<std::uint8_t>();
  auto nibble = [&](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    throw ModelFileError(path + ": malformed random-number state");
  };
  for (std::size_t i = 0; i < hex.size() / 2; ++i)
    p[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  return t;
}

// Restores the generators and the position in the epoch so that training
// continues exactly as it would have without the save.
void restoreRng(VaeSession::Impl& s, const nlohmann::json& meta, const std::string& path) {
  try {
    const auto n = s.trainX.size(0);
    const auto cursor = meta.value("cursor", 0L);
    if (cursor < 0 || cursor >= n) throw ModelFileError(path + ": bad epoch position");
    if (meta.contains("noise_state"))
      s.trainGen.set_state(hexToBytes(meta["noise_state"].get<std::string>(), path));
    if (meta.contains("shuffle_state")) {
      s.shuffleGen.set_state(hexToBytes(meta["shuffle_state"].get<std::string>(), path));
      if (cursor > 0) {
        s.shuffleState = s.shuffleGen.get_state();
        s.perm = torch::randperm(n, s.shuffleGen, torch::TensorOptions().dtype(torch::kLong));
        s.cursor = cursor;
      }
    }
  } catch (const ModelFileError&) {
    throw;
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": cannot restore the random-number state (" + e.what() + ")");
  }
}

nlohmann::json readMeta(const ModelFile& mf, const std::string& path) {
  try {
    auto meta = nlohmann::json::parse(mf.metaJson);
    meta.at("options");
    meta.at("image_height").get<int>();
    meta.at("image_width").get<int>();
    return meta;
  } catch (const std::exception&) {
    throw ModelFileError(path + ": the model's description is incomplete or malformed");
  }
}

VaeOptions optionsFrom(const nlohmann::json& meta, const std::string& path) {
  try {
    return VaeOptions::fromJson(meta.at("options").dump());
  } catch (const std::exception& e) {
    throw ModelFileError(path + ": " + e.what());
  }
}
}  // namespace

void VaeSession::save(const std::string& path) const { writeFileAtomic(path, serialise()); }

std::string VaeSession::serialise() const {
  if (m_impl->scripted)
    throw std::invalid_argument("this model was imported from TorchScript: its file is already "
                                "its saved form, and GenLab does not rewrite it");
  const auto& s = *m_impl;
  ModelFile mf;
  mf.lab = kLab;
  nlohmann::json meta;
  meta["options"] = nlohmann::json::parse(m_options.toJson());
  meta["provenance"] = m_data->train.provenance;
  meta["image_height"] = s.height;
  meta["image_width"] = s.width;
  meta["steps"] = s.step;
  meta["epochs_done"] = epochsDone();
  meta["adam_steps"] = s.adam->steps();
  meta["test_elbo"] = s.last.elbo;
  meta["cursor"] = s.cursor;
  // Mid-epoch, the state that drew this epoch's permutation; at an epoch
  // boundary, the state that will draw the next one.
  meta["shuffle_state"] = bytesToHex(s.cursor > 0 && s.shuffleState.defined()
                                         ? s.shuffleState
                                         : s.shuffleGen.get_state());
  meta["noise_state"] = bytesToHex(s.trainGen.get_state());
  mf.metaJson = meta.dump();
  for (const auto& p : s.net->named_parameters()) mf.tensors["net." + p.key()] = toBlob(p.value());
  nn::putOptimizerState(*s.adam, mf);
  return mf.serialise();
}

VaeOptions VaeSession::peekOptions(const std::string& path, std::string* provenance) {
  const auto mf = ModelFile::load(path, kLab);
  const auto meta = readMeta(mf, path);
  if (provenance) *provenance = meta.value("provenance", std::string());
  return optionsFrom(meta, path);
}

std::unique_ptr<VaeSession> VaeSession::load(const std::string& path,
                                             std::shared_ptr<const ImageSplit> data) {
  return fromModelFile(ModelFile::load(path, kLab), path, std::move(data));
}

std::unique_ptr<VaeSession> VaeSession::loadBytes(const std::string& bytes, const std::string& name,
                                                  std::shared_ptr<const ImageSplit> data) {
  return fromModelFile(ModelFile::parse(bytes, name, kLab), name, std::move(data));
}

std::unique_ptr<VaeSession> VaeSession::fromModelFile(const ModelFile& mf, const std::string& path,
                                                      std::shared_ptr<const ImageSplit> data) {
  const auto meta = readMeta(mf, path);
  const auto options = optionsFrom(meta, path);
  if (!data) throw std::invalid_argument("no data set given to explore the model with");
  if (meta["image_height"].get<int>() != data->train.height ||
      meta["image_width"].get<int>() != data->train.width)
    throw ModelFileError(path + ": the model was trained on " +
                         std::to_string(meta["image_height"].get<int>()) + "x" +
                         std::to_string(meta["image_width"].get<int>()) +
                         " images but the data set has " + std::to_string(data->train.height) +
                         "x" + std::to_string(data->train.width));
  // The network is built from the description before its tensors are
  // copied in: a description asking for more weights than the file holds is
  // refused before that allocation (the MLP's first layer alone is pixels x hidden).
  if (options.architecture == "mlp") {
    std::uint64_t stored = 0;
    for (const auto& [name, blob] : mf.tensors) stored += blob.values.size();
    const std::uint64_t firstLayer = std::uint64_t(data->train.height) * data->train.width * options.hidden;
    if (firstLayer > stored)
      throw ModelFileError(path + ": its description needs at least " + std::to_string(firstLayer) +
                           " weights but the file holds " + std::to_string(stored));
  }
  auto session = std::make_unique<VaeSession>(options, std::move(data));
  auto& s = *session->m_impl;
  for (auto& p : s.net->named_parameters()) {
    auto it = mf.tensors.find("net." + p.key());
    if (it == mf.tensors.end())
      throw ModelFileError(path + ": tensor '" + p.key() + "' is missing");
    copyInto(p.value(), it->second, p.key(), path);
  }
  nn::takeOptimizerState(*s.adam, mf, meta.value("adam_steps", 0L), path);
  s.step = meta.value("steps", 0L);
  restoreRng(s, meta, path);
  return session;
}

}  // namespace genlab::core::latent
