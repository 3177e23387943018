#pragma once
// The flat optimizer's state in a GenLab model file, the same for every lab:
// tensors "adam.exp_avg" and "adam.exp_avg_sq", and the step count that the
// caller keeps in its metadata ("adam_steps"). Core-internal.
#include <string>

#include "core/nn/flat_optimizer.h"
#include "core/util/model_file.h"

namespace genlab::core::nn {

void putOptimizerState(FlatOptimizer& optimizer, ModelFile& file);
// Restores the moments when the file has them (older files may not) and
// `steps`; throws ModelFileError naming `path` when their shapes differ.
void takeOptimizerState(FlatOptimizer& optimizer, const ModelFile& file, long steps,
                        const std::string& path);

}  // namespace genlab::core::nn
