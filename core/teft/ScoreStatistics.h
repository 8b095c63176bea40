#pragma once

// The statistics of proof of loss: a score is a mean of per-batch paired differences, with a
// standard error and a one-sided confidence bound, so that noise is told apart from improvement.
//
//   d_b = L_b(Φ) − L_b(Φ − Δ)           on the same held-out batch b (one kept where both sides are
//                                         finite), weighted by the batch's target tokens w_b
//   gain  = Σ w_b d_b / Σ w_b           the token-weighted mean (s_i before the significance test)
//   SE²   = n/(n−1) · Σ w_b² (d_b − gain)² / (Σ w_b)²
//           the standard error of a weighted mean of n independent batches (the "sandwich" or
//           ratio estimator); with equal weights it is exactly the textbook s²/n of the paired
//           t-test. Fewer than 2 kept batches: no estimate (NaN).
//   lower = gain − t_{c, n−1} · SE      one-sided bound at confidence c, with the Student t
//           quantile for n−1 degrees of freedom (the per-batch differences are treated as roughly
//           normal; t, not z, because n is small: 16 batches by default)
//   significant ⇔ n ≥ 2 and lower > 0.
//
// The batches must be distinct draws for SE to mean anything: TokenDataset::evalBatches draws
// rows without replacement until the held-out rows run out, then reshuffles; repeated rows make
// the batches correlated and SE too small (the validator warns and says so in its report).

#include <cstdint>
#include <limits>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft {

// Held-out losses per batch, in the order of the seeded batches: losses[b] is the mean loss of
// batch b (NaN when non-finite) over tokens[b] target tokens.
struct BatchLosses {
    std::vector<double> losses;
    std::vector<std::int64_t> tokens;

    // Token-weighted mean over the finite batches; NaN when none is.
    double mean() const;
    // Error naming the problem when losses and tokens differ in size or a token count is < 0.
    void check(const std::string& what) const;
};

struct PairedScore {
    double gain = std::numeric_limits<double>::quiet_NaN();       // token-weighted mean of d_b
    double stdError = std::numeric_limits<double>::quiet_NaN();   // NaN with fewer than 2 batches
    double lowerBound = std::numeric_limits<double>::quiet_NaN(); // one-sided, at `confidence`
    double confidence = 0.95;
    std::int64_t tokens = 0; // the tokens the score rests on (kept batches)
    int batches = 0;         // kept batches (finite on both sides)
    int droppedBatches = 0;  // non-finite on either side
    bool significant = false;
    nlohmann::json toJson() const;
};

// The p-quantile of Student's t distribution with df > 0 degrees of freedom, 0 < p < 1.
// UsageError for p or df outside that range.
double studentTQuantile(double p, double df);

// Checks 0.5 ≤ confidence < 1 (UsageError naming the value otherwise).
void checkConfidence(double confidence);

// d_b = before.losses[b] − after.losses[b], token weights from `before` (the same batches have
// the same tokens on both sides: Error when they do not, or when the batch counts differ).
PairedScore pairedScore(const BatchLosses& before, const BatchLosses& after, double confidence);

// Whether candidates a and b (each evaluated on the baseline's batches) are tied within noise:
// over the batches finite for the baseline, a and b, D_b = d_a,b − d_b,b = L_b(Φ − Δ_b) − L_b(Φ − Δ_a)
// and the better one is not significantly better — |mean D| − t_{c, n−1} · SE(D) ≤ 0, the same
// one-sided test at the same confidence as a score — or there are fewer than 2 such batches.
bool tiedWithinNoise(const BatchLosses& baseline, const BatchLosses& a, const BatchLosses& b, double confidence);

} // namespace teft
