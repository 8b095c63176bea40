#pragma once

// The inner optimisation loop shared by miners, full fine-tuning and the demo model's
// pretraining: H optimizer steps of AdamW over named fp32 parameters, each step accumulating
// gradAccum micro-batches of batchSize rows read in BatchOrder; learning-rate warmup + cosine
// decay; global gradient-norm clipping; a step whose loss or gradient norm is not finite is
// skipped (no update, counted) and the run stops with an Error after maxNonFiniteInARow in a
// row; a checkpoint every checkpointEvery steps and when cancelled (the loop only stops between
// steps, so a checkpoint is always consistent); a run started on a folder holding a checkpoint
// of the same identity resumes from it and ends bit for bit where an uninterrupted run would.
//
// What a micro-batch costs is the caller's business: lossFn(rows) returns the differentiable
// fp32 scalar loss of those dataset rows (the loop calls backward on loss / gradAccum).
//
// Data parallel (a Collective, core/dist/Collective.h): every rank runs the same loop on the
// same BatchOrder; each micro-batch of batchSize rows is split into contiguous shares, one per
// rank (rankShare), so batchSize and gradAccum describe the global batch and N ranks train as one
// process would on the same settings. The loss a rank returns is its share of the micro-batch's
// loss (ShareLossFn: the shares sum to the loss over the whole micro-batch; a plain LossFn's mean
// is weighted by the rank's share of the rows, exact when every row has the same number of
// target tokens). Per step one all-reduce sums the flattened gradients of all parameters together
// with which of them have one, the loss and the non-finite and cancel flags, so every rank takes
// the same decision and the same clipped AdamW step. Rank 0 alone writes checkpoints; on resume
// it reads its checkpoint and broadcasts it. Cancelling any rank stops all after the step. When a
// peer fails (PeerFailure), rank 0 saves the last finished step before rethrowing.

#include "core/train/AdamW.h"
#include "core/train/BatchOrder.h"
#include "core/train/LrSchedule.h"
#include "core/train/TrainCheckpoint.h"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class JobControl;
class Collective;

struct InnerTrainerSettings {
    std::int64_t innerSteps = 20; // H
    int batchSize = 4;            // rows per micro-batch
    int gradAccum = 1;
    double lr = 1e-4;
    std::int64_t warmupSteps = 0;
    double minLrRatio = 0.1;
    AdamWSettings adamw;
    double clipNorm = 1.0; // <= 0: no clipping
    int maxNonFiniteInARow = 10;
    std::int64_t checkpointEvery = 0; // 0: only when cancelled
    std::uint64_t seed = 0;           // data order
    std::int64_t tokensPerRow = 0;    // for tokens_seen

    void check() const; // UsageError naming the bad setting
    LrSchedule schedule() const;
    nlohmann::json toJson() const;
    static InnerTrainerSettings fromJson(const nlohmann::json& j);
};

struct StepReport {
    std::int64_t step = 0; // 1-based, after the step
    double loss = 0;       // mean over the micro-batches (NaN when skipped)
    double gradNorm = 0;   // before clipping
    double lr = 0;
    bool skipped = false;
};

struct InnerTrainerResult {
    std::int64_t steps = 0;
    std::int64_t skippedSteps = 0;
    std::int64_t tokensSeen = 0;
    std::int64_t resumedFromStep = -1; // -1: fresh start
    double firstLoss = 0, lastLoss = 0;
    std::vector<double> losses; // this process's steps only (NaN for skipped ones)
};

// One rank's part of a micro-batch (the whole micro-batch in a single process).
struct MicroBatch {
    std::vector<std::int64_t> rows;   // this rank's share of the micro-batch's dataset rows
    std::int64_t globalRows = 0;      // rows of the whole micro-batch, over all ranks
    Collective* collective = nullptr; // null in a single process
};

class InnerTrainer {
public:
    using LossFn = std::function<at::Tensor(const std::vector<std::int64_t>& rows)>;
    // Returns this rank's share of the micro-batch's loss (the whole loss in a single process);
    // may make collective calls of its own (the same on every rank).
    using ShareLossFn = std::function<at::Tensor(const MicroBatch& batch)>;
    using StepFn = std::function<void(const StepReport&)>;

    // params: fp32 leaves with requires_grad. rows: the dataset rows this run may read.
    // checkpointDir: empty for no checkpoints (and no resume). identity: must match a
    // checkpoint's to resume from it (Error naming both otherwise), and be the same on every
    // rank. collective: data-parallel training (not owned; null: a single process); UsageError
    // when batchSize is smaller than the number of ranks.
    InnerTrainer(std::vector<std::pair<std::string, at::Tensor>> params, std::vector<std::int64_t> rows,
                 InnerTrainerSettings settings, std::filesystem::path checkpointDir = {}, std::string identity = {},
                 Collective* collective = nullptr);

    // Runs (or resumes) to innerSteps. Cancelled (from control.checkpoint()) is rethrown after
    // a checkpoint was written when checkpointDir is set.
    InnerTrainerResult run(const LossFn& lossFn, JobControl& control, const StepFn& onStep = {});
    InnerTrainerResult run(const ShareLossFn& lossFn, JobControl& control, const StepFn& onStep = {});

    const TrainProgressState& state() const { return m_state; }
    const InnerTrainerSettings& settings() const { return m_settings; }
    void saveCheckpoint();
    // A value of the run kept in every checkpoint this trainer writes (TrainProgressState::extra
    // under `key`), also over a resumed checkpoint's: the caller's record of something measured
    // once per run (the miner's held-out loss before training), which a resume reads back.
    void setExtra(const std::string& key, const nlohmann::json& value);

private:
    struct ReducedStep {
        double lossSum = 0;
        bool finite = true;
        bool cancel = false;
    };
    bool tryResume();
    bool tryResumeLocal();
    ReducedStep reduceStep(double lossSum, bool finite, bool cancel);
    void checkReplicasAgree();
    bool isWriter() const;
    std::vector<std::pair<std::string, at::Tensor>> m_params;
    InnerTrainerSettings m_settings;
    BatchOrder m_order;
    AdamW m_optimizer;
    std::filesystem::path m_checkpointDir;
    TrainProgressState m_state;
    nlohmann::json m_extra = nlohmann::json::object(); // setExtra's, applied over a resumed state
    Collective* m_collective = nullptr;
};

// Global L2 norm of the gradients of `params` (those that have one), in fp64 precision.
double gradientNorm(const std::vector<std::pair<std::string, at::Tensor>>& params);

} // namespace teft
