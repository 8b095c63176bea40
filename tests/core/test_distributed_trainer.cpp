// The training loop across two Gloo ranks (core/dist, InnerTrainer with a Collective), two
// threads of this process on 127.0.0.1: the same weights as one process on the same global batch
// (uneven shares of a micro-batch, gradient accumulation, clipping, a parameter without gradient
// left alone); a non-finite loss on one rank skips the step on both; a cancel on one rank stops
// both after the same step, and two new ranks resume from rank 0's checkpoint to the same end.
#include "core/dist/Collective.h"
#include "core/dist/Distributed.h"
#include "core/train/InnerTrainer.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <limits>
#include <thread>

using namespace teft;

namespace {

// Least squares: row r has input x_r [3] and target y_r [2]; the loss of some rows is
// mean((x W − y)²), the same number of terms per row.
struct Toy {
    torch::Tensor x, y;
    Toy()
    {
        auto g = at::detail::createCPUGenerator(7);
        x = at::randn({40, 3}, g, torch::kFloat);
        y = at::randn({40, 2}, g, torch::kFloat);
    }
    at::Tensor loss(const torch::Tensor& w, const std::vector<std::int64_t>& rows) const
    {
        const auto idx = torch::tensor(rows, torch::kLong);
        return (x.index_select(0, idx).matmul(w) - y.index_select(0, idx)).pow(2).mean();
    }
};

std::vector<std::pair<std::string, at::Tensor>> initialParams()
{
    auto g = at::detail::createCPUGenerator(3);
    return {{"w", at::randn({3, 2}, g, torch::kFloat).set_requires_grad(true)},
            {"unused", at::randn({4}, g, torch::kFloat).set_requires_grad(true)}};
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
    s.batchSize = 5; // split 2 + 3 over two ranks
    s.gradAccum = 2;
    s.lr = 0.05;
    s.warmupSteps = 2;
    s.seed = 11;
    s.clipNorm = 0.5;
    s.checkpointEvery = 0;
    s.tokensPerRow = 5;
    return s;
}

// Runs body(rank, group) for ranks 0 and 1 on two threads joined in one process group;
// returns each rank's exception message ("" when it returned).
std::vector<std::string> onTwoRanks(const std::function<void(int, Collective&)>& body)
{
    const int port = teft::test::freeTcpPort();
    std::vector<std::string> errors(2);
    std::vector<std::thread> threads;
    for (int rank = 0; rank < 2; ++rank)
        threads.emplace_back([&, rank] {
            try {
                DistributedEnv env;
                env.rank = rank;
                env.worldSize = 2;
                env.localRank = rank;
                env.masterPort = port;
                ProcessGroupOptions options;
                options.timeout = std::chrono::seconds(60);
                auto group = connectProcessGroup(env, options);
                body(rank, *group);
            } catch (const Cancelled&) {
                errors[static_cast<std::size_t>(rank)] = "cancelled";
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(rank)] = e.what();
            }
        });
    for (auto& t : threads)
        t.join();
    return errors;
}

double maxDiff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

} // namespace

class TestDistributedTrainer : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { configureThreads(1); }

    void twoRanksTrainAsOneProcess()
    {
        Toy toy;
        JobControl control;
        auto single = initialParams();
        const auto w0 = single[0].second.detach().clone();
        const auto unused0 = single[1].second.detach().clone();
        InnerTrainer one(single, allRows(), settings());
        const auto expected =
            one.run([&](const std::vector<std::int64_t>& rows) { return toy.loss(single[0].second, rows); }, control);

        std::vector<std::vector<std::pair<std::string, at::Tensor>>> params(2);
        std::vector<InnerTrainerResult> results(2);
        const auto errors = onTwoRanks([&](int rank, Collective& c) {
            params[rank] = initialParams();
            auto& p = params[rank];
            JobControl ctl;
            InnerTrainer t(p, allRows(), settings(), {}, "toy", &c);
            results[rank] = t.run([&](const std::vector<std::int64_t>& rows) { return toy.loss(p[0].second, rows); },
                                  ctl);
        });
        QVERIFY2(errors[0].empty() && errors[1].empty(), (errors[0] + " | " + errors[1]).c_str());
        for (int rank = 0; rank < 2; ++rank) {
            const auto& p = params[rank];
            QVERIFY(maxDiff(p[0].second, w0) > 1e-2); // trained
            QVERIFY2(maxDiff(p[0].second, single[0].second) < 1e-6,
                     std::to_string(maxDiff(p[0].second, single[0].second)).c_str());
            // No rank had a gradient for it: untouched, as in one process (no weight decay).
            QVERIFY(torch::equal(p[1].second, unused0));
            QCOMPARE(results[rank].tokensSeen, expected.tokensSeen);
            QCOMPARE(results[rank].losses.size(), expected.losses.size());
            for (std::size_t i = 0; i < expected.losses.size(); ++i)
                QVERIFY(std::abs(results[rank].losses[i] - expected.losses[i]) < 1e-5);
        }
        QVERIFY(torch::equal(params[0][0].second, params[1][0].second)); // replicas agree bit for bit
    }

    void aBatchSmallerThanTheRanksIsRefused()
    {
        const auto errors = onTwoRanks([&](int, Collective& c) {
            auto s = settings();
            s.batchSize = 1;
            InnerTrainer t(initialParams(), allRows(), s, {}, "toy", &c);
        });
        for (const auto& e : errors)
            QVERIFY2(e.find("at least the number of ranks") != std::string::npos, e.c_str());
    }

    void aNonFiniteLossOnOneRankSkipsTheStepOnBoth()
    {
        Toy toy;
        std::vector<std::vector<StepReport>> reports(2);
        std::vector<at::Tensor> finals(2);
        const auto errors = onTwoRanks([&](int rank, Collective& c) {
            auto p = initialParams();
            JobControl ctl;
            InnerTrainer t(p, allRows(), settings(), {}, "toy", &c);
            t.run(
                [&](const std::vector<std::int64_t>& rows) {
                    auto loss = toy.loss(p[0].second, rows);
                    // Rank 1's share of step 4 goes bad.
                    if (rank == 1 && t.state().step == 3)
                        return loss * std::numeric_limits<double>::quiet_NaN();
                    return loss;
                },
                ctl, [&](const StepReport& r) { reports[rank].push_back(r); });
            finals[rank] = p[0].second.detach().clone();
        });
        QVERIFY2(errors[0].empty() && errors[1].empty(), (errors[0] + " | " + errors[1]).c_str());
        for (int rank = 0; rank < 2; ++rank) {
            QCOMPARE(reports[rank].size(), std::size_t(10));
            int skipped = 0;
            for (const auto& r : reports[rank])
                skipped += r.skipped ? 1 : 0;
            QCOMPARE(skipped, 1);
            QVERIFY(reports[rank][3].skipped);
        }
        QVERIFY(torch::equal(finals[0], finals[1]));
    }

    void aCancelOnOneRankStopsBothAndTheyResume()
    {
        Toy toy;
        const auto dir = teft::test::freshDir("cancel-resume");
        auto straight = initialParams();
        {
            JobControl control;
            InnerTrainer one(straight, allRows(), settings());
            one.run([&](const std::vector<std::int64_t>& rows) { return toy.loss(straight[0].second, rows); }, control);
        }
        std::vector<std::int64_t> stoppedAt(2, -1);
        auto errors = onTwoRanks([&](int rank, Collective& c) {
            auto p = initialParams();
            JobControl ctl;
            InnerTrainer t(p, allRows(), settings(), rank == 0 ? dir : std::filesystem::path(dir / "unused"), "toy",
                           &c);
            try {
                t.run(
                    [&](const std::vector<std::int64_t>& rows) {
                        if (rank == 1 && t.state().step == 3)
                            ctl.requestCancel(); // seen at the start of the next step
                        return toy.loss(p[0].second, rows);
                    },
                    ctl);
            } catch (const Cancelled&) {
                stoppedAt[rank] = t.state().step;
                throw;
            }
        });
        QCOMPARE(errors[0], std::string("cancelled"));
        QCOMPARE(errors[1], std::string("cancelled"));
        QCOMPARE(stoppedAt[0], std::int64_t(5));
        QCOMPARE(stoppedAt[1], std::int64_t(5));
        QVERIFY(std::filesystem::exists(dir / "checkpoint.json"));
        QVERIFY(!std::filesystem::exists(dir / "unused")); // only rank 0 writes

        // Two new ranks (fresh weights): rank 0 reads the checkpoint and hands it to rank 1.
        std::vector<at::Tensor> finals(2);
        std::vector<std::int64_t> resumedFrom(2, -1);
        errors = onTwoRanks([&](int rank, Collective& c) {
            auto p = initialParams();
            JobControl ctl;
            InnerTrainer t(p, allRows(), settings(), rank == 0 ? dir : std::filesystem::path(dir / "unused"), "toy",
                           &c);
            resumedFrom[rank] =
                t.run([&](const std::vector<std::int64_t>& rows) { return toy.loss(p[0].second, rows); }, ctl)
                    .resumedFromStep;
            finals[rank] = p[0].second.detach().clone();
        });
        QVERIFY2(errors[0].empty() && errors[1].empty(), (errors[0] + " | " + errors[1]).c_str());
        QCOMPARE(resumedFrom[0], std::int64_t(5));
        QCOMPARE(resumedFrom[1], std::int64_t(5));
        QVERIFY(torch::equal(finals[0], finals[1]));
        QVERIFY2(maxDiff(finals[0], straight[0].second) < 1e-6,
                 std::to_string(maxDiff(finals[0], straight[0].second)).c_str());
    }

    void ranksWithDifferentRunsAreRefused()
    {
        const auto errors = onTwoRanks([&](int rank, Collective& c) {
            JobControl ctl;
            auto p = initialParams();
            InnerTrainer t(p, allRows(), settings(), {}, rank == 0 ? "run-a" : "run-b", &c);
            t.run([&](const std::vector<std::int64_t>&) { return p[0].second.sum(); }, ctl);
        });
        for (const auto& e : errors)
            QVERIFY2(e.find("The ranks disagree on the run") != std::string::npos, e.c_str());
    }

    void aRankThatLeavesIsNamed()
    {
        // Rank 1 leaves the group after its first collective (its connections close, its
        // heartbeat stops): rank 0's next collective fails naming it.
        const auto errors = onTwoRanks([&](int rank, Collective& c) {
            auto t = torch::ones({8});
            c.allReduce(t, ReduceOp::Sum, "the first all-reduce");
            if (rank == 1)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            c.allReduce(t, ReduceOp::Sum, "the second all-reduce");
        });
        QVERIFY(errors[1].empty());
        QVERIFY2(errors[0].find("during the second all-reduce") != std::string::npos, errors[0].c_str());
        QVERIFY2(errors[0].find("rank 1 has stopped") != std::string::npos, errors[0].c_str());
    }
};

QTEST_APPLESS_MAIN(TestDistributedTrainer)
#include "test_distributed_trainer.moc"
