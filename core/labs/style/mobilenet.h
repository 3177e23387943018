#pragma once
// MobileNetV2 (width 1.0) as nsfwjs@4.3.0 ships it, re-implemented in
// LibTorch, channels first, for the Style lab's pretrained encoder.
// Core-internal (torch).
//
// The weights come from a GenLab model file written by
// scripts/convert-mobilenet.js: the Keras weights under their Keras names and
// shapes, and the Keras layer list in the header's meta. Loading checks every
// layer GenLab runs against that list (class, kernel, strides, padding,
// filters, ReLU6's cap, batch norm's epsilon) and every tensor's shape before
// copying it, and folds each batch norm into the conv before it:
// w' = w * gamma / sqrt(var + eps), b' = beta - mean * gamma / sqrt(var + eps)
// (the same affine map, applied once at load instead of at every call).
// Keras' ZeroPadding2D((0, 1), (0, 1)) before each stride-2 conv is
// reproduced: one row of zeros at the bottom and one column at the right.
// Images enter as N x 3 x H x W in [0, 1] (nsfwjs divides pixels by 255 and
// applies nothing else).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace genlab::core {
struct ModelFile;
}

namespace genlab::core::style {

class MobileNetV2 {
 public:
  // Throws ModelFileError (file, format, a layer or tensor that does not match).
  static std::shared_ptr<MobileNetV2> load(const std::string& path);
  // The same from a model file already read (`path` for messages).
  static std::shared_ptr<MobileNetV2> build(const ModelFile& file, const std::string& path);

  // The activations named in `taps` (ReLU6 outputs: "Conv1_relu",
  // "expanded_conv_depthwise_relu", "block_K_expand_relu",
  // "block_K_depthwise_relu", "out_relu"), in the order asked; the network
  // runs only as far as the last of them. Unknown names throw.
  std::vector<at::Tensor> features(const at::Tensor& image, const std::vector<std::string>& taps) const;
  // The classifier's five probabilities (nsfwjs: Drawing, Hentai, Neutral,
  // Porn, Sexy), N x 5; images 224 x 224 (the head's 7 x 7 average pool).
  at::Tensor classify(const at::Tensor& image) const;

  // Channels and downsampling factor of a tap.
  int channels(const std::string& tap) const;
  int stride(const std::string& tap) const;
  // CRC-32 over the folded weights, to tie a decoder to this encoder.
  std::uint32_t fingerprint() const { return m_fingerprint; }
  void to(c10::Device device);

  struct Conv {
    std::string name;     // the ReLU6's name when relu6, else the conv's
    at::Tensor w, b;      // folded, torch layout
    int stride = 1, pad = 0, groups = 1;
    bool padBottomRight = false;  // Keras' ZeroPadding2D((0, 1), (0, 1)) first
    bool relu6 = false;
  };
  struct Block {  // an inverted residual (or the stem, or the last 1x1 conv)
    std::vector<Conv> convs;
    bool residual = false;
  };

 private:
  std::vector<Block> m_blocks;
  std::vector<at::Tensor> m_denseW, m_denseB;  // 256, 128, 5
  std::uint32_t m_fingerprint = 0;
};

}  // namespace genlab::core::style
