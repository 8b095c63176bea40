#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace teft {

// What a per-expert score is computed from (see RoutingStats::scores()).
enum class RoutingMetric {
    TokenShare,         // ESFT token-selection ratio: c / (N·k)
    GateScore,          // ESFT average gate score: g / N
    ContrastDifference, // target token share − reference token share
    ContrastLogRatio,   // ln(p_target / p_reference), p = (c + 1) / (N·k + E) (Laplace-smoothed)
};
std::string toString(RoutingMetric metric);
// Accepts "token", "token_share", "gate", "gate_score", "contrast", "contrast_diff",
// "log_ratio", "contrast_log_ratio"; throws UsageError naming the value otherwise.
RoutingMetric routingMetricFromString(const std::string& name);
// Whether the metric needs reference statistics.
bool needsReference(RoutingMetric metric);

// Routing statistics of a frozen MoE model over a dataset, per MoE layer × expert:
//   c[l,e]  token count: how many tokens had expert e among their top-k in MoE layer l,
//   g[l,e]  gate mass: the sum of the routing weights expert e received,
//   N[l]    tokens seen by layer l (padding excluded by the caller).
// Storage is plain row-major std::vector<double> [rows × experts], row r being the MoE layer
// whose model layer index is moeLayers()[r], so the GUI reads it without tensors.
class RoutingStats {
public:
    RoutingStats() = default;
    RoutingStats(std::vector<int> moeLayers, int numExperts, int topK);

    const std::vector<int>& moeLayers() const { return m_moeLayers; }
    int rows() const { return static_cast<int>(m_moeLayers.size()); }
    int numExperts() const { return m_numExperts; }
    int topK() const { return m_topK; }
    // Row of a model layer index, -1 when that layer is not a MoE layer here.
    int rowOfLayer(int modelLayer) const;

    // Adds one batch of routing decisions of MoE row `layerRow`: ids [n, k] int64 expert ids,
    // weights [n, k] floating routing weights (the ones that multiply the expert outputs).
    // Counts the n tokens too (N += n): do NOT call addTokens() for them as well.
    // Any device/dtype is accepted; rows must be real tokens (padding already removed).
    void accumulate(int layerRow, const at::Tensor& ids, const at::Tensor& weights);
    // Building statistics by hand (tests, importers): add() records one token-choice and does
    // not count a token; addTokens() counts tokens (each token makes k choices).
    void add(int layerRow, int expert, double weight);
    void addTokens(int layerRow, std::int64_t tokens);

    // Sums another set of statistics of the same shape (another shard of the same dataset).
    void merge(const RoutingStats& other);

    double count(int row, int expert) const { return m_counts[index(row, expert)]; }
    double gateMass(int row, int expert) const { return m_gateMass[index(row, expert)]; }
    std::int64_t tokens(int row) const { return m_tokens.at(static_cast<std::size_t>(row)); }
    // The largest per-row token count (all rows see the same tokens in a normal run).
    std::int64_t tokens() const;
    const std::vector<double>& counts() const { return m_counts; }
    const std::vector<double>& gateMasses() const { return m_gateMass; }

    double tokenShare(int row, int expert) const;
    double gateScore(int row, int expert) const;
    // Contrast of this (target) against a reference dataset's statistics of the same model.
    double contrastDifference(const RoutingStats& reference, int row, int expert) const;
    double contrastLogRatio(const RoutingStats& reference, int row, int expert) const;

    // The whole [rows × experts] matrix of one metric, row-major. `reference` is required
    // for the contrast metrics (throws UsageError when missing or of another shape).
    std::vector<double> scores(RoutingMetric metric, const RoutingStats* reference = nullptr) const;

    // Free-form labels carried along (shown by the GUI, written in JSON).
    std::string modelFingerprint;
    std::string dataset;

    nlohmann::json toJson() const;
    static RoutingStats fromJson(const nlohmann::json& j); // throws FormatError naming the key
    void save(const std::string& path) const;              // atomic
    static RoutingStats load(const std::string& path);

    bool sameShape(const RoutingStats& other) const;

private:
    std::size_t index(int row, int expert) const;
    void checkRow(int row) const;

    std::vector<int> m_moeLayers;
    int m_numExperts = 0;
    int m_topK = 0;
    std::vector<std::int64_t> m_tokens;
    std::vector<double> m_counts;
    std::vector<double> m_gateMass;
};

} // namespace teft
