#pragma once

// The steps of the built-in demo, in the order runDemo (DemoPipeline.cpp) takes them. Each step
// leaves its results in the work folder, so that a rerun with the same settings resumes: the
// cached corpus and model are reused, finished rounds are read back, a miner continues from its
// checkpoint and the full fine-tuning baseline is trained once.

#include "core/data/TokenDataset.h"
#include "core/demo/DemoModel.h"
#include "core/demo/DemoPipeline.h"
#include "core/model/ModelConfig.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/MergeJob.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace teft {

// What every step reads: the settings, the work folder and the caller's JobControl.
struct DemoContext {
    const DemoSettings& settings;
    std::filesystem::path work;
    JobControl& control;
};

// The demo corpus and the demo foundation model (both cached in the data directory).
struct DemoFoundation {
    std::vector<std::filesystem::path> corpus; // one file per domain, in demoDomains() order
    DemoModelInfo info;
    ModelConfig config;
    const std::filesystem::path& modelDir() const { return info.dir; }
};
DemoFoundation demoFoundation(const DemoContext& ctx);
// The report's "foundation_model": the model's cache record and its shape.
nlohmann::json foundationJson(const DemoFoundation& foundation);

// One token dataset per domain (the model's tokenizer, the model's sequence length).
using DemoDatasets = std::map<std::string, TokenDataset>;
DemoDatasets demoDatasets(const DemoContext& ctx, const DemoFoundation& foundation);

// The target domain's experts, by contrast of its routing against the other domains' (an
// "identify" job); stats.json, stats.reference.json and selection.json in the work folder.
ExpertSelection identifyDemoExperts(const DemoContext& ctx, const DemoFoundation& foundation, const DemoDatasets& data);
// The report's "selection_cost": what the selection trains and ships against the whole model.
nlohmann::json demoSelectionCost(const ExpertSelection& selection, const DemoFoundation& foundation);

// A signing key per miner (kept across runs) and known_miners.json, the validator's allow-list.
void ensureDemoMinerKeys(const DemoContext& ctx);

// One round: every miner trains on its shard of the target (a failing miner sends nothing),
// then the validator scores, aggregates and takes the outer step. The round's report (the
// validator's, with the miners' results under "miners") is saved as round-<r>/demo_round.json.
struct DemoRound {
    nlohmann::json report;
    double minerSeconds = 0, validatorSeconds = 0;
};
DemoRound runDemoRound(const DemoContext& ctx, const DemoFoundation& foundation, const ExpertSelection& selection,
                       const TokenDataset& target, int round);
// The report of round `round` when the validator has finished it (its state moved on): a
// rerun reuses it as it was. Empty otherwise.
std::optional<nlohmann::json> finishedDemoRound(const DemoContext& ctx, int round);
// The submission size a round's miners reported (the last successful one's); empty when none
// sent anything.
std::optional<std::uint64_t> roundSubmissionBytes(const nlohmann::json& roundReport);

// Rounds 0 .. settings.rounds-1, each reused when finished, else run.
struct DemoRounds {
    nlohmann::json reports = nlohmann::json::array(); // per round, as runDemoRound / finishedDemoRound
    std::uint64_t submissionBytes = 0;                // the last round's that reported one
    double minerSeconds = 0, validatorSeconds = 0;    // the rounds run now
};
DemoRounds runDemoRounds(const DemoContext& ctx, const DemoFoundation& foundation, const ExpertSelection& selection,
                         const TokenDataset& target);

// Φ of the last round merged into a full checkpoint (work/merged), with every domain's loss
// before and after.
MergeResult mergeDemo(const DemoContext& ctx, const DemoFoundation& foundation, const DemoDatasets& data);

// The baseline: all parameters fine-tuned on the target's rows at each learning rate of
// settings.fullFineTuneLrs() (each a "train" job, trained once, into work/full-ft/lr-<lr>),
// compared with TEFT at the same steps (the learning rate with the lowest in-domain loss) and at
// a matched in-domain gain (the first step reaching the merged model's in-domain loss; the
// learning rate with the smallest out-of-domain drift there). Losses on the report rows of
// checkpoints written to disk; `merged` gives the base and TEFT losses.
struct FullFineTuneBaseline {
    std::map<std::string, double> sameSteps; // per domain
    std::map<std::string, double> matched;   // per domain; empty when no rate reached the gain
    nlohmann::json json;                     // the report's "full_fine_tune"
};
FullFineTuneBaseline fullFineTuneBaseline(const DemoContext& ctx, const DemoFoundation& foundation,
                                          const DemoDatasets& data, const MergeResult& merged);

// The report's "losses": per domain, base and TEFT-merged (and the full fine-tuning baseline's,
// at the same steps and at the matched gain, when given).
nlohmann::json demoLossRows(const MergeResult& merged, const FullFineTuneBaseline* fullFineTune,
                            const std::string& target);

} // namespace teft
