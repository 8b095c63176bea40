#pragma once

// A TEFT project as the job store keeps it (made by the desktop wizard): the model folder, the
// target dataset (and an optional reference dataset for the contrast metrics), packing options
// and the device, plus the project's own folder where every step's files live. Every project
// workflow (core/project/Identify.h, Train.h, Validate.h, Merge.h) starts from one of these.

#include "core/data/DatasetSpec.h"
#include "core/data/TokenDataset.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/RoutingIdentification.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace teft {

class JobStore;
class JobControl;

struct Project {
    std::int64_t id = 0;
    std::string name;
    std::filesystem::path modelDir;
    std::string device = "auto"; // "auto" (a GPU when there is one), "cpu" or "cuda:N"
    DatasetSpec target;
    // The reference datasets (general text), in the order they were added: the contrast metrics
    // compare the target's routing with theirs, and a merge reports each as out-of-domain.
    std::vector<DatasetSpec> references;
    PackingOptions packing; // seqLen, held-out fraction and data seed from the project's settings
    // Tokens identification reads of the target and of each reference (settings "identify_tokens");
    // 0: the default, kDefaultIdentifyBatches batches of kIdentifyBatchSize rows (identifyTokenBudget).
    std::int64_t identifyTokens = 0;
    // The reference statistics the contrast metrics use (settings "contrast_reference"): 0 all
    // references together (referenceStatsFile()), k the k-th reference (referenceStatsFile(k)).
    int contrastReference = 0;

    static constexpr int kIdentifyBatchSize = 8;
    static constexpr int kDefaultIdentifyBatches = 16;
    // The tokens identification reads: identifyTokens, or the default at this project's seqLen.
    std::int64_t identifyTokenBudget() const;
    // The identification settings for that budget: whole batches of kIdentifyBatchSize rows, at
    // least one (fewer when the dataset is smaller).
    IdentifySettings identifySettings() const;

    // The project's folder: <dataDir>/projects/<id>. Only `id` is read, so a Project with just
    // the id set (one that failed to load) still names its folders.
    std::filesystem::path workDir() const { return workDirOf(id); }
    static std::filesystem::path workDirOf(std::int64_t id);
    // <workDir>/routing/target.json and reference.json: the statistics of the last identification.
    std::filesystem::path routingDir() const { return workDir() / "routing"; }
    std::filesystem::path targetStatsFile() const { return routingDir() / "target.json"; }
    // reference.json: all the references together; reference-<k>.json: the k-th (1-based) alone.
    std::filesystem::path referenceStatsFile() const { return routingDir() / "reference.json"; }
    std::filesystem::path referenceStatsFile(int k) const
    {
        return routingDir() / ("reference-" + std::to_string(k) + ".json");
    }
    // The file the contrast metrics read: as contrastReference says (all references when it names
    // none of them).
    std::filesystem::path contrastStatsFile() const;
    // <workDir>/data.json: the records, tokens and bad records of the target and each reference
    // (ProjectDataSummary, core/project/Datasets.h), as the wizard and the last identification
    // counted them.
    std::filesystem::path dataSummaryFile() const { return workDir() / "data.json"; }
    // <workDir>/miner: one run-<hash> folder per distinct miner settings (minerSettingsFor).
    std::filesystem::path minerRunsDir() const { return workDir() / "miner"; }
    // <workDir>/validator: the validator state (Φ(t), outer momentum, round-<n>/ reports).
    std::filesystem::path validatorStateDir() const { return workDir() / "validator"; }
    // <workDir>/merged: the default output folder of a merge.
    std::filesystem::path mergedDir() const { return workDir() / "merged"; }

    // Reads project `id` from the store. teft::Error naming the problem: no such project, a model
    // folder without config.json (moved or deleted), no target dataset; FormatError for settings
    // or a dataset entry that are not valid JSON / not an object / malformed.
    // Settings read: "device" (cpu), "seq_len" (128), "held_out_fraction" (0.05), "data_seed" (0),
    // "identify_tokens" (0), "contrast_reference" (0); datasets: role "target" (the first) and
    // every "reference", in the order they were added.
    static Project load(const JobStore& store, std::int64_t id);
    // The packing the settings of a project give (as load reads them): the wizard counts tokens
    // with the packing the project will use. FormatError for a malformed value.
    static PackingOptions packingFromSettings(const nlohmann::json& settings);
    // Sets the keys of `changes` in project `id`'s settings (the others are kept) and saves them.
    // teft::Error when the project is not in the store; FormatError for stored settings that are
    // not a JSON object.
    static void updateSettings(JobStore& store, std::int64_t id, const nlohmann::json& changes);

    // Tokenizes (or loads from the cache) one of the project's datasets with its model's
    // tokenizer and packing (seqLen overridden when given). tokenizeDataset's errors.
    TokenDataset loadDataset(const DatasetSpec& spec, JobControl& control,
                             std::optional<std::int64_t> seqLen = std::nullopt) const;

    // Every expert selection saved for project `projectId` that parses, newest first (a damaged
    // row is skipped: it must not hide the others).
    static std::vector<ExpertSelection> selections(const JobStore& store, std::int64_t projectId);
    // The newest saved selection whose model fingerprint matches `fingerprint` (a selection
    // without one matches any; an empty `fingerprint` takes the newest); nullopt when none.
    static std::optional<ExpertSelection> latestSelection(const JobStore& store, std::int64_t projectId,
                                                          const std::string& fingerprint = {});
    // Saves `selection` for project `projectId` under `name` (the GUI uses the ISO time) and
    // returns its row id. UsageError for an empty selection; the store's errors.
    static std::int64_t saveSelection(JobStore& store, std::int64_t projectId, const ExpertSelection& selection,
                                      const std::string& name);
};

} // namespace teft
