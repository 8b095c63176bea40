#pragma once

#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace teft {

// Named tensors in name order: expert weights, displacements, momentum buffers. The tensors
// may be views into a live model (in-place updates then change the model).
using TensorMap = std::map<std::string, at::Tensor>;

} // namespace teft
