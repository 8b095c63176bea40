// Routing per family: softmax top-k (qwen, olmoe, mixtral), deepseek_v2 softmax with greedy or
// group-limited greedy choice, deepseek_v3 sigmoid with bias-corrected group and expert choice.
#include "core/model/Router.h"

#include "core/model/Blocks.h"

#include <torch/torch.h>

#include <limits>

namespace teft {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Restricts choice scores [N, E] to the experts of the topkGroup best groups (others set to
// `fill`), groups ranked by groupScore [N, G].
torch::Tensor keepBestGroups(const ModelConfig& cfg, const torch::Tensor& choice, const torch::Tensor& groupScore,
                             double fill)
{
    const auto N = choice.size(0);
    const auto perGroup = cfg.numExperts / cfg.nGroup;
    const auto groupIdx = std::get<1>(groupScore.topk(cfg.topkGroup, -1));
    const auto groupMask = torch::zeros_like(groupScore).scatter_(1, groupIdx, 1.0);
    const auto scoreMask = groupMask.unsqueeze(-1).expand({N, cfg.nGroup, perGroup}).reshape({N, cfg.numExperts});
    return choice.masked_fill(scoreMask.eq(0), fill);
}

} // namespace

torch::Tensor routerLogits(const ModelConfig& cfg, const MoeWeights& w, const torch::Tensor& x)
{
    if (cfg.routing == RoutingKind::SoftmaxTopK)
        return project(x, w.router).to(torch::kFloat);
    return torch::linear(x.to(torch::kFloat), w.router.to(torch::kFloat));
}

RoutingResult routeTokens(const ModelConfig& cfg, const torch::Tensor& logits, const torch::Tensor& scoreBias,
                          const torch::Tensor& allowed)
{
    RoutingResult r;
    r.logits = logits;
    const auto N = logits.size(0);
    const auto k = cfg.topK;
    if (cfg.routing == RoutingKind::SoftmaxTopK || cfg.routing == RoutingKind::DeepseekSoftmax) {
        const auto masked = allowed.defined() ? logits.masked_fill(allowed.logical_not(), kNegInf) : logits;
        const auto probs = torch::softmax(masked, -1);
        torch::Tensor choice = probs;
        if (cfg.routing == RoutingKind::DeepseekSoftmax && cfg.groupLimited) {
            const auto groupScore = probs.view({N, cfg.nGroup, cfg.numExperts / cfg.nGroup}).amax(-1);
            choice = keepBestGroups(cfg, probs, groupScore, 0.0);
        }
        auto [w, ids] = choice.topk(k, -1);
        if (cfg.routing == RoutingKind::SoftmaxTopK) {
            if (cfg.normTopkProb)
                w = w / w.sum(-1, true);
        } else {
            w = w * cfg.routedScalingFactor;
        }
        r.ids = ids;
        r.weights = w;
        return r;
    }
    // deepseek_v3
    const auto scores = torch::sigmoid(logits);
    auto choice = scoreBias.defined() ? scores + scoreBias.to(torch::kFloat).unsqueeze(0) : scores;
    if (allowed.defined())
        choice = choice.masked_fill(allowed.logical_not(), kNegInf);
    auto top2 = std::get<0>(choice.view({N, cfg.nGroup, cfg.numExperts / cfg.nGroup}).topk(2, -1));
    if (allowed.defined())
        top2 = top2.masked_fill(top2.isinf(), 0.0); // an absent expert adds nothing to its group
    // Experts outside the chosen groups are dropped with -inf, as transformers'
    // DeepseekV3TopkRouter does: bias-corrected scores can be negative, and a 0.0 fill (the
    // original remote code's) let an expert of a dropped group win over an allowed one with a
    // negative score (tests/cli/test_hf_crosscheck.cpp found it).
    choice = keepBestGroups(cfg, choice, top2.sum(-1), kNegInf);
    const auto ids = std::get<1>(choice.topk(k, -1));
    auto w = scores.gather(1, ids);
    if (allowed.defined())
        w = w * allowed.index_select(0, ids.reshape(-1)).view_as(w).to(torch::kFloat);
    if (cfg.normTopkProb)
        w = w / (w.sum(-1, true) + 1e-20);
    r.ids = ids;
    r.weights = w * cfg.routedScalingFactor;
    return r;
}

AuxStatistics auxStatistics(const torch::Tensor& logits, const torch::Tensor& validRows, const torch::Tensor& topIds,
                            std::int64_t topK)
{
    AuxStatistics s;
    auto probs = torch::softmax(logits, -1);
    auto top = topIds;
    if (validRows.defined()) {
        probs = probs.index_select(0, validRows);
        if (top.defined())
            top = top.index_select(0, validRows);
    }
    if (probs.size(0) == 0)
        return s;
    if (!top.defined())
        top = std::get<1>(probs.topk(topK, -1));
    s.counts = torch::one_hot(top, logits.size(-1)).to(torch::kFloat).sum(0); // [k, E]
    s.probSum = probs.sum(0);
    s.tokens = probs.size(0);
    return s;
}

void AuxLossAccumulator::add(const torch::Tensor& logits, const torch::Tensor& validRows, const torch::Tensor& topIds)
{
    add(auxStatistics(logits, validRows, topIds, m_topK));
}

void AuxLossAccumulator::add(const AuxStatistics& s)
{
    if (s.tokens == 0)
        return;
    m_counts = m_counts.defined() ? m_counts + s.counts : s.counts;
    m_probs = m_probs.defined() ? m_probs + s.probSum : s.probSum;
    m_tokens += s.tokens;
}

torch::Tensor AuxLossAccumulator::value(const StatisticsReducer& reduce) const
{
    if (reduce) {
        auto counts = m_counts.defined() ? m_counts.detach().to(torch::kCPU, torch::kDouble)
                                         : torch::zeros({m_topK, m_experts}, torch::kDouble);
        double tokens = static_cast<double>(m_tokens);
        reduce(counts, tokens);
        if (tokens == 0 || !m_probs.defined())
            return torch::zeros({}, torch::kFloat);
        const auto f = (counts / tokens).to(m_probs.device(), torch::kFloat);
        return (f * (m_probs / tokens).unsqueeze(0)).sum() * static_cast<double>(m_experts);
    }
    if (m_tokens == 0)
        return torch::zeros({}, torch::kFloat);
    const double n = static_cast<double>(m_tokens);
    return (m_counts / n * (m_probs / n).unsqueeze(0)).sum() * static_cast<double>(m_experts);
}

} // namespace teft
