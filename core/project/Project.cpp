#include "core/project/Project.h"

#include "core/io/StrictJson.h"
#include "core/project/Datasets.h"
#include "core/store/JobStore.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace teft {

namespace fs = std::filesystem;

fs::path Project::workDirOf(std::int64_t id) { return dataDir() / "projects" / std::to_string(id); }

Project Project::load(const JobStore& store, std::int64_t id)
{
    const auto project = store.project(id);
    if (!project)
        throw Error("Project " + std::to_string(id) + " is not in the job store");
    Project p;
    p.id = id;
    p.name = project->name;
    p.modelDir = project->modelPath;
    if (p.modelDir.empty() || !fs::exists(p.modelDir / "config.json"))
        throw Error("Project '" + p.name + "': the model folder " + p.modelDir.string() +
                    " has no config.json (moved or deleted?)");
    nlohmann::json settings = nlohmann::json::object();
    if (!project->settings.empty())
        settings = parseJsonStrict(project->settings, "Project '" + p.name + "': its settings",
                                   DuplicateKeys::LastWins);
    if (!settings.is_object())
        throw FormatError("Project '" + p.name + "': its settings are not a JSON object");
    try {
        p.device = settings.value("device", std::string("auto"));
        p.packing = packingFromSettings(settings);
        p.identifyTokens = settings.value("identify_tokens", std::int64_t{0});
        p.contrastReference = settings.value("contrast_reference", 0);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError("Project '" + p.name + "': its settings have a value of the wrong type (" + e.what() + ")");
    }
    if (p.identifyTokens < 0)
        throw FormatError("Project '" + p.name + "': \"identify_tokens\" is negative");
    bool haveTarget = false;
    for (const auto& d : store.datasets(id)) {
        nlohmann::json j = parseJsonStrict(d.spec, "Project '" + p.name + "': dataset " + std::to_string(d.id),
                                           DuplicateKeys::LastWins);
        if (j.is_object())
            j.erase("held_out_fraction"); // a project setting, kept beside the spec by the wizard
        DatasetSpec spec = datasetSpecFromJson(j);
        if (d.role == "target" && !haveTarget) {
            p.target = std::move(spec);
            haveTarget = true;
        } else if (d.role == "reference") {
            p.references.push_back(std::move(spec));
        }
    }
    if (!haveTarget)
        throw Error("Project '" + p.name + "' has no target dataset");
    return p;
}

PackingOptions Project::packingFromSettings(const nlohmann::json& settings)
{
    PackingOptions packing;
    if (!settings.is_object())
        return packing;
    try {
        packing.seqLen = settings.value("seq_len", std::int64_t{128});
        packing.heldOutFraction = settings.value("held_out_fraction", 0.05);
        packing.seed = settings.value("data_seed", std::uint64_t{0});
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("Project settings: a packing value has the wrong type (") + e.what() + ")");
    }
    return packing;
}

void Project::updateSettings(JobStore& store, std::int64_t id, const nlohmann::json& changes)
{
    auto project = store.project(id);
    if (!project)
        throw Error("Project " + std::to_string(id) + " is not in the job store");
    nlohmann::json settings = nlohmann::json::object();
    if (!project->settings.empty())
        settings = parseJsonStrict(project->settings, "Project '" + project->name + "': its settings",
                                   DuplicateKeys::LastWins);
    if (!settings.is_object())
        throw FormatError("Project '" + project->name + "': its settings are not a JSON object");
    for (const auto& [key, value] : changes.items())
        settings[key] = value;
    project->settings = settings.dump();
    store.updateProject(*project);
}

std::int64_t Project::identifyTokenBudget() const
{
    if (identifyTokens > 0)
        return identifyTokens;
    return std::int64_t{kDefaultIdentifyBatches} * kIdentifyBatchSize * packing.seqLen;
}

IdentifySettings Project::identifySettings() const
{
    IdentifySettings s;
    s.batchSize = kIdentifyBatchSize;
    const std::int64_t rowTokens = std::int64_t{kIdentifyBatchSize} * std::max<std::int64_t>(packing.seqLen, 1);
    const std::int64_t batches = (identifyTokenBudget() + rowTokens - 1) / rowTokens;
    s.batches = static_cast<int>(std::clamp<std::int64_t>(batches, 1, std::numeric_limits<int>::max()));
    return s;
}

fs::path Project::contrastStatsFile() const
{
    if (contrastReference >= 1 && contrastReference <= static_cast<int>(references.size()))
        return referenceStatsFile(contrastReference);
    return referenceStatsFile();
}

TokenDataset Project::loadDataset(const DatasetSpec& spec, JobControl& control,
                                  std::optional<std::int64_t> seqLen) const
{
    PackingOptions options = packing;
    if (seqLen)
        options.seqLen = *seqLen;
    return tokenizeDataset(modelDir, spec, options, control);
}

std::vector<ExpertSelection> Project::selections(const JobStore& store, std::int64_t projectId)
{
    auto rows = store.selections(projectId);
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    std::vector<ExpertSelection> out;
    for (const auto& row : rows) {
        try {
            out.push_back(ExpertSelection::fromJson(nlohmann::json::parse(row.content)));
        } catch (const std::exception&) {
            // a damaged row must not hide the others
        }
    }
    return out;
}

std::optional<ExpertSelection> Project::latestSelection(const JobStore& store, std::int64_t projectId,
                                                        const std::string& fingerprint)
{
    for (auto& sel : selections(store, projectId))
        if (fingerprint.empty() || sel.modelFingerprint().empty() || sel.modelFingerprint() == fingerprint)
            return std::move(sel);
    return std::nullopt;
}

std::int64_t Project::saveSelection(JobStore& store, std::int64_t projectId, const ExpertSelection& selection,
                                    const std::string& name)
{
    if (selection.empty())
        throw UsageError("The expert selection is empty: nothing to save");
    return store.saveSelection(projectId, name, selection.hash(), selection.toJson().dump());
}

} // namespace teft
