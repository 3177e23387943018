#pragma once
// Tensors in and out of GenLab model files (model_file.h), for every lab.
// Core-internal (includes ATen).
#include <ATen/core/Tensor.h>

#include <string>

#include "core/util/model_file.h"

namespace genlab::core {

// A float32 CPU copy of `t`, as a model file stores it.
TensorBlob toBlob(const at::Tensor& t);
// Copies `blob` into `dst` (any device); throws ModelFileError naming `name`
// and `file` when the shapes differ.
void copyInto(at::Tensor& dst, const TensorBlob& blob, const std::string& name,
              const std::string& file);

}  // namespace genlab::core
