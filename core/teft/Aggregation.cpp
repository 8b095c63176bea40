#include "core/teft/Aggregation.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <torch/torch.h>

namespace teft {
using nlohmann::json;

std::string toString(AggregationSettings::Policy policy)
{
    switch (policy) {
    case AggregationSettings::Policy::TopK: return "top_k";
    case AggregationSettings::Policy::Proportional: return "proportional";
    case AggregationSettings::Policy::PowerWeighted: return "power";
    }
    return "top_k";
}

AggregationSettings::Policy aggregationPolicyFromString(const std::string& name)
{
    if (name == "top_k" || name == "topk")
        return AggregationSettings::Policy::TopK;
    if (name == "proportional")
        return AggregationSettings::Policy::Proportional;
    if (name == "power" || name == "power_weighted")
        return AggregationSettings::Policy::PowerWeighted;
    throw UsageError("Unknown aggregation policy '" + name + "' (expected top_k, proportional or power)");
}

void AggregationSettings::check() const
{
    if (policy == Policy::TopK && topK < 1)
        throw UsageError("Aggregation top_k: k must be at least 1 (got " + std::to_string(topK) + ")");
    if (policy == Policy::PowerWeighted && !(alpha > 0.0 && std::isfinite(alpha)))
        throw UsageError("Aggregation power: alpha must be a positive number (got " + std::to_string(alpha) + ")");
}

json AggregationSettings::toJson() const
{
    return json{{"policy", toString(policy)},
                {"top_k", topK},
                {"alpha", alpha},
                {"zero_equal_scores", zeroEqualScores}};
}

AggregationSettings AggregationSettings::fromJson(const json& j)
{
    AggregationSettings s;
    try {
        s.policy = aggregationPolicyFromString(j.value("policy", std::string("top_k")));
        s.topK = j.value("top_k", s.topK);
        s.alpha = j.value("alpha", s.alpha);
        s.zeroEqualScores = j.value("zero_equal_scores", s.zeroEqualScores);
    } catch (const json::exception& e) {
        throw FormatError(std::string("Aggregation settings: ") + e.what());
    }
    return s;
}

std::vector<double> proofOfLossScores(double baselineLoss, const std::vector<double>& losses)
{
    std::vector<double> s(losses.size(), 0.0);
    if (!std::isfinite(baselineLoss))
        return s;
    for (std::size_t i = 0; i < losses.size(); ++i)
        if (std::isfinite(losses[i]))
            s[i] = std::max(0.0, baselineLoss - losses[i]);
    return s;
}

std::vector<double> zeroEqualScores(const std::vector<double>& scores)
{
    std::map<double, int> seen;
    for (double s : scores)
        if (s > 0)
            ++seen[s];
    std::vector<double> out = scores;
    for (double& s : out)
        if (s > 0 && seen[s] > 1)
            s = 0.0;
    return out;
}

std::vector<int> rankByScore(const std::vector<double>& scores)
{
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    std::vector<int> ranks(scores.size());
    for (std::size_t r = 0; r < order.size(); ++r)
        ranks[order[r]] = static_cast<int>(r) + 1;
    return ranks;
}

bool AggregationPlan::empty() const
{
    return std::none_of(weights.begin(), weights.end(), [](double w) { return w > 0; });
}

AggregationPlan planAggregation(const std::vector<double>& scores, const AggregationSettings& settings)
{
    settings.check();
    AggregationPlan p;
    p.rawScores = scores;
    for (double& s : p.rawScores)
        if (!std::isfinite(s) || s < 0)
            s = 0.0;
    p.scores = settings.zeroEqualScores ? zeroEqualScores(p.rawScores) : p.rawScores;
    p.ranks = rankByScore(p.scores);
    const std::size_t n = scores.size();
    p.weights.assign(n, 0.0);
    p.fates.assign(n, "no_improvement");
    for (std::size_t i = 0; i < n; ++i)
        if (p.rawScores[i] > 0 && p.scores[i] == 0)
            p.fates[i] = "equal_score";

    switch (settings.policy) {
    case AggregationSettings::Policy::TopK: {
        std::vector<std::size_t> kept;
        for (std::size_t i = 0; i < n; ++i)
            if (p.scores[i] > 0 && p.ranks[i] <= settings.topK)
                kept.push_back(i);
        for (std::size_t i : kept)
            p.weights[i] = 1.0 / static_cast<double>(kept.size());
        break;
    }
    case AggregationSettings::Policy::Proportional:
    case AggregationSettings::Policy::PowerWeighted: {
        const double a = settings.policy == AggregationSettings::Policy::Proportional ? 1.0 : settings.alpha;
        double total = 0.0;
        for (double s : p.scores)
            if (s > 0)
                total += std::pow(s, a);
        if (total > 0)
            for (std::size_t i = 0; i < n; ++i)
                if (p.scores[i] > 0)
                    p.weights[i] = std::pow(p.scores[i], a) / total;
        break;
    }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (p.weights[i] > 0)
            p.fates[i] = "merged";
        else if (p.scores[i] > 0)
            p.fates[i] = "not_selected";
    }
    return p;
}

TensorMap aggregateDeltas(const std::vector<std::string>& names, const std::vector<double>& weights,
                          const DeltaSource& deltaOf)
{
    TensorMap out;
    for (const auto& name : names) {
        at::Tensor acc;
        for (std::size_t i = 0; i < weights.size(); ++i) {
            if (!(weights[i] > 0))
                continue;
            const at::Tensor d = deltaOf(i, name);
            if (!acc.defined())
                acc = torch::zeros(d.sizes(), d.options().dtype(torch::kFloat));
            else if (d.sizes() != acc.sizes())
                throw Error("Cannot aggregate " + name + ": update " + std::to_string(i) + " has shape " +
                            c10::str(d.sizes()) + ", expected " + c10::str(acc.sizes()));
            acc.add_(d.to(acc.device(), torch::kFloat), weights[i]);
        }
        if (acc.defined())
            out[name] = acc;
    }
    return out;
}

} // namespace teft
