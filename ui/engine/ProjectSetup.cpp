#include "ui/engine/ProjectSetup.h"

#include "core/store/JobStore.h"
#include "core/text/Tokenizer.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace teft::ui {

namespace fs = std::filesystem;

fs::path ProjectSetup::workDir() const
{
    return dataDir() / "projects" / std::to_string(id);
}

ProjectSetup ProjectSetup::load(const JobStore& store, std::int64_t id)
{
    const auto project = store.project(id);
    if (!project)
        throw Error("Project " + std::to_string(id) + " is not in the job store");
    ProjectSetup p;
    p.id = id;
    p.name = project->name;
    p.modelDir = project->modelPath;
    if (p.modelDir.empty() || !fs::exists(p.modelDir / "config.json"))
        throw Error("Project '" + p.name + "': the model folder " + p.modelDir.string() +
                    " has no config.json (moved or deleted?)");
    nlohmann::json settings = nlohmann::json::object();
    try {
        if (!project->settings.empty())
            settings = nlohmann::json::parse(project->settings);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError("Project '" + p.name + "': its settings are not valid JSON (" + e.what() + ")");
    }
    if (!settings.is_object())
        throw FormatError("Project '" + p.name + "': its settings are not a JSON object");
    p.device = settings.value("device", std::string("cpu"));
    p.packing.seqLen = settings.value("seq_len", std::int64_t{128});
    p.packing.heldOutFraction = settings.value("held_out_fraction", 0.05);
    p.packing.seed = settings.value("data_seed", std::uint64_t{0});
    bool haveTarget = false;
    for (const auto& d : store.datasets(id)) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(d.spec);
        } catch (const nlohmann::json::exception& e) {
            throw FormatError("Project '" + p.name + "': dataset " + std::to_string(d.id) + " is not valid JSON (" +
                              e.what() + ")");
        }
        if (j.is_object())
            j.erase("held_out_fraction"); // a project setting, kept beside the spec by the wizard
        DatasetSpec spec = datasetSpecFromJson(j);
        if (d.role == "target" && !haveTarget) {
            p.target = std::move(spec);
            haveTarget = true;
        } else if (d.role == "reference" && !p.reference) {
            p.reference = std::move(spec);
        }
    }
    if (!haveTarget)
        throw Error("Project '" + p.name + "' has no target dataset");
    return p;
}

TokenDataset loadProjectDataset(const ProjectSetup& project, const DatasetSpec& spec, JobControl& control,
                                std::optional<std::int64_t> seqLen)
{
    for (const auto& path : spec.paths)
        if (!fs::exists(path))
            throw Error("Dataset path " + path.string() + " does not exist (moved or deleted?)");
    PackingOptions packing = project.packing;
    if (seqLen)
        packing.seqLen = *seqLen;
    const auto tokenizer = Tokenizer::fromFile(project.modelDir);
    return TokenDataset::build(spec, tokenizer, packing, control);
}

std::vector<ExpertSelection> projectSelections(const JobStore& store, std::int64_t projectId)
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

std::optional<ExpertSelection> latestProjectSelection(const JobStore& store, std::int64_t projectId,
                                                      const std::string& fingerprint)
{
    for (auto& sel : projectSelections(store, projectId))
        if (fingerprint.empty() || sel.modelFingerprint().empty() || sel.modelFingerprint() == fingerprint)
            return std::move(sel);
    return std::nullopt;
}

} // namespace teft::ui
