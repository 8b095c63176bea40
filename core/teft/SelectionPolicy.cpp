#include "core/teft/SelectionPolicy.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace teft {
using nlohmann::json;

std::string toString(SelectionPolicy::Kind kind)
{
    switch (kind) {
    case SelectionPolicy::Kind::TopKPerLayer: return "top_k";
    case SelectionPolicy::Kind::TopPPerLayer: return "top_p";
    case SelectionPolicy::Kind::GlobalBudget: return "budget";
    }
    return "top_p";
}

SelectionPolicy::Kind selectionPolicyKindFromString(const std::string& name)
{
    if (name == "top_k" || name == "topk")
        return SelectionPolicy::Kind::TopKPerLayer;
    if (name == "top_p" || name == "topp")
        return SelectionPolicy::Kind::TopPPerLayer;
    if (name == "budget" || name == "global_budget")
        return SelectionPolicy::Kind::GlobalBudget;
    throw UsageError("Unknown selection policy '" + name + "' (expected top_k, top_p or budget)");
}

void SelectionPolicy::check() const
{
    switch (kind) {
    case Kind::TopKPerLayer:
        if (k < 1)
            throw UsageError("Selection policy top_k: k must be at least 1 (got " + std::to_string(k) + ")");
        break;
    case Kind::TopPPerLayer:
        if (!(p > 0.0 && p <= 1.0))
            throw UsageError("Selection policy top_p: p must be in (0, 1] (got " + std::to_string(p) + ")");
        break;
    case Kind::GlobalBudget:
        if (maxExperts < 0 || maxBytes < 0)
            throw UsageError("Selection policy budget: limits cannot be negative");
        if (maxExperts == 0 && maxBytes == 0)
            throw UsageError("Selection policy budget: set a maximum expert count or a maximum "
                             "byte size");
        if (maxBytes > 0 && bytesPerExpert <= 0)
            throw UsageError("Selection policy budget: a byte budget needs the bytes per expert");
        break;
    }
}

json SelectionPolicy::toJson() const
{
    return json{{"kind", toString(kind)},
                {"metric", toString(metric)},
                {"k", k},
                {"p", p},
                {"max_experts", maxExperts},
                {"max_bytes", maxBytes},
                {"bytes_per_expert", bytesPerExpert},
                {"positive_only", positiveOnly},
                {"only_layers", onlyLayers}};
}

SelectionPolicy SelectionPolicy::fromJson(const json& j)
{
    SelectionPolicy s;
    try {
        s.kind = selectionPolicyKindFromString(j.value("kind", std::string("top_p")));
        s.metric = routingMetricFromString(j.value("metric", std::string("token_share")));
        s.k = j.value("k", s.k);
        s.p = j.value("p", s.p);
        s.maxExperts = j.value("max_experts", s.maxExperts);
        s.maxBytes = j.value("max_bytes", s.maxBytes);
        s.bytesPerExpert = j.value("bytes_per_expert", s.bytesPerExpert);
        s.positiveOnly = j.value("positive_only", s.positiveOnly);
        s.onlyLayers = j.value("only_layers", s.onlyLayers);
    } catch (const json::exception& e) {
        throw FormatError(std::string("Selection policy: ") + e.what());
    }
    return s;
}

namespace {
struct Cell {
    int row;
    int expert;
    double score;
};

// Best first; ties to the lower row, then the lower expert id.
bool better(const Cell& a, const Cell& b)
{
    if (a.score != b.score)
        return a.score > b.score;
    if (a.row != b.row)
        return a.row < b.row;
    return a.expert < b.expert;
}
} // namespace

ExpertSelection selectExperts(const RoutingStats& stats, const SelectionPolicy& policy, const RoutingStats* reference)
{
    policy.check();
    const std::vector<double> scores = stats.scores(policy.metric, reference);
    const int E = stats.numExperts();
    for (int layer : policy.onlyLayers)
        if (stats.rowOfLayer(layer) < 0)
            throw UsageError("Selection policy: layer " + std::to_string(layer) +
                             " is not a MoE layer of these statistics");

    std::vector<int> rows;
    for (int r = 0; r < stats.rows(); ++r) {
        const int layer = stats.moeLayers()[static_cast<std::size_t>(r)];
        if (policy.onlyLayers.empty() ||
            std::find(policy.onlyLayers.begin(), policy.onlyLayers.end(), layer) != policy.onlyLayers.end())
            rows.push_back(r);
    }
    auto cellsOfRow = [&](int r) {
        std::vector<Cell> cells;
        for (int e = 0; e < E; ++e) {
            const double s = scores[static_cast<std::size_t>(r) * E + e];
            if (!std::isfinite(s) || (policy.positiveOnly && s <= 0.0))
                continue;
            cells.push_back({r, e, s});
        }
        std::sort(cells.begin(), cells.end(), better);
        return cells;
    };

    ExpertSelection sel(stats.modelFingerprint);
    auto pick = [&](const Cell& c) { sel.set(stats.moeLayers()[static_cast<std::size_t>(c.row)], c.expert, true); };

    switch (policy.kind) {
    case SelectionPolicy::Kind::TopKPerLayer:
        for (int r : rows) {
            const auto cells = cellsOfRow(r);
            for (std::size_t i = 0; i < cells.size() && i < static_cast<std::size_t>(policy.k); ++i)
                pick(cells[i]);
        }
        break;
    case SelectionPolicy::Kind::TopPPerLayer:
        for (int r : rows) {
            const auto cells = cellsOfRow(r);
            double total = 0.0;
            for (const auto& c : cells)
                total += std::max(c.score, 0.0);
            if (total <= 0.0)
                continue;
            double cumulative = 0.0;
            for (const auto& c : cells) {
                if (cumulative >= policy.p - 1e-12) // tolerate rounding of the shares
                    break;
                pick(c);
                cumulative += std::max(c.score, 0.0) / total;
            }
        }
        break;
    case SelectionPolicy::Kind::GlobalBudget: {
        std::vector<Cell> all;
        for (int r : rows) {
            const auto cells = cellsOfRow(r);
            all.insert(all.end(), cells.begin(), cells.end());
        }
        std::sort(all.begin(), all.end(), better);
        std::int64_t n = 0, bytes = 0;
        for (const auto& c : all) {
            if (policy.maxExperts > 0 && n + 1 > policy.maxExperts)
                break;
            if (policy.maxBytes > 0 && bytes + policy.bytesPerExpert > policy.maxBytes)
                break;
            pick(c);
            ++n;
            bytes += policy.bytesPerExpert;
        }
        break;
    }
    }
    return sel;
}

void applyEdits(ExpertSelection& selection, const std::vector<SelectionEdit>& edits)
{
    for (const auto& e : edits)
        selection.set(e.layer, e.expert, e.selected);
}

} // namespace teft
