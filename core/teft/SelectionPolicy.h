#pragma once

#include "core/teft/ExpertSelection.h"
#include "core/teft/RoutingStats.h"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft {

// How experts are picked from routing statistics. All rules rank by one metric
// (RoutingStats::scores); ties go to the lower layer, then the lower expert id, so a policy
// always gives the same selection for the same statistics.
//  - TopKPerLayer: the k best experts of every MoE layer (Connito keeps 8).
//  - TopPPerLayer: ESFT's rule. Per layer, scores are normalised to shares of the layer's total
//    positive score; experts are taken best-first until the cumulative share reaches p (the
//    expert that crosses p is kept). The token share already sums to 1 per layer, so for it
//    this is exactly ESFT's cumulative token-selection ratio.
//  - GlobalBudget: all (layer, expert) cells ranked together, taken best-first while the count
//    stays within maxExperts and the bytes within maxBytes (whichever are set, > 0).
// With positiveOnly (default), experts scoring ≤ 0 are never picked (never routed to, or colder
// on the target than on the reference).
struct SelectionPolicy {
    enum class Kind { TopKPerLayer, TopPPerLayer, GlobalBudget };
    Kind kind = Kind::TopPPerLayer;
    RoutingMetric metric = RoutingMetric::TokenShare;
    int k = 8;
    double p = 0.2;
    std::int64_t maxExperts = 0;     // GlobalBudget: 0 = no count limit
    std::int64_t maxBytes = 0;       // GlobalBudget: 0 = no byte limit
    std::int64_t bytesPerExpert = 0; // GlobalBudget with maxBytes: the cost of one expert
    bool positiveOnly = true;
    std::vector<int> onlyLayers; // restrict to these model layers (empty = all MoE layers)

    // Throws UsageError naming the bad setting.
    void check() const;
    nlohmann::json toJson() const;
    static SelectionPolicy fromJson(const nlohmann::json& j);
};
std::string toString(SelectionPolicy::Kind kind);
SelectionPolicy::Kind selectionPolicyKindFromString(const std::string& name); // "top_k", "top_p", "budget"

// One manual change made on top of a policy's result (the GUI's clicks, `teft select --add`).
struct SelectionEdit {
    int layer = 0;
    int expert = 0;
    bool selected = true;
};

// Applies the policy. `reference` is needed for the contrast metrics. The result carries
// stats.modelFingerprint.
ExpertSelection selectExperts(const RoutingStats& stats, const SelectionPolicy& policy,
                              const RoutingStats* reference = nullptr);
// Applies manual edits in order (later edits win).
void applyEdits(ExpertSelection& selection, const std::vector<SelectionEdit>& edits);

} // namespace teft
