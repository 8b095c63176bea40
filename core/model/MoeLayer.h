#pragma once

// A sparse MoE feed-forward layer: route, dispatch tokens grouped by expert, add the shared
// expert.

#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"
#include "core/model/Router.h"

#include <torch/types.h>

namespace teft {

// Runs the routed experts for x [N, H] given ids / weights [N, k]: the (token, slot) pairs are
// sorted by expert, the tokens of each active expert gathered into one contiguous block (one
// matmul per projection), the outputs scaled by their routing weight and added back with one
// index_add. Choices of experts absent from `w` are skipped.
torch::Tensor dispatchExperts(const torch::Tensor& x, const torch::Tensor& ids, const torch::Tensor& weights,
                              const MoeWeights& w);

struct MoeOutput {
    torch::Tensor y; // [N, H]
    RoutingResult routing;
};
MoeOutput moeForward(const ModelConfig& cfg, const MoeWeights& w, const torch::Tensor& x);

} // namespace teft
