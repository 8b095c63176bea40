#pragma once

// Keys deepseek_v2 and deepseek_v3 share: multi-head latent attention, routed + shared experts,
// dense first layers, group-limited routing.

#include "core/model/ConfigKeys.h"
#include "core/model/ModelConfig.h"
#include "core/model/ModelFamily.h"

namespace teft {

inline void parseDeepseekCommon(const ConfigKeys& k, ModelConfig& c)
{
    c.mla = true;
    c.qLoraRank = k.has("q_lora_rank") ? k.positive("q_lora_rank") : 0;
    c.kvLoraRank = k.positive("kv_lora_rank");
    c.qkNopeHeadDim = k.positive("qk_nope_head_dim");
    c.qkRopeHeadDim = k.positive("qk_rope_head_dim");
    c.vHeadDim = k.positive("v_head_dim");
    if (c.qkRopeHeadDim % 2 != 0)
        throw FormatError(k.source() + ": 'qk_rope_head_dim' must be even");
    c.mlaAttentionBias = k.boolean("attention_bias", false);
    c.headDim = c.qkRopeHeadDim;
    c.numExperts = k.positive("n_routed_experts");
    c.topK = k.positive("num_experts_per_tok");
    c.expertIntermediate = k.positive("moe_intermediate_size");
    c.intermediateSize = k.positive("intermediate_size");
    const std::int64_t shared = k.integer("n_shared_experts", 0);
    if (shared < 0 || shared > 1024)
        throw FormatError(k.source() + ": 'n_shared_experts' must lie in 0..1024, got " + std::to_string(shared));
    c.sharedIntermediate = shared * c.expertIntermediate;
    c.routedScalingFactor = k.number("routed_scaling_factor", 1.0);
    c.nGroup = k.positive("n_group", 1);
    c.topkGroup = k.positive("topk_group", 1);
    c.routerAuxLossCoef = k.number("router_aux_loss_coef", k.number("aux_loss_alpha", 0.001));
    c.ropeInterleave = true;
}

inline void checkGroups(const ConfigKeys& k, const ModelConfig& c)
{
    if (!c.groupLimited)
        return;
    if (c.numExperts % c.nGroup != 0)
        throw FormatError(k.source() + ": n_routed_experts (" + std::to_string(c.numExperts) +
                          ") is not a multiple of n_group (" + std::to_string(c.nGroup) + ")");
    if (c.topkGroup > c.nGroup)
        throw FormatError(k.source() + ": topk_group (" + std::to_string(c.topkGroup) + ") exceeds n_group (" +
                          std::to_string(c.nGroup) + ")");
    if (c.topkGroup * (c.numExperts / c.nGroup) < c.topK)
        throw FormatError(k.source() + ": topk_group groups hold fewer experts than num_experts_per_tok");
}

inline nlohmann::json deepseekPreset(const PresetSizes& s, const std::string& type, const std::string& arch)
{
    auto c = commonPresetConfig(s, type, arch);
    c["num_key_value_heads"] = s.heads;
    c["kv_lora_rank"] = 2 * s.headDim;
    c["qk_nope_head_dim"] = s.headDim;
    c["qk_rope_head_dim"] = s.headDim / 2;
    c["v_head_dim"] = s.headDim;
    c["intermediate_size"] = s.denseIntermediate;
    c["moe_intermediate_size"] = s.expertIntermediate;
    c["n_routed_experts"] = s.experts;
    c["num_experts_per_tok"] = s.topK;
    c["first_k_dense_replace"] = 1;
    c["moe_layer_freq"] = 1;
    c["attention_bias"] = false;
    c["rope_theta"] = 10000.0;
    c["max_position_embeddings"] = 16384;
    // YaRN as the real checkpoints ship it (4096-token original context).
    c["rope_scaling"] = {{"type", "yarn"},         {"factor", 4.0},  {"original_max_position_embeddings", 4096},
                         {"beta_fast", 32},        {"beta_slow", 1}, {"mscale", 0.707},
                         {"mscale_all_dim", 0.707}};
    return c;
}

} // namespace teft
