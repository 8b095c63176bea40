#include "core/model/MoeLayer.h"

#include "core/model/Blocks.h"

#include <torch/torch.h>

namespace teft {

torch::Tensor dispatchExperts(const torch::Tensor& x, const torch::Tensor& ids, const torch::Tensor& weights,
                              const MoeWeights& w)
{
    const auto N = x.size(0);
    const auto k = ids.size(1);
    const auto E = static_cast<std::int64_t>(w.experts.size());
    auto flatIds = ids.reshape(-1);
    auto flatWeights = weights.reshape(-1).to(x.scalar_type());
    torch::Tensor slotOf; // flat (token, slot) index of each kept choice
    if (w.presentMask.defined()) {
        slotOf = w.presentMask.index_select(0, flatIds).nonzero().squeeze(1);
        flatIds = flatIds.index_select(0, slotOf);
        flatWeights = flatWeights.index_select(0, slotOf);
    } else {
        slotOf = torch::arange(N * k, ids.options());
    }
    auto out = torch::zeros_like(x);
    if (flatIds.numel() == 0)
        return out;
    const auto sorted = torch::sort(flatIds, /*stable=*/true, /*dim=*/0, /*descending=*/false);
    const auto order = std::get<1>(sorted);
    const auto tokenIdx = slotOf.index_select(0, order).div(k, "floor");
    const auto counts = torch::bincount(flatIds, {}, E).to(torch::kCPU);
    const auto* c = counts.data_ptr<std::int64_t>();
    // split, not narrow: its backward is one concatenation instead of a zero-filled copy of the
    // whole block per expert.
    const auto pieces = x.index_select(0, tokenIdx).split_with_sizes(at::IntArrayRef(c, static_cast<std::size_t>(E)));
    std::vector<torch::Tensor> outputs;
    for (std::int64_t e = 0; e < E; ++e)
        if (c[e] > 0)
            outputs.push_back(gatedMlp(pieces[static_cast<std::size_t>(e)], w.experts[static_cast<std::size_t>(e)]));
    const auto y = (outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 0)) *
                   flatWeights.index_select(0, order).unsqueeze(1);
    out.index_add_(0, tokenIdx, y);
    return out;
}

MoeOutput moeForward(const ModelConfig& cfg, const MoeWeights& w, const torch::Tensor& x)
{
    MoeOutput out;
    const auto logits = routerLogits(cfg, w, x);
    out.routing = routeTokens(cfg, logits, w.scoreBias, w.allowed);
    out.y = dispatchExperts(x, out.routing.ids, out.routing.weights, w);
    if (w.shared.present()) {
        auto s = gatedMlp(x, w.shared);
        if (w.sharedGate.defined())
            s = torch::sigmoid(project(x, w.sharedGate)) * s;
        out.y = out.y + s;
    }
    return out;
}

} // namespace teft
