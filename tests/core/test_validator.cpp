// A validator round end to end on real submission folders and a toy objective: refusals,
// proof-of-loss scores, proportional weights and the Nesterov outer step over two rounds, all
// against hand computations.
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/teft/ValidatorRound.h"
#include "core/util/Progress.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <cmath>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {
// Held-out batch b: loss = mean over all elements of (Φ − target_b)², Φ the concatenated tensors.
struct Toy {
    std::vector<TensorMap> targets;
    Toy()
    {
        torch::manual_seed(21);
        for (int b = 0; b < 3; ++b)
            targets.push_back({{"experts.0.w", torch::randn({4, 3})}, {"experts.1.w", torch::randn({5})}});
    }
    static double lossOf(const TensorMap& phi, const TensorMap& target)
    {
        double sum = 0;
        std::int64_t n = 0;
        for (const auto& [name, t] : phi) {
            sum += (t.to(torch::kDouble) - target.at(name).to(torch::kDouble)).pow(2).sum().item<double>();
            n += t.numel();
        }
        return sum / static_cast<double>(n);
    }
    double meanLoss(const TensorMap& phi) const
    {
        double s = 0;
        for (const auto& t : targets)
            s += lossOf(phi, t);
        return s / static_cast<double>(targets.size());
    }
    LossWithUpdateFn lossFn(const TensorMap& phi) const
    {
        return [this, &phi](const TensorMap* delta, JobControl& control) {
            TensorMap applied;
            for (const auto& [name, t] : phi)
                applied[name] = delta ? t - delta->at(name) : t.clone();
            std::vector<double> out;
            for (const auto& t : targets) {
                control.checkpoint();
                out.push_back(lossOf(applied, t));
            }
            return out;
        };
    }
};

TensorMap clone(const TensorMap& m)
{
    TensorMap out;
    for (const auto& [k, v] : m)
        out[k] = v.clone();
    return out;
}

// Φ_i = Φ + f·(mean target − Φ): Δ_i = Φ − Φ_i.
TensorMap deltaToward(const TensorMap& phi, const Toy& toy, double f)
{
    TensorMap d;
    for (const auto& [name, t] : phi) {
        at::Tensor mean = torch::zeros_like(t);
        for (const auto& tg : toy.targets)
            mean += tg.at(name) / static_cast<double>(toy.targets.size());
        d[name] = -f * (mean - t);
    }
    return d;
}
} // namespace

class TestValidator : public QObject {
    Q_OBJECT
private slots:
    void twoRoundsMatchHandComputation()
    {
        const fs::path root = test::freshDir("rounds");
        const Toy toy;
        const MinerKey alice = MinerKey::generate("alice"), bob = MinerKey::generate("bob"),
                       carol = MinerKey::generate("carol"), eve = MinerKey::generate("eve");
        KnownMiners known;
        for (const auto* k : {&alice, &bob, &carol})
            known.add(k->publicKey());

        torch::manual_seed(5);
        TensorMap phi{{"experts.0.w", torch::randn({4, 3})}, {"experts.1.w", torch::randn({5})}};
        OuterOptimizer outer({0.7, 0.9, true});
        // The hand-computed reference state.
        TensorMap refPhi = clone(phi), refBuf;

        for (int round = 1; round <= 2; ++round) {
            const fs::path dir = root / ("round" + std::to_string(round));
            const std::string baseFp = baseFingerprint(phi, "toy-config");
            auto manifest = [&] {
                SubmissionManifest m;
                m.baseFingerprint = baseFp;
                m.selectionHash = "toy-selection";
                m.round = round;
                m.innerSteps = 10;
                return m;
            };
            const TensorMap good = deltaToward(phi, toy, 0.5);
            const TensorMap better = deltaToward(phi, toy, 0.8);
            const TensorMap worse = deltaToward(phi, toy, -0.3);
            TensorMap nan = clone(good);
            nan["experts.1.w"][0] = NAN;
            writeSubmission(dir / "1-alice", manifest(), good, &alice);
            writeSubmission(dir / "2-bob", manifest(), better, &bob);
            writeSubmission(dir / "3-carol", manifest(), worse, &carol);
            writeSubmission(dir / "4-copy", manifest(), good, &bob);   // bob resubmits alice's Δ
            writeSubmission(dir / "5-eve", manifest(), better, &eve);  // unknown key
            writeSubmission(dir / "6-nan", manifest(), nan, &carol);

            VerifierPolicy p;
            p.baseFingerprint = baseFp;
            p.selectionHash = "toy-selection";
            p.round = round;
            for (const auto& [name, t] : phi)
                p.expected.push_back({name, t.sizes().vec(), "F32"});
            p.knownMiners = known;
            ValidatorRoundSettings st;
            st.round = round;
            st.aggregation.policy = AggregationSettings::Policy::Proportional;
            JobControl control;
            std::vector<fs::path> dirs;
            for (const char* n : {"1-alice", "2-bob", "3-carol", "4-copy", "5-eve", "6-nan"})
                dirs.push_back(dir / n);
            const RoundReport r = runValidatorRound(dirs, SubmissionVerifier(p), toy.lossFn(phi), phi, outer, st, control);

            QCOMPARE(r.submissions.size(), std::size_t(6));
            QCOMPARE(r.submissions[3].code, std::string("duplicate"));
            QCOMPARE(r.submissions[4].code, std::string("unknown_key"));
            QCOMPARE(r.submissions[5].code, std::string("non_finite"));
            for (int i = 3; i < 6; ++i)
                QCOMPARE(r.submissions[static_cast<std::size_t>(i)].fate, std::string("refused"));

            // By hand: losses, scores, proportional weights.
            const double base = toy.meanLoss(refPhi);
            QVERIFY(std::abs(r.baselineLoss - base) < 1e-6); // refPhi and phi agree to float rounding
            auto applied = [&](const TensorMap& d) {
                TensorMap a;
                for (const auto& [n, t] : refPhi)
                    a[n] = t - d.at(n);
                return a;
            };
            const double sGood = std::max(0.0, base - toy.meanLoss(applied(good)));
            const double sBetter = std::max(0.0, base - toy.meanLoss(applied(better)));
            const double sWorse = std::max(0.0, base - toy.meanLoss(applied(worse)));
            QCOMPARE(sWorse, 0.0);
            QVERIFY(std::abs(r.submissions[0].score - sGood) < 1e-6);
            QVERIFY(std::abs(r.submissions[1].score - sBetter) < 1e-6);
            QCOMPARE(r.submissions[2].fate, std::string("no_improvement"));
            const double wGood = sGood / (sGood + sBetter), wBetter = sBetter / (sGood + sBetter);
            QVERIFY(std::abs(r.submissions[0].weight - wGood) < 1e-5);
            QVERIFY(std::abs(r.submissions[1].weight - wBetter) < 1e-5);
            QCOMPARE(r.submissions[1].rank, 1);
            QCOMPARE(r.submissions[0].rank, 2);
            QVERIFY(r.stepped);

            // By hand: Nesterov SGD with the aggregated Δ as gradient.
            for (auto& [name, t] : refPhi) {
                const at::Tensor g = wGood * good.at(name) + wBetter * better.at(name);
                if (round == 1)
                    refBuf[name] = g.clone();
                else
                    refBuf[name] = 0.9 * refBuf[name] + g;
                t = t - 0.7 * (g + 0.9 * refBuf[name]);
                QVERIFY2(torch::allclose(phi.at(name), t, 1e-5, 1e-6), qPrintable(QString("round %1").arg(round)));
            }
            const auto j = r.toJson();
            QCOMPARE(j["submissions"][1]["fate"].get<std::string>(), std::string("merged"));
        }
        QCOMPARE(outer.steps(), std::int64_t(2));
    }

    void nobodyImprovesNoStep()
    {
        const fs::path root = test::freshDir("nostep");
        const Toy toy;
        const MinerKey alice = MinerKey::generate("alice");
        TensorMap phi{{"experts.0.w", torch::zeros({4, 3})}, {"experts.1.w", torch::zeros({5})}};
        const std::string baseFp = baseFingerprint(phi, "c");
        SubmissionManifest m;
        m.baseFingerprint = baseFp;
        m.selectionHash = "s";
        writeSubmission(root / "a", m, deltaToward(phi, toy, -0.5), &alice);
        VerifierPolicy p;
        p.baseFingerprint = baseFp;
        p.selectionHash = "s";
        for (const auto& [name, t] : phi)
            p.expected.push_back({name, t.sizes().vec(), "F32"});
        p.knownMiners.add(alice.publicKey());
        OuterOptimizer outer;
        JobControl control;
        const TensorMap before = clone(phi);
        const auto r = runValidatorRound({root / "a", root / "missing"}, SubmissionVerifier(p), toy.lossFn(phi), phi,
                                         outer, {}, control);
        QVERIFY(!r.stepped);
        QCOMPARE(r.submissions[1].code, std::string("malformed"));
        QCOMPARE(r.submissions[0].fate, std::string("no_improvement"));
        for (const auto& [name, t] : phi)
            QVERIFY(torch::equal(t, before.at(name)));
        QCOMPARE(outer.steps(), std::int64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestValidator)
#include "test_validator.moc"
