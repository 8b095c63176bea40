// The miner's inner loop: AdamW and the schedule against torch / hand computations, exact resume
// after a cancel or a crash, non-finite steps, and on a real tiny MoE checkpoint that only the
// selected experts change, bit for bit, and that the submission passes the verifier.
#include "core/io/SafetensorsFile.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/teft/AdamW.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/MinerJob.h"
#include "core/teft/MinerKey.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <cmath>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {
// A toy objective: two 3x3 "experts", loss = mean((x W0 W1 − y)²) with x derived from the rows.
struct Toy {
    at::Tensor w0, w1, target;
    int calls = 0;
    std::function<bool(int)> nanAt = [](int) { return false; };
    std::function<bool(int)> crashAt = [](int) { return false; };

    Toy()
    {
        torch::manual_seed(11);
        w0 = torch::randn({3, 3}).set_requires_grad(true);
        w1 = torch::randn({3, 3}).set_requires_grad(true);
        target = torch::randn({3});
    }
    MinerObjective objective()
    {
        MinerObjective o;
        o.parameters = [this] {
            return std::vector<std::pair<std::string, at::Tensor>>{{"experts.0.w", w0}, {"experts.1.w", w1}};
        };
        o.loss = [this](const at::Tensor& rows) {
            const int c = calls++;
            if (crashAt(c))
                throw std::runtime_error("simulated crash");
            const at::Tensor x = rows.slice(1, 0, 3).to(torch::kFloat) / 10.0;
            at::Tensor loss = (x.matmul(w0).matmul(w1) - target).pow(2).mean();
            return nanAt(c) ? loss * NAN : loss;
        };
        return o;
    }
};

MinerData toyData()
{
    MinerData d;
    for (std::int64_t i = 0; i < 13; ++i)
        d.rows.push_back(i * 2);
    d.fetch = [](const std::vector<std::int64_t>& idx) {
        at::Tensor t = torch::empty({static_cast<std::int64_t>(idx.size()), 4}, torch::kLong);
        for (std::size_t i = 0; i < idx.size(); ++i)
            for (int k = 0; k < 4; ++k)
                t[static_cast<std::int64_t>(i)][k] = (idx[i] * 3 + k) % 11;
        return t;
    };
    d.shardName = "toy/0";
    return d;
}

MinerJob::Spec toySpec(const fs::path& dir)
{
    MinerJob::Spec s;
    s.settings.innerSteps = 9;
    s.settings.batchSize = 3;
    s.settings.gradAccumulation = 2;
    s.settings.lr = 0.05;
    s.settings.warmupSteps = 2;
    s.settings.checkpointEvery = 4;
    s.settings.seed = 5;
    s.workDir = dir;
    s.configIdentity = "toy-config";
    s.selectionHash = "toy-selection";
    s.minerId = "toy";
    return s;
}
} // namespace

class TestMiner : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { configureThreads(0); }

    void adamwMatchesTorch()
    {
        torch::manual_seed(2);
        at::Tensor a = torch::randn({4, 3}).set_requires_grad(true);
        at::Tensor b = torch::randn({5}).set_requires_grad(true);
        at::Tensor ta = a.detach().clone().set_requires_grad(true);
        at::Tensor tb = b.detach().clone().set_requires_grad(true);
        AdamW mine;
        torch::optim::AdamW ref({ta, tb}, torch::optim::AdamWOptions(0.01).betas({0.9, 0.95}).eps(1e-8).weight_decay(0.1));
        for (int s = 0; s < 6; ++s) {
            const at::Tensor ga = torch::randn({4, 3}), gb = torch::randn({5});
            a.mutable_grad() = ga.clone();
            b.mutable_grad() = gb.clone();
            ta.mutable_grad() = ga.clone();
            tb.mutable_grad() = gb.clone();
            mine.step({{"a", a}, {"b", b}}, 0.01);
            ref.step();
            QVERIFY(torch::allclose(a, ta, 1e-6, 1e-7));
            QVERIFY(torch::allclose(b, tb, 1e-6, 1e-7));
        }
        QCOMPARE(mine.steps(), std::int64_t(6));
    }

    void clippingAndSchedule()
    {
        at::Tensor p = torch::zeros({2}).set_requires_grad(true);
        at::Tensor q = torch::zeros({1}).set_requires_grad(true);
        p.mutable_grad() = torch::tensor({3.0f, 0.0f});
        q.mutable_grad() = torch::tensor({4.0f});
        const double n = clipGradNorm({{"p", p}, {"q", q}}, 1.0);
        QCOMPARE(n, 5.0);
        QVERIFY(std::abs(p.grad()[0].item<double>() - 3.0 / (5.0 + 1e-6)) < 1e-6);
        QVERIFY(std::abs(q.grad()[0].item<double>() - 4.0 / (5.0 + 1e-6)) < 1e-6);
        p.mutable_grad() = torch::tensor({0.3f, 0.4f});
        QVERIFY(std::abs(clipGradNorm({{"p", p}}, 1.0) - 0.5) < 1e-7);
        QVERIFY(std::abs(p.grad()[1].item<double>() - 0.4) < 1e-7); // under the bound: untouched

        MinerSettings s;
        s.lr = 1.0;
        s.warmupSteps = 2;
        s.innerSteps = 6;
        s.minLrRatio = 0.1;
        auto cosine = [](double progress) { return 0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * progress)); };
        QVERIFY(std::abs(s.learningRate(0) - 0.5) < 1e-12);
        QVERIFY(std::abs(s.learningRate(1) - 1.0) < 1e-12);
        QVERIFY(std::abs(s.learningRate(2) - 1.0) < 1e-12);
        QVERIFY(std::abs(s.learningRate(3) - cosine(0.25)) < 1e-12);
        QVERIFY(std::abs(s.learningRate(5) - cosine(0.75)) < 1e-12);
        s.lr = -1;
        try {
            s.check();
            QFAIL("negative lr accepted");
        } catch (const UsageError& e) {
            QVERIFY(QString(e.what()).contains("learning rate"));
        }
    }

    void resumeAfterCancelOrCrashIsExact()
    {
        const fs::path root = test::freshDir("resume");
        Toy plain;
        MinerJob a(plain.objective(), toyData(), toySpec(root / "a"));
        JobControl c0;
        const MinerResult ra = a.run(c0);
        QCOMPARE(ra.stepsDone, std::int64_t(9));
        QCOMPARE(ra.tokensSeen, std::int64_t(9 * 2 * 3 * 4));
        QVERIFY(ra.history.back().loss < ra.history.front().loss);

        // Cancelled after step 6 (from the progress callback), then resumed by a new process-like
        // job on fresh parameters.
        {
            Toy t;
            MinerJob b(t.objective(), toyData(), toySpec(root / "b"));
            JobControl control;
            control.setProgressCallback([&](const JobControl::Progress& p) {
                if (p.stage == "training" && p.done == 6)
                    control.requestCancel();
            });
            bool cancelled = false;
            try {
                b.run(control);
            } catch (const Cancelled&) {
                cancelled = true;
            }
            QVERIFY(cancelled);
        }
        Toy t2;
        MinerJob b2(t2.objective(), toyData(), toySpec(root / "b"));
        JobControl c1;
        const MinerResult rb = b2.run(c1);
        QCOMPARE(rb.resumedFromStep, std::int64_t(6));
        for (const auto& [name, d] : ra.delta)
            QVERIFY(torch::equal(d, rb.delta.at(name)));
        QCOMPARE(rb.tokensSeen, ra.tokensSeen);
        QCOMPARE(rb.history.size(), ra.history.size());
        for (std::size_t i = 0; i < ra.history.size(); ++i)
            QCOMPARE(rb.history[i].loss, ra.history[i].loss);

        // A crash (no chance to save) in step 6: the run resumes from the step-4 checkpoint.
        {
            Toy t;
            t.crashAt = [](int call) { return call == 12; }; // step 6, first micro-batch
            MinerJob c(t.objective(), toyData(), toySpec(root / "c"));
            JobControl control;
            bool crashed = false;
            try {
                c.run(control);
            } catch (const std::runtime_error& e) {
                crashed = QString(e.what()).contains("simulated crash");
            }
            QVERIFY(crashed);
        }
        Toy t3;
        MinerJob c2(t3.objective(), toyData(), toySpec(root / "c"));
        JobControl c3;
        const MinerResult rc = c2.run(c3);
        QCOMPARE(rc.resumedFromStep, std::int64_t(4));
        for (const auto& [name, d] : ra.delta)
            QVERIFY(torch::equal(d, rc.delta.at(name)));

        // A checkpoint from other settings is refused, naming the problem.
        Toy t4;
        MinerJob::Spec other = toySpec(root / "c");
        other.settings.lr = 0.5;
        MinerJob d(t4.objective(), toyData(), other);
        JobControl c4;
        try {
            d.run(c4);
            QFAIL("resumed with other settings");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("other training settings"));
        }
    }

    void nonFiniteStepsAreSkipped()
    {
        const fs::path root = test::freshDir("nonfinite");
        Toy t;
        t.nanAt = [](int call) { return call == 4 || call == 5; }; // steps 2 and 3 (a NaN micro-batch ends its step)
        MinerJob job(t.objective(), toyData(), toySpec(root / "a"));
        JobControl control;
        const MinerResult r = job.run(control);
        QCOMPARE(r.skippedSteps, std::int64_t(2));
        QVERIFY(r.history[2].skipped && r.history[3].skipped && !r.history[4].skipped);
        QVERIFY(std::isnan(r.history[2].loss));
        QCOMPARE(r.stepsDone, std::int64_t(9));

        Toy bad;
        bad.nanAt = [](int call) { return call >= 4; };
        MinerJob::Spec spec = toySpec(root / "b");
        spec.settings.maxNonFiniteInARow = 3;
        MinerJob stop(bad.objective(), toyData(), spec);
        const at::Tensor before = bad.w0.detach().clone();
        try {
            stop.run(control);
            QFAIL("kept going");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("3 steps in a row"));
            QVERIFY(QString(e.what()).contains("step 5"));
        }
        QVERIFY(!torch::equal(before, bad.w0.detach())); // steps 0, 1 did train
    }

    void onlySelectedExpertsChangeOnARealModel()
    {
        const fs::path root = test::freshDir("real");
        GenerateOptions g;
        g.arch = "qwen3_moe";
        g.preset = "tiny";
        g.seed = 3;
        const ModelConfig cfg = generateCheckpoint(root / "base", g);
        const int layer = cfg.moeLayers().front();
        MoeModelOptions opt;
        opt.mode = ExpertMode::Full;
        opt.computeDtype = torch::kFloat;
        opt.selection = {{layer, {0, 2}}};
        auto model = MoeModel::load(root / "base", opt);

        ExpertSelection sel;
        sel.setLayer(layer, {0, 2});
        MinerData data;
        torch::manual_seed(4);
        const at::Tensor corpus = torch::randint(0, cfg.vocabSize, {12, 16}, torch::kLong);
        for (std::int64_t i = 0; i < 12; ++i)
            data.rows.push_back(i);
        data.fetch = [corpus](const std::vector<std::int64_t>& idx) {
            return corpus.index_select(0, torch::tensor(idx, torch::kLong));
        };
        data.shardName = "random/0";
        MinerJob::Spec spec;
        spec.settings.innerSteps = 3;
        spec.settings.batchSize = 2;
        spec.settings.lr = 1e-2;
        spec.settings.warmupSteps = 1;
        spec.workDir = root / "work";
        spec.configIdentity = "cfg";
        spec.selectionHash = sel.hash();
        spec.round = 1;
        MinerJob job(moeObjective(*model, 0.01), data, spec);
        JobControl control;
        const MinerResult r = job.run(control);
        QCOMPARE(r.stepsDone, std::int64_t(3));
        QCOMPARE(r.delta.size(), std::size_t(6)); // 2 experts x gate/up/down

        const auto base = SafetensorsFile::open(root / "base" / "model.safetensors");
        int changed = 0, same = 0;
        for (const auto& [name, t] : model->exportState()) {
            const bool selected = r.delta.count(name) > 0;
            const bool equal = torch::equal(t, base->tensor(name));
            if (selected) {
                QVERIFY2(!equal, name.c_str());
                ++changed;
                // Δ = base − trained, in fp32.
                QVERIFY(torch::equal(r.delta.at(name),
                                     job.base().at(name) - model->tensor(name).to(torch::kFloat)));
            } else {
                QVERIFY2(equal, name.c_str()); // everything else bit for bit
                ++same;
            }
        }
        QCOMPARE(changed, 6);
        QVERIFY(same > 6);

        const MinerKey key = MinerKey::generate("m1");
        job.submit(root / "sub", r, &key);
        VerifierPolicy p;
        p.baseFingerprint = job.baseFingerprint();
        p.selectionHash = sel.hash();
        p.round = 1;
        for (const auto& e : sel.experts(layer))
            for (const auto& n : cfg.expertTensorNames(layer, e))
                p.expected.push_back({n, job.base().at(n).sizes().vec(), "F32"});
        p.knownMiners.add(key.publicKey());
        const Verdict v = SubmissionVerifier(p).verify(root / "sub");
        QVERIFY2(v.accepted, v.message.c_str());
        QCOMPARE(v.submission->manifest().innerSteps, std::int64_t(3));
        QCOMPARE(v.submission->manifest().tokensSeen, std::int64_t(3 * 2 * 16));
    }
};

QTEST_APPLESS_MAIN(TestMiner)
#include "test_miner.moc"
