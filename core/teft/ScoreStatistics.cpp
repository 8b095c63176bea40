#include "core/teft/ScoreStatistics.h"

#include "core/util/Error.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace teft {

namespace {

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Continued fraction of the regularized incomplete beta function (modified Lentz).
double betaContinuedFraction(double a, double b, double x)
{
    constexpr double tiny = 1e-300;
    const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0;
    double d = 1.0 - qab * x / qap;
    if (std::abs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = std::abs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        c = 1.0 + aa / c;
        if (std::abs(c) < tiny)
            c = tiny;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = std::abs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        c = 1.0 + aa / c;
        if (std::abs(c) < tiny)
            c = tiny;
        const double step = d * c;
        h *= step;
        if (std::abs(step - 1.0) < 1e-15)
            break;
    }
    return h;
}

// I_x(a, b).
double regularizedBeta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) +
                                  b * std::log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * betaContinuedFraction(a, b, x) / a;
    return 1.0 - front * betaContinuedFraction(b, a, 1.0 - x) / b;
}

// P(T > t) for t ≥ 0.
double studentUpperTail(double t, double df) { return 0.5 * regularizedBeta(df / 2.0, 0.5, df / (df + t * t)); }

// Mean and standard error (see the header) of the weighted differences; NaN SE below 2 batches.
PairedScore weightedMean(const std::vector<double>& d, const std::vector<double>& w, double confidence)
{
    PairedScore s;
    s.confidence = confidence;
    s.batches = static_cast<int>(d.size());
    double W = 0, sum = 0;
    for (std::size_t b = 0; b < d.size(); ++b) {
        W += w[b];
        sum += w[b] * d[b];
    }
    if (d.empty() || W <= 0)
        return s;
    s.gain = sum / W;
    if (d.size() < 2)
        return s;
    double ss = 0;
    for (std::size_t b = 0; b < d.size(); ++b)
        ss += w[b] * w[b] * (d[b] - s.gain) * (d[b] - s.gain);
    const double n = static_cast<double>(d.size());
    s.stdError = std::sqrt(n / (n - 1.0) * ss) / W;
    s.lowerBound = s.gain - studentTQuantile(confidence, n - 1.0) * s.stdError;
    s.significant = s.lowerBound > 0;
    return s;
}

void checkSameBatches(const BatchLosses& a, const BatchLosses& b)
{
    if (a.losses.size() != b.losses.size())
        throw Error("The losses were evaluated on " + std::to_string(b.losses.size()) + " batches, the baseline on " +
                    std::to_string(a.losses.size()) + ": they must be the same batches");
    for (std::size_t i = 0; i < a.tokens.size(); ++i)
        if (a.tokens[i] != b.tokens[i])
            throw Error("Held-out batch " + std::to_string(i) + " has " + std::to_string(b.tokens[i]) +
                        " target tokens here and " + std::to_string(a.tokens[i]) +
                        " for the baseline: they must be the same batches");
}

} // namespace

double BatchLosses::mean() const
{
    double sum = 0, n = 0;
    for (std::size_t b = 0; b < losses.size() && b < tokens.size(); ++b)
        if (std::isfinite(losses[b]) && tokens[b] > 0) {
            sum += losses[b] * static_cast<double>(tokens[b]);
            n += static_cast<double>(tokens[b]);
        }
    return n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

void BatchLosses::check(const std::string& what) const
{
    if (losses.size() != tokens.size())
        throw Error(what + ": " + std::to_string(losses.size()) + " batch losses but " + std::to_string(tokens.size()) +
                    " token counts");
    for (std::size_t b = 0; b < tokens.size(); ++b)
        if (tokens[b] < 0)
            throw Error(what + ": held-out batch " + std::to_string(b) + " has a negative token count (" +
                        std::to_string(tokens[b]) + ")");
}

nlohmann::json PairedScore::toJson() const
{
    return {{"gain", number(gain)},
            {"std_error", number(stdError)},
            {"lower_bound", number(lowerBound)},
            {"confidence", confidence},
            {"tokens", tokens},
            {"batches", batches},
            {"dropped_batches", droppedBatches},
            {"significant", significant}};
}

void checkConfidence(double confidence)
{
    if (!(confidence >= 0.5 && confidence < 1.0))
        throw UsageError("The confidence level must be at least 0.5 and below 1 (e.g. 0.95), not " +
                         std::to_string(confidence));
}

double studentTQuantile(double p, double df)
{
    if (!(p > 0.0 && p < 1.0))
        throw UsageError("A Student t quantile needs 0 < p < 1, not " + std::to_string(p));
    if (!(df > 0.0) || !std::isfinite(df))
        throw UsageError("A Student t quantile needs degrees of freedom > 0, not " + std::to_string(df));
    if (p == 0.5)
        return 0.0;
    if (p < 0.5)
        return -studentTQuantile(1.0 - p, df);
    // Bisection on the upper tail, which falls monotonically from 1/2 at t = 0.
    const double tail = 1.0 - p;
    double lo = 0.0, hi = 1.0;
    while (studentUpperTail(hi, df) > tail)
        hi *= 2.0;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (studentUpperTail(mid, df) > tail ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

PairedScore pairedScore(const BatchLosses& before, const BatchLosses& after, double confidence)
{
    checkConfidence(confidence);
    before.check("The baseline losses");
    after.check("The losses with the update");
    checkSameBatches(before, after);
    std::vector<double> d, w;
    std::int64_t tokens = 0;
    int dropped = 0;
    for (std::size_t b = 0; b < before.losses.size(); ++b) {
        if (!std::isfinite(before.losses[b]) || !std::isfinite(after.losses[b]) || before.tokens[b] <= 0) {
            ++dropped;
            continue;
        }
        d.push_back(before.losses[b] - after.losses[b]);
        w.push_back(static_cast<double>(before.tokens[b]));
        tokens += before.tokens[b];
    }
    PairedScore s = weightedMean(d, w, confidence);
    s.tokens = tokens;
    s.droppedBatches = dropped;
    return s;
}

bool tiedWithinNoise(const BatchLosses& baseline, const BatchLosses& a, const BatchLosses& b, double confidence)
{
    checkConfidence(confidence);
    checkSameBatches(baseline, a);
    checkSameBatches(baseline, b);
    std::vector<double> d, w;
    for (std::size_t i = 0; i < baseline.losses.size(); ++i) {
        if (!std::isfinite(baseline.losses[i]) || !std::isfinite(a.losses[i]) || !std::isfinite(b.losses[i]) ||
            baseline.tokens[i] <= 0)
            continue;
        d.push_back(b.losses[i] - a.losses[i]); // d_a − d_b: the baseline cancels
        w.push_back(static_cast<double>(baseline.tokens[i]));
    }
    const PairedScore s = weightedMean(d, w, confidence);
    if (s.batches < 2 || !std::isfinite(s.stdError))
        return true;
    return std::abs(s.gain) - studentTQuantile(confidence, s.batches - 1.0) * s.stdError <= 0;
}

} // namespace teft
