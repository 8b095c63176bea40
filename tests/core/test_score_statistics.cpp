// The statistics of proof of loss (core/teft/ScoreStatistics.h): Student t quantiles against
// published table values, the paired mean, standard error and one-sided bound against a
// separately written reference and against numbers worked out by hand, significance, ties
// within noise, and the scorer's use of them (a gain within noise scores 0; a clear one scores
// its mean; equal-quality updates are tied).
#include "core/teft/ProofOfLossScorer.h"
#include "core/teft/ScoreStatistics.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <QtTest/QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

using namespace teft;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool near(double a, double b, double tol) { return std::abs(a - b) <= tol; }

// Reference for equal token counts, written without ScoreStatistics: the textbook paired
// t-test. Mean, sample variance with n − 1 (two passes), SE = s / sqrt(n).
struct Reference {
    double mean, se;
};
Reference textbook(const std::vector<double>& d)
{
    double sum = 0;
    for (double x : d)
        sum += x;
    const double n = static_cast<double>(d.size());
    const double mean = sum / n;
    double sq = 0;
    for (double x : d)
        sq += (x - mean) * (x - mean);
    return {mean, std::sqrt(sq / (n - 1.0)) / std::sqrt(n)};
}

// Baseline and candidate losses with the given per-batch differences: baseline 3 + b/10,
// candidate baseline − d_b.
std::pair<BatchLosses, BatchLosses> withDifferences(const std::vector<double>& d, std::int64_t tokens = 100)
{
    BatchLosses base, cand;
    for (std::size_t b = 0; b < d.size(); ++b) {
        base.losses.push_back(3.0 + 0.1 * static_cast<double>(b));
        cand.losses.push_back(base.losses.back() - d[b]);
        base.tokens.push_back(tokens);
        cand.tokens.push_back(tokens);
    }
    return {base, cand};
}

} // namespace

class TestScoreStatistics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void studentQuantilesMatchTables()
    {
        // Standard t tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), to the digits printed there.
        QVERIFY(near(studentTQuantile(0.95, 1), 6.314, 5e-4));
        QVERIFY(near(studentTQuantile(0.95, 2), 2.920, 5e-4));
        QVERIFY(near(studentTQuantile(0.95, 3), 2.353, 5e-4));
        QVERIFY(near(studentTQuantile(0.95, 15), 1.753, 5e-4));
        QVERIFY(near(studentTQuantile(0.975, 10), 2.228, 5e-4));
        QVERIFY(near(studentTQuantile(0.99, 30), 2.457, 5e-4));
        QVERIFY(near(studentTQuantile(0.999, 5), 5.893, 5e-4));
        // df = 1 is the Cauchy distribution: tan(π (p − 1/2)) exactly.
        QVERIFY(near(studentTQuantile(0.9, 1), std::tan(M_PI * 0.4), 1e-9));
        // df = 2 has a closed form: t = (2p − 1) sqrt(2 / (4p(1 − p))).
        const double p = 0.95;
        QVERIFY(near(studentTQuantile(p, 2), (2 * p - 1) * std::sqrt(2.0 / (4 * p * (1 - p))), 1e-9));
        // Large df tends to the normal quantile z_0.95 = 1.6448536.
        QVERIFY(near(studentTQuantile(0.95, 1e7), 1.6448536, 1e-5));
        QCOMPARE(studentTQuantile(0.5, 4), 0.0);
        QVERIFY(near(studentTQuantile(0.05, 15), -studentTQuantile(0.95, 15), 1e-12));
        QVERIFY_THROWS_EXCEPTION(UsageError, studentTQuantile(1.0, 3));
        QVERIFY_THROWS_EXCEPTION(UsageError, studentTQuantile(0.9, 0));
        QVERIFY_THROWS_EXCEPTION(UsageError, checkConfidence(0.4));
        QVERIFY_THROWS_EXCEPTION(UsageError, checkConfidence(1.0));
        QVERIFY_THROWS_EXCEPTION(UsageError, checkConfidence(kNaN));
    }

    void equalTokensIsThePairedTTest()
    {
        const std::vector<double> d{0.12, 0.08, 0.15, 0.05, 0.11, 0.09, 0.13, 0.07};
        const auto [base, cand] = withDifferences(d);
        const PairedScore s = pairedScore(base, cand, 0.95);
        const Reference ref = textbook(d);
        QVERIFY(near(s.gain, ref.mean, 1e-12));
        QVERIFY(near(s.stdError, ref.se, 1e-12));
        QVERIFY(near(s.lowerBound, ref.mean - 1.895 * ref.se, 1e-3 * ref.se)); // t_0.95,7 = 1.895 (tables)
        QCOMPARE(s.batches, 8);
        QCOMPARE(s.tokens, std::int64_t(800));
        QCOMPARE(s.droppedBatches, 0);
        QVERIFY(s.significant); // a clearly better update
    }

    void unequalTokensByHand()
    {
        // d = (0.3, 0.1, 0.2) over (100, 50, 50) tokens. By hand: W = 200, mean = 45/200 = 0.225;
        // w²(d − mean)² = 56.25 + 39.0625 + 1.5625 = 96.875; SE² = 3/2 · 96.875 / 200² =
        // 145.3125 / 40000, SE = 0.0602728...
        BatchLosses base{{1.0, 1.0, 1.0}, {100, 50, 50}};
        BatchLosses cand{{0.7, 0.9, 0.8}, {100, 50, 50}};
        const PairedScore s = pairedScore(base, cand, 0.95);
        QVERIFY(near(s.gain, 0.225, 1e-12));
        QVERIFY(near(s.stdError, std::sqrt(145.3125) / 200.0, 1e-12));
        QVERIFY(near(s.stdError, 0.0602728, 1e-7));
        // t_0.95,2 = 2.920: 0.225 − 2.920 × 0.06027 = 0.049 > 0.
        QVERIFY(near(s.lowerBound, 0.225 - 2.919986 * 0.0602728, 1e-6));
        QVERIFY(s.significant);
        QCOMPARE(s.tokens, std::int64_t(200));
    }

    void tinyGainWithLargeSpreadIsNotSignificant()
    {
        const std::vector<double> d{0.5, -0.45, 0.4, -0.43, 0.02, 0.01};
        const auto [base, cand] = withDifferences(d);
        const PairedScore s = pairedScore(base, cand, 0.95);
        QVERIFY(s.gain > 0);
        QVERIFY(near(s.gain, textbook(d).mean, 1e-12));
        QVERIFY(s.lowerBound <= 0);
        QVERIFY(!s.significant);
        // At confidence 0.5 the bound is the mean itself: any positive mean is "significant".
        QVERIFY(pairedScore(base, cand, 0.5).significant);
    }

    void nonFiniteBatchesAreLeftOutAndOneBatchHasNoError()
    {
        BatchLosses base{{2.0, kNaN, 2.0, 2.0}, {10, 10, 10, 10}};
        BatchLosses cand{{1.0, 1.0, INFINITY, kNaN}, {10, 10, 10, 10}};
        const PairedScore s = pairedScore(base, cand, 0.95);
        QCOMPARE(s.batches, 1);
        QCOMPARE(s.droppedBatches, 3);
        QCOMPARE(s.tokens, std::int64_t(10));
        QCOMPARE(s.gain, 1.0);
        QVERIFY(std::isnan(s.stdError));
        QVERIFY(std::isnan(s.lowerBound));
        QVERIFY(!s.significant); // a large gain, but on one batch there is no error estimate
        // No batch at all: no gain.
        const PairedScore none = pairedScore(BatchLosses{{kNaN}, {10}}, BatchLosses{{1.0}, {10}}, 0.95);
        QCOMPARE(none.batches, 0);
        QVERIFY(std::isnan(none.gain) && !none.significant);
    }

    void otherBatchesAreRefused()
    {
        BatchLosses base{{2.0, 2.0}, {10, 10}};
        QVERIFY_THROWS_EXCEPTION(Error, pairedScore(base, BatchLosses{{1.0}, {10}}, 0.95));
        QVERIFY_THROWS_EXCEPTION(Error, pairedScore(base, BatchLosses{{1.0, 1.0}, {10, 11}}, 0.95));
        QVERIFY_THROWS_EXCEPTION(Error, pairedScore(base, BatchLosses{{1.0, 1.0}, {10}}, 0.95));
        QVERIFY_THROWS_EXCEPTION(Error, pairedScore(BatchLosses{{1.0}, {-1}}, BatchLosses{{1.0}, {-1}}, 0.95));
        QVERIFY_THROWS_EXCEPTION(UsageError, pairedScore(base, base, 1.5));
    }

    void ties()
    {
        // a and b: the same gain of about 0.1 with batch noise → tied; c: 0.3 on every batch →
        // better than both, not tied with either.
        const std::vector<double> noise{0.01, -0.02, 0.015, -0.005, 0.0, 0.01, -0.01, 0.0};
        BatchLosses base, a, b, c;
        for (std::size_t i = 0; i < noise.size(); ++i) {
            base.losses.push_back(3.0);
            a.losses.push_back(2.9 + noise[i]);
            b.losses.push_back(2.9 - noise[(i + 3) % noise.size()]);
            c.losses.push_back(2.7 + 0.1 * noise[i]);
            for (auto* x : {&base, &a, &b, &c})
                x->tokens.push_back(50);
        }
        QVERIFY(tiedWithinNoise(base, a, b, 0.95));
        QVERIFY(tiedWithinNoise(base, b, a, 0.95)); // symmetric
        QVERIFY(!tiedWithinNoise(base, a, c, 0.95));
        QVERIFY(!tiedWithinNoise(base, c, b, 0.95));
        QVERIFY(tiedWithinNoise(base, a, a, 0.95)); // a copy: every difference 0
        // The test is the paired t-test of a − c (reference): |mean| / SE far above t_0.95,7.
        std::vector<double> diff;
        for (std::size_t i = 0; i < noise.size(); ++i)
            diff.push_back(c.losses[i] - a.losses[i]);
        const Reference ref = textbook(diff);
        QVERIFY(std::abs(ref.mean) / ref.se > 1.895);
        // With a single batch both sides keep, nobody can be told apart.
        BatchLosses one = a;
        for (std::size_t i = 1; i < one.losses.size(); ++i)
            one.losses[i] = kNaN;
        QVERIFY(tiedWithinNoise(base, one, c, 0.95));
    }

    void scorerScoresOnlySignificantGains()
    {
        // Four held-out batches; each update is given by its per-batch losses.
        const BatchLosses base{{3.0, 3.2, 2.8, 3.1}, {64, 64, 64, 64}};
        const std::map<std::string, std::vector<double>> after{
            {"clear", {2.8, 3.0, 2.61, 2.9}},  // d ≈ 0.2 on every batch
            {"noise", {2.5, 3.6, 2.4, 3.55}},  // mean d = 0.0125 > 0, spread 0.4
            {"worse", {3.1, 3.3, 2.9, 3.2}},   // d = −0.1
            {"twin", {2.81, 2.99, 2.6, 2.91}}, // clear's quality: tied with it
            {"one", {2.0, kNaN, kNaN, kNaN}},  // one kept batch
            {"short", {2.0, 2.0}},             // other batches: an error, never a score
        };
        std::vector<std::string> ids{"clear", "noise", "worse", "twin", "one", "short"};
        LossWithUpdateFn fn = [&](const TensorMap* delta, JobControl& control) {
            control.checkpoint();
            if (!delta)
                return base;
            const auto& l = after.at(delta->begin()->first);
            return BatchLosses{l, std::vector<std::int64_t>(l.size(), 64)};
        };
        ProofOfLossScorer scorer(fn, {60.0, 0.95});
        JobControl control;
        const auto r = scorer.scoreAll(
            ids,
            [&](std::size_t i) {
                return TensorMap{{ids[i], at::Tensor()}};
            },
            control);
        QVERIFY(near(r.baselineLoss, (3.0 + 3.2 + 2.8 + 3.1) / 4, 1e-12));
        const auto& c = r.candidates;
        QVERIFY(c[0].paired.significant);
        QVERIFY(near(r.scores[0], textbook({0.2, 0.2, 0.19, 0.2}).mean, 1e-12));
        QVERIFY(near(c[0].loss, r.baselineLoss - r.scores[0], 1e-12));
        QVERIFY(c[1].paired.gain > 0 && !c[1].paired.significant);
        QCOMPARE(r.scores[1], 0.0);
        QVERIFY(c[2].paired.gain < 0 && !c[2].paired.significant);
        QCOMPARE(r.scores[2], 0.0);
        QVERIFY(c[3].paired.significant && r.scores[3] > 0);
        QVERIFY(c[4].ok && c[4].paired.batches == 1 && std::isnan(c[4].paired.stdError));
        QCOMPARE(r.scores[4], 0.0);
        QVERIFY(!c[5].ok);
        QVERIFY(QString::fromStdString(c[5].error).contains("same batches"));
        QCOMPARE(r.scores[5], 0.0);
        // clear and twin are tied; clear is not tied with worse; "one" is tied with everyone
        // scored (one batch cannot tell it apart); "short" failed and takes no part.
        const auto& tied = r.tiedWith;
        QVERIFY(std::count(tied[0].begin(), tied[0].end(), 3) == 1);
        QVERIFY(std::count(tied[3].begin(), tied[3].end(), 0) == 1);
        QVERIFY(std::count(tied[0].begin(), tied[0].end(), 2) == 0);
        QCOMPARE(tied[4], (std::vector<std::size_t>{0, 1, 2, 3}));
        QVERIFY(tied[5].empty());
        for (std::size_t i = 0; i < 5; ++i)
            QVERIFY(std::count(tied[i].begin(), tied[i].end(), 5) == 0);
        // The JSON a report carries.
        const auto j = c[0].toJson();
        QCOMPARE(j["paired"]["batches"].get<int>(), 4);
        QCOMPARE(j["paired"]["tokens"].get<std::int64_t>(), std::int64_t(256));
        QVERIFY(c[4].toJson()["paired"]["std_error"].is_null());
        QVERIFY_THROWS_EXCEPTION(UsageError, ProofOfLossScorer(fn, {60.0, 1.0}));
    }
};

QTEST_APPLESS_MAIN(TestScoreStatistics)
#include "test_score_statistics.moc"
