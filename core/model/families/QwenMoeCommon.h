#pragma once

// Keys qwen2_moe and qwen3_moe share: expert counts, softmax top-k routing and which layers are
// sparse (decoder_sparse_step, mlp_only_layers).

#include "core/model/ConfigKeys.h"
#include "core/model/ModelConfig.h"

namespace teft {

inline void parseQwenMoeRouting(const ConfigKeys& k, ModelConfig& c)
{
    // transformers 5 saves Qwen3MoeConfig's expert count as num_local_experts (its attribute_map
    // sends num_experts there); older files and qwen2_moe write num_experts.
    c.numExperts = !k.has("num_experts") && k.has("num_local_experts") ? k.positive("num_local_experts")
                                                                       : k.positive("num_experts");
    c.topK = k.positive("num_experts_per_tok");
    c.expertIntermediate = k.positive("moe_intermediate_size");
    c.intermediateSize = k.positive("intermediate_size");
    c.normTopkProb = k.boolean("norm_topk_prob", false);
    c.routerAuxLossCoef = k.number("router_aux_loss_coef", 0.001);
    c.routing = RoutingKind::SoftmaxTopK;
    if (k.boolean("use_sliding_window", false))
        k.unsupported("use_sliding_window", "true", "sliding-window attention is not implemented for this family");
    const std::int64_t step = k.positive("decoder_sparse_step", 1);
    std::vector<bool> denseOnly(static_cast<std::size_t>(c.numLayers), false);
    if (k.has("mlp_only_layers")) {
        const auto& list = k.raw("mlp_only_layers");
        if (!list.is_array())
            throw FormatError(k.source() + ": key 'mlp_only_layers' must be a list of layer indices");
        for (const auto& v : list) {
            if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() >= c.numLayers)
                throw FormatError(k.source() + ": 'mlp_only_layers' holds " + v.dump() +
                                  ", not a layer index below num_hidden_layers");
            denseOnly[v.get<std::size_t>()] = true;
        }
    }
    c.moeLayerFlags.assign(static_cast<std::size_t>(c.numLayers), false);
    for (std::int64_t l = 0; l < c.numLayers; ++l)
        c.moeLayerFlags[l] = !denseOnly[l] && (l + 1) % step == 0;
}

} // namespace teft
