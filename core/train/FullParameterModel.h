#pragma once

// A trainable copy of a whole MoE checkpoint: every tensor (embeddings, attention, norms,
// routers, experts, lm_head) an fp32 leaf that requires grad. The model engine (MoeModel)
// freezes the hub by design — TEFT never trains it — so pretraining the demo foundation model
// and the full fine-tuning baseline of the demo use this instead. The forward pass is the
// engine's own building blocks (core/model/Blocks.h, MoeLayer.h, Router.h), so a checkpoint
// trained here computes the same function when MoeModel loads it.
//
// Supported: the softmax top-k families with standard attention (mixtral, qwen2_moe,
// qwen3_moe, olmoe) in the per-expert checkpoint layout; others are refused with an Error.
// Meant for small models: every tensor is an fp32 copy with gradients and optimizer state.

#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"

#include <torch/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class FullParameterModel {
public:
    // From named tensors in checkpoint names (any float dtype; copied to fp32).
    FullParameterModel(ModelConfig config, const std::vector<std::pair<std::string, torch::Tensor>>& tensors);
    static std::unique_ptr<FullParameterModel> load(const std::filesystem::path& dir);

    const ModelConfig& config() const { return m_config; }
    // Mean next-token cross-entropy of rows [B, T] (no padding), plus auxCoef × the
    // load-balancing loss when auxCoef > 0. fp32 scalar, differentiable w.r.t. all parameters.
    torch::Tensor loss(const torch::Tensor& inputIds, double auxCoef = 0.0);
    std::vector<std::pair<std::string, torch::Tensor>> parameters() const { return m_params; }
    // All tensors in checkpoint order, cast to `dtype` (CPU, detached).
    std::vector<std::pair<std::string, torch::Tensor>> exportState(torch::ScalarType dtype) const;

private:
    torch::Tensor get(const std::string& name) const;
    torch::Tensor getIf(const std::string& name) const;
    ModelConfig m_config;
    std::vector<std::pair<std::string, torch::Tensor>> m_params;
    std::vector<LayerWeights> m_layers;
    torch::Tensor m_embed, m_norm, m_lmHead;
};

} // namespace teft
