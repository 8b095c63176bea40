// The validator round in two phases: scoreRound writes nothing; applyRound with the plan's
// weights gives exactly what runValidator gives (the same Φ(t+1) bit for bit, the same report
// rows); applyRound with the caller's weights takes the outer step with those; a round is
// applied once, and not after the state moved on; malformed weights are refused.
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/io/SafetensorsFile.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/Submission.h"
#include "core/text/Tokenizer.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/train/LossEvaluator.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    fs::path root;
    fs::path modelDir;
    fs::path subs; // a-good, b-bad (the good update reversed and amplified)
    TokenDataset data;
    ExpertSelection selection;
};

Fixture& fixture()
{
    static Fixture f = [] {
        Fixture f;
        f.root = teft::test::freshDir("fixture");
        setDataDir(f.root / "data");
        f.modelDir = f.root / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 5;
        generateCheckpoint(f.modelDir, go);
        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.03;
        co.domains = {"code"};
        const auto files = writeDemoCorpus(f.root / "corpus", co, control);
        DatasetSpec spec;
        spec.paths = {files.front().path};
        PackingOptions po;
        po.seqLen = 24;
        po.heldOutFraction = 0.1;
        po.useCache = false;
        f.data = TokenDataset::build(spec, Tokenizer::fromFile(f.modelDir), po, control);
        f.selection.setLayer(0, {1, 4});
        f.selection.setLayer(2, {6});

        MinerSettings m;
        m.modelDir = f.modelDir;
        m.selection = f.selection;
        m.computeDtype = torch::kFloat;
        m.train.innerSteps = 3;
        m.train.batchSize = 2;
        m.train.lr = 5e-3;
        m.train.warmupSteps = 1;
        m.train.seed = 3;
        m.sign = false;
        m.minerId = "good";
        m.outDir = f.root / "miner";
        f.subs = f.root / "subs";
        m.submissionDir = f.subs / "a-good";
        runMiner(m, f.data, control);
        const auto goodSub = Submission::open(m.submissionDir);
        TensorMap anti;
        for (const auto& n : goodSub->tensorNames())
            anti[n] = goodSub->delta(n) * -20.0f;
        auto manifest = goodSub->manifest();
        manifest.minerId = "bad";
        manifest.deltaSha256.clear();
        manifest.createdAt.clear();
        writeSubmission(f.subs / "b-bad", manifest, anti, nullptr);
        return f;
    }();
    return f;
}

ValidatorSettings settings(const fs::path& stateDir)
{
    ValidatorSettings v;
    v.modelDir = fixture().modelDir;
    v.selection = fixture().selection;
    v.stateDir = stateDir;
    v.submissionsDir = fixture().subs;
    v.eval = {3, 2, 9};
    v.allowUnsigned = true;
    v.aggregation.policy = AggregationSettings::Policy::TopK;
    v.aggregation.topK = 1;
    // "bad" is the good update × −20: these tests are about what scoring does with it, so the
    // relative norm bound (tests/core/test_submission.cpp) is off here.
    v.maxRelativeNorm = 0;
    return v; // outer: the defaults (lr 0.7, Nesterov momentum 0.9)
}

bool sameTensors(const TensorMap& a, const TensorMap& b)
{
    if (a.size() != b.size())
        return false;
    for (const auto& [name, t] : a) {
        const auto it = b.find(name);
        if (it == b.end() || !torch::equal(t, it->second))
            return false;
    }
    return true;
}

// The report rows without the per-run measurements (evaluation time).
nlohmann::json rowsOf(const nlohmann::json& report)
{
    auto rows = report.at("submissions");
    for (auto& r : rows)
        r.erase("eval_seconds");
    return rows;
}

} // namespace

class TestValidatorPhases : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        configureThreads(1);
        fixture();
    }

    void scoreThenApplyEqualsRunValidator()
    {
        auto& f = fixture();
        JobControl control;
        const auto root = teft::test::freshDir("equal");
        const auto whole = runValidator(settings(root / "whole"), f.data, control);

        const auto split = root / "split";
        auto scored = scoreRound(settings(split), f.data, control);
        QVERIFY(!fs::exists(split / "state.json")); // scoring writes nothing
        QCOMPARE(scored.round, std::int64_t(0));
        QCOMPARE(int(scored.verdicts.size()), 2);
        QCOMPARE(int(scored.scored.size()), 2);
        QCOMPARE(scored.baselineLoss, whole.baselineLoss);
        QVERIFY(scored.plan.weights[0] > 0);
        QCOMPARE(scored.plan.weights[1], 0.0);
        const auto applied = applyRound(scored, f.data, control);

        QVERIFY(whole.updated && applied.updated);
        QCOMPARE(applied.round, whole.round);
        QCOMPARE(applied.newLoss, whole.newLoss);
        QVERIFY(applied.jobId != whole.jobId);
        QVERIFY(sameTensors(loadTensorFile(whole.phiFile), loadTensorFile(applied.phiFile)));
        QVERIFY(sameTensors(loadTensorFile(root / "whole" / "round-0" / "outer_optimizer.safetensors"),
                            loadTensorFile(split / "round-0" / "outer_optimizer.safetensors")));
        QVERIFY(rowsOf(applied.report) == rowsOf(whole.report));
        QVERIFY(!applied.report.contains("weights_overridden"));
        QCOMPARE(ValidatorState::load(split).round, std::int64_t(1));

        // Applied once only.
        QVERIFY_THROWS_EXCEPTION(Error, applyRound(scored, f.data, control));
    }

    // The validator scores exactly the decoded Δ: a bf16 submission (the miners' default) scores
    // what its decoded Δ written as f32 scores, to the bit.
    void validatorScoresTheDecodedDelta()
    {
        auto& f = fixture();
        JobControl control;
        const auto root = teft::test::freshDir("decoded");
        const auto good = Submission::open(f.subs / "a-good");
        QCOMPARE(good->encoding(), DeltaEncoding::BF16);
        TensorMap decoded;
        for (const auto& n : good->tensorNames())
            decoded[n] = good->delta(n);
        auto m = good->manifest();
        m.encoding = DeltaEncoding::F32;
        m.deltaSha256.clear();
        m.createdAt.clear();
        fs::create_directories(root / "bf16");
        fs::copy(f.subs / "a-good", root / "bf16" / "a", fs::copy_options::recursive);
        writeSubmission(root / "f32" / "a", m, decoded, nullptr);
        QCOMPARE(Submission::open(root / "f32" / "a")->encoding(), DeltaEncoding::F32);
        auto s1 = settings(root / "state-bf16");
        s1.submissionsDir = root / "bf16";
        auto s2 = settings(root / "state-f32");
        s2.submissionsDir = root / "f32";
        const auto a = scoreRound(s1, f.data, control);
        const auto b = scoreRound(s2, f.data, control);
        QVERIFY2(a.verdicts.at(0).accepted, a.verdicts.at(0).message.c_str());
        QVERIFY2(b.verdicts.at(0).accepted, b.verdicts.at(0).message.c_str());
        QCOMPARE(a.row(0).at("gain").get<double>(), b.row(0).at("gain").get<double>());
        QCOMPARE(a.row(0).at("std_error").get<double>(), b.row(0).at("std_error").get<double>());
        QCOMPARE(a.verdicts.at(0).updateNorm, b.verdicts.at(0).updateNorm);
    }

    // The report's statistics, against the held-out losses evaluated here on the same scoring
    // rows and a textbook paired t-test (equal tokens per batch): s_i = mean d_b, SE = s/√n.
    void reportCarriesScoresWithUncertainty()
    {
        auto& f = fixture();
        JobControl control;
        auto s = settings(teft::test::freshDir("uncertainty"));
        s.eval = {6, 2, 9};
        const auto scored = scoreRound(s, f.data, control);
        const auto& good = scored.row(0);
        const auto& bad = scored.row(1);

        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.selection = f.selection.layers();
        auto model = MoeModel::load(f.modelDir, opt, &control);
        const auto names = selectedTensorNames(model->config(), f.selection);
        const TensorMap phi = currentExperts(*model, names);
        const auto rows = f.data.heldOutPart(TokenDataset::HeldOutPart::Scoring);
        const auto base = evaluateLoss(*model, rows, s.eval, control);
        const auto sub = Submission::open(f.subs / "a-good");
        TensorMap moved;
        for (const auto& n : names)
            moved[n] = phi.at(n) - sub->delta(n).to(torch::kFloat);
        applyExperts(*model, moved, "Φ − Δ");
        const auto withGood = evaluateLoss(*model, rows, s.eval, control);
        QCOMPARE(int(base.batchLosses.size()), 6);
        std::vector<double> d;
        std::int64_t tokens = 0;
        for (std::size_t b = 0; b < 6; ++b) {
            QCOMPARE(base.batchTokens[b], base.batchTokens[0]); // equal tokens: the textbook test applies
            d.push_back(base.batchLosses[b] - withGood.batchLosses[b]);
            tokens += base.batchTokens[b];
        }
        double mean = 0, var = 0;
        for (double x : d)
            mean += x / 6.0;
        for (double x : d)
            var += (x - mean) * (x - mean) / 5.0;
        const double se = std::sqrt(var / 6.0);
        QVERIFY2(std::abs(good["gain"].get<double>() - mean) < 1e-6, good.dump().c_str());
        QVERIFY(std::abs(good["std_error"].get<double>() - se) < 1e-6);
        // t_0.95,5 = 2.015 (tables)
        QVERIFY(std::abs(good["lower_bound"].get<double>() - (mean - 2.015 * se)) < 1e-3 * se + 1e-9);
        QCOMPARE(good["tokens"].get<std::int64_t>(), tokens);
        QCOMPARE(good["batches"].get<int>(), 6);
        QCOMPARE(good["significant"].get<bool>(), mean - 2.015 * se > 0);
        QVERIFY(good["significant"].get<bool>()); // the honest update is clearly better
        QCOMPARE(good["score"].get<double>(), good["gain"].get<double>());
        QCOMPARE(good["fate"].get<std::string>(), std::string("merged"));
        QCOMPARE(good["rank"].get<int>(), 1);
        QCOMPARE(bad["fate"].get<std::string>(), std::string("no_improvement"));
        QVERIFY(bad["gain"].get<double>() < 0 && !bad["significant"].get<bool>());
        QVERIFY(good["tied_with"].empty() && bad["tied_with"].empty()); // far apart
        QCOMPARE(scored.baselineTokens, tokens);

        // The same gain at a confidence it cannot reach scores 0, "not_significant", and the
        // round has no update; on a single batch there is no error at all.
        s.confidence = 1.0 - 1e-12;
        s.stateDir = teft::test::freshDir("uncertainty-strict");
        const auto strict = scoreRound(s, f.data, control);
        QCOMPARE(strict.row(0)["fate"].get<std::string>(), std::string("not_significant"));
        QCOMPARE(strict.row(0)["score"].get<double>(), 0.0);
        QVERIFY(strict.plan.empty());
        s.confidence = 0.95;
        s.eval.batches = 1;
        s.stateDir = teft::test::freshDir("uncertainty-one");
        const auto one = scoreRound(s, f.data, control);
        QVERIFY(one.row(0)["std_error"].is_null());
        QVERIFY(one.row(0)["gain"].get<double>() > 0);
        QCOMPARE(one.row(0)["fate"].get<std::string>(), std::string("not_significant"));
        // One batch cannot tell two updates apart.
        QCOMPARE(one.row(0)["tied_with"], nlohmann::json::array({"b-bad"}));
    }

    void overriddenWeightsStepWithThose()
    {
        auto& f = fixture();
        JobControl control;
        auto s = settings(teft::test::freshDir("override"));
        s.outer.lr = 1.0;
        s.outer.momentum = 0.0;
        auto scored = scoreRound(s, f.data, control);
        QCOMPARE(scored.verdicts[1].minerId, std::string("bad"));
        // Malformed weights are refused before anything is written.
        QVERIFY_THROWS_EXCEPTION(UsageError, applyRound(scored, f.data, control, std::vector<double>{1.0}));
        QVERIFY_THROWS_EXCEPTION(UsageError, applyRound(scored, f.data, control, std::vector<double>{1.0, 1.0}));
        QVERIFY_THROWS_EXCEPTION(UsageError, applyRound(scored, f.data, control, std::vector<double>{1.5, -0.5}));
        QVERIFY(!fs::exists(s.stateDir / "state.json"));

        // The user takes the bad one instead of the good one: lr 1, momentum 0 → Φ − Δ_bad.
        const auto r = applyRound(scored, f.data, control, std::vector<double>{0.0, 1.0});
        QVERIFY(r.updated);
        QVERIFY(r.newLoss > r.baselineLoss);
        QCOMPARE(r.report["weights_overridden"].get<bool>(), true);
        const auto& rows = r.report["submissions"];
        QCOMPARE(rows[0]["weight"].get<double>(), 0.0);
        QCOMPARE(rows[0]["fate"].get<std::string>(), std::string("overridden"));
        QVERIFY(rows[0]["planned_weight"].get<double>() > 0);
        QCOMPARE(rows[1]["weight"].get<double>(), 1.0);
        QCOMPARE(rows[1]["fate"].get<std::string>(), std::string("merged"));

        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.selection = f.selection.layers();
        auto base = MoeModel::load(f.modelDir, opt);
        const auto bad = Submission::open(f.subs / "b-bad");
        const auto phi = loadTensorFile(r.phiFile);
        for (const auto& n : selectedTensorNames(base->config(), f.selection))
            QVERIFY(torch::allclose(phi.at(n), base->tensor(n) - bad->delta(n).to(torch::kFloat), 1e-6, 1e-7));
    }

    void allZeroWeightsLeavePhiUnchanged()
    {
        auto& f = fixture();
        JobControl control;
        auto s = settings(teft::test::freshDir("zero"));
        auto scored = scoreRound(s, f.data, control);
        const auto r = applyRound(scored, f.data, control, std::vector<double>{0.0, 0.0});
        QVERIFY(!r.updated);
        QCOMPARE(r.newLoss, r.baselineLoss);
        QCOMPARE(ValidatorState::load(s.stateDir).round, std::int64_t(1));
    }

    void staleRoundIsRefused()
    {
        auto& f = fixture();
        JobControl control;
        auto s = settings(teft::test::freshDir("stale"));
        auto first = scoreRound(s, f.data, control);
        auto second = scoreRound(s, f.data, control);
        applyRound(first, f.data, control);
        // The state moved on to round 1: the second scoring (for round 0) must not be applied.
        QVERIFY_THROWS_EXCEPTION(Error, applyRound(second, f.data, control));
        QCOMPARE(ValidatorState::load(s.stateDir).round, std::int64_t(1));
        QVERIFY(!fs::exists(s.stateDir / "round-1"));
    }

    // `--round 0` on a state whose next round is 1 once rewrote round 0's Φ, optimizer state and
    // report while state.json still said round 1: earlier rounds are history.
    void historyIsAppendOnly()
    {
        auto& f = fixture();
        JobControl control;
        auto s = settings(teft::test::freshDir("history"));
        runValidator(s, f.data, control);
        const auto report = readFile(s.stateDir / "round-0" / "report.json");
        const auto phi = readFile(s.stateDir / "round-0" / "phi.safetensors");
        s.round = 0;
        try {
            scoreRound(s, f.data, control);
            QFAIL("round 0 was validated again");
        } catch (const UsageError& e) {
            QVERIFY2(QString(e.what()).contains("its next round is 1"), e.what());
        }
        s.round = 3;
        QVERIFY_THROWS_EXCEPTION(UsageError, scoreRound(s, f.data, control));
        QCOMPARE(readFile(s.stateDir / "round-0" / "report.json"), report);
        QCOMPARE(readFile(s.stateDir / "round-0" / "phi.safetensors"), phi);
        QCOMPARE(ValidatorState::load(s.stateDir).round, std::int64_t(1));
    }

    // state.json names files inside the state folder only.
    void statePathsStayInside()
    {
        const fs::path dir = teft::test::freshDir("escape");
        for (const char* phi : {"../../etc/passwd", "/etc/passwd", "round-0/../../x.safetensors"}) {
            writeFileAtomically(dir / "state.json",
                                nlohmann::json{{"format", "teft-validator-state"}, {"round", 1}, {"phi", phi}}.dump());
            try {
                ValidatorState::load(dir);
                QFAIL(phi);
            } catch (const FormatError& e) {
                QVERIFY2(QString(e.what()).contains("not a path inside the state folder"), e.what());
            }
        }
        writeFileAtomically(dir / "state.json", nlohmann::json{{"format", "teft-validator-state"},
                                                               {"round", 1},
                                                               {"phi", "round-0/phi.safetensors"}}
                                                    .dump());
        QCOMPARE(ValidatorState::load(dir).phi, dir / "round-0" / "phi.safetensors");
    }
};

QTEST_APPLESS_MAIN(TestValidatorPhases)
#include "test_validator_phases.moc"
