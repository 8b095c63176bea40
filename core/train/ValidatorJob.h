#pragma once

// TEFT step 3, a validator round: verify a folder (or a list) of submissions, score each accepted one by
// proof of loss (baseline L(Φ(t)) and L(Φ(t) − Δ_i) on the same seeded held-out batches; a
// batch that is non-finite on either side is left out of both; s_i is the token-weighted mean of
// the per-batch differences, reported with its standard error, and it scores only when its
// one-sided lower bound is > 0: ScoreStatistics.h), aggregate by policy, take the outer Nesterov
// step, and write Φ(t+1), the outer optimizer's momentum and a round report (per submission:
// gain, std_error, lower_bound, tokens, batches, significant, score, rank, tied_with, weight,
// fate — "not_significant" for a gain within noise).
// Each update is applied to the live model in place (setTensor) and Φ(t) restored afterwards:
// only the selected experts are ever copied, never the whole model.
//
// The validator's state folder:
//   state.json                 {"format": "teft-validator-state", "round": next round,
//                               "phi": "round-<n>/phi.safetensors",
//                               "optimizer": "round-<n>/outer_optimizer.safetensors"}
//   round-<n>/phi.safetensors  Φ(n+1) (fp32, selected expert tensors by checkpoint name)
//   round-<n>/outer_optimizer.safetensors, round-<n>/report.json
// state.json is written last, so a round killed half-way is simply run again.
//
// A round has two phases, also callable on their own (the desktop application shows the scores
// and lets the user override who is aggregated before the outer step):
//   scoreRound  verify, score and plan the aggregation; writes nothing;
//   applyRound  take the outer step with the plan's weights or the caller's, write the state and
//               the report, record the round in the job store.
// runValidator(s, data, c) is applyRound(scoreRound(s, data, c), data, c) under one job record.

#include "core/model/MoeModel.h"
#include "core/teft/Aggregation.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/OuterOptimizer.h"
#include "core/teft/ProofOfLossScorer.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/train/LossEvaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace teft {

class TokenDataset;
class JobControl;
class JobRecord;

struct ValidatorSettings {
    std::filesystem::path modelDir;
    ExpertSelection selection;
    std::string device = "auto"; // "auto" (a GPU when there is one), "cpu" or "cuda:N"
    torch::ScalarType computeDtype = torch::kFloat;
    std::filesystem::path stateDir;
    std::filesystem::path submissionsDir;
    // The submission folders to score, when not empty: used instead of listing submissionsDir (a
    // folder listed twice, by the same canonical path, counts once). See submissionFolders().
    std::vector<std::filesystem::path> submissions;
    std::optional<std::int64_t> round; // default: the state's next round (0 for a new state)
    // 16 batches × 8 rows by default: enough batches for a standard error with 15 degrees of
    // freedom (t_0.95 = 1.75, within 6 % of z = 1.645); with the 8 of the loss evaluations
    // elsewhere the bound would be 10 % wider (t = 1.89), with 4 it would be 43 % wider (2.35).
    EvalSettings eval{16, 8, 1234};
    // A score counts only when its one-sided lower bound at this confidence is > 0
    // (ScoreStatistics.h); otherwise it scores 0 with the fate "not_significant".
    double confidence = 0.95;
    double timeoutSeconds = 300.0;
    AggregationSettings aggregation;
    OuterOptimizer::Settings outer;
    bool allowUnsigned = false;
    bool allowUnknownKeys = false;
    std::filesystem::path knownMinersFile; // empty: none (then allowUnknownKeys matters)
    double maxUpdateNorm = 0.0;            // absolute bound on ||Δ|| over all tensors; 0 = none
    // Per tensor, ||Δ_t|| ≤ maxRelativeNorm × ||Φ_t|| (the experts' current weights); 0 = none.
    // On by default: fine-tuning changes the experts by a few per cent (the demo's honest miners
    // by 4 %; a tiny random model trained at a high learning rate by up to 63 %), an update that
    // is larger than twice the weights replaces them, and one scaled up by orders of magnitude is
    // refused before it is scored.
    double maxRelativeNorm = 2.0;
    // A submission whose decoded Δ has at least this cosine similarity with an earlier one's is a
    // near copy, refused as "duplicate" (VerifierPolicy::nearCopyCosine); > 1 = off.
    double nearCopyCosine = kDefaultNearCopyCosine;
    // The order of `submissions` is the order they were committed in (the network's commitment
    // slots, which the store assigns): copies are judged in that order and the validator's receipt
    // log is not used. Otherwise the receipt log orders them.
    bool submissionsInGivenOrder = false;
    // false: a recomputation (`teft round verify`) that records no job in the job store.
    bool recordJob = true;
    std::optional<std::int64_t> projectId; // the job store project the round's job belongs to

    nlohmann::json toJson() const;
};

struct ValidatorState {
    std::int64_t round = 0;
    std::filesystem::path phi;       // empty: the base model's experts
    std::filesystem::path optimizer; // empty: fresh momentum
    static ValidatorState load(const std::filesystem::path& stateDir);
};

struct ValidatorResult {
    std::int64_t round = 0;
    double baselineLoss = 0;
    double newLoss = 0;
    bool updated = false;
    std::filesystem::path phiFile;
    nlohmann::json report;
    std::int64_t jobId = 0;
};

// Phase 1 of a round: what was verified and scored, the planned aggregation, and the engine
// state the outer step needs (the loaded model holding Φ(t)). Copies share that state.
struct ScoredRound {
    ValidatorSettings settings;
    ValidatorState state; // as read when scoring; applyRound refuses a changed one
    std::int64_t round = 0;
    double baselineLoss = 0;
    std::int64_t baselineTokens = 0;       // the target tokens of the baseline's finite batches
    bool evalRowsRepeat = false;           // more rows asked for than held out: batches share rows
    std::vector<Verdict> verdicts;         // every submission folder, in arrival order
    std::vector<std::size_t> scored;       // indices into verdicts of the verified ones, in scoring order
    std::vector<CandidateLoss> candidates; // per scored submission
    AggregationPlan plan;                  // per scored submission
    nlohmann::json submissions;            // the report's rows, one per verdict (as planned)

    // Report row of verdicts[i] (the planned weight and fate).
    const nlohmann::json& row(std::size_t verdictIndex) const { return submissions.at(verdictIndex); }

    struct Engine;
    std::shared_ptr<Engine> engine; // the model with Φ(t) and the selected tensors' names
};

// The submission folders a round scores: settings.submissions in their order, each once (by
// canonical path), or, when that list is empty, SubmissionVerifier::listSubmissions(submissionsDir).
// Error naming the path for a listed folder that does not exist, is not a folder or cannot be read.
std::vector<std::filesystem::path> submissionFolders(const ValidatorSettings& settings);

ScoredRound scoreRound(const ValidatorSettings& settings, const TokenDataset& heldOut, JobControl& control);

// Phase 2: the outer step with `weights` (one per scored submission, in ScoredRound::scored
// order; finite, ≥ 0, summing to 1, or all 0 for no update) or, when absent, the plan's. Writes
// round-<n>/ and state.json and records the round under a new "validate" job. A ScoredRound is
// applied at most once, and only while the state folder is still at the round it was scored
// for (teft::Error otherwise: score again). UsageError for malformed weights.
ValidatorResult applyRound(ScoredRound& scored, const TokenDataset& heldOut, JobControl& control,
                           const std::optional<std::vector<double>>& weights = std::nullopt);

ValidatorResult runValidator(const ValidatorSettings& settings, const TokenDataset& heldOut, JobControl& control);

} // namespace teft
