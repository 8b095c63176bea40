// Proof-of-loss scoring, aggregation policies and the Nesterov outer step, checked against hand
// computations and against torch::optim::SGD.
#include "core/teft/Aggregation.h"
#include "core/teft/OuterOptimizer.h"
#include "core/teft/ProofOfLossScorer.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <cmath>
#include <nlohmann/json.hpp>
#include <thread>
#include <torch/torch.h>

using namespace teft;

namespace {
bool near(double a, double b, double tol = 1e-12) { return std::abs(a - b) <= tol; }

std::vector<double> values(const at::Tensor& t)
{
    auto c = t.to(torch::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}
} // namespace

class TestAggregation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { torch::manual_seed(3); }

    void scoresAndRanks()
    {
        const std::vector<double> losses{1.5, 2.5, NAN, 1.9, INFINITY};
        const auto s = proofOfLossScores(2.0, losses);
        QCOMPARE(s.size(), losses.size());
        QVERIFY(near(s[0], 0.5));
        QCOMPARE(s[1], 0.0);
        QCOMPARE(s[2], 0.0);
        QVERIFY(near(s[3], 2.0 - 1.9));
        QCOMPARE(s[4], 0.0);
        QCOMPARE(proofOfLossScores(NAN, {1.0}), std::vector<double>{0.0});

        QCOMPARE(zeroEqualScores({0.3, 0.2, 0.3, 0.0}), (std::vector<double>{0, 0.2, 0, 0}));
        QCOMPARE(rankByScore({0.1, 0.5, 0.1, 0.3}), (std::vector<int>{3, 1, 4, 2}));
    }

    void topK()
    {
        AggregationSettings st;
        st.policy = AggregationSettings::Policy::TopK;
        st.topK = 2;
        auto p = planAggregation({0.1, 0.5, 0.0, 0.3}, st);
        QCOMPARE(p.weights, (std::vector<double>{0, 0.5, 0, 0.5}));
        QCOMPARE(p.fates, (std::vector<std::string>{"not_selected", "merged", "no_improvement", "merged"}));
        QCOMPARE(p.ranks, (std::vector<int>{3, 1, 4, 2}));
        // Only one improved: it gets everything, even with k = 2.
        p = planAggregation({0.0, 0.4, 0.0}, st);
        QCOMPARE(p.weights, (std::vector<double>{0, 1, 0}));
        st.topK = 1;
        p = planAggregation({0.2, 0.7, 0.3}, st);
        QCOMPARE(p.weights, (std::vector<double>{0, 1, 0}));
        // Copies: equal scores are zeroed before ranking.
        p = planAggregation({0.7, 0.7, 0.3}, st);
        QCOMPARE(p.weights, (std::vector<double>{0, 0, 1}));
        QCOMPARE(p.fates[0], std::string("equal_score"));
        st.zeroEqualScores = false;
        p = planAggregation({0.7, 0.7, 0.3}, st);
        QCOMPARE(p.weights, (std::vector<double>{1, 0, 0})); // earliest wins the tie
        p = planAggregation({0.0, 0.0}, st);
        QVERIFY(p.empty());
        st.topK = 0;
        try {
            planAggregation({1.0}, st);
            QFAIL("k = 0 accepted");
        } catch (const UsageError& e) {
            QVERIFY(QString(e.what()).contains("at least 1"));
        }
    }

    void proportionalAndPower()
    {
        const std::vector<double> s{0.1, 0.5, 0.0, 0.3};
        AggregationSettings st;
        st.policy = AggregationSettings::Policy::Proportional;
        auto p = planAggregation(s, st);
        for (std::size_t i = 0; i < s.size(); ++i)
            QVERIFY(near(p.weights[i], s[i] / 0.9));
        st.policy = AggregationSettings::Policy::PowerWeighted;
        st.alpha = 1.2;
        p = planAggregation(s, st);
        const double total = std::pow(0.1, 1.2) + std::pow(0.5, 1.2) + std::pow(0.3, 1.2);
        for (std::size_t i = 0; i < s.size(); ++i)
            QVERIFY(near(p.weights[i], s[i] > 0 ? std::pow(s[i], 1.2) / total : 0.0));
        double sum = 0;
        for (double w : p.weights)
            sum += w;
        QVERIFY(near(sum, 1.0));
        QCOMPARE(p.fates[2], std::string("no_improvement"));
        const auto back = AggregationSettings::fromJson(st.toJson());
        QCOMPARE(back.toJson(), st.toJson());
    }

    void weightedSumOfDeltas()
    {
        std::vector<TensorMap> deltas(3);
        for (auto& d : deltas) {
            d["a"] = torch::randn({3, 2});
            d["b"] = torch::randn({5});
        }
        const std::vector<double> w{0.25, 0.0, 0.75};
        int reads = 0;
        bool readZeroWeight = false;
        const TensorMap agg = aggregateDeltas({"a", "b"}, w, [&](std::size_t i, const std::string& n) {
            ++reads;
            readZeroWeight |= i == 1; // weight 0: must never be loaded
            return deltas[i].at(n);
        });
        QCOMPARE(reads, 4);
        QVERIFY(!readZeroWeight);
        for (const char* name : {"a", "b"}) {
            const auto got = values(agg.at(name));
            const auto d0 = values(deltas[0].at(name)), d2 = values(deltas[2].at(name));
            for (std::size_t k = 0; k < got.size(); ++k)
                QVERIFY(near(got[k], 0.25 * d0[k] + 0.75 * d2[k], 1e-6));
        }
        deltas[2]["b"] = torch::randn({4});
        try {
            aggregateDeltas({"b"}, w, [&](std::size_t i, const std::string& n) { return deltas[i].at(n); });
            QFAIL("shape mismatch accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("b"));
        }
    }

    void nesterovMatchesHandAndTorch()
    {
        const double lr = 0.7, mu = 0.9;
        OuterOptimizer opt({lr, mu, true});
        TensorMap params{{"w", torch::randn({4, 3})}};
        // Reference 1: by hand, element by element, in double.
        std::vector<double> phi = values(params["w"]), buf(phi.size(), 0.0);
        // Reference 2: torch.optim.SGD(nesterov=True) with Δ as the gradient.
        torch::Tensor tw = params["w"].clone().set_requires_grad(true);
        torch::optim::SGD sgd({tw}, torch::optim::SGDOptions(lr).momentum(mu).nesterov(true));
        for (int round = 0; round < 5; ++round) {
            const at::Tensor delta = torch::randn({4, 3});
            const auto d = values(delta);
            for (std::size_t k = 0; k < phi.size(); ++k) {
                buf[k] = round == 0 ? d[k] : mu * buf[k] + d[k];
                phi[k] -= lr * (d[k] + mu * buf[k]);
            }
            tw.mutable_grad() = delta.clone();
            sgd.step();
            opt.step(params, {{"w", delta}});
            const auto got = values(params["w"]);
            const auto viaTorch = values(tw.detach());
            for (std::size_t k = 0; k < phi.size(); ++k) {
                QVERIFY2(near(got[k], phi[k], 1e-4), qPrintable(QString("round %1").arg(round)));
                QVERIFY(near(got[k], viaTorch[k], 1e-5));
            }
        }
        QCOMPARE(opt.steps(), std::int64_t(5));
    }

    void plainStepLandsOnTheMinersWeights()
    {
        // Δ = Φ(t) − Φ_i; lr 1, μ 0: Φ(t+1) = Φ_i.
        OuterOptimizer opt({1.0, 0.0, true});
        const at::Tensor phi = torch::randn({6});
        const at::Tensor phiI = torch::randn({6});
        TensorMap params{{"e", phi.clone()}};
        opt.step(params, {{"e", phi - phiI}});
        QVERIFY(torch::allclose(params["e"], phiI, 0, 1e-6));
        QVERIFY(opt.momentum().empty());
        // Plain (heavy-ball) momentum: step = buf.
        OuterOptimizer hb({0.5, 0.5, false});
        TensorMap p{{"e", torch::zeros({1})}};
        hb.step(p, {{"e", torch::ones({1})}}); // buf 1, p = -0.5
        hb.step(p, {{"e", torch::ones({1})}}); // buf 1.5, p = -1.25
        QVERIFY(near(p["e"].item<double>(), -1.25, 1e-7));
        // bf16 parameters go through an fp32 copy.
        OuterOptimizer b({0.5, 0.0, true});
        TensorMap bp{{"e", torch::ones({2}, torch::kBFloat16)}};
        b.step(bp, {{"e", torch::ones({2})}});
        QCOMPARE(bp["e"].scalar_type(), torch::kBFloat16);
        QVERIFY(near(bp["e"][0].item<double>(), 0.5));
        // A delta for an unknown parameter is refused before anything changes.
        TensorMap q{{"e", torch::zeros({2})}};
        try {
            b.step(q, {{"e", torch::ones({2})}, {"x", torch::ones({2})}});
            QFAIL("unknown tensor accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("x"));
        }
        QCOMPARE(q["e"][0].item<double>(), 0.0);
    }

    void momentumSurvivesRounds()
    {
        const auto dir = test::freshDir("outer");
        std::vector<at::Tensor> deltas;
        for (int i = 0; i < 4; ++i)
            deltas.push_back(torch::randn({3, 3}));
        const at::Tensor start = torch::randn({3, 3});
        OuterOptimizer continuous;
        TensorMap a{{"w", start.clone()}};
        for (const auto& d : deltas)
            continuous.step(a, {{"w", d}});

        OuterOptimizer first;
        TensorMap b{{"w", start.clone()}};
        first.step(b, {{"w", deltas[0]}});
        first.step(b, {{"w", deltas[1]}});
        first.save(dir / "outer.safetensors");
        OuterOptimizer resumed;
        resumed.load(dir / "outer.safetensors");
        QCOMPARE(resumed.steps(), std::int64_t(2));
        QCOMPARE(resumed.settings().lr, 0.7);
        resumed.step(b, {{"w", deltas[2]}});
        resumed.step(b, {{"w", deltas[3]}});
        QVERIFY(torch::equal(a["w"], b["w"])); // bit for bit
        QVERIFY(torch::equal(continuous.momentum().at("w"), resumed.momentum().at("w")));
    }

    void proofOfLossOnAToyModel()
    {
        // Φ is a vector; the held-out loss is mean((Φ − target)²) over 4 batches of 2 elements
        // (each weighing 2 tokens). Applying Δ means Φ − Δ. The target's batches have similar
        // losses, so that a fixed fraction of each is a significant gain (ScoreStatistics.h).
        const at::Tensor target = torch::tensor({1.0, -1.0, 1.1, -0.9, 1.05, -1.05, 0.95, -1.0}, torch::kFloat);
        TensorMap phi{{"e", torch::zeros({8})}};
        int applied = 0;
        LossWithUpdateFn loss = [&](const TensorMap* delta, JobControl& control) {
            at::Tensor w = phi.at("e").clone();
            if (delta) {
                ++applied;
                if (delta->count("slow"))
                    for (;;) { // never finishes on its own
                        control.checkpoint();
                        std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    }
                w -= delta->at("e");
            }
            control.checkpoint();
            const auto perBatch = (w - target).pow(2).to(torch::kDouble).view({4, 2}).mean(1).contiguous();
            BatchLosses out;
            for (int b = 0; b < 4; ++b) {
                const double l = perBatch[b].item<double>();
                out.losses.push_back(std::isfinite(l) ? l : NAN);
                out.tokens.push_back(2);
            }
            return out;
        };
        std::vector<TensorMap> updates{
            {{"e", -0.5 * target}},         // halfway there: loss / 4
            {{"e", 0.5 * target}},          // away: worse
            {{"e", torch::full({8}, NAN)}}, // non-finite
            {{"e", torch::zeros({8})}, {"slow", torch::zeros({1})}},
            {},                     // loader throws
            {{"e", -1.0 * target}}, // all the way: loss 0
        };
        ProofOfLossScorer scorer(loss, {0.05});
        JobControl control;
        const auto r = scorer.scoreAll(
            {"half", "away", "nan", "slow", "broken", "full"},
            [&](std::size_t i) {
                if (updates[i].empty())
                    throw Error("cannot read submission 4");
                return updates[i];
            },
            control);
        const double base = target.pow(2).mean().item<double>();
        QVERIFY(near(r.baselineLoss, base, 1e-6));
        QCOMPARE(r.candidates.size(), std::size_t(6));
        QVERIFY(near(r.scores[0], base - base / 4, 1e-6));
        QCOMPARE(r.scores[1], 0.0);
        QVERIFY(r.candidates[2].ok && !std::isfinite(r.candidates[2].loss));
        QCOMPARE(r.scores[2], 0.0);
        QVERIFY(r.candidates[3].timedOut && !r.candidates[3].ok);
        QCOMPARE(r.scores[3], 0.0);
        QVERIFY(QString::fromStdString(r.candidates[4].error).contains("cannot read submission 4"));
        QCOMPARE(r.scores[4], 0.0);
        QVERIFY(near(r.scores[5], base, 1e-6));
        QCOMPARE(applied, 5); // the broken one never reached the model

        // Aggregate top-1 and step with lr 1, μ 0: Φ becomes Φ − Δ_best = target.
        AggregationSettings st;
        const auto plan = planAggregation(r.scores, st);
        QCOMPARE(plan.weights, (std::vector<double>{0, 0, 0, 0, 0, 1}));
        const TensorMap agg = aggregateDeltas({"e"}, plan.weights,
                                              [&](std::size_t i, const std::string& n) { return updates[i].at(n); });
        OuterOptimizer({1.0, 0.0, true}).step(phi, agg);
        QVERIFY(torch::allclose(phi.at("e"), target, 0, 1e-6));

        // The parent's cancel stops the round.
        JobControl cancelled;
        cancelled.requestCancel();
        bool threw = false;
        try {
            scorer.scoreAll(
                {"half"}, [&](std::size_t) { return updates[0]; }, cancelled);
        } catch (const Cancelled&) {
            threw = true;
        }
        QVERIFY(threw);
    }
};

QTEST_APPLESS_MAIN(TestAggregation)
#include "test_aggregation.moc"
