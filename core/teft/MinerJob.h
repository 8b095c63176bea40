#pragma once

#include "core/teft/AdamW.h"
#include "core/teft/Submission.h"
#include "core/teft/TensorMap.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class JobControl;
class MinerKey;
class MoeModel;
class TokenDataset;

// What a miner trains: the trainable (selected-expert) fp32 leaf parameters by checkpoint name,
// and a differentiable scalar loss of a batch of token rows [B, T] (auxiliary loss included).
// moeObjective() wires a MoeModel; tests use toy objectives.
struct MinerObjective {
    std::function<std::vector<std::pair<std::string, at::Tensor>>()> parameters;
    std::function<at::Tensor(const at::Tensor& rows)> loss;
};
MinerObjective moeObjective(MoeModel& model, double auxLossCoef);

// The miner's data: its shard's row indices and a way to fetch rows as int64 [n, T].
struct MinerData {
    std::vector<std::int64_t> rows;
    std::function<at::Tensor(const std::vector<std::int64_t>&)> fetch;
    std::string shardName; // recorded in the manifest
};
MinerData tokenDataShard(const TokenDataset& dataset, int shard, int numShards);

// Inner-loop settings (issue 5 item 3). Defaults follow the peers: AdamW (0.9, 0.95), weight
// decay 0.1, clipping at 1.0; lr with linear warmup then cosine decay to minLrRatio·lr.
struct MinerSettings {
    std::int64_t innerSteps = 100;   // H optimizer steps
    int gradAccumulation = 1;        // micro-batches per step
    std::int64_t batchSize = 8;      // rows per micro-batch
    double lr = 1e-4;
    std::int64_t warmupSteps = 10;
    double minLrRatio = 0.1;
    AdamW::Settings adam;
    double clipNorm = 1.0;           // <= 0: no clipping
    int maxNonFiniteInARow = 50;     // stop after this many skipped steps in a row
    std::int64_t checkpointEvery = 20; // K steps (0: only at the end and on cancel)
    std::uint64_t seed = 0;          // data order

    void check() const; // UsageError naming the setting
    nlohmann::json toJson() const;
    static MinerSettings fromJson(const nlohmann::json& j);
    // The learning rate of step s (0-based).
    double learningRate(std::int64_t step) const;
};

struct MinerStepRecord {
    std::int64_t step = 0;
    double loss = 0.0;     // mean over the micro-batches (NaN when skipped for it)
    double lr = 0.0;
    double gradNorm = 0.0; // before clipping
    bool skipped = false;
};

struct MinerResult {
    std::int64_t stepsDone = 0;
    std::int64_t skippedSteps = 0;
    std::int64_t tokensSeen = 0;
    std::int64_t resumedFromStep = -1; // -1: fresh start
    std::vector<MinerStepRecord> history;
    std::string baseFingerprint;
    TensorMap delta; // Φ(t) − Φ_i(t,H), fp32 CPU, by checkpoint name
    nlohmann::json toJson() const; // without the tensors
};

// Trains the selected experts for H inner steps and produces the displacement Δ.
// - Data order: sample g of the run (g = (step·accumulation + micro)·batchSize + b) is row
//   perm_e[g mod n] of the shard with e = g / n and perm_e a SplitMix64 Fisher–Yates
//   permutation seeded by (seed, e): a pure function of the step, so resuming needs no cursor.
// - A step whose loss or gradient norm is not finite is skipped (no update) and counted; after
//   maxNonFiniteInARow in a row the job stops with an Error.
// - Checkpoint (workDir/miner-checkpoint.safetensors, atomic): trainable weights, AdamW
//   state, step, counters, history, torch's CPU RNG state; written every K steps, at the end,
//   and when cancelled (control.checkpoint() throws Cancelled between steps). run() resumes
//   from it when present, refusing one made from another base, selection or settings, so a
//   killed run continues exactly where its last checkpoint left it.
class MinerJob {
public:
    struct Spec {
        MinerSettings settings;
        std::filesystem::path workDir;
        std::string configIdentity; // for the base fingerprint (e.g. the hash of config.json)
        std::string selectionHash;
        std::int64_t round = 0;
        std::string minerId;
    };

    // Captures the base Φ(t) (the parameters' current values) at construction.
    MinerJob(MinerObjective objective, MinerData data, Spec spec);

    MinerResult run(JobControl& control);

    // Writes the submission folder for a finished run.
    SubmissionWriteResult submit(const std::filesystem::path& dir, const MinerResult& result,
                                 const MinerKey* key, JobControl* control = nullptr) const;

    const std::string& baseFingerprint() const { return m_baseFingerprint; }
    const TensorMap& base() const { return m_base; }
    std::filesystem::path checkpointPath() const;

private:
    void saveCheckpoint(std::int64_t step, const MinerResult& r, std::int64_t nonFiniteInARow,
                        const AdamW& adam) const;
    bool loadCheckpoint(MinerResult& r, std::int64_t& step, std::int64_t& nonFiniteInARow, AdamW& adam);
    std::vector<std::int64_t> batchRows(std::int64_t microBatch);

    MinerObjective m_objective;
    MinerData m_data;
    Spec m_spec;
    TensorMap m_base;
    std::string m_baseFingerprint;
    std::int64_t m_permEpoch = -1;
    std::vector<std::int64_t> m_perm;
};

} // namespace teft
