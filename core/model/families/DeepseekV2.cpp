// deepseek_v2: MLA attention, softmax routing (greedy or group-limited greedy) scaled by
// routed_scaling_factor, shared experts, dense first layers.
#include "core/model/families/DeepseekCommon.h"

namespace teft {
namespace {

void parse(const ConfigKeys& k, ModelConfig& c)
{
    parseDeepseekCommon(k, c);
    c.routing = RoutingKind::DeepseekSoftmax;
    const std::string scoring = k.string("scoring_func", "softmax");
    if (scoring != "softmax")
        k.unsupported("scoring_func", "'" + scoring + "'", "deepseek_v2 routes with softmax");
    const std::string method = k.string("topk_method", "greedy");
    if (method == "greedy")
        c.groupLimited = false;
    else if (method == "group_limited_greedy")
        c.groupLimited = true;
    else
        k.unsupported("topk_method", "'" + method + "'", "supported: greedy, group_limited_greedy");
    // transformers' deepseek_v2 scales the top-k weights and never renormalises them.
    c.normTopkProb = false;
    checkGroups(k, c);
    const std::int64_t firstDense = k.integer("first_k_dense_replace", 0);
    const std::int64_t freq = k.positive("moe_layer_freq", 1);
    c.moeLayerFlags.assign(static_cast<std::size_t>(c.numLayers), false);
    for (std::int64_t l = 0; l < c.numLayers; ++l)
        c.moeLayerFlags[l] = l >= firstDense && l % freq == 0;
}

nlohmann::json preset(const PresetSizes& s)
{
    auto c = deepseekPreset(s, "deepseek_v2", "DeepseekV2ForCausalLM");
    c["q_lora_rank"] = nullptr; // as DeepSeek-V2-Lite
    c["n_shared_experts"] = 2;
    c["routed_scaling_factor"] = 1.0;
    c["scoring_func"] = "softmax";
    c["topk_method"] = "group_limited_greedy";
    c["n_group"] = 4;
    c["topk_group"] = 2;
    c["norm_topk_prob"] = false;
    c["aux_loss_alpha"] = 0.001;
    return c;
}

} // namespace

namespace families {

// This file's entry in the registry (core/model/ModelFamily.h).
FamilySpec DeepseekV2()
{
    return {"deepseek_v2", parse, preset}; // the common tensor names
}

} // namespace families

} // namespace teft
