// The model-independent training loop: learning-rate schedule and AdamW against hand
// computations, exact resume after a cancel, non-finite steps skipped and the stop after N in a
// row, refusing a checkpoint of another run.
#include "core/train/AdamW.h"
#include "core/train/BatchOrder.h"
#include "core/train/InnerTrainer.h"
#include "core/train/LossEvaluator.h"
#include "core/train/LrSchedule.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <cmath>
#include <atomic>
#include <set>
#include <thread>
#include <torch/torch.h>

using namespace teft;

namespace {

// A least-squares problem: row r has input x_r [3] and target y_r [2]; the loss of some rows is
// mean((x W − y)²).
struct Toy {
    torch::Tensor x, y;
    Toy()
    {
        auto g = at::detail::createCPUGenerator(7);
        x = at::randn({40, 3}, g, torch::kFloat);
        y = at::randn({40, 2}, g, torch::kFloat);
    }
    InnerTrainer::LossFn loss(const torch::Tensor& w) const
    {
        return [this, w](const std::vector<std::int64_t>& rows) {
            const auto idx = torch::tensor(rows, torch::kLong);
            const auto pred = x.index_select(0, idx).matmul(w);
            return (pred - y.index_select(0, idx)).pow(2).mean();
        };
    }
};

torch::Tensor initialWeights()
{
    auto g = at::detail::createCPUGenerator(3);
    return at::randn({3, 2}, g, torch::kFloat).set_requires_grad(true);
}

std::vector<std::int64_t> allRows()
{
    std::vector<std::int64_t> r;
    for (int i = 0; i < 40; ++i)
        r.push_back(i);
    return r;
}

InnerTrainerSettings settings()
{
    InnerTrainerSettings s;
    s.innerSteps = 10;
    s.batchSize = 4;
    s.gradAccum = 2;
    s.lr = 0.05;
    s.warmupSteps = 2;
    s.seed = 11;
    s.clipNorm = 1.0;
    s.checkpointEvery = 3;
    s.tokensPerRow = 5;
    return s;
}

} // namespace

class TestInnerTrainer : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { configureThreads(1); }

    void scheduleMatchesFormula()
    {
        LrSchedule s{1.0, 4, 24, 0.1};
        for (int i = 0; i < 4; ++i)
            QCOMPARE(s.lrAt(i), (i + 1) / 5.0);
        QCOMPARE(s.lrAt(4), 1.0);
        const double mid = 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 10.0 / 20.0));
        QVERIFY(std::abs(s.lrAt(14) - mid) < 1e-12);
        QVERIFY(std::abs(s.lrAt(24) - 0.1) < 1e-12);
        QVERIFY(std::abs(s.lrAt(100) - 0.1) < 1e-12);
        LrSchedule bad{1.0, -1, 10, 0.1};
        QVERIFY_THROWS_EXCEPTION(UsageError, bad.check());
    }

    void adamwMatchesHandComputation()
    {
        auto p = torch::tensor({1.0f, -2.0f}).set_requires_grad(true);
        AdamWSettings st;
        st.weightDecay = 0.1;
        AdamW opt({{"p", p}}, st);
        const double lr = 0.01;
        double m[2] = {0, 0}, v[2] = {0, 0}, w[2] = {1.0, -2.0};
        const double grads[2][2] = {{0.5, -1.5}, {0.25, 2.0}};
        for (int t = 1; t <= 2; ++t) {
            p.mutable_grad() = torch::tensor({float(grads[t - 1][0]), float(grads[t - 1][1])});
            opt.step(lr);
            for (int i = 0; i < 2; ++i) {
                const double g = grads[t - 1][i];
                w[i] *= 1 - lr * 0.1;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.95 * v[i] + 0.05 * g * g;
                const double mh = m[i] / (1 - std::pow(0.9, t)), vh = v[i] / (1 - std::pow(0.95, t));
                w[i] -= lr * mh / (std::sqrt(vh) + 1e-8);
            }
        }
        QVERIFY(std::abs(p[0].item<double>() - w[0]) < 1e-6);
        QVERIFY(std::abs(p[1].item<double>() - w[1]) < 1e-6);
        QCOMPARE(opt.steps(), std::int64_t(2));
    }

    void batchOrderIsAPermutationPerEpoch()
    {
        BatchOrder order(allRows(), 5);
        const auto first = order.take(0, 40);
        QCOMPARE(std::set<std::int64_t>(first.begin(), first.end()).size(), std::size_t(40));
        QVERIFY(first != allRows());
        const auto again = order.take(37, 6); // crosses into epoch 1
        QCOMPARE(again[0], first[37]);
        BatchOrder other(allRows(), 5);
        QCOMPARE(other.take(40, 40), order.take(40, 40));
        QVERIFY_THROWS_EXCEPTION(Error, BatchOrder({}, 1));
    }

    void trainingLowersTheLoss()
    {
        Toy toy;
        auto w = initialWeights();
        JobControl control;
        auto s = settings();
        s.innerSteps = 30;
        InnerTrainer t({{"w", w}}, allRows(), s);
        const auto r = t.run(toy.loss(w), control);
        QCOMPARE(r.steps, std::int64_t(30));
        QVERIFY(r.lastLoss < r.firstLoss);
        QCOMPARE(r.tokensSeen, std::int64_t(30 * 8 * 5));
    }

    void resumeAfterCancelIsBitwiseEqual()
    {
        Toy toy;
        JobControl control;
        // Uninterrupted.
        auto wA = initialWeights();
        InnerTrainer a({{"w", wA}}, allRows(), settings(), teft::test::freshDir("resume-a"), "run");
        a.run(toy.loss(wA), control);

        // Cancelled after step 5, then resumed by a new trainer from the initial weights.
        const auto dir = teft::test::freshDir("resume-b");
        auto wB = initialWeights();
        JobControl cancelling;
        InnerTrainer b1({{"w", wB}}, allRows(), settings(), dir, "run");
        bool cancelled = false;
        try {
            b1.run(toy.loss(wB), cancelling, [&](const StepReport& r) {
                if (r.step == 5)
                    cancelling.requestCancel();
            });
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QVERIFY(hasTrainCheckpoint(dir));
        auto wC = initialWeights();
        InnerTrainer b2({{"w", wC}}, allRows(), settings(), dir, "run");
        const auto r = b2.run(toy.loss(wC), control);
        QCOMPARE(r.resumedFromStep, std::int64_t(5));
        QCOMPARE(r.steps, std::int64_t(10));
        QVERIFY(torch::equal(wA, wC));
        QVERIFY(!torch::equal(wC, initialWeights()));

        // A checkpoint of another run is refused.
        auto wD = initialWeights();
        InnerTrainer other({{"w", wD}}, allRows(), settings(), dir, "another-run");
        QVERIFY_THROWS_EXCEPTION(Error, other.run(toy.loss(wD), control));
    }

    void resumeAfterCrashUsesThePeriodicCheckpoint()
    {
        Toy toy;
        JobControl control;
        auto wA = initialWeights();
        InnerTrainer a({{"w", wA}}, allRows(), settings());
        a.run(toy.loss(wA), control);

        // A crash (any exception but Cancelled) during step 8 writes nothing: the run resumes
        // from the checkpoint of step 6 (checkpointEvery = 3) and still ends bit for bit equal.
        const auto dir = teft::test::freshDir("resume-crash");
        auto wB = initialWeights();
        InnerTrainer b1({{"w", wB}}, allRows(), settings(), dir, "run");
        int calls = 0;
        auto base = toy.loss(wB);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, b1.run(
                                                         [&](const std::vector<std::int64_t>& rows) {
                                                             if (++calls == 15) // step 8, first micro-batch
                                                                 throw std::runtime_error("killed");
                                                             return base(rows);
                                                         },
                                                         control));
        auto wC = initialWeights();
        InnerTrainer b2({{"w", wC}}, allRows(), settings(), dir, "run");
        const auto r = b2.run(toy.loss(wC), control);
        QCOMPARE(r.resumedFromStep, std::int64_t(6));
        QVERIFY(torch::equal(wA, wC));
    }

    // The crash soak (scripts/crash-soak.py) found it: a kill after checkpoint.json names the new
    // state but before the previous state-<step>.safetensors is removed left that optimizer-sized
    // file for good when the resumed run saved no checkpoint after it (its last periodic one was
    // before the kill). The resume removes it.
    void resumeRemovesTheStateAKillLeftBehind()
    {
        Toy toy;
        JobControl control;
        InnerTrainerSettings s = settings();
        s.innerSteps = 8; // checkpoints at steps 3 and 6, none after
        const auto dir = teft::test::freshDir("resume-superseded");
        auto wB = initialWeights();
        InnerTrainer b1({{"w", wB}}, allRows(), s, dir, "run");
        int calls = 0;
        auto base = toy.loss(wB);
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, b1.run(
                                                         [&](const std::vector<std::int64_t>& rows) {
                                                             if (++calls == 15) // step 8, first micro-batch
                                                                 throw std::runtime_error("killed");
                                                             return base(rows);
                                                         },
                                                         control));
        QVERIFY(std::filesystem::exists(dir / "state-6.safetensors"));
        QVERIFY(!std::filesystem::exists(dir / "state-3.safetensors"));
        // What the kill leaves: step 3's state beside the step 6 that checkpoint.json names.
        std::filesystem::copy_file(dir / "state-6.safetensors", dir / "state-3.safetensors");
        auto wC = initialWeights();
        InnerTrainer b2({{"w", wC}}, allRows(), s, dir, "run");
        const auto r = b2.run(toy.loss(wC), control);
        QCOMPARE(r.resumedFromStep, std::int64_t(6));
        QCOMPARE(r.steps, std::int64_t(8));
        QVERIFY(!std::filesystem::exists(dir / "state-3.safetensors"));
        QVERIFY(std::filesystem::exists(dir / "state-6.safetensors"));
        QVERIFY(hasTrainCheckpoint(dir));
    }

    void pauseHoldsBetweenStepsAndResumes()
    {
        Toy toy;
        JobControl control;
        auto w = initialWeights();
        auto s = settings();
        s.checkpointEvery = 0;
        InnerTrainer t({{"w", w}}, allRows(), s);
        std::atomic<int> steps{0};
        std::thread worker([&] {
            t.run(toy.loss(w), control, [&](const StepReport& r) {
                steps = static_cast<int>(r.step);
                if (r.step == 3)
                    control.setPaused(true);
            });
        });
        while (steps.load() < 3)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        QCOMPARE(steps.load(), 3); // paused: no further step
        control.setPaused(false);
        worker.join();
        QCOMPARE(steps.load(), 10);
    }

    void nonFiniteStepsAreSkippedThenStop()
    {
        Toy toy;
        JobControl control;
        auto w = initialWeights();
        auto s = settings();
        s.gradAccum = 1;
        s.checkpointEvery = 0;
        // Rows below 8 poison the loss: those steps are skipped, the others train.
        auto base = toy.loss(w);
        int calls = 0;
        InnerTrainer t({{"w", w}}, allRows(), s);
        const auto r = t.run(
            [&](const std::vector<std::int64_t>& rows) {
                ++calls;
                auto l = base(rows);
                for (auto row : rows)
                    if (row < 8)
                        return l * std::numeric_limits<float>::quiet_NaN();
                return l;
            },
            control);
        QVERIFY(r.skippedSteps > 0);
        QVERIFY(r.skippedSteps < 10);
        QVERIFY(torch::isfinite(w).all().item<bool>());

        auto w2 = initialWeights();
        const auto before = w2.clone();
        s.maxNonFiniteInARow = 3;
        InnerTrainer bad({{"w", w2}}, allRows(), s);
        try {
            bad.run([&](const std::vector<std::int64_t>& rows) { return base(rows) * INFINITY; }, control);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("3 steps in a row") != std::string::npos);
            QCOMPARE(e.kind(), ErrorKind::NonFinite); // the GUI's advice depends on it
        }
        QVERIFY(torch::equal(w2, before));
        QCOMPARE(bad.state().skippedSteps, std::int64_t(3));
    }

    void pairedMeansDropBatchesNonFiniteOnEitherSide()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        EvalResult a, b;
        a.batchLosses = {1.0, 2.0, nan, 4.0};
        a.batchTokens = {10, 30, 10, 20};
        b.batchLosses = {0.5, INFINITY, 3.0, 3.0};
        b.batchTokens = {10, 30, 10, 20};
        int kept = 0;
        const auto [ma, mb] = pairedMeans(a, b, &kept);
        QCOMPARE(kept, 2); // batches 0 and 3
        QVERIFY(std::abs(ma - (1.0 * 10 + 4.0 * 20) / 30.0) < 1e-12);
        QVERIFY(std::abs(mb - (0.5 * 10 + 3.0 * 20) / 30.0) < 1e-12);
        EvalResult none;
        none.batchLosses = {nan};
        none.batchTokens = {5};
        QVERIFY(std::isnan(pairedMeans(none, none, &kept).first));
        QCOMPARE(kept, 0);
    }

    void badSettingsAreRefused()
    {
        auto w = initialWeights();
        auto s = settings();
        s.gradAccum = 0;
        QVERIFY_THROWS_EXCEPTION(UsageError, InnerTrainer({{"w", w}}, allRows(), s));
        QVERIFY_THROWS_EXCEPTION(Error, InnerTrainer({}, allRows(), settings()));
    }
};

QTEST_APPLESS_MAIN(TestInnerTrainer)
#include "test_inner_trainer.moc"
