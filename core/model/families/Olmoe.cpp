// olmoe: RMSNorm over the whole q / k projections, optional clip_qkv, softmax top-k routing.
#include "core/model/ConfigKeys.h"
#include "core/model/ModelFamily.h"

namespace teft {
namespace {

void parse(const ConfigKeys& k, ModelConfig& c)
{
    c.numExperts = k.positive("num_experts");
    c.topK = k.positive("num_experts_per_tok");
    c.expertIntermediate = k.positive("intermediate_size");
    c.intermediateSize = c.expertIntermediate;
    c.normTopkProb = k.boolean("norm_topk_prob", false);
    c.routerAuxLossCoef = k.number("router_aux_loss_coef", 0.01);
    c.routing = RoutingKind::SoftmaxTopK;
    c.qkFullNorm = true;
    c.attentionBias = k.boolean("attention_bias", false);
    c.outputBias = c.attentionBias;
    c.clipQkv = k.number("clip_qkv", 0.0);
    if (c.clipQkv < 0)
        throw FormatError(k.source() + ": 'clip_qkv' must be positive or null");
    c.moeLayerFlags.assign(static_cast<std::size_t>(c.numLayers), true);
}

nlohmann::json preset(const PresetSizes& s)
{
    auto c = commonPresetConfig(s, "olmoe", "OlmoeForCausalLM");
    c["intermediate_size"] = s.expertIntermediate;
    c["num_experts"] = s.experts;
    c["num_experts_per_tok"] = s.topK;
    c["norm_topk_prob"] = false;
    c["output_router_logits"] = false;
    c["router_aux_loss_coef"] = 0.01;
    c["rope_theta"] = 10000.0;
    c["rope_scaling"] = nullptr;
    c["attention_bias"] = false;
    c["clip_qkv"] = nullptr;
    c["rms_norm_eps"] = 1e-5;
    c["pad_token_id"] = 256;
    return c;
}

} // namespace

namespace families {

// This file's entry in the registry (core/model/ModelFamily.h).
FamilySpec Olmoe()
{
    return {"olmoe", parse, preset}; // the common tensor names
}

} // namespace families

} // namespace teft
