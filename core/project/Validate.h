#pragma once

// TEFT step 3 as a workflow: a validator round over a folder of submissions, either in one go
// (`teft validate`: runValidator) or for a project in two phases (the desktop Validate page:
// score, let the user review/override the weights, apply). Job records: runValidator's and
// applyRound's ("validate", recordJob); scoring writes nothing and records no job.

#include "core/data/TokenDataset.h"
#include "core/store/JobStore.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/ValidatorJob.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
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

// Phase 1 for a project: Error when `selections` is empty ("no expert selection") or there is no
// submission to score (submissionFolders: the settings' list, else the folder's submissions); the selection is the one (of
// `selections`, newest first) whose hash a submission's manifest names, else the newest (the
// verifier then names the mismatch per submission); knownMinersFile becomes trustedMinersFile(
// settings.knownMinersFile, settings.stateDir); the project's target is tokenized (stage
// "tokenizing"); scoreRound.
ProjectRound scoreProjectRound(const Project& project, const std::vector<ExpertSelection>& selections,
                               ValidatorSettings settings, JobControl& control);
// Phase 2: applyRound(*round.scored, *round.heldOut, control, weights).
ValidatorResult applyProjectRound(ProjectRound& round, JobControl& control,
                                  const std::optional<std::vector<double>>& weights = std::nullopt);

// The submissions a project's round can score (the Validate page's list): each miner run's
// submission folders and the submissions the user imported. Nothing is copied: a candidate is
// scored where it lies.
struct SubmissionCandidate {
    enum class Source { Run, Imported };
    Source source = Source::Run;
    std::string runName;                                      // Run: the run's name
    JobStore::JobState runState = JobStore::JobState::Queued; // Run: the state of the run's newest job
    std::filesystem::path path;                               // the submission folder
    bool exists = false;               // false: moved or deleted (an import), or not written yet (a run)
    std::optional<std::int64_t> round; // the round its manifest says it was trained for
    std::string minerId;               // the manifest's miner, when it has one
};

// The project's candidates: first its miner runs (minerRuns(store, project), newest first), each
// with the submission folders in its run folder (SubmissionVerifier::listSubmissions, which skips
// the training checkpoint) and its settings' submissionDir when that lies elsewhere; a run without
// a submission yet is listed once with its expected folder and exists = false. Then the imported
// submissions (importedSubmissions), except one that is also a run's (same canonical path). A
// manifest that cannot be read leaves round and minerId empty (the verifier names the problem).
std::vector<SubmissionCandidate> projectSubmissions(const JobStore& store, const Project& project);

// The submissions a user imported into a project: absolute paths kept in
// <validatorStateDir>/imported_submissions.json ({"format": "teft-imported-submissions",
// "version": 1, "paths": [...]}), written atomically. A missing file is an empty list; a malformed
// one is a FormatError naming it. Paths that no longer exist stay listed (shown as missing).
std::filesystem::path importedSubmissionsFile(const Project& project);
std::vector<std::filesystem::path> importedSubmissions(const Project& project);
// Adds `paths` (made absolute; one already imported, by canonical path, is not added again) and
// returns how many were added. Error naming a path that is not a folder. Nothing is copied.
std::size_t importSubmissions(const Project& project, const std::vector<std::filesystem::path>& paths);
// Forgets the imports of `paths` (compared as absolute paths); never deletes a file. Returns how
// many were removed.
std::size_t removeImportedSubmissions(const Project& project, const std::vector<std::filesystem::path>& paths);

} // namespace teft
