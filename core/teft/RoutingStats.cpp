#include "core/teft/RoutingStats.h"
#include "core/io/StrictJson.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace teft {

std::string toString(RoutingMetric metric)
{
    switch (metric) {
    case RoutingMetric::TokenShare: return "token_share";
    case RoutingMetric::GateScore: return "gate_score";
    case RoutingMetric::ContrastDifference: return "contrast_diff";
    case RoutingMetric::ContrastLogRatio: return "contrast_log_ratio";
    }
    return "token_share";
}

RoutingMetric routingMetricFromString(const std::string& name)
{
    if (name == "token" || name == "token_share")
        return RoutingMetric::TokenShare;
    if (name == "gate" || name == "gate_score")
        return RoutingMetric::GateScore;
    if (name == "contrast" || name == "contrast_diff")
        return RoutingMetric::ContrastDifference;
    if (name == "log_ratio" || name == "contrast_log_ratio")
        return RoutingMetric::ContrastLogRatio;
    throw UsageError("Unknown routing metric '" + name +
                     "' (expected token_share, gate_score, contrast_diff or contrast_log_ratio)");
}

bool needsReference(RoutingMetric metric)
{
    return metric == RoutingMetric::ContrastDifference || metric == RoutingMetric::ContrastLogRatio;
}

RoutingStats::RoutingStats(std::vector<int> moeLayers, int numExperts, int topK)
    : m_moeLayers(std::move(moeLayers)), m_numExperts(numExperts), m_topK(topK)
{
    if (numExperts <= 0)
        throw Error("Routing statistics need at least one expert (got " + std::to_string(numExperts) + ")");
    if (topK <= 0 || topK > numExperts)
        throw Error("Routing statistics: top-k " + std::to_string(topK) + " is not in 1.." +
                    std::to_string(numExperts));
    for (std::size_t i = 0; i < m_moeLayers.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (m_moeLayers[i] == m_moeLayers[j])
                throw Error("Routing statistics: MoE layer " + std::to_string(m_moeLayers[i]) + " is listed twice");
    const std::size_t cells = m_moeLayers.size() * static_cast<std::size_t>(numExperts);
    m_tokens.assign(m_moeLayers.size(), 0);
    m_counts.assign(cells, 0.0);
    m_gateMass.assign(cells, 0.0);
}

int RoutingStats::rowOfLayer(int modelLayer) const
{
    const auto it = std::find(m_moeLayers.begin(), m_moeLayers.end(), modelLayer);
    return it == m_moeLayers.end() ? -1 : static_cast<int>(it - m_moeLayers.begin());
}

void RoutingStats::checkRow(int row) const
{
    if (row < 0 || row >= rows())
        throw Error("Routing statistics: row " + std::to_string(row) + " is out of range (" + std::to_string(rows()) +
                    " MoE layers)");
}

std::size_t RoutingStats::index(int row, int expert) const
{
    checkRow(row);
    if (expert < 0 || expert >= m_numExperts)
        throw Error("Routing statistics: expert " + std::to_string(expert) + " is out of range (" +
                    std::to_string(m_numExperts) + " experts)");
    return static_cast<std::size_t>(row) * static_cast<std::size_t>(m_numExperts) + static_cast<std::size_t>(expert);
}

void RoutingStats::accumulate(int layerRow, const at::Tensor& ids, const at::Tensor& weights)
{
    checkRow(layerRow);
    if (ids.dim() != 2 || weights.dim() != 2 || ids.sizes() != weights.sizes())
        throw Error("Routing statistics: ids " + std::string(c10::str(ids.sizes())) + " and weights " +
                    std::string(c10::str(weights.sizes())) + " must both be [tokens, k]");
    if (ids.size(1) != m_topK)
        throw Error("Routing statistics: got " + std::to_string(ids.size(1)) + " experts per token, expected top-k " +
                    std::to_string(m_topK));
    if (ids.numel() == 0)
        return;
    const at::Tensor flatIds = ids.detach().to(torch::kCPU, torch::kLong).reshape({-1});
    const at::Tensor flatW = weights.detach().to(torch::kCPU, torch::kDouble).reshape({-1});
    const std::int64_t lo = flatIds.min().item<std::int64_t>();
    const std::int64_t hi = flatIds.max().item<std::int64_t>();
    if (lo < 0 || hi >= m_numExperts)
        throw Error("Routing statistics: expert id " + std::to_string(lo < 0 ? lo : hi) + " is out of range (" +
                    std::to_string(m_numExperts) + " experts)");
    const at::Tensor c = torch::bincount(flatIds, {}, m_numExperts).to(torch::kDouble);
    const at::Tensor g = torch::bincount(flatIds, flatW, m_numExperts).to(torch::kDouble);
    const double* cp = c.data_ptr<double>();
    const double* gp = g.data_ptr<double>();
    const std::size_t base = static_cast<std::size_t>(layerRow) * m_numExperts;
    for (int e = 0; e < m_numExperts; ++e) {
        m_counts[base + e] += cp[e];
        m_gateMass[base + e] += gp[e];
    }
    m_tokens[static_cast<std::size_t>(layerRow)] += ids.size(0);
}

void RoutingStats::add(int layerRow, int expert, double weight)
{
    const std::size_t i = index(layerRow, expert);
    m_counts[i] += 1.0;
    m_gateMass[i] += weight;
}

void RoutingStats::addTokens(int layerRow, std::int64_t tokens)
{
    checkRow(layerRow);
    m_tokens[static_cast<std::size_t>(layerRow)] += tokens;
}

bool RoutingStats::sameShape(const RoutingStats& other) const
{
    return m_moeLayers == other.m_moeLayers && m_numExperts == other.m_numExperts && m_topK == other.m_topK;
}

void RoutingStats::merge(const RoutingStats& other)
{
    if (!sameShape(other))
        throw Error("Cannot merge routing statistics of different models (layers, experts or "
                    "top-k differ)");
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        m_counts[i] += other.m_counts[i];
        m_gateMass[i] += other.m_gateMass[i];
    }
    for (std::size_t r = 0; r < m_tokens.size(); ++r)
        m_tokens[r] += other.m_tokens[r];
}

std::int64_t RoutingStats::tokens() const
{
    std::int64_t n = 0;
    for (auto t : m_tokens)
        n = std::max(n, t);
    return n;
}

double RoutingStats::tokenShare(int row, int expert) const
{
    const double denom = static_cast<double>(tokens(row)) * m_topK;
    return denom > 0 ? count(row, expert) / denom : 0.0;
}

double RoutingStats::gateScore(int row, int expert) const
{
    const double n = static_cast<double>(tokens(row));
    return n > 0 ? gateMass(row, expert) / n : 0.0;
}

double RoutingStats::contrastDifference(const RoutingStats& reference, int row, int expert) const
{
    return tokenShare(row, expert) - reference.tokenShare(row, expert);
}

double RoutingStats::contrastLogRatio(const RoutingStats& reference, int row, int expert) const
{
    auto smoothed = [](const RoutingStats& s, int r, int e) {
        return (s.count(r, e) + 1.0) / (static_cast<double>(s.tokens(r)) * s.topK() + s.numExperts());
    };
    return std::log(smoothed(*this, row, expert) / smoothed(reference, row, expert));
}

std::vector<double> RoutingStats::scores(RoutingMetric metric, const RoutingStats* reference) const
{
    if (needsReference(metric)) {
        if (!reference)
            throw UsageError("The metric " + toString(metric) + " needs routing statistics of a reference dataset");
        if (!sameShape(*reference))
            throw UsageError("The reference routing statistics come from a model with other "
                             "MoE layers, expert count or top-k");
    }
    std::vector<double> out(m_counts.size());
    for (int r = 0; r < rows(); ++r)
        for (int e = 0; e < m_numExperts; ++e) {
            double v = 0;
            switch (metric) {
            case RoutingMetric::TokenShare: v = tokenShare(r, e); break;
            case RoutingMetric::GateScore: v = gateScore(r, e); break;
            case RoutingMetric::ContrastDifference: v = contrastDifference(*reference, r, e); break;
            case RoutingMetric::ContrastLogRatio: v = contrastLogRatio(*reference, r, e); break;
            }
            out[static_cast<std::size_t>(r) * m_numExperts + e] = v;
        }
    return out;
}

nlohmann::json RoutingStats::toJson() const
{
    nlohmann::json j;
    j["format"] = "teft-routing-stats";
    j["version"] = 1;
    j["model_fingerprint"] = modelFingerprint;
    j["dataset"] = dataset;
    j["moe_layers"] = m_moeLayers;
    j["num_experts"] = m_numExperts;
    j["top_k"] = m_topK;
    j["tokens"] = m_tokens;
    nlohmann::json counts = nlohmann::json::array(), mass = nlohmann::json::array();
    for (int r = 0; r < rows(); ++r) {
        const auto b = m_counts.begin() + static_cast<std::ptrdiff_t>(r) * m_numExperts;
        const auto g = m_gateMass.begin() + static_cast<std::ptrdiff_t>(r) * m_numExperts;
        counts.push_back(std::vector<double>(b, b + m_numExperts));
        mass.push_back(std::vector<double>(g, g + m_numExperts));
    }
    j["counts"] = std::move(counts);
    j["gate_mass"] = std::move(mass);
    return j;
}

RoutingStats RoutingStats::fromJson(const nlohmann::json& j)
{
    try {
        if (!j.is_object() || j.value("format", std::string()) != "teft-routing-stats")
            throw FormatError("Not a routing statistics file: \"format\" is not "
                              "\"teft-routing-stats\"");
        if (j.at("version").get<int>() != 1)
            throw FormatError("Routing statistics version " + j.at("version").dump() +
                              " is not supported (expected 1)");
        RoutingStats s(j.at("moe_layers").get<std::vector<int>>(), j.at("num_experts").get<int>(),
                       j.at("top_k").get<int>());
        s.modelFingerprint = j.value("model_fingerprint", std::string());
        s.dataset = j.value("dataset", std::string());
        const auto tokens = j.at("tokens").get<std::vector<std::int64_t>>();
        if (tokens.size() != s.m_tokens.size())
            throw FormatError("Routing statistics: \"tokens\" has " + std::to_string(tokens.size()) +
                              " entries, expected " + std::to_string(s.m_tokens.size()));
        s.m_tokens = tokens;
        auto readMatrix = [&](const char* key, std::vector<double>& dst) {
            const auto& m = j.at(key);
            if (!m.is_array() || m.size() != s.m_moeLayers.size())
                throw FormatError(std::string("Routing statistics: \"") + key + "\" must have " +
                                  std::to_string(s.rows()) + " rows");
            for (int r = 0; r < s.rows(); ++r) {
                const auto row = m.at(static_cast<std::size_t>(r)).get<std::vector<double>>();
                if (static_cast<int>(row.size()) != s.m_numExperts)
                    throw FormatError(std::string("Routing statistics: \"") + key + "\" row " + std::to_string(r) +
                                      " has " + std::to_string(row.size()) + " entries, expected " +
                                      std::to_string(s.m_numExperts));
                std::copy(row.begin(), row.end(), dst.begin() + static_cast<std::ptrdiff_t>(r) * s.m_numExperts);
            }
        };
        readMatrix("counts", s.m_counts);
        readMatrix("gate_mass", s.m_gateMass);
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("Routing statistics: ") + e.what());
    } catch (const FormatError&) {
        throw;
    } catch (const Error& e) {
        throw FormatError(e.what());
    }
}

void RoutingStats::save(const std::string& path) const { writeFileAtomically(path, toJson().dump(1) + "\n"); }

RoutingStats RoutingStats::load(const std::string& path)
{
    const nlohmann::json j = readJsonFile(path);
    try {
        return fromJson(j);
    } catch (const FormatError& e) {
        throw FormatError(path + ": " + e.what());
    }
}

} // namespace teft
