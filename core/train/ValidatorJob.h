#pragma once

// TEFT step 3, a validator round: verify a folder of submissions, score each accepted one by
// proof of loss (baseline L(Φ(t)) and L(Φ(t) − Δ_i) on the same seeded held-out batches; a
// batch that is non-finite on either side is left out of both), aggregate by policy, take the
// outer Nesterov step, and write Φ(t+1), the outer optimizer's momentum and a round report.
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

#include "core/model/MoeModel.h"
#include "core/teft/Aggregation.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/OuterOptimizer.h"
#include "core/train/LossEvaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace teft {

class TokenDataset;
class JobControl;

struct ValidatorSettings {
    std::filesystem::path modelDir;
    ExpertSelection selection;
    std::string device = "cpu";
    torch::ScalarType computeDtype = torch::kFloat;
    std::filesystem::path stateDir;
    std::filesystem::path submissionsDir;
    std::optional<std::int64_t> round; // default: the state's next round (0 for a new state)
    EvalSettings eval;
    double timeoutSeconds = 300.0;
    AggregationSettings aggregation;
    OuterOptimizer::Settings outer;
    bool allowUnsigned = false;
    bool allowUnknownKeys = false;
    std::filesystem::path knownMinersFile; // empty: none (then allowUnknownKeys matters)
    double maxUpdateNorm = 0.0;

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

ValidatorResult runValidator(const ValidatorSettings& settings, const TokenDataset& heldOut, JobControl& control);

} // namespace teft
