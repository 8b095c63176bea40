// qwen2_moe: q/k/v biases (none on o_proj), softmax top-k routing, one shared expert
// (mlp.shared_expert) gated by sigmoid(x . w) (mlp.shared_expert_gate).
#include "core/model/ConfigKeys.h"
#include "core/model/ModelFamily.h"
#include "core/model/families/QwenMoeCommon.h"

namespace teft {
namespace {

void parse(const ConfigKeys& k, ModelConfig& c)
{
    parseQwenMoeRouting(k, c);
    c.attentionBias = k.boolean("qkv_bias", true);
    c.sharedIntermediate = k.integer("shared_expert_intermediate_size");
    if (c.sharedIntermediate < 0)
        throw FormatError(k.source() + ": 'shared_expert_intermediate_size' must not be negative");
}

nlohmann::json preset(const PresetSizes& s)
{
    auto c = commonPresetConfig(s, "qwen2_moe", "Qwen2MoeForCausalLM");
    c.erase("num_key_value_heads");
    c["num_key_value_heads"] = s.heads; // Qwen1.5-MoE uses plain multi-head attention
    c["intermediate_size"] = s.denseIntermediate;
    c["moe_intermediate_size"] = s.expertIntermediate;
    c["shared_expert_intermediate_size"] = 2 * s.expertIntermediate;
    c["num_experts"] = s.experts;
    c["num_experts_per_tok"] = s.topK;
    c["norm_topk_prob"] = false;
    c["decoder_sparse_step"] = 1;
    c["mlp_only_layers"] = nlohmann::json::array();
    c["output_router_logits"] = false;
    c["router_aux_loss_coef"] = 0.001;
    c["rope_theta"] = 1000000.0;
    c["use_sliding_window"] = false;
    c["sliding_window"] = 32768;
    c["max_window_layers"] = s.layers;
    return c;
}

} // namespace

namespace families {

// This file's entry in the registry (core/model/ModelFamily.h).
FamilySpec Qwen2Moe()
{
    FamilyLayout names;
    names.sharedExpert = "shared_expert";
    names.sharedExpertGate = "shared_expert_gate";
    return {"qwen2_moe", parse, preset, names};
}

} // namespace families

} // namespace teft
