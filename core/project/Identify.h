#pragma once

// TEFT step 1 as a workflow: load the frozen model, collect routing statistics over a target
// dataset (and optionally a reference), save them, and compute what the Experts page shows
// beside them (routing costs) — all under one "identify" job record (recordJob: a cancel is
// recorded as cancelled, an error as failed with its message). Used by `teft identify`, the
// desktop Experts page (RoutingController) and `teft demo`.

#include "core/data/DatasetSpec.h"
#include "core/data/TokenDataset.h"
#include "core/project/Datasets.h"
#include "core/teft/MoeLayout.h"
#include "core/teft/RoutingStats.h"
#include "core/train/RoutingIdentification.h"

#include <c10/core/ScalarType.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace teft {

class JobControl;
class JobRecord;
struct Project;

// What a selection costs on this model, as the Experts page shows it.
struct RoutingCosts {
    MoeLayout layout;                 // moeLayoutOf(config, fingerprint)
    std::int64_t paramsPerExpert = 0; // ModelConfig::paramsPerExpert()
    std::int64_t bytesPerExpert = 0;  // what one expert adds to a submission: its Δ in bf16, the miners' default encoding
    std::int64_t modelBytes = 0;      // tensor bytes of the checkpoint files (as `teft demo` counts them)
};
// Reads the model's config.json and checkpoint headers only (no weights).
RoutingCosts routingCosts(const std::filesystem::path& modelDir, const std::string& fingerprint);

// One side of an identification (target or reference): either a dataset spec, tokenized inside
// the job with the model's tokenizer (tokenizeDataset), or rows already tokenized by the caller
// (then their statistics are summed: RoutingStats::merge).
struct IdentifyDataset {
    std::string label;               // recorded as RoutingStats::dataset
    std::optional<DatasetSpec> spec; // tokenized with `packing` when set
    PackingOptions packing;
    std::vector<const TokenDataset*> tokenized; // used when spec is not set; must outlive the call
    int batches = 0;                            // 0: IdentifyRequest::settings.batches
};

struct IdentifyRequest {
    std::filesystem::path modelDir;
    std::string device = "auto"; // "auto" (a GPU when there is one), "cpu" or "cuda:N"
    torch::ScalarType computeDtype = torch::kBFloat16;
    IdentifySettings settings;
    IdentifyDataset target;
    std::optional<IdentifyDataset> reference;
    std::filesystem::path statsFile;          // target statistics are saved here (parent created)
    std::filesystem::path referenceStatsFile; // reference statistics (required with a reference)
    // More references, each identified on its own and saved to the file at the same index of
    // referenceStatsFiles (one per reference, required); result.references in the same order.
    std::vector<IdentifyDataset> references;
    std::vector<std::filesystem::path> referenceStatsFiles;
    std::optional<std::int64_t> projectId;            // the job store project the job belongs to
    nlohmann::json config = nlohmann::json::object(); // the job record's config (what the caller ran)
    std::filesystem::path outputDir;                  // the job's output folder; empty: statsFile's parent
};

struct IdentifyResult {
    RoutingStats target;
    std::optional<RoutingStats> reference;
    std::vector<RoutingStats> references; // of IdentifyRequest::references, in order
    DatasetSummary targetData;            // what the target's rows hold (records, tokens, bad records)
    std::vector<DatasetSummary> referencesData;
    std::string fingerprint; // modelFingerprint(modelDir), also set in both statistics
    RoutingCosts costs;
    std::int64_t jobId = 0;
};

// Called inside the job, after the statistics are saved and recorded and before the job
// succeeds: work the caller wants to be part of the job (the demo picks its selection here
// and records an "experts" metric). A throw fails (or cancels) the job.
using IdentifyFinish = std::function<void(JobRecord& record, const IdentifyResult& result)>;

// Runs identification under an "identify" job record:
//   load the model (device, computeDtype; control for progress and cancel; with
//   settings.layerByLayer each layer's mapped pages are released once loaded and checked);
//   fingerprint it; for the target then the reference: tokenize (when given a spec) and
//   collectRoutingStats with the dataset's batches, set fingerprint and label, save;
//   record metrics: recordRoutingMetrics(target), recordRoutingMetrics(reference, "reference."),
//   each of `references` as "reference<k>." (k 1-based), "tokens" (target tokens, step 0);
//   routingCosts; then `finish`; then succeed.
// Errors: those of the model loader, tokenizeDataset, RoutingStats::save; UsageError when a
// reference is given without referenceStatsFile, references and referenceStatsFiles differ in
// length, or statsFile is empty.
IdentifyResult identify(const IdentifyRequest& request, JobControl& control, const IdentifyFinish& finish = {});

// The project's identification (the Experts page's "Identify"): the project's model on its
// device (bf16 compute), its target and each of its reference datasets with its packing, each
// read up to the project's token budget (Project::identifySettings), saved to targetStatsFile()
// and referenceStatsFile(k); all references together (RoutingStats::merge, recorded as
// "reference.") to referenceStatsFile() (stale reference files are removed); the datasets'
// summaries to dataSummaryFile(); job config {"model", "project", "source", "tokens"}, the
// project's id. result.reference is the project's contrast choice (Project::contrastStatsFile),
// result.references each reference's own statistics.
IdentifyResult identify(const Project& project, JobControl& control, const std::string& source = "teft-studio");

} // namespace teft
