#include "core/teft/ExpertSelection.h"

#include "core/io/StrictJson.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

namespace teft {
using nlohmann::json;

namespace {
int parseLayerKey(const std::string& key, const char* what)
{
    std::size_t used = 0;
    int layer = -1;
    try {
        layer = std::stoi(key, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    // Digits only: std::stoi also takes " 1" and "+1", which would name layer 1 a second time.
    if (used != key.size() || key.empty() || layer < 0 || key.find_first_not_of("0123456789") != std::string::npos)
        throw FormatError(std::string(what) + ": layer key \"" + key + "\" is not a non-negative layer index");
    return layer;
}

int parseExpertId(const json& v, const std::string& layerKey, const char* what)
{
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > std::numeric_limits<int>::max())
        throw FormatError(std::string(what) + ": layer \"" + layerKey + "\" has expert id " + v.dump() +
                          ", which is not a non-negative integer");
    return v.get<int>();
}

void checkNoDuplicates(const std::vector<int>& ids, const std::string& layerKey, const char* what)
{
    std::vector<int> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
    if (dup != sorted.end())
        throw FormatError(std::string(what) + ": layer \"" + layerKey + "\" lists expert " + std::to_string(*dup) +
                          " twice");
}
} // namespace

std::vector<int> ExpertSelection::layerIndices() const
{
    std::vector<int> out;
    for (const auto& [layer, ids] : m_layers)
        out.push_back(layer);
    return out;
}

const std::vector<int>& ExpertSelection::experts(int layer) const
{
    static const std::vector<int> none;
    const auto it = m_layers.find(layer);
    return it == m_layers.end() ? none : it->second;
}

bool ExpertSelection::contains(int layer, int expert) const
{
    const auto& ids = experts(layer);
    return std::binary_search(ids.begin(), ids.end(), expert);
}

void ExpertSelection::set(int layer, int expert, bool selected)
{
    if (layer < 0 || expert < 0)
        throw UsageError("Expert selection: layer " + std::to_string(layer) + ", expert " + std::to_string(expert) +
                         " is not a valid slot");
    auto& ids = m_layers[layer];
    const auto it = std::lower_bound(ids.begin(), ids.end(), expert);
    const bool present = it != ids.end() && *it == expert;
    if (selected && !present)
        ids.insert(it, expert);
    else if (!selected && present)
        ids.erase(it);
    if (ids.empty())
        m_layers.erase(layer);
}

bool ExpertSelection::toggle(int layer, int expert)
{
    const bool now = !contains(layer, expert);
    set(layer, expert, now);
    return now;
}

void ExpertSelection::setLayer(int layer, std::vector<int> ids)
{
    if (layer < 0)
        throw UsageError("Expert selection: layer " + std::to_string(layer) + " is not valid");
    for (int e : ids)
        if (e < 0)
            throw UsageError("Expert selection: layer " + std::to_string(layer) + " has negative expert id " +
                             std::to_string(e));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.empty())
        m_layers.erase(layer);
    else
        m_layers[layer] = std::move(ids);
}

int ExpertSelection::count() const
{
    int n = 0;
    for (const auto& [layer, ids] : m_layers)
        n += static_cast<int>(ids.size());
    return n;
}

int ExpertSelection::count(int layer) const { return static_cast<int>(experts(layer).size()); }

std::string ExpertSelection::canonicalText() const
{
    std::string text = "teft-selection-v1\n";
    for (const auto& [layer, ids] : m_layers) {
        if (ids.empty())
            continue;
        text += std::to_string(layer) + ":";
        for (std::size_t i = 0; i < ids.size(); ++i)
            text += (i ? "," : "") + std::to_string(ids[i]);
        text += "\n";
    }
    return text;
}

std::string ExpertSelection::hash() const { return sha256Hex(canonicalText()); }

std::vector<std::string> ExpertSelection::validate(const MoeLayout& model) const
{
    std::vector<std::string> problems;
    if (!m_modelFingerprint.empty() && !model.fingerprint.empty() && m_modelFingerprint != model.fingerprint)
        problems.push_back("The selection was made for model " + m_modelFingerprint + ", not for this model (" +
                           model.fingerprint + ")");
    for (const auto& [layer, ids] : m_layers) {
        if (layer < 0 || layer >= model.numLayers) {
            problems.push_back("Layer " + std::to_string(layer) + " does not exist (the model has " +
                               std::to_string(model.numLayers) + " layers)");
            continue;
        }
        if (!model.isMoeLayer(layer)) {
            problems.push_back("Layer " + std::to_string(layer) + " is not a MoE layer (it has no routed experts)");
            continue;
        }
        for (int e : ids)
            if (e < 0 || e >= model.numExperts)
                problems.push_back("Layer " + std::to_string(layer) + ": expert " + std::to_string(e) +
                                   " does not exist (the model has " + std::to_string(model.numExperts) +
                                   " experts per layer)");
    }
    return problems;
}

void ExpertSelection::validateOrThrow(const MoeLayout& model) const
{
    const auto problems = validate(model);
    if (problems.empty())
        return;
    std::string msg = "Invalid expert selection: ";
    for (std::size_t i = 0; i < problems.size(); ++i)
        msg += (i ? "; " : "") + problems[i];
    throw FormatError(msg);
}

SelectionCost ExpertSelection::cost(std::int64_t paramsPerExpert, std::int64_t bytesPerExpert,
                                    std::int64_t modelTotalBytes) const
{
    SelectionCost c;
    for (const auto& [layer, ids] : m_layers) {
        c.expertsPerLayer[layer] = static_cast<int>(ids.size());
        c.experts += static_cast<std::int64_t>(ids.size());
    }
    c.trainableParameters = c.experts * paramsPerExpert;
    c.submissionBytes = c.experts * bytesPerExpert;
    c.shareOfModel = modelTotalBytes > 0 ? static_cast<double>(c.submissionBytes) / static_cast<double>(modelTotalBytes)
                                         : 0.0;
    return c;
}

json ExpertSelection::toJson() const
{
    json layers = json::object();
    for (const auto& [layer, ids] : m_layers)
        layers[std::to_string(layer)] = ids;
    return json{{"format", "teft-expert-selection"},
                {"version", 1},
                {"model_fingerprint", m_modelFingerprint},
                {"layers", layers},
                {"hash", hash()}};
}

ExpertSelection ExpertSelection::fromJson(const json& j)
{
    const char* what = "Expert selection";
    // (json::value() would throw nlohmann's type_error for a "format" that is not a string)
    if (!j.is_object() || !j.contains("format") || !j["format"].is_string() ||
        j["format"].get<std::string>() != "teft-expert-selection")
        throw FormatError("Not a TEFT expert selection: \"format\" is not \"teft-expert-selection\"");
    if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != 1)
        throw FormatError("Expert selection: version " + (j.contains("version") ? j["version"].dump() : "(missing)") +
                          " is not supported (expected 1)");
    if (!j.contains("layers") || !j["layers"].is_object())
        throw FormatError("Expert selection: \"layers\" must be an object {\"<layer>\": [ids]}");
    ExpertSelection s;
    if (j.contains("model_fingerprint")) {
        if (!j["model_fingerprint"].is_string())
            throw FormatError("Expert selection: \"model_fingerprint\" must be a string");
        s.m_modelFingerprint = j["model_fingerprint"].get<std::string>();
    }
    for (const auto& [key, list] : j["layers"].items()) {
        const int layer = parseLayerKey(key, what);
        if (!list.is_array())
            throw FormatError(std::string(what) + ": layer \"" + key + "\" must be a list of expert ids");
        std::vector<int> ids;
        for (const auto& v : list)
            ids.push_back(parseExpertId(v, key, what));
        checkNoDuplicates(ids, key, what);
        if (s.m_layers.count(layer))
            throw FormatError(std::string(what) + ": layer " + std::to_string(layer) + " is listed twice");
        s.setLayer(layer, ids);
    }
    if (j.contains("hash") && j["hash"].is_string() && j["hash"].get<std::string>() != s.hash())
        throw FormatError("Expert selection: the stored hash " + j["hash"].get<std::string>() +
                          " does not match its layers (" + s.hash() +
                          "); the file was edited without updating \"hash\" - remove the key to accept the edit");
    return s;
}

json ExpertSelection::toConnitoJson() const
{
    json out = json::object();
    for (const auto& [layer, ids] : m_layers) {
        json pairs = json::array();
        for (std::size_t i = 0; i < ids.size(); ++i)
            pairs.push_back(json::array({static_cast<int>(i), ids[i]}));
        out[std::to_string(layer)] = pairs;
    }
    return out;
}

ExpertSelection ExpertSelection::fromConnitoJson(const json& j, std::string modelFingerprint)
{
    const char* what = "Connito expert assignment";
    if (!j.is_object())
        throw FormatError(std::string(what) + ": expected an object {\"<layer>\": [[local_idx, expert_id], ...]}");
    ExpertSelection s(std::move(modelFingerprint));
    for (const auto& [key, list] : j.items()) {
        const int layer = parseLayerKey(key, what);
        if (!list.is_array())
            throw FormatError(std::string(what) + ": layer \"" + key +
                              "\" must be a list of [local_idx, expert_id] pairs");
        std::vector<int> ids;
        std::vector<int> locals;
        for (const auto& pair : list) {
            if (!pair.is_array() || pair.size() != 2)
                throw FormatError(std::string(what) + ": layer \"" + key + "\" has entry " + pair.dump() +
                                  ", expected [local_idx, expert_id]");
            locals.push_back(parseExpertId(pair[0], key, what));
            ids.push_back(parseExpertId(pair[1], key, what));
        }
        checkNoDuplicates(ids, key, what);
        std::vector<int> sortedLocals = locals;
        std::sort(sortedLocals.begin(), sortedLocals.end());
        for (std::size_t i = 0; i < sortedLocals.size(); ++i)
            if (sortedLocals[i] != static_cast<int>(i))
                throw FormatError(std::string(what) + ": layer \"" + key + "\" local indices must be 0.." +
                                  std::to_string(sortedLocals.size() - 1) + " each once");
        s.setLayer(layer, ids);
    }
    return s;
}

json ExpertSelection::toEsftJson() const
{
    json experts = json::object();
    for (const auto& [layer, ids] : m_layers)
        experts[std::to_string(layer)] = ids;
    return json{{"experts", experts}, {"shared_experts", false}, {"non_expert_modules", false}};
}

ExpertSelection ExpertSelection::fromEsftJson(const json& j, std::string modelFingerprint)
{
    const char* what = "ESFT expert config";
    if (!j.is_object() || !j.contains("experts") || !j["experts"].is_object())
        throw FormatError(std::string(what) + ": expected {\"experts\": {\"<layer>\": [ids]}, ...}");
    for (const char* flag : {"shared_experts", "non_expert_modules"}) {
        if (!j.contains(flag))
            continue;
        if (!j[flag].is_boolean())
            throw FormatError(std::string(what) + ": \"" + flag + "\" must be true or false");
        if (j[flag].get<bool>())
            throw FormatError(std::string(what) + ": \"" + flag +
                              "\" is true, but TEFT trains routed experts only (the hub stays frozen)");
    }
    ExpertSelection s(std::move(modelFingerprint));
    for (const auto& [key, list] : j["experts"].items()) {
        const int layer = parseLayerKey(key, what);
        if (!list.is_array())
            throw FormatError(std::string(what) + ": layer \"" + key + "\" must be a list of expert ids");
        std::vector<int> ids;
        for (const auto& v : list)
            ids.push_back(parseExpertId(v, key, what));
        checkNoDuplicates(ids, key, what);
        s.setLayer(layer, ids);
    }
    return s;
}

ExpertSelection ExpertSelection::fromAnyJson(const json& j)
{
    if (j.is_object() && j.contains("format"))
        return fromJson(j);
    if (j.is_object() && j.contains("experts"))
        return fromEsftJson(j);
    return fromConnitoJson(j);
}

void ExpertSelection::save(const std::string& path) const { writeFileAtomically(path, toJson().dump(1) + "\n"); }

ExpertSelection ExpertSelection::load(const std::string& path)
{
    const json j = readJsonFile(path);
    try {
        return fromAnyJson(j);
    } catch (const FormatError& e) {
        throw FormatError(path + ": " + e.what());
    }
}

} // namespace teft
