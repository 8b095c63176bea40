#pragma once

#include "core/teft/TensorMap.h"

#include <cstddef>
#include <functional>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft {

class JobControl;

// Evaluates the held-out loss of Φ(t) with an update applied, Φ(t) − Δ; delta == nullptr
// means the baseline Φ(t). The model side implements it: apply Δ in place, evaluate on the same
// seeded held-out batches every time (leaving out a batch that is non-finite for either side),
// restore Φ(t) — also when it throws. It should call control.checkpoint() between batches:
// that is how a time-out or a cancel stops it.
using LossWithUpdateFn = std::function<double(const TensorMap* delta, JobControl& control)>;

// Loads submission i's Δ (lazily, so only one is in memory at a time).
using UpdateLoader = std::function<TensorMap(std::size_t index)>;

struct CandidateLoss {
    std::string id;
    double loss = std::numeric_limits<double>::quiet_NaN();
    bool ok = false; // evaluated to the end (the loss may still be non-finite)
    bool timedOut = false;
    std::string error; // why it was not evaluated
    double seconds = 0.0;
    nlohmann::json toJson() const;
};

// Proof of loss: the baseline loss, then each candidate's loss under a per-candidate time-out.
// A candidate that throws, times out or gives a non-finite loss scores 0; it never stops the
// round. Cancellation of the parent control does stop it (Cancelled is rethrown).
class ProofOfLossScorer {
public:
    struct Settings {
        double timeoutSeconds = 300.0; // per candidate, paused time not counted; 0 = none
    };

    explicit ProofOfLossScorer(LossWithUpdateFn lossFn);
    ProofOfLossScorer(LossWithUpdateFn lossFn, Settings settings);

    // Throws Error when the baseline cannot be evaluated or is not finite (no round without it).
    double baseline(JobControl& control);
    CandidateLoss evaluate(const std::string& id, const std::function<TensorMap()>& load, JobControl& control);

    struct Result {
        double baselineLoss = 0.0;
        std::vector<CandidateLoss> candidates;
        std::vector<double> scores; // s_i = ReLU(L_base − L_i), 0 for failed candidates
    };
    Result scoreAll(const std::vector<std::string>& ids, const UpdateLoader& load, JobControl& control);

private:
    LossWithUpdateFn m_lossFn;
    Settings m_settings;
};

} // namespace teft
