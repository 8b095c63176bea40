#pragma once

// Routing: router logits -> each token's top-k expert ids and weights, exactly as each family
// does it, plus the load-balancing auxiliary loss.

#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"

#include <torch/types.h>

#include <functional>

namespace teft {

struct RoutingResult {
    torch::Tensor ids;     // [N, k] int64
    torch::Tensor weights; // [N, k] fp32
    torch::Tensor logits;  // [N, E] fp32, raw router logits (unmasked)
};

// [N, E] fp32. qwen/olmoe/mixtral: the gate Linear in the compute dtype, then fp32;
// deepseek: in fp32.
torch::Tensor routerLogits(const ModelConfig& cfg, const MoeWeights& w, const torch::Tensor& x);

// logits [N, E] fp32. scoreBias: deepseek_v3 e_score_correction_bias (else undefined).
// allowed: [E] bool, experts the router may choose (masked mode), undefined = all. Choices of
// experts that are not allowed get weight 0 (only when fewer than k are allowed).
RoutingResult routeTokens(const ModelConfig& cfg, const torch::Tensor& logits, const torch::Tensor& scoreBias,
                          const torch::Tensor& allowed);

// One MoE layer's share of the load-balancing loss's statistics: counts [k, E] of the top-k
// choices of softmax(logits) (no gradient), probSum [E] the summed probabilities
// (differentiable w.r.t. the logits), over `tokens` real tokens. Undefined tensors when there
// is no real token. logits, validRows, topIds as AuxLossAccumulator::add.
struct AuxStatistics {
    torch::Tensor counts;
    torch::Tensor probSum;
    std::int64_t tokens = 0;
};
AuxStatistics auxStatistics(const torch::Tensor& logits, const torch::Tensor& validRows, const torch::Tensor& topIds,
                            std::int64_t topK);

// Switch-Transformer load-balancing loss over all MoE layers of a forward pass, as transformers'
// load_balancing_loss_func: p = softmax(logits); f = mean over tokens of one_hot(top-k(p)) [k, E];
// P = mean over tokens of p [E]; aux = E * sum(f * P). Padding tokens are left out. Uniform
// routing gives k.
class AuxLossAccumulator {
public:
    AuxLossAccumulator(std::int64_t numExperts, std::int64_t topK) : m_experts(numExperts), m_topK(topK) {}
    // logits [N, E] fp32 raw; validRows: indices of the real tokens (undefined: all).
    // topIds [N, k]: the top-k of softmax(logits) when the caller already has it (the routing
    // of the softmax families without masking), else undefined.
    void add(const torch::Tensor& logits, const torch::Tensor& validRows, const torch::Tensor& topIds = {});
    // The same from statistics computed elsewhere (auxStatistics; activation recomputation
    // computes them inside the layer it recomputes).
    void add(const AuxStatistics& statistics);
    // Sums the routing statistics over the ranks of a data-parallel step, in place: counts
    // [k, E] (fp64, CPU) and the token count. Called once by value() (also with no tokens).
    using StatisticsReducer = std::function<void(torch::Tensor& counts, double& tokens)>;
    // fp32 scalar (0 when nothing was added). With `reduce`, the share of this process in the
    // loss over all ranks' tokens: f from every rank's choices, P from this one's probabilities,
    // both over the total token count, so that the shares sum to the loss of the whole batch.
    torch::Tensor value(const StatisticsReducer& reduce = {}) const;

private:
    std::int64_t m_experts;
    std::int64_t m_topK;
    torch::Tensor m_counts; // [k, E]
    torch::Tensor m_probs;  // [E]
    std::int64_t m_tokens = 0;
};

} // namespace teft
