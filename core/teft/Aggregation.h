#pragma once

#include "core/teft/TensorMap.h"

#include <cstddef>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft {

// Proof-of-loss aggregation (TEFT step 3).
//   s_i = ReLU(L_base − L_i)   (a non-finite loss scores 0)
// The validator passes ProofOfLossScorer's scores: the paired gain when it is significant, else
// 0 (ScoreStatistics.h), so a gain within noise never gets weight.
// Optionally exactly equal positive scores are all set to 0 first (Connito's copy detection:
// two honest runs never tie to the last bit). Then weights by policy:
//   TopK          the k best with s > 0, each 1/m (m = how many were kept) — seed version 1;
//   Proportional  w_i = s_i / Σ s_j — seed version 2;
//   PowerWeighted w_i = s_i^α / Σ s_j^α (Connito scores s^1.2).
// Weights sum to 1, or are all 0 when nobody improved the loss (then there is no update).
struct AggregationSettings {
    enum class Policy { TopK, Proportional, PowerWeighted };
    Policy policy = Policy::TopK;
    int topK = 1;
    double alpha = 1.2;
    bool zeroEqualScores = true;

    void check() const; // UsageError naming the bad setting
    nlohmann::json toJson() const;
    static AggregationSettings fromJson(const nlohmann::json& j);
};
std::string toString(AggregationSettings::Policy policy);
AggregationSettings::Policy aggregationPolicyFromString(const std::string& name); // top_k, proportional, power

std::vector<double> proofOfLossScores(double baselineLoss, const std::vector<double>& losses);
// Exactly equal positive scores → 0 (all members of each tie).
std::vector<double> zeroEqualScores(const std::vector<double>& scores);
// 1-based ranks, best score first; ties keep input (arrival) order.
std::vector<int> rankByScore(const std::vector<double>& scores);

struct AggregationPlan {
    std::vector<double> rawScores; // as given
    std::vector<double> scores;    // after copy zeroing
    std::vector<int> ranks;
    std::vector<double> weights;
    std::vector<std::string> fates; // "merged", "not_selected", "no_improvement", "equal_score"
    bool empty() const;             // nobody gets weight
};
AggregationPlan planAggregation(const std::vector<double>& scores, const AggregationSettings& settings);

// Σ_i w_i Δ_i per tensor name, in fp32 on the device of the first Δ read. deltaOf(i, name)
// returns Δ_i[name]; entries with weight 0 are never read. Throws Error when a Δ's shape
// differs from the first one seen for that name.
using DeltaSource = std::function<at::Tensor(std::size_t index, const std::string& name)>;
TensorMap aggregateDeltas(const std::vector<std::string>& names, const std::vector<double>& weights,
                          const DeltaSource& deltaOf);

} // namespace teft
