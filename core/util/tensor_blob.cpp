#include "core/util/tensor_blob.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <vector>

namespace genlab::core {

TensorBlob toBlob(const at::Tensor& t) {
  auto c = t.detach().to(at::kCPU, at::kFloat).contiguous();
  TensorBlob b;
  b.shape.assign(c.sizes().begin(), c.sizes().end());
  b.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  return b;
}

void copyInto(at::Tensor& dst, const TensorBlob& blob, const std::string& name,
              const std::string& file) {
  if (std::vector<int64_t>(dst.sizes().begin(), dst.sizes().end()) != blob.shape)
    throw ModelFileError(file + ": tensor '" + name + "' has the wrong shape for this model");
  auto src = at::from_blob(const_cast<float*>(blob.values.data()), dst.sizes(), at::kFloat);
  c10::NoGradGuard ng;
  dst.copy_(src);
}

}  // namespace genlab::core
