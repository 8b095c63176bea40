// The memory plan before launch and the out-of-memory stop: the plan's weight and trainable
// figures equal what the loaded model holds (MoeModel::memory()) in every family, full and
// masked, bf16 and fp32; a job whose plan does not fit is refused before anything is loaded,
// with the figures and suggestions, and records no job; an out-of-memory error during a run
// (the TEFT_TEST_FAULT_OOM_AT_STEP test hook) stops the job as failed with kind out-of-memory, a
// message naming the fix and the kept checkpoint, and running it again resumes and completes.
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/project/Datasets.h"
#include "core/project/Train.h"
#include "core/store/JobStore.h"
#include "core/teft/ExpertSelection.h"
#include "core/text/Tokenizer.h"
#include "core/train/MemoryPlan.h"
#include "core/train/MinerJob.h"
#include "core/util/Error.h"
#include "core/util/ErrorKind.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>

using namespace teft;
namespace fs = std::filesystem;

namespace {

fs::path generated(const std::string& arch, const fs::path& root)
{
    const auto dir = root / arch;
    if (!fs::exists(dir / "config.json")) {
        GenerateOptions go;
        go.arch = arch;
        go.preset = "tiny";
        go.seed = 3;
        generateCheckpoint(dir, go);
    }
    return dir;
}

// Two experts of the first MoE layer and one of the last (or of the same when there is one).
std::map<int, std::vector<int>> someSelection(const ModelConfig& c)
{
    const auto moe = c.moeLayers();
    std::map<int, std::vector<int>> sel;
    sel[moe.front()] = {0, 3};
    sel[moe.back()].push_back(static_cast<int>(c.numExperts - 1));
    return sel;
}

struct RunFixture {
    fs::path root, modelDir;
    ExpertSelection selection;
    nlohmann::json dataset;
};

RunFixture& runFixture()
{
    static RunFixture f = [] {
        RunFixture f;
        f.root = teft::test::freshDir("memory-plan-run");
        setDataDir(f.root / "data");
        f.modelDir = f.root / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 5;
        generateCheckpoint(f.modelDir, go);
        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.02;
        co.domains = {"code"};
        const auto files = writeDemoCorpus(f.root / "corpus", co, control);
        DatasetSpec spec;
        spec.paths = {files.front().path};
        PackingOptions po;
        po.seqLen = 24;
        po.heldOutFraction = 0.1;
        f.dataset = datasetRecordJson(spec, po);
        f.selection.setLayer(0, {1, 4});
        f.selection.setLayer(2, {6});
        return f;
    }();
    return f;
}

MinerSettings minerSettings(const fs::path& out)
{
    auto& f = runFixture();
    MinerSettings s;
    s.modelDir = f.modelDir;
    s.selection = f.selection;
    s.mode = ExpertMode::Full;
    s.device = "cpu";
    s.train.innerSteps = 4;
    s.train.batchSize = 2;
    s.train.lr = 1e-3;
    s.train.checkpointEvery = 2;
    s.outDir = out;
    s.sign = false;
    s.dataset = f.dataset;
    return s;
}

std::vector<JobStore::Job> trainJobs()
{
    std::vector<JobStore::Job> out;
    for (auto& j : JobStore::open(JobStore::defaultPath())->jobs())
        if (j.kind == "train")
            out.push_back(j);
    return out;
}

} // namespace

class TestMemoryPlan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void weightsMatchTheLoadedModel_data()
    {
        QTest::addColumn<QString>("arch");
        for (const char* a : {"qwen3_moe", "qwen2_moe", "mixtral", "olmoe", "deepseek_v2", "deepseek_v3"})
            QTest::newRow(a) << QString::fromLatin1(a);
    }

    void weightsMatchTheLoadedModel()
    {
        QFETCH(QString, arch);
        const auto dir = generated(arch.toStdString(), teft::test::workDir() / "models");
        const auto cfg = ModelConfig::load(dir);
        for (auto mode : {ExpertMode::Full, ExpertMode::Masked}) {
            for (auto dtype : {torch::kBFloat16, torch::kFloat}) {
                MoeModelOptions opt;
                opt.mode = mode;
                opt.computeDtype = dtype;
                opt.selection = someSelection(cfg);
                const auto model = MoeModel::load(dir, opt);
                const auto mem = model->memory();
                MemoryPlanInput in;
                in.config = cfg;
                in.selection = opt.selection;
                in.mode = mode;
                in.computeDtype = dtype;
                in.batchSize = 2;
                in.seqLen = 32;
                const auto plan = planMemory(in);
                const auto what = arch.toStdString() + " " + expertModeName(mode) + " " + dtypeName(dtype);
                QVERIFY2(plan.weightBytes == mem.weightBytes, (what + ": plan " + std::to_string(plan.weightBytes) +
                                                               " vs model " + std::to_string(mem.weightBytes))
                                                                  .c_str());
                QVERIFY2(plan.masterBytes == mem.trainableBytes, (what + ": plan " + std::to_string(plan.masterBytes) +
                                                                  " vs model " + std::to_string(mem.trainableBytes))
                                                                     .c_str());
                QCOMPARE(plan.gradientBytes, plan.masterBytes);
                QCOMPARE(plan.optimizerBytes, 2 * plan.masterBytes);
                QCOMPARE(plan.referenceBytes, plan.masterBytes); // on the CPU: Φ(t) for Δ
                QCOMPARE(plan.trainableExperts, std::int64_t{3});
                QVERIFY(plan.activationBytes > 0);
                QVERIFY(plan.logitsBytes > 0);
                QCOMPARE(plan.totalBytes(), plan.weightBytes + plan.trainableStateBytes() + plan.activationBytes +
                                                plan.logitsBytes + plan.runtimeBytes);
                QVERIFY(plan.availableBytes > 0); // MemAvailable
                QCOMPARE(plan.device, std::string("cpu"));
            }
        }
    }

    void maskedHoldsOnlyTheSelectionInItsLayers()
    {
        const auto dir = generated("qwen3_moe", teft::test::workDir() / "models");
        MemoryPlanInput in;
        in.config = ModelConfig::load(dir);
        in.selection = someSelection(in.config);
        const auto full = planMemory(in);
        in.mode = ExpertMode::Masked;
        const auto masked = planMemory(in);
        const auto& c = in.config;
        const auto E = c.numExperts, layers = static_cast<std::int64_t>(c.moeLayers().size());
        const auto selectedLayers = static_cast<std::int64_t>(in.selection.size());
        QCOMPARE(full.frozenExperts, layers * E - 3);
        QCOMPARE(masked.frozenExperts, (layers - selectedLayers) * E);
        QCOMPARE(full.hubBytes, masked.hubBytes);
        QCOMPARE(full.frozenExpertBytes - masked.frozenExpertBytes,
                 (full.frozenExperts - masked.frozenExperts) * 3 * c.hiddenSize * c.expertIntermediate * 2);
    }

    void activationsGrowWithTheBatchAndTheSequence()
    {
        const auto dir = generated("qwen3_moe", teft::test::workDir() / "models");
        MemoryPlanInput in;
        in.config = ModelConfig::load(dir);
        in.selection = someSelection(in.config);
        in.batchSize = 2;
        in.seqLen = 64;
        const auto base = planMemory(in).activationBytes;
        in.batchSize = 4;
        const auto twice = planMemory(in).activationBytes;
        QVERIFY(twice > base * 19 / 10 && twice <= base * 2);
        in.batchSize = 2;
        in.seqLen = 256;
        QVERIFY(planMemory(in).activationBytes > 4 * base); // attention grows with T²
        // Only the layers from the first trainable one keep a graph.
        in.seqLen = 64;
        const auto late = someSelection(in.config).rbegin()->first;
        in.selection = {{late, {0}}};
        QVERIFY(planMemory(in).activationBytes < base);
    }

    // The structure of the activation estimate (estimateActivations in MemoryPlan.cpp): with
    // recomputation each layer from the first trainable one keeps its input only (B·T·H in the
    // compute dtype, 10 % more on the CPU), without it a layer keeps far more; the loss's
    // buffers do not depend on it; the CPU's kernel caches come with full routing only (512 MiB
    // + 32 MiB per MoE layer holding frozen experts), in the runtime figure.
    void activationEstimateStructure()
    {
        const auto dir = generated("qwen3_moe", teft::test::workDir() / "models");
        MemoryPlanInput in;
        in.config = ModelConfig::load(dir);
        const auto& c = in.config;
        QCOMPARE(c.moeLayers().size(), std::size_t(3));
        in.device = "cpu";
        in.mode = ExpertMode::Masked;
        in.batchSize = 2;
        in.seqLen = 256;
        in.recompute = true;
        in.selection = {{0, {1}}};
        const auto early = planMemory(in);
        in.selection = {{1, {1}}};
        const auto late = planMemory(in);
        const std::int64_t input = in.batchSize * in.seqLen * c.hiddenSize * 2; // one layer's bf16 input
        QVERIFY2(
            std::abs(early.activationBytes - late.activationBytes - input * 11 / 10) <= 1,
            (std::to_string(early.activationBytes - late.activationBytes) + " vs " + std::to_string(input)).c_str());
        in.recompute = false;
        const auto lateKept = planMemory(in);
        in.selection = {{0, {1}}};
        const auto earlyKept = planMemory(in);
        QVERIFY(earlyKept.activationBytes - lateKept.activationBytes > 4 * input);
        QVERIFY(earlyKept.activationBytes > early.activationBytes);
        QCOMPARE(earlyKept.logitsBytes, early.logitsBytes);
        QCOMPARE(earlyKept.weightBytes, early.weightBytes);

        QCOMPARE(earlyKept.runtimeBytes, std::int64_t{256} << 20); // masked, cpu asked for
        in.mode = ExpertMode::Full;
        const auto full = planMemory(in);
        QCOMPARE(full.runtimeBytes - earlyKept.runtimeBytes, (std::int64_t{512} + 32 * 3) << 20);
    }

    void limitRefusesWithSuggestions()
    {
        const auto dir = generated("qwen3_moe", teft::test::workDir() / "models");
        MemoryPlanInput in;
        in.config = ModelConfig::load(dir);
        in.selection = someSelection(in.config);
        in.batchSize = 8;
        in.seqLen = 256;
        const auto unlimited = planMemory(in);
        in.mode = ExpertMode::Masked;
        const auto masked = planMemory(in);
        QVERIFY(masked.totalBytes() < unlimited.totalBytes());
        // Between the masked and the full total: masked routing fits.
        in.mode = ExpertMode::Full;
        in.memoryLimit = (masked.totalBytes() + unlimited.totalBytes()) / 2;
        const auto refused = planMemory(in);
        QVERIFY(!refused.fits());
        QVERIFY(refused.availableIsLimit);
        QCOMPARE(refused.availableBytes, in.memoryLimit);
        QVERIFY(!refused.suggestions.empty());
        QVERIFY2(refused.suggestions.front().find("masked routing") == 0, refused.suggestions.front().c_str());
        QVERIFY(refused.suggestions.front().find("(fits)") != std::string::npos);
        const bool batch = std::any_of(refused.suggestions.begin(), refused.suggestions.end(),
                                       [](const std::string& s) { return s.find("batch size") == 0; });
        QVERIFY(batch);
        const auto msg = refused.refusal();
        QVERIFY(msg.find("needs about " + formatBytes(refused.totalBytes()) + " on cpu") != std::string::npos);
        QVERIFY(msg.find("memory limit") != std::string::npos);
        QVERIFY(msg.find("masked routing") != std::string::npos);
        QVERIFY(refused.text().find("does NOT fit") != std::string::npos);
        QCOMPARE(refused.toJson().at("fits").get<bool>(), false);
        in.memoryLimit = unlimited.totalBytes();
        QVERIFY(planMemory(in).fits());
    }

    // Offload (--offload): the plan's device figure (two layers' slots) and host figure equal what
    // the loaded model holds with its frozen experts streamed (the same path as on CUDA, run on
    // the CPU by MoeModelOptions::offloadOnCpu), full and masked.
    void offloadMatchesTheLoadedModel_data() { weightsMatchTheLoadedModel_data(); }

    void offloadMatchesTheLoadedModel()
    {
        QFETCH(QString, arch);
        const auto dir = generated(arch.toStdString(), teft::test::workDir() / "models");
        const auto cfg = ModelConfig::load(dir);
        for (auto mode : {ExpertMode::Full, ExpertMode::Masked}) {
            MoeModelOptions opt;
            opt.mode = mode;
            opt.selection = someSelection(cfg);
            opt.offloadFrozenExperts = true;
            opt.offloadOnCpu = true;
            const auto mem = MoeModel::load(dir, opt)->memory();
            MemoryPlanInput in;
            in.config = cfg;
            in.selection = opt.selection;
            in.mode = mode;
            in.offloadFrozenExperts = true;
            in.offloadOnCpu = true;
            const auto plan = planMemory(in);
            in.offloadFrozenExperts = false;
            const auto resident = planMemory(in);
            const auto what = arch.toStdString() + " " + expertModeName(mode);
            QVERIFY2(plan.weightBytes == mem.weightBytes, (what + ": plan " + std::to_string(plan.weightBytes) +
                                                           " vs model " + std::to_string(mem.weightBytes))
                                                              .c_str());
            QVERIFY2(plan.offloadedBytes == mem.offloadedBytes,
                     (what + ": plan " + std::to_string(plan.offloadedBytes) + " vs model " +
                      std::to_string(mem.offloadedBytes))
                         .c_str());
            QCOMPARE(plan.stagingBytes, mem.stagingBytes);
            // Everything frozen moved to the host; two layers' worth came back as device slots.
            QCOMPARE(plan.offloadedBytes, resident.frozenExpertBytes);
            QCOMPARE(plan.hubBytes, resident.hubBytes);
            const auto expert = 3 * cfg.hiddenSize * cfg.expertIntermediate * 2;
            const auto perLayer = cfg.numExperts * expert; // a layer without a selection
            QVERIFY(plan.frozenExpertBytes <= 2 * perLayer);
            QCOMPARE(plan.totalBytes(), resident.totalBytes() - resident.frozenExpertBytes + plan.frozenExpertBytes);
            // (deepseek's tiny preset has two MoE layers: masked routing then holds no frozen expert.)
            QVERIFY2((plan.offloadedBytes > 0) == (plan.text().find("in host memory") != std::string::npos),
                     plan.text().c_str());
            QCOMPARE(plan.toJson().at("offloaded_bytes").get<std::int64_t>(), plan.offloadedBytes);
        }
    }

    // A full-routing job that does not fit is offered the offload with its total where the engine
    // can do it (canOffload: CUDA devices); one that does not fit even so says so. On the CPU the
    // flag counts nothing (the engine's offload is a no-op there).
    void offloadIsSuggestedWhereItHelps()
    {
        const auto dir = generated("qwen3_moe", teft::test::workDir() / "models");
        MemoryPlanInput in;
        in.config = ModelConfig::load(dir);
        in.selection = {{in.config.moeLayers().back(), {1}}};
        in.offloadOnCpu = true;
        const auto full = planMemory(in);
        QVERIFY(full.suggestions.empty());
        auto o = in;
        o.offloadFrozenExperts = true;
        const auto offloaded = planMemory(o);
        QVERIFY(offloaded.offloadedBytes > 0);
        QVERIFY(offloaded.totalBytes() < full.totalBytes());

        in.canOffload = true;
        in.memoryLimit = offloaded.totalBytes();
        auto refused = planMemory(in);
        QVERIFY(!refused.fits());
        auto it = std::find_if(refused.suggestions.begin(), refused.suggestions.end(),
                               [](const std::string& s) { return s.find("offloading the frozen experts") == 0; });
        QVERIFY2(it != refused.suggestions.end(), refused.text().c_str());
        QVERIFY2(it->find(formatBytes(offloaded.totalBytes()) + " (fits)") != std::string::npos, it->c_str());
        QVERIFY2(it->find("--offload") != std::string::npos, it->c_str());
        QVERIFY(refused.refusal().find("offloading the frozen experts") != std::string::npos);

        in.memoryLimit = offloaded.totalBytes() - 1; // not even with the offload
        refused = planMemory(in);
        it = std::find_if(refused.suggestions.begin(), refused.suggestions.end(),
                          [](const std::string& s) { return s.find("offloading the frozen experts") == 0; });
        QVERIFY(it != refused.suggestions.end());
        QVERIFY2(it->find(formatBytes(offloaded.totalBytes()) + " (still too much)") != std::string::npos, it->c_str());

        // Without canOffload (the CPU): no such suggestion; the flag alone counts nothing there.
        in.canOffload = false;
        refused = planMemory(in);
        QVERIFY(std::none_of(refused.suggestions.begin(), refused.suggestions.end(),
                             [](const std::string& s) { return s.find("offloading") == 0; }));
        o.offloadOnCpu = false;
        const auto cpu = planMemory(o);
        QCOMPARE(cpu.offloadedBytes, std::int64_t{0});
        QCOMPARE(cpu.totalBytes(), full.totalBytes());
    }

    void byteSizes()
    {
        QCOMPARE(parseByteSize("1024"), std::int64_t{1024});
        QCOMPARE(parseByteSize("8G"), std::int64_t{8} << 30);
        QCOMPARE(parseByteSize("1.5GiB"), std::int64_t{3} << 29);
        QCOMPARE(parseByteSize("512m"), std::int64_t{512} << 20);
        QVERIFY_THROWS_EXCEPTION(UsageError, parseByteSize("lots"));
        QVERIFY_THROWS_EXCEPTION(UsageError, parseByteSize("-3G"));
        QCOMPARE(formatBytes(1536), std::string("1.50 KiB"));
        QCOMPARE(formatBytes(100), std::string("100 B"));
    }

    void trainMinerRefusesBeforeLoading()
    {
        const auto out = runFixture().root / "refused";
        const auto before = trainJobs().size();
        MemoryGate gate;
        gate.memoryLimit = 1 << 20; // 1 MiB: nothing fits
        gate.overrideHint = " (override hint)";
        JobControl control;
        try {
            trainMiner(minerSettings(out), control, {}, gate);
            QFAIL("a job over the memory limit was started");
        } catch (const Error& e) {
            QCOMPARE(e.kind(), ErrorKind::OutOfMemory);
            const std::string msg = e.what();
            QVERIFY2(msg.find("needs about") != std::string::npos, msg.c_str());
            QVERIFY(msg.find("1.00 MiB is the memory limit") != std::string::npos);
            QVERIFY(msg.find("(override hint)") != std::string::npos);
        }
        // Refused before anything was loaded, and recorded as a failed train job with the refusal.
        const auto jobs = trainJobs();
        QCOMPARE(jobs.size(), before + 1);
        QCOMPARE(jobs.front().state, JobStore::JobState::Failed); // newest first
        QCOMPARE(jobs.front().errorKind, std::string("out-of-memory"));
        QVERIFY(jobs.front().error.find("1.00 MiB is the memory limit") != std::string::npos);
        QVERIFY(!fs::exists(out / "checkpoint"));
    }

    void outOfMemoryStopsCleanlyAndResumes()
    {
        const auto out = runFixture().root / "oom";
        auto s = minerSettings(out);
        JobControl control;
        // TEST HOOK (MinerJob.cpp): inner step 3 throws std::bad_alloc from its forward pass.
        qputenv("TEFT_TEST_FAULT_OOM_AT_STEP", "3");
        try {
            trainMiner(s, control);
            qunsetenv("TEFT_TEST_FAULT_OOM_AT_STEP");
            QFAIL("the injected out-of-memory error did not stop the job");
        } catch (const Error& e) {
            qunsetenv("TEFT_TEST_FAULT_OOM_AT_STEP");
            QCOMPARE(e.kind(), ErrorKind::OutOfMemory);
            QCOMPARE(errorKindOf(e), ErrorKind::OutOfMemory);
            const std::string msg = e.what();
            QVERIFY2(msg.find("Out of memory on cpu at inner step 3 of 4") == 0, msg.c_str());
            QVERIFY(msg.find("last checkpoint (step 2)") != std::string::npos);
            QVERIFY(msg.find("Resume") != std::string::npos);
            QVERIFY(msg.find("smaller batch size") != std::string::npos);
        }
        auto jobs = trainJobs();
        QVERIFY(!jobs.empty());
        const auto failed = jobs.front(); // newest first
        QCOMPARE(failed.state, JobStore::JobState::Failed);
        QCOMPARE(failed.errorKind, std::string("out-of-memory"));
        QVERIFY(failed.error.find("Out of memory") == 0);
        QVERIFY(fs::exists(out / "checkpoint" / "checkpoint.json"));

        // The same settings again: resumes from the kept checkpoint and completes.
        const auto r = trainMiner(s, control);
        QCOMPARE(r.training.resumedFromStep, std::int64_t{2});
        QCOMPARE(r.training.steps, std::int64_t{4});
        QVERIFY(fs::exists(r.submissionDir / "manifest.json"));
        jobs = trainJobs();
        QCOMPARE(jobs.front().state, JobStore::JobState::Succeeded);
        QCOMPARE(jobs.front().errorKind, std::string());
    }
};

QTEST_GUILESS_MAIN(TestMemoryPlan)
#include "test_memory_plan.moc"
