#include "core/train/FullParameterModel.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/Blocks.h"
#include "core/model/MoeLayer.h"
#include "core/model/Router.h"
#include "core/util/Error.h"

#include <torch/torch.h>

#include <unordered_map>

namespace teft {

FullParameterModel::FullParameterModel(ModelConfig config,
                                       const std::vector<std::pair<std::string, torch::Tensor>>& tensors)
    : m_config(std::move(config))
{
    const auto& c = m_config;
    if (c.mla || c.routing != RoutingKind::SoftmaxTopK)
        throw Error("Full-parameter training supports standard attention with softmax top-k routing, not '" +
                    c.modelType + "' (multi-head latent attention or DeepSeek routing)");
    for (const auto& [name, t] : tensors)
        m_params.emplace_back(name, t.detach().to(torch::kFloat, false, true).set_requires_grad(true));
    m_embed = get("model.embed_tokens.weight");
    m_norm = get("model.norm.weight");
    m_lmHead = c.tieWordEmbeddings ? m_embed : get("lm_head.weight");
    m_layers.resize(static_cast<std::size_t>(c.numLayers));
    for (int l = 0; l < c.numLayers; ++l) {
        auto& L = m_layers[static_cast<std::size_t>(l)];
        const std::string p = "model.layers." + std::to_string(l) + ".";
        const std::string a = p + "self_attn.";
        L.inputNorm = get(p + "input_layernorm.weight");
        L.postNorm = get(p + "post_attention_layernorm.weight");
        L.attn.q = get(a + "q_proj.weight");
        L.attn.k = get(a + "k_proj.weight");
        L.attn.v = get(a + "v_proj.weight");
        L.attn.o = get(a + "o_proj.weight");
        L.attn.qBias = getIf(a + "q_proj.bias");
        L.attn.kBias = getIf(a + "k_proj.bias");
        L.attn.vBias = getIf(a + "v_proj.bias");
        L.attn.oBias = getIf(a + "o_proj.bias");
        L.attn.qNorm = getIf(a + "q_norm.weight");
        L.attn.kNorm = getIf(a + "k_norm.weight");
        L.isMoe = c.isMoeLayer(l);
        auto mlp = [&](const std::string& prefix) {
            GatedMlpWeights w;
            w.trainable = true;
            w.gate = get(prefix + "gate_proj.weight");
            w.up = get(prefix + "up_proj.weight");
            w.down = get(prefix + "down_proj.weight");
            return w;
        };
        if (!L.isMoe) {
            L.mlp = mlp(p + "mlp.");
            continue;
        }
        L.moe.router = get(c.routerWeightName(l));
        if (c.sharedIntermediate > 0)
            L.moe.shared = mlp(c.sharedExpertPrefix(l));
        if (c.sharedExpertGate)
            L.moe.sharedGate = get(c.sharedExpertGateName(l));
        L.moe.experts.resize(static_cast<std::size_t>(c.numExperts));
        for (int e = 0; e < c.numExperts; ++e) {
            const auto names = c.expertTensorNames(l, e);
            auto& w = L.moe.experts[static_cast<std::size_t>(e)];
            w.trainable = true;
            w.gate = get(names[0]);
            w.up = get(names[1]);
            w.down = get(names[2]);
        }
    }
}

torch::Tensor FullParameterModel::getIf(const std::string& name) const
{
    for (const auto& [n, t] : m_params)
        if (n == name)
            return t;
    return {};
}

torch::Tensor FullParameterModel::get(const std::string& name) const
{
    auto t = getIf(name);
    if (!t.defined())
        throw FormatError("Full-parameter model: tensor '" + name +
                          "' is missing (fused expert checkpoints are not "
                          "supported here)");
    return t;
}

std::unique_ptr<FullParameterModel> FullParameterModel::load(const std::filesystem::path& dir)
{
    const auto config = ModelConfig::load(dir);
    const auto files = CheckpointFiles::open(dir);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& name : files.names())
        tensors.emplace_back(name, files.tensor(name));
    return std::make_unique<FullParameterModel>(config, tensors);
}

torch::Tensor FullParameterModel::loss(const torch::Tensor& inputIds, double auxCoef)
{
    const auto& c = m_config;
    const auto ids = inputIds.to(torch::kLong);
    const auto B = ids.size(0), T = ids.size(1), H = c.hiddenSize;
    auto x = m_embed.index_select(0, ids.reshape(-1)).view({B, T, H});
    const auto bias = attentionBias({}, T, c.slidingWindow, torch::kCPU);
    const auto rope = ropeTables(c, T, torch::kCPU);
    AuxLossAccumulator aux(c.numExperts, c.topK);
    for (const auto& L : m_layers) {
        x = x + selfAttention(c, L.attn, rmsNorm(x, L.inputNorm, c.rmsNormEps), rope, bias);
        const auto h = rmsNorm(x, L.postNorm, c.rmsNormEps);
        if (!L.isMoe) {
            x = x + gatedMlp(h, L.mlp);
            continue;
        }
        const auto out = moeForward(c, L.moe, h.reshape({B * T, H}));
        x = x + out.y.view({B, T, H});
        if (auxCoef > 0)
            aux.add(out.routing.logits, {});
    }
    const auto hn = rmsNorm(x, m_norm, c.rmsNormEps);
    const auto logits = torch::linear(hn.narrow(1, 0, T - 1).reshape({B * (T - 1), H}), m_lmHead);
    auto loss = torch::nn::functional::cross_entropy(logits, ids.narrow(1, 1, T - 1).reshape(-1));
    if (auxCoef > 0)
        loss = loss + auxCoef * aux.value();
    return loss;
}

std::vector<std::pair<std::string, torch::Tensor>> FullParameterModel::exportState(torch::ScalarType dtype) const
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& [name, t] : m_params)
        out.emplace_back(name, t.detach().to(dtype, false, true).contiguous());
    return out;
}

} // namespace teft
