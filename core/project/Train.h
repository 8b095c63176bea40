#pragma once

// TEFT step 2 as a workflow: the miner run of a project (or of settings from the command line
// or a recorded job). The job record is runMiner's ("train", recordJob); a start refused by the
// checks here, before runMiner, is recorded as a failed "train" job with the refusal's message.

#include "core/store/JobStore.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/MinerJob.h"
#include "core/util/ErrorKind.h"

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class JobControl;
struct Project;

// The settings a user picks for a miner run (the desktop dashboard's form), without Qt.
struct MinerForm {
    std::string device = "auto";                       // "auto" (a GPU when there is one), "cpu" or "cuda:N"
    torch::ScalarType computeDtype = torch::kBFloat16; // kFloat, kHalf or kBFloat16
    std::int64_t innerSteps = 100;                     // H
    double learningRate = 1e-5;
    int batchSize = 4;
    std::int64_t sequenceLength = 512;
    std::int64_t checkpointInterval = 20; // inner steps, 0 = only on cancel
    bool maskedRouting = false;           // ExpertMode::Masked, else Full
    std::int64_t validationInterval = 10; // inner steps between held-out losses, 0 = never
    bool recompute = false;               // activation recomputation (MinerSettings::recompute)
    bool offload = false;                 // frozen experts streamed from host memory (MinerSettings::offload)
    DeltaEncoding encoding = DeltaEncoding::BF16; // how Δ travels (MinerSettings::encoding)
    int shardIndex = 0;                   // this miner's part of the training rows: every row r with
    int shardCount = 1;                   // r % shardCount == shardIndex (TokenDataset::shard)
    // The run's name, which names its folder: minerRunsDir() / runName (see minerRunDir). Empty:
    // the folder is derived from the settings (the same settings continue the same run).
    std::string runName;
    // A network round to train for (net::pullRound's PullResult): when `round` is set, Φ(t) is
    // `phiFile` (empty: the base model's experts) and the round is *round, instead of the
    // project's validator state.
    std::filesystem::path phiFile;
    std::optional<std::int64_t> round;
};

// The engine settings a form stands for, for `project` and `selection`:
//   modelDir, device, dtype, inner steps, batch size, lr, checkpoint/validation intervals and
//   mode from the form; warm-up = innerSteps / 10;
//   Φ(t) and round t from the form when form.round is set (UsageError naming the file when
//   form.phiFile is given but is not a file, or when form.phiFile is given without a round),
//   else from the project's validator state (ValidatorState::load(validatorStateDir()):
//   the base model's experts and round 0 when no round was applied);
//   dataset = the project's target with its packing and the form's sequence length
//   (datasetRecordJson), dataLabel = the target's first file name ("data" when none);
//   shard (UsageError unless 1 <= shardCount and 0 <= shardIndex < shardCount);
//   projectId; outDir = minerRunDir(project, form.runName) when the form names the run (a new run
//   gets its own folder and submission), else minerRunsDir() / "run-<first 12 hex of
//   sha256(settings.toJson().dump())>", so the same settings (and the same Φ(t) file and round)
//   continue the same run and another round's Φ(t) starts a new one; the recompute and offload settings are left out of that key (it changes the memory a run
//   needs, not its results: a run stopped for memory resumes with it).
// Errors: minerRunDir's, ValidatorState::load's (a damaged state.json).
MinerSettings minerSettingsFor(const Project& project, const ExpertSelection& selection, const MinerForm& form);
// The form showing recorded settings (clone, resume): the inverse of minerSettingsFor's mapping
// (sequenceLength from settings.dataset's "seq_len", 128 when absent; runName: the output
// folder's name).
MinerForm minerFormOf(const MinerSettings& settings);

// The folder of the run named `name`: minerRunsDir() / name. UsageError naming the problem when
// the name is empty, longer than 64 characters, starts or ends with a space or a '.', or holds a
// character other than ASCII letters, digits, ' ', '-', '_' and '.'.
std::filesystem::path minerRunDir(const Project& project, const std::string& name);

// One miner run of a project as the job store knows it: the project's "train" jobs that share an
// output folder (a run resumed after a pause, a cancel or a failure records one job per start,
// all with the run's settings). The store is the one record of runs: nothing else to keep in step.
struct MinerRun {
    std::string name; // the folder's name
    std::filesystem::path outDir;
    MinerSettings settings;                                // the newest job's
    std::vector<std::int64_t> jobIds;                      // oldest first
    JobStore::JobState state = JobStore::JobState::Queued; // the newest job's
    std::string error;                                     // the newest job's, when it failed
    std::string startedAt;                                 // the first job's creation time
    std::string updatedAt;                                 // the newest job's last update
};
// The runs of `project`, the one with the newest job first. A train job whose config does not parse
// is skipped (logged): it must not hide the others.
std::vector<MinerRun> minerRuns(const JobStore& store, const Project& project);
// The values of one metric of a run by step, over all of its jobs: a later job's value replaces an
// earlier one's at the same step (a resumed run repeats the steps after its last checkpoint).
std::vector<std::pair<std::int64_t, double>> minerRunMetric(const JobStore& store, const MinerRun& run,
                                                            const std::string& name);
// "run 1", "run 2", …: the first name that no run of `runs` has and whose folder does not exist.
std::string nextMinerRunName(const Project& project, const std::vector<MinerRun>& runs);

// A start refused before the engine ran (the memory plan, a missing dataset path, a selection made
// for another model, a dataset without training rows...) is still a train job: recorded as failed
// with `error` and `kind` and the settings, output folder and project runMiner would record, so
// that the jobs view, `teft jobs list` and the run list show it. Rank 0 alone records a
// data-parallel job (0 on the other ranks). Returns the job's id (0 when the store cannot be
// opened: logged, as JobRecord does).
std::int64_t recordRefusedMinerStart(const MinerSettings& settings, const std::string& error, ErrorKind kind);

// The memory check trainMiner makes before it tokenizes or loads anything.
struct MemoryGate {
    bool enforce = true;          // false: start even when the plan does not fit
    std::int64_t memoryLimit = 0; // > 0: the memory the job may use, instead of the device's free memory
    std::string overrideHint;     // appended to the refusal (the CLI names its override flag)
};

// Runs a miner from settings whose `dataset` holds a datasetRecordJson:
//   the memory plan (core/train/MemoryPlan.h) must fit the device's available memory (or
//   gate.memoryLimit) unless !gate.enforce: OutOfMemoryError with plan.refusal() otherwise;
//   every dataset path must exist (Error "Dataset path … does not exist (moved or deleted?)");
//   a selection with a model fingerprint must match modelFingerprint(modelDir) (Error: "The
//   expert selection was made for another model …"; stage "fingerprinting");
//   tokenize with the model's tokenizer (stage "tokenizing"); Error when there is no training row;
//   stage "loading"; runMiner(settings, data, control, onStep).
// Stages are reported through control.report(0, 0, stage). A refusal or failure before runMiner
// (any of the above but a cancel) is recorded as a failed "train" job (the settings, outDir and
// projectId runMiner would record, the error's message and kind) and rethrown.
MinerResult trainMiner(const MinerSettings& settings, JobControl& control, const MinerStepFn& onStep = {},
                       const MemoryGate& gate = {});

} // namespace teft
