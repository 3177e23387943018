#include "core/labs/style/style_requests.h"

#include <filesystem>
#include <stdexcept>

#include "core/labs/style/adain_net.h"
#include "core/labs/style/style_image.h"

namespace genlab::core::style {

std::shared_ptr<OpenedDecoder> openDecoder(const std::string& path) {
  auto out = std::make_shared<OpenedDecoder>();
  out->session = StyleSession::load(path);
  out->trained = out->session->step() > 0;
  out->path = path;
  out->summary = out->session->describe();
  out->upsampling = out->session->decoderUpsampling();
  return out;
}

std::shared_ptr<OpenedDecoder> newDecoder(const std::string& upsampling) {
  auto out = std::make_shared<OpenedDecoder>();
  out->session = std::make_shared<StyleSession>(1, defaultEncoderKind(), upsampling);
  out->upsampling = out->session->decoderUpsampling();
  out->summary = out->session->describe() + "; press Train decoder";
  return out;
}

std::shared_ptr<OpenedDecoder> openDefaultDecoder() {
  const auto path = defaultDecoderPath();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return openDecoder(path);
  auto out = std::make_shared<OpenedDecoder>();
  out->session = std::make_shared<StyleSession>(1, defaultEncoderKind());
  out->summary = howToTrainDecoder() + " (for the " +
                 (out->session->encoderKind() == kMobileNetEncoder ? "pretrained MobileNetV2" : "random") +
                 " encoder)";
  return out;
}

std::shared_ptr<OpenedDecoder> openLaunchDecoder() {
  std::error_code ec;
  if (!std::filesystem::exists(defaultDecoderPath(), ec) && std::filesystem::exists(userDecoderPath(), ec))
    return openDecoder(userDecoderPath());
  return openDefaultDecoder();
}

std::shared_ptr<LoadedImages> setImage(StyleSession& s, int slot, const Image& image, int maxSide) {
  if (slot == -1) s.setContent(image, maxSide);
  else if (image.empty()) s.clearStyle(slot);
  else s.setStyle(slot, image, maxSide);
  auto out = std::make_shared<LoadedImages>();
  out->content = s.contentImage();
  for (int i = 0; i < kMaxStyles; ++i) out->styles[i] = s.styleImage(i);
  return out;
}

std::shared_ptr<TransferResult> runTransfer(StyleSession& s, const TransferParams& p) {
  return std::make_shared<TransferResult>(s.transfer(p));
}

std::vector<SweepRow> alphaSweep(StyleSession& s, const std::vector<std::string>& contents,
                                 const std::vector<std::string>& styles,
                                 const std::vector<std::pair<int, int>>& pairs,
                                 const std::vector<double>& alphas, int size) {
  std::vector<SweepRow> rows;
  for (const auto& [ci, si] : pairs) {
    if (ci < 0 || ci >= int(contents.size()) || si < 0 || si >= int(styles.size()))
      throw std::invalid_argument("alphaSweep: pair index out of range");
    s.setContent(readImageFile(contents[ci]), size);
    s.setStyle(0, readImageFile(styles[si]), size);
    SweepRow row;
    row.content = std::filesystem::path(contents[ci]).filename().string();
    row.style = std::filesystem::path(styles[si]).filename().string();
    TransferParams p;
    for (double a : alphas) {
      p.alpha = a;
      const auto l = s.evaluate(p);
      row.contentLoss.push_back(l.content);
      row.styleLoss.push_back(l.style);
      row.styleByLayer.push_back(l.styleByLayer);
    }
    row.styleFalls = row.contentRises = true;
    row.layerFalls.assign(row.styleByLayer.empty() ? 0 : row.styleByLayer[0].size(), true);
    for (std::size_t k = 1; k < alphas.size(); ++k) {
      if (!(row.styleLoss[k] < row.styleLoss[k - 1])) row.styleFalls = false;
      if (!(row.contentLoss[k] > row.contentLoss[k - 1])) row.contentRises = false;
      for (std::size_t l = 0; l < row.layerFalls.size(); ++l)
        if (!(row.styleByLayer[k][l] < row.styleByLayer[k - 1][l])) row.layerFalls[l] = false;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace genlab::core::style
