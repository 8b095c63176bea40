#pragma once

// TEFT step 2, a miner: train only the selected experts of a model (masked or full mode) on one
// shard of a dataset for H inner steps from Φ(t), then package Δ = Φ(t) − Φ_i(t,H) as a signed
// submission (core/teft/Submission.h). Resumable: the run's checkpoint lives in
// <outDir>/checkpoint and a rerun with the same settings continues from it; cancelling leaves
// one. Recorded in the job store as a "train" job with per-step metrics.
//
// Error feedback is crash-consistent: the new residual is written to <outDir>/residual.pending
// .safetensors before the submission, and moved into the residual file after the submission is
// renamed into place. A rerun of a run whose submission is already written (its manifest names
// the run) does not encode again: it finishes moving a pending residual, if any, and returns the
// submission, so that no residual is applied twice or lost.

#include "core/model/MoeModel.h"
#include "core/teft/DeltaEncoding.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/InnerTrainer.h"
#include "core/train/LossEvaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>

namespace teft {

class TokenDataset;
class JobControl;
class MinerKey;
class Collective;

struct MinerSettings {
    std::filesystem::path modelDir;
    std::filesystem::path phiFile; // Φ(t) of the selected experts; empty: the base model's
    ExpertSelection selection;
    ExpertMode mode = ExpertMode::Full;
    std::string device = "auto"; // "auto" (a GPU when there is one), "cpu" or "cuda:N"
    torch::ScalarType computeDtype = torch::kBFloat16;
    // Frozen routed experts in host memory, streamed to the GPU per layer (MoeModelOptions::
    // offloadFrozenExperts; a no-op on the CPU).
    bool offload = false;
    // Activation recomputation per decoder layer (MoeModelOptions::recompute): less memory for
    // about one more forward pass per step; the same results, so not part of the run's identity
    // (a run may be resumed with or without it).
    bool recompute = false;
    int shardIndex = 0;
    int shardCount = 1;
    InnerTrainerSettings train;
    double auxLossCoef = 0.0; // × the load-balancing loss; 0: none
    std::int64_t round = 0;
    std::string minerId;                 // empty: the key's
    std::filesystem::path outDir;        // checkpoint/ and submission/ inside
    std::filesystem::path submissionDir; // empty: <outDir>/submission
    std::filesystem::path keyDir;        // empty: MinerKey::defaultKeyDir()
    bool sign = true;
    // How Δ travels (core/teft/DeltaEncoding.h). bf16 and int8 keep error feedback: the
    // quantisation residual of this miner and selection is added to the next round's Δ; residualFile
    // (empty: defaultResidualFile()) is the base name of the residuals, one per round
    // (residualFileOfRound); f32 has none.
    DeltaEncoding encoding = DeltaEncoding::BF16;
    std::filesystem::path residualFile;
    std::string dataLabel;                 // recorded in the manifest
    std::optional<std::int64_t> projectId; // the job store's project this run belongs to
    // Held-out loss every validateEvery steps and after the last (0: never); needs held-out rows.
    std::int64_t validateEvery = 0;
    EvalSettings validation{4, 8, 1234};
    // How the dataset was made (spec and packing), recorded in the job so that the run can be
    // resumed or cloned later (the GUI's jobs view); runMiner itself does not read it.
    nlohmann::json dataset;
    // Data-parallel training (core/dist/Collective.h; not owned, not part of toJson): every rank
    // runs runMiner with the same settings and data on its own device, each micro-batch split
    // across the ranks (InnerTrainer), so the result is the same as one process's. Rank 0 alone
    // records the job, writes the checkpoints and the submission; the others record nothing and
    // return without a submission once rank 0 wrote it. Null: a single process.
    Collective* collective = nullptr;

    // The job record's config: everything needed to run the same job again (fromJson).
    nlohmann::json toJson() const;
    // FormatError naming a missing or malformed key.
    static MinerSettings fromJson(const nlohmann::json& j);
};

// One finished inner step, as the miner reports it to its caller (the GUI's dashboard).
struct MinerStep {
    StepReport report;
    std::int64_t totalSteps = 0;
    double validationLoss = std::numeric_limits<double>::quiet_NaN(); // NaN when not measured
    std::int64_t tokensSeen = 0;                                      // by this step, this run
    double tokensPerSecond = 0; // of this step (its training time: neither validation nor a pause)
    double elapsedSeconds = 0;  // since the job started, pauses left out
    // This process's share of the run, for an ETA that survives a resume: the steps it ran (a
    // resumed run starts counting at 0, not at the checkpoint's step) and the time from the start
    // of its first step to the end of this one, pauses left out (validation included).
    std::int64_t stepsThisRun = 0;
    double activeSeconds = 0;
    // The held-out loss of Φ(t), measured once at step 0 of the run and read back from its
    // checkpoint when the run is resumed (NaN when the run does not validate: validateEvery 0 or
    // no held-out rows).
    double validationLossBefore = std::numeric_limits<double>::quiet_NaN();
};
using MinerStepFn = std::function<void(const MinerStep&)>;

struct MinerResult {
    std::filesystem::path submissionDir;
    std::string packageSha256;
    std::uint64_t submissionBytes = 0; // encoded tensor data of Δ, as it travels (scales included)
    DeltaEncoding encoding = DeltaEncoding::F32;
    std::filesystem::path residualFile; // the error-feedback residual this run left (empty for f32)
    bool reused = false; // the run's submission was written before (a resumed run): not encoded again
    InnerTrainerResult training;
    // The held-out loss of Φ(t) before training (the run's, measured at its step 0; a resume reads
    // it from the checkpoint) and of the trained experts at the run's final step (measured after
    // the last step when no periodic validation fell on it) (NaN when the run does not validate).
    double validationLossBefore = std::numeric_limits<double>::quiet_NaN();
    double validationLossAfter = std::numeric_limits<double>::quiet_NaN();
    double seconds = 0;
    std::int64_t jobId = 0;
    nlohmann::json toJson() const;
};

// onStep: called on the training thread after every inner step (may be empty). A pause
// (control.setPaused) takes effect after the step being trained: a checkpoint is written then
// (unless it was the last step), the stage "paused" is reported, and the job waits.
MinerResult runMiner(const MinerSettings& settings, const TokenDataset& data, JobControl& control,
                     const MinerStepFn& onStep = {});

// <dataDir>/residuals/<miner id>-<first 16 hex digits of the selection hash>.safetensors: the
// base name of the residuals of one miner and selection, carried from round to round. The
// residual round t leaves is residualFileOfRound(base, t) ("<stem>.round-<t><ext>"); a run for
// round t starts from the one of the latest round before t.
std::filesystem::path defaultResidualFile(const std::string& minerId, const std::string& selectionHash);
std::filesystem::path residualFileOfRound(const std::filesystem::path& base, std::int64_t round);

// Φ of a model's selected experts as fp32 CPU tensors (detached copies).
TensorMap currentExperts(const MoeModel& model, const std::vector<std::string>& names);
// Sets Φ into a loaded model (names must exist in the model); FormatError naming a bad one.
void applyExperts(MoeModel& model, const TensorMap& phi, const std::string& source);

} // namespace teft
