#pragma once

#include "core/teft/ScoreStatistics.h"
#include "core/teft/TensorMap.h"

#include <cstddef>
#include <functional>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft {

class JobControl;

// Evaluates the held-out losses of Φ(t) with an update applied, Φ(t) − Δ, per batch; delta ==
// nullptr means the baseline Φ(t). The model side implements it: apply Δ in place, evaluate on
// the same seeded held-out batches every time, returning each batch's loss (NaN when non-finite)
// and target tokens, restore Φ(t) — also when it throws. It should call control.checkpoint()
// between batches: that is how a time-out or a cancel stops it. The scorer pairs the batches
// (ScoreStatistics.h) and leaves out a batch that is non-finite on either side.
using LossWithUpdateFn = std::function<BatchLosses(const TensorMap* delta, JobControl& control)>;

// Loads submission i's Δ (lazily, so only one is in memory at a time).
using UpdateLoader = std::function<TensorMap(std::size_t index)>;

struct CandidateLoss {
    std::string id;
    // L(Φ) − gain: the baseline's loss minus the paired mean difference over the batches both
    // sides kept (so baseline − loss is that difference); NaN when no batch was kept.
    double loss = std::numeric_limits<double>::quiet_NaN();
    BatchLosses batches; // L_b(Φ − Δ) per batch, as the model side returned them
    PairedScore paired;  // d_b = L_b(Φ) − L_b(Φ − Δ): gain, standard error, bound, significance
    bool ok = false;     // evaluated to the end (the loss may still be non-finite)
    bool timedOut = false;
    std::string error; // why it was not evaluated
    double seconds = 0.0;
    nlohmann::json toJson() const;
};

// Proof of loss: the baseline losses, then each candidate's under a per-candidate time-out.
// s_i is the token-weighted mean of the paired per-batch differences d_b (ScoreStatistics.h); a
// candidate scores s_i only when it is significant (its one-sided lower bound at `confidence`
// is > 0), else 0. A candidate that throws, times out, returns other batches than the baseline or
// has no finite batch scores 0; it never stops the round. Cancellation of the parent control does
// stop it (Cancelled is rethrown).
class ProofOfLossScorer {
public:
    struct Settings {
        double timeoutSeconds = 300.0; // per candidate, paused time not counted; 0 = none
        double confidence = 0.95;      // of the one-sided bound a score must clear (0.5 ≤ c < 1)
    };

    explicit ProofOfLossScorer(LossWithUpdateFn lossFn);
    ProofOfLossScorer(LossWithUpdateFn lossFn, Settings settings);

    // Throws Error when the baseline cannot be evaluated or no batch of it is finite (no round
    // without it).
    BatchLosses baseline(JobControl& control);
    // One candidate against `base` (the baseline's batches): loss, batches and paired statistics.
    CandidateLoss evaluate(const std::string& id, const std::function<TensorMap()>& load, const BatchLosses& base,
                           JobControl& control);

    struct Result {
        double baselineLoss = 0.0; // token-weighted mean of the baseline's finite batches
        BatchLosses baseline;
        std::vector<CandidateLoss> candidates;
        // s_i = the paired gain when significant, else 0 (also for failed candidates).
        std::vector<double> scores;
        // Per candidate, the others (indices) it is tied with within noise (tiedWithinNoise);
        // only candidates evaluated without error take part.
        std::vector<std::vector<std::size_t>> tiedWith;
    };
    Result scoreAll(const std::vector<std::string>& ids, const UpdateLoader& load, JobControl& control);

private:
    LossWithUpdateFn m_lossFn;
    Settings m_settings;
};

} // namespace teft
