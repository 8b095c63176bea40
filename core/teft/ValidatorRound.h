#pragma once

#include "core/teft/Aggregation.h"
#include "core/teft/OuterOptimizer.h"
#include "core/teft/ProofOfLossScorer.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/teft/TensorMap.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace teft {

class JobControl;

// One validator round, independent of how the model is held:
//   verify every submission (arrival order) → proof of loss for the accepted ones (per-
//   submission time-out; failures score 0) → aggregation plan → Σ w_i Δ_i → outer step on Φ.
// Φ (`phi`) is updated in place (views into a live model work). One bad submission never stops
// the round; only a cancel or a baseline that cannot be evaluated does.
struct ValidatorRoundSettings {
    std::int64_t round = 0;
    AggregationSettings aggregation;
    double timeoutSeconds = 300.0;
};

struct SubmissionOutcome {
    std::string id;      // folder name
    std::string minerId;
    std::string code;    // verifier code ("accepted" or the refusal)
    std::string message;
    double loss = 0.0;   // NaN when not evaluated
    double baselineLoss = 0.0;
    double score = 0.0;  // after copy zeroing
    int rank = 0;        // 0 when not scored
    double weight = 0.0;
    std::string fate;    // "merged", "not_selected", "no_improvement", "equal_score",
                         // "evaluation_failed", "refused"
    double updateNorm = 0.0;
};

struct RoundReport {
    std::int64_t round = 0;
    double baselineLoss = 0.0;
    std::vector<SubmissionOutcome> submissions;
    bool stepped = false;          // an outer step was taken
    double aggregatedNorm = 0.0;   // ‖Σ w_i Δ_i‖
    AggregationSettings aggregation;
    OuterOptimizer::Settings outer;
    nlohmann::json toJson() const;
};

RoundReport runValidatorRound(const std::vector<std::filesystem::path>& submissionDirs,
                              const SubmissionVerifier& verifier, const LossWithUpdateFn& loss,
                              TensorMap& phi, OuterOptimizer& outer, const ValidatorRoundSettings& settings,
                              JobControl& control);

} // namespace teft
