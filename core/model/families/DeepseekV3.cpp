// deepseek_v3: MLA attention, sigmoid scores with e_score_correction_bias choosing groups and
// experts, weights from the unbiased scores (renormalised iff norm_topk_prob) x
// routed_scaling_factor, shared experts, dense first layers.
#include "core/model/families/DeepseekCommon.h"

namespace teft {
namespace {

void parse(const ConfigKeys& k, ModelConfig& c)
{
    parseDeepseekCommon(k, c);
    c.routing = RoutingKind::DeepseekSigmoid;
    const std::string scoring = k.string("scoring_func", "sigmoid");
    if (scoring != "sigmoid")
        k.unsupported("scoring_func", "'" + scoring + "'", "deepseek_v3 routes with sigmoid");
    const std::string method = k.string("topk_method", "noaux_tc");
    if (method != "noaux_tc")
        k.unsupported("topk_method", "'" + method + "'", "deepseek_v3 uses noaux_tc");
    c.groupLimited = true;
    c.normTopkProb = k.boolean("norm_topk_prob", true);
    c.ropeInterleave = k.boolean("rope_interleave", true);
    if (c.numExperts / c.nGroup < 2)
        throw FormatError(k.source() +
                          ": deepseek_v3 groups need at least 2 experts each (n_routed_experts / n_group)");
    checkGroups(k, c);
    const std::int64_t firstDense = k.integer("first_k_dense_replace", 0);
    c.moeLayerFlags.assign(static_cast<std::size_t>(c.numLayers), false);
    for (std::int64_t l = 0; l < c.numLayers; ++l)
        c.moeLayerFlags[l] = l >= firstDense;
}

nlohmann::json preset(const PresetSizes& s)
{
    auto c = deepseekPreset(s, "deepseek_v3", "DeepseekV3ForCausalLM");
    c["q_lora_rank"] = 3 * s.headDim;
    c["n_shared_experts"] = 1;
    c["routed_scaling_factor"] = 2.5;
    c["scoring_func"] = "sigmoid";
    c["topk_method"] = "noaux_tc";
    c["n_group"] = 4;
    c["topk_group"] = 2;
    c["norm_topk_prob"] = true;
    c["rope_interleave"] = true;
    return c;
}

} // namespace

namespace families {

// This file's entry in the registry (core/model/ModelFamily.h).
FamilySpec DeepseekV3()
{
    return {"deepseek_v3", parse, preset}; // the common tensor names
}

} // namespace families

} // namespace teft
