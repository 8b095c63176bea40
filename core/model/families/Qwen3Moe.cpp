// qwen3_moe: per-head RMSNorm on q and k, softmax top-k routing, no shared expert.
#include "core/model/ConfigKeys.h"
#include "core/model/ModelFamily.h"
#include "core/model/families/QwenMoeCommon.h"

namespace teft {
namespace {

void parse(const ConfigKeys& k, ModelConfig& c)
{
    parseQwenMoeRouting(k, c);
    c.qkHeadNorm = true;
    c.attentionBias = k.boolean("attention_bias", false);
    c.outputBias = c.attentionBias;
}

nlohmann::json preset(const PresetSizes& s)
{
    auto c = commonPresetConfig(s, "qwen3_moe", "Qwen3MoeForCausalLM");
    c["head_dim"] = s.headDim;
    c["intermediate_size"] = s.denseIntermediate;
    c["moe_intermediate_size"] = s.expertIntermediate;
    c["num_experts"] = s.experts;
    c["num_experts_per_tok"] = s.topK;
    c["norm_topk_prob"] = true;
    c["decoder_sparse_step"] = 1;
    c["mlp_only_layers"] = nlohmann::json::array();
    c["output_router_logits"] = false;
    c["router_aux_loss_coef"] = 0.001;
    c["rope_theta"] = 1000000.0;
    c["rope_scaling"] = nullptr;
    c["attention_bias"] = false;
    c["use_sliding_window"] = false;
    c["sliding_window"] = nullptr;
    c["max_window_layers"] = s.layers;
    return c;
}

} // namespace

namespace families {

// This file's entry in the registry (core/model/ModelFamily.h).
FamilySpec Qwen3Moe()
{
    return {"qwen3_moe", parse, preset}; // the common tensor names
}

} // namespace families

} // namespace teft
