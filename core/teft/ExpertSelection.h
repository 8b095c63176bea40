#pragma once

#include "core/teft/MoeLayout.h"

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft {

// What a selection costs to train and to ship (see ExpertSelection::cost()).
struct SelectionCost {
    std::map<int, int> expertsPerLayer; // model layer → selected experts
    std::int64_t experts = 0;
    std::int64_t trainableParameters = 0; // experts × params per expert
    std::int64_t submissionBytes = 0;     // experts × bytes per expert (tensor data only)
    double shareOfModel = 0.0;            // submissionBytes / model total bytes (0 when unknown)
};

// The target set I_target: per model layer, a sorted list of distinct routed-expert ids, plus
// the fingerprint of the model it was made for. Layers with no experts are not stored.
//
// Files:
//  - our own (toJson / save): {"format": "teft-expert-selection", "version": 1,
//    "model_fingerprint": "...", "layers": {"<layer>": [ids...]}, "hash": "..."}
//    ("hash" is informational and checked on load when present);
//  - Connito's expert_assignment.json: {"<layer>": [[local_idx, global_expert_id], ...]},
//    local_idx = position 0..n-1 of the expert in the layer's list;
//  - ESFT's expert config: {"experts": {"<layer>": [ids]}, "shared_experts": bool,
//    "non_expert_modules": bool}. TEFT always freezes shared experts and the hub, so on import
//    either flag being true is refused (FormatError naming it); on export both are false.
// Layer keys are model layer indices (not MoE-row indices) in all three.
class ExpertSelection {
public:
    ExpertSelection() = default;
    explicit ExpertSelection(std::string modelFingerprint) : m_modelFingerprint(std::move(modelFingerprint)) {}

    const std::string& modelFingerprint() const { return m_modelFingerprint; }
    void setModelFingerprint(std::string fp) { m_modelFingerprint = std::move(fp); }

    const std::map<int, std::vector<int>>& layers() const { return m_layers; }
    std::vector<int> layerIndices() const;
    // The experts of one layer (empty when none).
    const std::vector<int>& experts(int layer) const;

    bool contains(int layer, int expert) const;
    void set(int layer, int expert, bool selected);
    bool toggle(int layer, int expert);                 // returns the new state
    void setLayer(int layer, std::vector<int> experts); // sorted, deduplicated; empty removes
    void clearLayer(int layer) { m_layers.erase(layer); }
    void clear() { m_layers.clear(); }

    int count() const;
    int count(int layer) const;
    bool empty() const { return m_layers.empty(); }

    // A stable hash of the chosen (layer, expert) pairs only: SHA-256 hex of the canonical text
    // "teft-selection-v1\n" + "<layer>:<e>,<e>,...\n" per non-empty layer, ascending.
    // Independent of the fingerprint and of insertion order.
    std::string hash() const;
    std::string canonicalText() const;

    // Problems with this selection for a model, one sentence each naming the bad entry; empty
    // when valid. Checks: layer exists, is a MoE layer, expert id in 0..E-1, and the
    // fingerprint matches when both sides have one.
    std::vector<std::string> validate(const MoeLayout& model) const;
    // Throws FormatError with all problems joined.
    void validateOrThrow(const MoeLayout& model) const;

    SelectionCost cost(std::int64_t paramsPerExpert, std::int64_t bytesPerExpert, std::int64_t modelTotalBytes) const;

    nlohmann::json toJson() const;
    static ExpertSelection fromJson(const nlohmann::json& j);
    nlohmann::json toConnitoJson() const;
    static ExpertSelection fromConnitoJson(const nlohmann::json& j, std::string modelFingerprint = {});
    nlohmann::json toEsftJson() const;
    static ExpertSelection fromEsftJson(const nlohmann::json& j, std::string modelFingerprint = {});

    // Reads any of the three shapes (ours by its "format" key, ESFT by "experts", else Connito).
    static ExpertSelection fromAnyJson(const nlohmann::json& j);
    void save(const std::string& path) const;             // our format, atomic
    static ExpertSelection load(const std::string& path); // any of the three shapes

    bool operator==(const ExpertSelection& o) const
    {
        return m_layers == o.m_layers && m_modelFingerprint == o.m_modelFingerprint;
    }
    bool operator!=(const ExpertSelection& o) const { return !(*this == o); }

private:
    std::string m_modelFingerprint;
    std::map<int, std::vector<int>> m_layers;
};

} // namespace teft
