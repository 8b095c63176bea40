// mixtral: block_sparse_moe with w1/w3/w2 experts, softmax top-k always renormalised,
// optional sliding-window attention.
#include "core/model/ConfigKeys.h"
#include "core/model/ModelFamily.h"

#include <spdlog/spdlog.h>

namespace teft {
namespace {

void parse(const ConfigKeys& k, ModelConfig& c)
{
    c.numExperts = k.positive("num_local_experts");
    c.topK = k.positive("num_experts_per_tok");
    c.expertIntermediate = k.positive("intermediate_size");
    c.intermediateSize = c.expertIntermediate;
    c.normTopkProb = true;
    c.routerAuxLossCoef = k.number("router_aux_loss_coef", 0.02);
    c.routing = RoutingKind::SoftmaxTopK;
    c.slidingWindow = k.integer("sliding_window", 0);
    if (c.slidingWindow < 0)
        throw FormatError(k.source() + ": 'sliding_window' must be positive or null");
    if (k.number("router_jitter_noise", 0.0) != 0.0)
        spdlog::warn("{}: router_jitter_noise is ignored (routing stays deterministic)", k.source());
    c.moeLayerFlags.assign(static_cast<std::size_t>(c.numLayers), true);
}

nlohmann::json preset(const PresetSizes& s)
{
    auto c = commonPresetConfig(s, "mixtral", "MixtralForCausalLM");
    const bool small = s.hidden > 64;
    c["intermediate_size"] = small ? 2 * s.expertIntermediate : s.expertIntermediate;
    c["num_local_experts"] = small ? s.experts / 2 : s.experts;
    c["num_experts_per_tok"] = 2;
    c["output_router_logits"] = false;
    c["router_aux_loss_coef"] = 0.02;
    c["router_jitter_noise"] = 0.0;
    c["rope_theta"] = 1000000.0;
    c["sliding_window"] = nullptr;
    c["rms_norm_eps"] = 1e-5;
    return c;
}

} // namespace

namespace families {

// This file's entry in the registry (core/model/ModelFamily.h).
FamilySpec Mixtral()
{
    FamilyLayout names;
    names.moeBlock = "block_sparse_moe";
    names.expertProjections = {"w1", "w3", "w2"};
    // No fused layout: transformers v5 fuses mixtral's experts under mlp., not block_sparse_moe.,
    // and saves them in this per-expert layout.
    names.fusedGateUp.clear();
    names.fusedDown.clear();
    return {"mixtral", parse, preset, names};
}

} // namespace families

} // namespace teft
