// The miner and the validator on a tiny generated qwen3_moe: only the selected experts change,
// bit for bit, in full and masked mode; a miner cancelled half-way and resumed ends exactly
// where an uninterrupted run with the same seed does; the submission holds Δ = Φ(t) − Φ_i
// under the selected tensor names; a validator round scores a good and a bad submission
// against an independently computed baseline and steps Φ.
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/store/JobStore.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/Submission.h"
#include "core/text/Tokenizer.h"
#include "core/train/InnerTrainer.h"
#include "core/train/LossEvaluator.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <chrono>
#include <fstream>
#include <future>
#include <limits>
#include <thread>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    fs::path modelDir;
    TokenDataset data;
    ExpertSelection selection;
};

Fixture& fixture()
{
    static Fixture f = [] {
        Fixture f;
        const auto root = teft::test::freshDir("miner-fixture");
        setDataDir(root / "data");
        f.modelDir = root / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 5;
        generateCheckpoint(f.modelDir, go);
        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.03;
        co.domains = {"code"};
        const auto files = writeDemoCorpus(root / "corpus", co, control);
        DatasetSpec spec;
        spec.paths = {files.front().path};
        PackingOptions po;
        po.seqLen = 24;
        po.heldOutFraction = 0.1;
        po.useCache = false;
        f.data = TokenDataset::build(spec, Tokenizer::fromFile(f.modelDir), po, control);
        f.selection.setLayer(0, {1, 4});
        f.selection.setLayer(2, {6});
        return f;
    }();
    return f;
}

// Every tensor the model holds, by a readable key (frozen ones in their storage dtype).
std::vector<std::pair<std::string, torch::Tensor>> snapshot(const MoeModel& m)
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    auto add = [&](const std::string& k, const torch::Tensor& t) {
        if (t.defined())
            out.emplace_back(k, t.detach().clone());
    };
    add("embed", m.embedding());
    add("lm_head", m.lmHead());
    add("norm", m.finalNorm());
    for (std::size_t l = 0; l < m.layers().size(); ++l) {
        const auto& L = m.layers()[l];
        const auto p = std::to_string(l) + ".";
        add(p + "in", L.inputNorm);
        add(p + "post", L.postNorm);
        add(p + "q", L.attn.q);
        add(p + "k", L.attn.k);
        add(p + "v", L.attn.v);
        add(p + "o", L.attn.o);
        add(p + "qn", L.attn.qNorm);
        add(p + "kn", L.attn.kNorm);
        add(p + "router", L.moe.router);
        for (std::size_t e = 0; e < L.moe.experts.size(); ++e) {
            const auto& w = L.moe.experts[e];
            const auto q = p + "e" + std::to_string(e) + ".";
            add(q + "gateUp", w.gateUp);
            add(q + "gate", w.gate);
            add(q + "up", w.up);
            add(q + "down", w.down);
        }
    }
    return out;
}

MinerSettings minerSettings(const fs::path& out)
{
    MinerSettings s;
    s.modelDir = fixture().modelDir;
    s.selection = fixture().selection;
    s.computeDtype = torch::kFloat;
    s.train.innerSteps = 6;
    s.train.batchSize = 2;
    s.train.gradAccum = 2;
    s.train.lr = 5e-3;
    s.train.warmupSteps = 1;
    s.train.checkpointEvery = 2;
    s.train.seed = 3;
    s.sign = false;
    s.minerId = "m";
    s.outDir = out;
    // The exact displacement (the encodings and their error feedback: errorFeedback*).
    s.encoding = DeltaEncoding::F32;
    return s;
}

TensorMap deltas(const fs::path& submissionDir)
{
    const auto sub = Submission::open(submissionDir);
    TensorMap d;
    for (const auto& n : sub->tensorNames())
        d[n] = sub->delta(n).clone();
    return d;
}

} // namespace

class TestMiner : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureThreads(1);
        fixture();
    }

    void onlySelectedExpertsChange_data()
    {
        QTest::addColumn<int>("mode");
        QTest::newRow("full") << int(ExpertMode::Full);
        QTest::newRow("masked") << int(ExpertMode::Masked);
    }

    void onlySelectedExpertsChange()
    {
        QFETCH(int, mode);
        auto& f = fixture();
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.mode = static_cast<ExpertMode>(mode);
        opt.selection = f.selection.layers();
        auto model = MoeModel::load(f.modelDir, opt);
        const auto before = snapshot(*model);
        const auto trainable = model->trainableParameters();
        QCOMPARE(trainable.size(), std::size_t(3 * 3));
        std::map<std::string, torch::Tensor> initial;
        for (const auto& [n, t] : trainable)
            initial[n] = t.detach().clone();
        InnerTrainerSettings ts;
        ts.innerSteps = 3;
        ts.batchSize = 2;
        ts.lr = 1e-2;
        InnerTrainer trainer(trainable, f.data.shard(0, 1), ts);
        JobControl control;
        trainer.run(
            [&](const std::vector<std::int64_t>& rows) {
                ModelBatch b;
                b.inputIds = f.data.trainBatch(rows);
                return model->forward(b).loss;
            },
            control);
        const auto after = snapshot(*model);
        QCOMPARE(after.size(), before.size());
        int changed = 0;
        for (std::size_t i = 0; i < before.size(); ++i) {
            const bool same = torch::equal(before[i].second, after[i].second);
            // Trainable experts live in gate/up/down (no fused gateUp); frozen ones must be untouched.
            const auto& key = before[i].first;
            const bool isTrainableExpert = (key.rfind("0.e1.", 0) == 0 || key.rfind("0.e4.", 0) == 0 ||
                                            key.rfind("2.e6.", 0) == 0) &&
                                           key.find("gateUp") == std::string::npos;
            if (isTrainableExpert) {
                QVERIFY2(!same, key.c_str());
                ++changed;
            } else {
                QVERIFY2(same, key.c_str());
            }
        }
        QCOMPARE(changed, 9);
        for (const auto& [n, t] : model->trainableParameters())
            QVERIFY2(!torch::equal(t.detach(), initial[n]), n.c_str());
    }

    void submissionHoldsTheDisplacementOfTheSelectedExperts()
    {
        auto& f = fixture();
        const auto dir = teft::test::freshDir("miner-sub");
        JobControl control;
        const auto r = runMiner(minerSettings(dir), f.data, control);
        QCOMPARE(r.training.steps, std::int64_t(6));
        const auto d = deltas(r.submissionDir);
        const auto config = ModelConfig::load(f.modelDir);
        const auto names = selectedTensorNames(config, f.selection);
        QCOMPARE(d.size(), names.size());
        // Φ_i = Φ(t) − Δ reproduces the trained weights: compare with a second, identical run's
        // checkpointed parameters (the final checkpoint holds nothing; resume the run instead).
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.selection = f.selection.layers();
        auto base = MoeModel::load(f.modelDir, opt);
        for (const auto& n : names) {
            QVERIFY2(d.count(n), n.c_str());
            QCOMPARE(d.at(n).scalar_type(), torch::kFloat);
            QVERIFY(d.at(n).abs().max().item<float>() > 0);
            QCOMPARE(d.at(n).sizes(), base->tensor(n).sizes());
        }
        const auto sub = Submission::open(r.submissionDir);
        QCOMPARE(sub->manifest().selectionHash, f.selection.hash());
        QCOMPARE(sub->manifest().baseFingerprint,
                 baseFingerprint(currentExperts(*base, names), configIdentity(f.modelDir)));
        QCOMPARE(sub->manifest().innerSteps, std::int64_t(6));
        QCOMPARE(sub->manifest().tokensSeen, std::int64_t(6 * 4 * 23));
    }

    void stepCallbackReportsStepsAndHeldOutLoss()
    {
        auto& f = fixture();
        const auto dir = teft::test::freshDir("miner-steps");
        auto s = minerSettings(dir);
        s.validateEvery = 4; // steps 4 and 6 (the last)
        s.validation = EvalSettings{3, 2, 77};
        std::vector<MinerStep> steps;
        JobControl control;
        const auto r = runMiner(s, f.data, control, [&](const MinerStep& m) { steps.push_back(m); });
        QCOMPARE(steps.size(), std::size_t(6));
        for (std::size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(steps[i].report.step, std::int64_t(i + 1));
            QCOMPARE(steps[i].totalSteps, std::int64_t(6));
            QCOMPARE(steps[i].tokensSeen, std::int64_t((i + 1) * 4 * 23));
            QCOMPARE(steps[i].report.loss, r.training.losses[i]);
            QVERIFY(steps[i].tokensPerSecond > 0);
            const bool validated = i + 1 == 4 || i + 1 == 6;
            QCOMPARE(std::isfinite(steps[i].validationLoss), validated);
        }
        // The last held-out loss is that of the trained experts: Φ(t) − Δ in a fresh model,
        // evaluated independently on the same batches.
        const auto d = deltas(r.submissionDir);
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        auto model = MoeModel::load(f.modelDir, opt);
        TensorMap trained;
        for (const auto& [name, delta] : d)
            trained[name] = model->tensor(name).to(torch::kFloat) - delta;
        applyExperts(*model, trained, "test");
        const double expected = evaluateLoss(*model, f.data, s.validation, control).loss;
        QVERIFY2(std::abs(steps.back().validationLoss - expected) < 1e-4,
                 qPrintable(QStringLiteral("%1 vs %2").arg(steps.back().validationLoss).arg(expected)));
        // Validation changes nothing in the training itself.
        const auto plain = runMiner(minerSettings(teft::test::freshDir("miner-steps-plain")), f.data, control);
        QCOMPARE(plain.training.losses, r.training.losses);

        // The held-out loss before training is Φ(t)'s (the base model's here), reported with
        // every step and in the result; after is the last step's.
        auto base = MoeModel::load(f.modelDir, opt);
        const double before = evaluateLoss(*base, f.data, s.validation, control).loss;
        QVERIFY2(std::abs(r.validationLossBefore - before) < 1e-4,
                 qPrintable(QStringLiteral("%1 vs %2").arg(r.validationLossBefore).arg(before)));
        QCOMPARE(r.validationLossAfter, steps.back().validationLoss);
        for (const MinerStep& m : steps)
            QCOMPARE(m.validationLossBefore, r.validationLossBefore);
        QVERIFY(std::isnan(plain.validationLossBefore)); // no validation: not measured
        QVERIFY(std::isnan(plain.validationLossAfter));
        // This process's steps and active time, for the GUI's ETA.
        for (std::size_t i = 0; i < steps.size(); ++i) {
            QCOMPARE(steps[i].stepsThisRun, std::int64_t(i + 1));
            QVERIFY(steps[i].activeSeconds > 0);
            QVERIFY(steps[i].elapsedSeconds >= steps[i].activeSeconds);
            if (i > 0)
                QVERIFY(steps[i].activeSeconds >= steps[i - 1].activeSeconds);
        }
    }

    // A resumed run counts its own steps from 1 (the ETA of its remaining steps comes from them,
    // not from a counter that starts at the checkpoint's step), and a pause is left out of its
    // active and elapsed time and of the throughput of the step after it.
    void resumedAndPausedRunsReportTheirOwnActiveTime()
    {
        auto& f = fixture();
        const auto dir = teft::test::freshDir("miner-resume-timing");
        auto s = minerSettings(dir);
        s.train.checkpointEvery = 1;
        {
            JobControl control;
            bool cancelled = false;
            try {
                runMiner(s, f.data, control, [&](const MinerStep& m) {
                    if (m.report.step == 3)
                        control.requestCancel();
                });
            } catch (const Cancelled&) {
                cancelled = true;
            }
            QVERIFY(cancelled);
        }
        std::vector<MinerStep> steps;
        std::vector<double> wall; // seconds since the start, when each step was reported
        JobControl control;
        std::thread unpause;
        const auto t0 = std::chrono::steady_clock::now();
        double pausedFor = 0;
        runMiner(s, f.data, control, [&](const MinerStep& m) {
            steps.push_back(m);
            wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            if (m.stepsThisRun == 1) {
                // Paused after this step for at least a second (the worker waits at its next
                // checkpoint), then resumed from another thread, as the GUI's Resume does.
                control.setPaused(true);
                unpause = std::thread([&control, &pausedFor] {
                    const auto start = std::chrono::steady_clock::now();
                    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
                    pausedFor = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                    control.setPaused(false);
                });
            }
        });
        unpause.join();
        QCOMPARE(steps.size(), std::size_t(3)); // steps 4 to 6 of 6
        QCOMPARE(steps.front().report.step, std::int64_t(4));
        for (std::size_t i = 0; i < steps.size(); ++i)
            QCOMPARE(steps[i].stepsThisRun, std::int64_t(i + 1));
        // Between the first two reports the worker waited out the pause: the active time grew by
        // that wall time less the pause (at least 1 s of it); no bound on how long a step takes.
        QVERIFY(pausedFor >= 1.0);
        const double wallBetween = wall[1] - wall[0];
        const double activeBetween = steps[1].activeSeconds - steps[0].activeSeconds;
        const double elapsedBetween = steps[1].elapsedSeconds - steps[0].elapsedSeconds;
        QVERIFY2(wallBetween >= 1.0, qPrintable(QString::number(wallBetween)));
        QVERIFY2(activeBetween <= wallBetween - 0.9,
                 qPrintable(QStringLiteral("%1 of %2").arg(activeBetween).arg(wallBetween)));
        QVERIFY2(elapsedBetween <= wallBetween - 0.9,
                 qPrintable(QStringLiteral("%1 of %2").arg(elapsedBetween).arg(wallBetween)));
        QVERIFY(activeBetween > 0);
        // The step after the pause: its tokens over its own time, not over the pause's.
        const double stepTokens = 4.0 * 23.0;
        QVERIFY2(steps[1].tokensPerSecond > stepTokens / (wallBetween - 0.9),
                 qPrintable(QString::number(steps[1].tokensPerSecond)));
    }

    // The held-out loss before training is the run's: measured once, at step 0 of its first
    // start, carried by its checkpoints, and read back (not measured again) when it is resumed.
    // The loss after training is the one at the run's final step.
    void heldOutLossBeforeIsMeasuredOnceAndResumesFromTheCheckpoint()
    {
        auto& f = fixture();
        const auto dir = teft::test::freshDir("miner-before-once");
        auto s = minerSettings(dir);
        s.validateEvery = 4; // steps 4 and 6 (the last, 6 % 4 != 0)
        s.validation = EvalSettings{3, 2, 77};
        int validatedAtZero = 0;
        double before = std::numeric_limits<double>::quiet_NaN();
        {
            JobControl control([&](const JobControl::Progress& p) {
                if (p.stage == "validating" && p.done == 0)
                    ++validatedAtZero;
            });
            bool cancelled = false;
            try {
                runMiner(s, f.data, control, [&](const MinerStep& m) {
                    before = m.validationLossBefore;
                    if (m.report.step == 3)
                        control.requestCancel();
                });
            } catch (const Cancelled&) {
                cancelled = true;
            }
            QVERIFY(cancelled);
        }
        QCOMPARE(validatedAtZero, 1);
        QVERIFY(std::isfinite(before));
        // The checkpoint (step 3, written on cancel) carries it.
        {
            std::ifstream in(dir / "checkpoint" / "checkpoint.json");
            const auto j = nlohmann::json::parse(in);
            QCOMPARE(j.at("step").get<std::int64_t>(), std::int64_t(3));
            QCOMPARE(j.at("extra").at("validation_loss_before").get<double>(), before);
        }

        validatedAtZero = 0;
        std::vector<MinerStep> steps;
        JobControl control([&](const JobControl::Progress& p) {
            if (p.stage == "validating" && p.done == 0)
                ++validatedAtZero;
        });
        const auto r = runMiner(s, f.data, control, [&](const MinerStep& m) { steps.push_back(m); });
        QCOMPARE(r.training.resumedFromStep, std::int64_t(3));
        QCOMPARE(validatedAtZero, 0); // not measured again
        QCOMPARE(r.validationLossBefore, before);
        QCOMPARE(steps.size(), std::size_t(3));
        for (const MinerStep& m : steps)
            QCOMPARE(m.validationLossBefore, before);
        // The resumed job records the held-out losses of its own steps only (step 0 is the first
        // job's), and "after" is the one at the final step.
        const auto store = JobStore::open(JobStore::defaultPath());
        const auto val = store->metrics(r.jobId, "val_loss");
        QCOMPARE(val.size(), std::size_t(2));
        QCOMPARE(val[0].step, std::int64_t(4));
        QCOMPARE(val[1].step, std::int64_t(6));
        QCOMPARE(r.validationLossAfter, val[1].value);
        QCOMPARE(r.validationLossAfter, steps.back().validationLoss);
        QCOMPARE(steps.back().report.step, std::int64_t(6));
    }

    // A pause takes effect after the step being trained and writes a checkpoint then, whatever
    // the checkpoint interval: a process killed while paused loses nothing.
    void pauseWritesACheckpointAtOnce()
    {
        auto& f = fixture();
        const auto dir = teft::test::freshDir("miner-pause-checkpoint");
        const auto copy = teft::test::freshDir("miner-pause-copy");
        auto s = minerSettings(dir);
        s.train.checkpointEvery = 0; // only on cancel (and, now, on pause)
        JobControl control;
        std::promise<void> pausedSeen;
        std::int64_t pausedAt = -1, checkpointAt = -1;
        control.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.stage != "paused")
                return;
            pausedAt = p.done;
            std::ifstream in(dir / "checkpoint" / "checkpoint.json");
            if (in)
                checkpointAt = nlohmann::json::parse(in).value("step", std::int64_t{-1});
            // What a process killed now would leave behind.
            fs::copy(dir / "checkpoint", copy / "checkpoint", fs::copy_options::recursive);
            control.setPaused(false);
            pausedSeen.set_value();
        });
        std::thread guard; // a pause that never reports would hang the run: end it, failing
        const auto r = runMiner(s, f.data, control, [&](const MinerStep& m) {
            if (m.report.step != 2)
                return;
            control.setPaused(true);
            guard = std::thread([&control, seen = pausedSeen.get_future()]() mutable {
                if (seen.wait_for(std::chrono::minutes(2)) != std::future_status::ready)
                    control.setPaused(false);
            });
        });
        if (guard.joinable())
            guard.join();
        QCOMPARE(pausedAt, std::int64_t(2));
        QCOMPARE(checkpointAt, std::int64_t(2));
        QCOMPARE(r.training.steps, std::int64_t(6));
        // The copy resumes at step 2 and ends where the paused run did.
        auto resumed = s;
        resumed.outDir = copy;
        const auto b = runMiner(resumed, f.data, control);
        QCOMPARE(b.training.resumedFromStep, std::int64_t(2));
        const auto da = deltas(r.submissionDir), db = deltas(b.submissionDir);
        QCOMPARE(da.size(), db.size());
        for (const auto& [n, t] : da)
            QVERIFY2(torch::equal(t, db.at(n)), n.c_str());
    }

    void settingsRoundTripThroughJson()
    {
        auto s = minerSettings("/tmp/out");
        s.validateEvery = 5;
        s.mode = ExpertMode::Masked;
        s.shardIndex = 1;
        s.shardCount = 3;
        s.projectId = 7;
        s.dataset = nlohmann::json{{"spec", {{"paths", {"/data/a.jsonl"}}}}, {"seq_len", 64}};
        const auto j = s.toJson();
        const auto back = MinerSettings::fromJson(j);
        QCOMPARE(back.toJson().dump(), j.dump());
        QCOMPARE(back.selection.hash(), s.selection.hash());
        QCOMPARE(back.shardIndex, 1);
        QCOMPARE(back.shardCount, 3);
        QCOMPARE(back.mode, ExpertMode::Masked);
        QCOMPARE(back.projectId.value_or(-1), std::int64_t(7));
        QCOMPARE(back.offload, false);
        s.offload = true; // --offload: recorded, so that a resumed or cloned job streams too
        QCOMPARE(MinerSettings::fromJson(s.toJson()).offload, true);
        auto broken = j;
        broken["offload"] = "yes";
        QVERIFY_THROWS_EXCEPTION(FormatError, MinerSettings::fromJson(broken));
        broken = j;
        broken.erase("selection");
        QVERIFY_THROWS_EXCEPTION(FormatError, MinerSettings::fromJson(broken));
        broken = j;
        broken["shard"] = "two";
        QVERIFY_THROWS_EXCEPTION(FormatError, MinerSettings::fromJson(broken));
    }

    // bf16 with error feedback over two rounds: what a round's submission leaves out (the
    // rounding) is the residual, and the next round sends Δ + residual; decoded submission plus
    // residual is always exactly what should have been sent. Residuals are kept per round: two
    // runs of one round start from the same earlier residual.
    void errorFeedbackCarriesTheResidualAcrossRounds()
    {
        auto& f = fixture();
        JobControl control;
        const auto root = teft::test::freshDir("miner-ef");
        const auto exact = runMiner(minerSettings(root / "exact"), f.data, control); // the f32 Δ
        const TensorMap raw = deltas(exact.submissionDir);

        auto round0 = minerSettings(root / "round0");
        round0.encoding = DeltaEncoding::BF16;
        round0.residualFile = root / "residual.safetensors";
        const auto file0 = residualFileOfRound(round0.residualFile, 0);
        const auto file1 = residualFileOfRound(round0.residualFile, 1);
        QCOMPARE(file1, root / "residual.round-1.safetensors");
        const auto r0 = runMiner(round0, f.data, control);
        QCOMPARE(r0.encoding, DeltaEncoding::BF16);
        QCOMPARE(r0.residualFile, file0);
        QVERIFY(!r0.reused);
        QVERIFY(!fs::exists(round0.outDir / "residual.pending.safetensors"));
        const auto sub0 = Submission::open(r0.submissionDir);
        QCOMPARE(sub0->encoding(), DeltaEncoding::BF16);
        QCOMPARE(r0.submissionBytes, exact.submissionBytes / 2); // bf16: half of f32, as it travels
        QCOMPARE(r0.submissionBytes, sub0->encodedBytes());
        const TensorMap d0 = deltas(r0.submissionDir);
        const auto e1 = QuantizationResidual::load(file0);
        QVERIFY(e1.squaredNorm() > 0);
        for (const auto& [n, t] : raw)
            QVERIFY2(torch::allclose(d0.at(n) + e1.tensors().at(n), t, 0, 1e-9), n.c_str());
        // A second run of round 0 (another shard, a retry) starts from no residual, as the first did.
        auto round0b = round0;
        round0b.outDir = root / "round0b";
        QCOMPARE(runMiner(round0b, f.data, control).packageSha256.empty(), false);
        for (const auto& [n, t] : deltas(round0b.outDir / "submission"))
            QVERIFY2(torch::equal(t, d0.at(n)), n.c_str());

        // Round 1 (the same Φ and data, so the same raw Δ): Δ + e1 is what is encoded.
        auto round1 = round0;
        round1.outDir = root / "round1";
        round1.round = 1;
        const auto r1 = runMiner(round1, f.data, control);
        QCOMPARE(r1.residualFile, file1);
        const TensorMap d1 = deltas(r1.submissionDir);
        const auto e2 = QuantizationResidual::load(file1);
        bool differs = false;
        for (const auto& [n, t] : raw) {
            QVERIFY2(torch::allclose(d1.at(n) + e2.tensors().at(n), t + e1.tensors().at(n), 0, 1e-9), n.c_str());
            differs |= !torch::equal(d1.at(n), d0.at(n));
        }
        QVERIFY(differs); // the residual was applied
        // Another run of round 1 also starts from round 0's residual, not from the first run's.
        auto round1b = round1;
        round1b.outDir = root / "round1b";
        runMiner(round1b, f.data, control);
        for (const auto& [n, t] : deltas(round1b.outDir / "submission"))
            QVERIFY2(torch::equal(t, d1.at(n)), n.c_str());

        // Killed after the submission was renamed into place, before the residual was moved: the
        // rerun does not encode again (no residual applied twice), and finishes the move.
        const auto pending = round1.outDir / "residual.pending.safetensors";
        fs::copy_file(file1, pending);
        fs::remove(file1);
        const auto again = runMiner(round1, f.data, control);
        QVERIFY(again.reused);
        QCOMPARE(again.packageSha256, r1.packageSha256);
        QCOMPARE(again.submissionBytes, r1.submissionBytes);
        QVERIFY(!fs::exists(pending));
        const auto moved = QuantizationResidual::load(file1);
        for (const auto& [n, t] : e2.tensors())
            QVERIFY2(torch::equal(moved.tensors().at(n), t), n.c_str());
        // Rerun once more after it finished: still nothing applied twice.
        const auto third = runMiner(round1, f.data, control);
        QVERIFY(third.reused);
        QCOMPARE(third.packageSha256, r1.packageSha256);
        for (const auto& [n, t] : e2.tensors())
            QVERIFY2(torch::equal(QuantizationResidual::load(file1).tensors().at(n), t), n.c_str());

        // Killed before the submission was written (a pending residual, no submission): encoded
        // again from round 0's residual, which is kept while round 1 may still need it.
        fs::remove_all(r1.submissionDir);
        fs::copy_file(file1, pending);
        fs::remove(file1);
        QVERIFY(fs::exists(file0));
        const auto redone = runMiner(round1, f.data, control);
        QVERIFY(!redone.reused);
        const TensorMap dr = deltas(redone.submissionDir);
        for (const auto& [n, t] : d1)
            QVERIFY2(torch::equal(dr.at(n), t), n.c_str());
        QVERIFY(!fs::exists(pending));

        // Round 2 starts from round 1's residual; round 0's is no longer needed and is removed.
        auto round2 = round1;
        round2.outDir = root / "round2";
        round2.round = 2;
        runMiner(round2, f.data, control);
        QVERIFY(!fs::exists(file0));
        QVERIFY(fs::exists(file1));
        QVERIFY(fs::exists(residualFileOfRound(round0.residualFile, 2)));

        // int8: per-row scales travel, a quarter of f32 plus the scales.
        auto int8 = round0;
        int8.encoding = DeltaEncoding::Int8;
        int8.outDir = root / "int8";
        int8.residualFile = root / "residual-int8.safetensors";
        const auto ri = runMiner(int8, f.data, control);
        std::uint64_t expected = 0;
        for (const auto& [n, t] : raw)
            expected += encodedBytes(t.sizes().vec(), DeltaEncoding::Int8);
        QCOMPARE(ri.submissionBytes, expected);
        const auto ei = QuantizationResidual::load(ri.residualFile);
        const TensorMap di = deltas(ri.submissionDir);
        for (const auto& [n, t] : raw)
            QVERIFY2(torch::allclose(di.at(n) + ei.tensors().at(n), t, 0, 1e-7), n.c_str());

        // The default residual file: per miner and selection, in the data folder.
        const auto def = defaultResidualFile("m/../x", f.selection.hash());
        QCOMPARE(def.parent_path(), dataDir() / "residuals");
        QCOMPARE(def.filename().string(), "m_.._x-" + f.selection.hash().substr(0, 16) + ".safetensors");
        // The settings carry the encoding through the job record.
        QCOMPARE(MinerSettings::fromJson(int8.toJson()).encoding, DeltaEncoding::Int8);
        QCOMPARE(MinerSettings::fromJson(int8.toJson()).residualFile, int8.residualFile);
    }

    void resumeAfterCancelEqualsUninterruptedRun()
    {
        auto& f = fixture();
        JobControl control;
        const auto a = runMiner(minerSettings(teft::test::freshDir("miner-a")), f.data, control);

        const auto dirB = teft::test::freshDir("miner-b");
        JobControl cancelling;
        bool cancelled = false;
        JobControl* ctl = &cancelling;
        cancelling.setProgressCallback([&, ctl](const JobControl::Progress& p) {
            if (p.stage == "training" && p.done == 3)
                ctl->requestCancel();
        });
        try {
            runMiner(minerSettings(dirB), f.data, cancelling);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        QVERIFY(hasTrainCheckpoint(dirB / "checkpoint"));
        QVERIFY(!fs::exists(dirB / "submission"));
        const auto b = runMiner(minerSettings(dirB), f.data, control);
        QCOMPARE(b.training.resumedFromStep, std::int64_t(4));
        const auto da = deltas(a.submissionDir), db = deltas(b.submissionDir);
        QCOMPARE(da.size(), db.size());
        for (const auto& [n, t] : da)
            QVERIFY2(torch::equal(t, db.at(n)), n.c_str());

        // Other settings in the same folder: refused, naming the checkpoint.
        auto other = minerSettings(dirB);
        other.train.lr = 1e-3;
        fs::remove_all(dirB / "submission");
        try {
            runMiner(other, f.data, control);
            QFAIL("expected a refusal");
        } catch (const Error& e) {
            QVERIFY(std::string(e.what()).find("another run") != std::string::npos);
        }
    }

    void emptySelectionIsRefused()
    {
        auto s = minerSettings(teft::test::freshDir("miner-empty"));
        s.selection = ExpertSelection();
        JobControl control;
        QVERIFY_THROWS_EXCEPTION(UsageError, runMiner(s, fixture().data, control));
    }

    void validatorScoresAndSteps()
    {
        auto& f = fixture();
        const auto root = teft::test::freshDir("validator");
        JobControl control;
        auto good = minerSettings(root / "good");
        good.submissionDir = root / "subs" / "a-good";
        runMiner(good, f.data, control);
        // A bad submission: the good update reversed and amplified (same base, same selection).
        {
            const auto goodSub = Submission::open(good.submissionDir);
            TensorMap anti;
            for (const auto& n : goodSub->tensorNames())
                anti[n] = goodSub->delta(n) * -20.0f;
            auto m = goodSub->manifest();
            m.minerId = "bad";
            m.deltaSha256.clear();
            m.createdAt.clear();
            writeSubmission(root / "subs" / "b-bad", m, anti, nullptr);
        }

        ValidatorSettings v;
        v.modelDir = f.modelDir;
        v.selection = f.selection;
        v.stateDir = root / "state";
        v.submissionsDir = root / "subs";
        v.eval = {3, 2, 9};
        v.allowUnsigned = true;
        v.aggregation.policy = AggregationSettings::Policy::TopK;
        v.aggregation.topK = 1;
        v.outer.lr = 1.0;
        v.outer.momentum = 0.0;
        v.maxRelativeNorm = 0; // "bad" is about scoring; the norm bound is tested in test_submission
        const auto r = runValidator(v, f.data, control);

        // Baseline: the base model's loss on the same batches (of the scoring half of the held-out
        // rows, the validator's), computed independently.
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        auto base = MoeModel::load(f.modelDir, opt);
        const auto baseEval = evaluateLoss(*base, f.data.heldOutPart(TokenDataset::HeldOutPart::Scoring), v.eval,
                                           control);
        QVERIFY(std::abs(r.baselineLoss - baseEval.loss) < 1e-6);

        const auto& subs = r.report["submissions"];
        QCOMPARE(int(subs.size()), 2);
        QCOMPARE(subs[0]["name"].get<std::string>(), std::string("a-good"));
        QVERIFY(subs[0]["score"].get<double>() > 0);
        QCOMPARE(subs[0]["fate"].get<std::string>(), std::string("merged"));
        QCOMPARE(subs[1]["weight"].get<double>(), 0.0);
        QCOMPARE(subs[1]["score"].get<double>(), 0.0);
        QVERIFY(subs[1]["loss"].get<double>() > r.baselineLoss);
        // lr 1, momentum 0, top-1: Φ(t+1) = Φ(t) − Δ_good exactly, and its loss is the good one's.
        const auto phi = loadTensorFile(r.phiFile);
        const auto d = deltas(good.submissionDir);
        const auto names = selectedTensorNames(base->config(), f.selection);
        MoeModelOptions sel = opt;
        sel.selection = f.selection.layers();
        auto selModel = MoeModel::load(f.modelDir, sel);
        for (const auto& n : names)
            QVERIFY(torch::allclose(phi.at(n), selModel->tensor(n) - d.at(n), 1e-6, 1e-7));
        QVERIFY(std::abs(r.newLoss - subs[0]["loss"].get<double>()) < 1e-5);
        QVERIFY(r.newLoss < r.baselineLoss);
        const auto state = ValidatorState::load(v.stateDir);
        QCOMPARE(state.round, std::int64_t(1));
        QCOMPARE(state.phi, r.phiFile);

        // The next round refuses submissions made for round 0.
        const auto r1 = runValidator(v, f.data, control);
        QCOMPARE(r1.round, std::int64_t(1));
        QCOMPARE(r1.report["submissions"][0]["verdict"].get<std::string>(), std::string("wrong_base"));
        QVERIFY(!r1.updated);
    }
};

QTEST_APPLESS_MAIN(TestMiner)
#include "test_miner.moc"
