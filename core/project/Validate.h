#pragma once

// TEFT step 3 as a workflow: a validator round over a folder of submissions, either in one go
// (`teft validate`: runValidator) or for a project in two phases (the desktop Validate page:
// score, let the user review/override the weights, apply). Job records: runValidator's and
// applyRound's ("validate", recordJob); scoring writes nothing and records no job.

#include "core/data/TokenDataset.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/ValidatorJob.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace teft {

class JobControl;
struct Project;

// One round in one go: the held-out rows of `spec` (tokenized with the model's tokenizer and
// `packing`: tokenizeDataset), then runValidator(settings, rows, control).
ValidatorResult validate(const ValidatorSettings& settings, const DatasetSpec& spec, const PackingOptions& packing,
                         JobControl& control);

// The knobs of a round a user picks (the Validate page's controls).
struct ValidatorForm {
    AggregationSettings aggregation;
    EvalSettings eval = ValidatorSettings{}.eval; // the validator's default (16 batches of 8 rows)
    double confidence = ValidatorSettings{}.confidence;
    OuterOptimizer::Settings outer;
};

// A project's round settings: the project's model and device, stateDir = validatorStateDir(),
// submissionsDir, knownMinersFile = <dataDir>/known_miners.json (the list `teft keys trust`
// keeps), projectId, the form's aggregation / eval / confidence / outer settings. The selection is left
// empty: scoreProjectRound picks it.
ValidatorSettings validatorSettingsFor(const Project& project, const std::filesystem::path& submissionsDir,
                                       const ValidatorForm& form);

// The miners a validator trusts: the list in `userList` (a missing file is an empty list) plus
// this installation's own miner key when it has one (submissions trained here need no trust
// step; its id gets "-local" when another key in the list has it). Written to
// <stateDir>/trusted_miners.json (returned); `userList` is never modified.
std::filesystem::path trustedMinersFile(const std::filesystem::path& userList, const std::filesystem::path& stateDir);

// A scored project round and the held-out rows it was scored on (applyProjectRound needs both).
struct ProjectRound {
    std::shared_ptr<ScoredRound> scored;
    std::shared_ptr<const TokenDataset> heldOut;
};

// Phase 1 for a project: Error when `selections` is empty ("no expert selection") or the folder
// holds no submission (SubmissionVerifier::listSubmissions); the selection is the one (of
// `selections`, newest first) whose hash a submission's manifest names, else the newest (the
// verifier then names the mismatch per submission); knownMinersFile becomes trustedMinersFile(
// settings.knownMinersFile, settings.stateDir); the project's target is tokenized (stage
// "tokenizing"); scoreRound.
ProjectRound scoreProjectRound(const Project& project, const std::vector<ExpertSelection>& selections,
                               ValidatorSettings settings, JobControl& control);
// Phase 2: applyRound(*round.scored, *round.heldOut, control, weights).
ValidatorResult applyProjectRound(ProjectRound& round, JobControl& control,
                                  const std::optional<std::vector<double>>& weights = std::nullopt);

} // namespace teft
