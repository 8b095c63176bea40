// Activation recomputation (MoeModelOptions::recompute, `teft train --recompute`): the same
// loss, load-balancing loss, routing and gradients of the trainable experts as the plain backward
// pass on the same model and batch, for every family (shared experts: qwen2_moe with its gate,
// deepseek_v2/v3; multi-head latent attention; deepseek_v3's sigmoid routing), full and masked
// routing, with and without the load-balancing loss, with padding, fp32 (tight) and bf16
// (loose), the engine's kernels and LibTorch's (the CUDA path), with the frozen experts
// offloaded too; InnerTrainer's AdamW steps end on the same weights; the miner settings carry it
// without making it part of the run; the memory plan counts it and suggests it.
#include "core/model/Blocks.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/train/InnerTrainer.h"
#include "core/train/MemoryPlan.h"
#include "core/train/MinerJob.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/RecomputeCheck.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <set>

using namespace teft;
namespace fs = std::filesystem;

namespace {

fs::path generated(const std::string& arch, torch::ScalarType dtype)
{
    const auto dir = test::workDir() / "models" / (arch + "-" + dtypeName(dtype));
    static std::set<std::string> made; // regenerated once per run, never stale
    if (made.insert(dir.string()).second) {
        fs::remove_all(dir);
        GenerateOptions o;
        o.arch = arch;
        o.seed = 23;
        o.dtype = dtype;
        generateCheckpoint(dir, o);
    }
    return dir;
}

ModelBatch paddedBatch(std::int64_t vocab)
{
    torch::manual_seed(7);
    ModelBatch b;
    b.inputIds = torch::randint(0, std::min<std::int64_t>(vocab, 259), {3, 13}, torch::kLong);
    b.attentionMask = torch::ones({3, 13}, torch::kLong);
    b.attentionMask[1].narrow(0, 9, 4).fill_(0);
    b.attentionMask[2].narrow(0, 5, 8).fill_(0);
    return b;
}

std::unique_ptr<MoeModel> load(const fs::path& dir, torch::ScalarType dtype, ExpertMode mode,
                               std::map<int, std::vector<int>> sel)
{
    MoeModelOptions o;
    o.computeDtype = dtype;
    o.mode = mode;
    o.selection = std::move(sel);
    return MoeModel::load(dir, o);
}

// Trainable experts in the first and the last MoE layer (every later layer, frozen ones too,
// is then recomputed and carries the input gradient), or in the last one only (the layers
// before it run without a graph).
std::vector<std::map<int, std::vector<int>>> selections(const ModelConfig& c)
{
    const auto moe = c.moeLayers();
    std::map<int, std::vector<int>> early{{moe.back(), {1, 4}}};
    early[moe.front()].push_back(0);
    early[moe.front()].push_back(3);
    return {early, {{moe.back(), {2}}}};
}

} // namespace

class TestRecompute : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { configureThreads(0); }

    void sameLossAndGradients_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<bool>("bf16");
        QTest::addColumn<bool>("library");
        for (const auto& arch : ModelConfig::supportedModelTypes())
            for (bool bf16 : {false, true})
                QTest::newRow((arch + (bf16 ? " bf16" : " fp32")).c_str())
                    << QString::fromStdString(arch) << bf16 << false;
        // LibTorch's kernels (the CUDA path: scaled-dot-product attention, grouped expert GEMMs,
        // whose SwiGLU rounds differently with and without a graph) on the CPU.
        for (const std::string arch : {"qwen3_moe", "deepseek_v3"})
            for (bool bf16 : {false, true})
                QTest::newRow((arch + (bf16 ? " bf16" : " fp32") + " library kernels").c_str())
                    << QString::fromStdString(arch) << bf16 << true;
    }

    void sameLossAndGradients()
    {
        QFETCH(QString, arch);
        QFETCH(bool, bf16);
        QFETCH(bool, library);
        struct Reset {
            ~Reset() { setKernelPath(KernelPath::Auto); }
        } reset;
        setKernelPath(library ? KernelPath::Library : KernelPath::Auto);
        const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat;
        // The forward pass and the recomputation run each layer alike (grad mode on): on the CPU
        // the results are the plain pass's bit for bit; the tolerances leave room for the order
        // of floating-point sums (a GPU's atomics).
        const double tol = bf16 ? 1e-3 : 1e-6;
        const auto dir = generated(arch.toStdString(), dtype);
        const auto cfg = ModelConfig::load(dir);
        const auto b = paddedBatch(cfg.vocabSize);
        for (ExpertMode mode : {ExpertMode::Full, ExpertMode::Masked}) {
            for (const auto& sel : selections(cfg)) {
                auto m = load(dir, dtype, mode, sel);
                for (double auxCoef : {0.0, 0.1}) {
                    const std::string what = expertModeName(mode) + ", " + std::to_string(sel.size()) +
                                             " layers with trainable experts, aux " + std::to_string(auxCoef);
                    const auto plain = test::trainingPass(*m, b, false, auxCoef);
                    const auto recomputed = test::trainingPass(*m, b, true, auxCoef);
                    bool any = false;
                    for (const auto& [name, g] : plain.grads)
                        any = any || (g.defined() && g.abs().max().item<double>() > 0);
                    QVERIFY2(any, (what + ": no gradient at all").c_str());
                    const auto diff = test::differences(recomputed, plain, tol);
                    QVERIFY2(diff.empty(), (what + ": " + diff).c_str());
                }
            }
        }
    }

    // With the frozen experts offloaded (streamed per layer; on the CPU the same path with
    // synchronous copies) the recomputation streams a layer's experts again: the plain pass's
    // results on the same offloaded model, twice over (the streamer's schedule carries over).
    void withOffloadedExperts()
    {
        const auto dir = generated("qwen2_moe", torch::kBFloat16);
        const auto cfg = ModelConfig::load(dir);
        const auto b = paddedBatch(cfg.vocabSize);
        MoeModelOptions o;
        o.computeDtype = torch::kBFloat16;
        o.selection = selections(cfg).front();
        o.offloadFrozenExperts = true;
        o.offloadOnCpu = true;
        auto m = MoeModel::load(dir, o);
        QVERIFY(m->memory().offloadedBytes > 0);
        const auto plain = test::trainingPass(*m, b, false, 0.1);
        for (int pass = 0; pass < 2; ++pass) {
            const auto recomputed = test::trainingPass(*m, b, true, 0.1);
            const auto diff = test::differences(recomputed, plain, 1e-3);
            QVERIFY2(diff.empty(), diff.c_str());
        }
        const auto again = test::trainingPass(*m, b, false, 0.1);
        QVERIFY(test::differences(again, plain, 0.0).empty());
    }

    // The trainer's loop (gradient accumulation, clipping, AdamW) over a few steps ends on the
    // same weights with and without recomputation.
    void innerTrainerEndsOnTheSameWeights()
    {
        const auto dir = generated("qwen2_moe", torch::kFloat);
        const auto cfg = ModelConfig::load(dir);
        const auto sel = selections(cfg).front();
        torch::manual_seed(9);
        const auto rows = torch::randint(0, std::min<std::int64_t>(cfg.vocabSize, 259), {8, 12}, torch::kLong);
        std::vector<std::vector<std::pair<std::string, torch::Tensor>>> finals;
        std::vector<std::vector<double>> losses;
        for (bool recompute : {false, true}) {
            auto m = load(dir, torch::kFloat, ExpertMode::Full, sel);
            m->setRecompute(recompute);
            InnerTrainerSettings s;
            s.innerSteps = 3;
            s.batchSize = 2;
            s.gradAccum = 2;
            s.lr = 1e-2;
            s.warmupSteps = 0;
            s.clipNorm = 0.5;
            InnerTrainer trainer(m->trainableParameters(), {0, 1, 2, 3, 4, 5, 6, 7}, s);
            JobControl control;
            const auto result = trainer.run(InnerTrainer::LossFn([&](const std::vector<std::int64_t>& picked) {
                                                ModelBatch b;
                                                b.inputIds = rows.index_select(0, torch::tensor(picked, torch::kLong));
                                                ForwardOptions fo;
                                                fo.auxLoss = true;
                                                const auto r = m->forward(b, fo);
                                                return r.loss + 0.05 * r.auxLoss;
                                            }),
                                            control);
            losses.push_back(result.losses);
            std::vector<std::pair<std::string, torch::Tensor>> weights;
            for (const auto& [name, p] : m->trainableParameters())
                weights.emplace_back(name, p.detach().clone());
            finals.push_back(std::move(weights));
        }
        QCOMPARE(losses[1].size(), std::size_t(3));
        for (std::size_t i = 0; i < losses[0].size(); ++i)
            QVERIFY2(std::abs(losses[1][i] - losses[0][i]) <= 1e-6 * std::abs(losses[0][i]),
                     ("loss of step " + std::to_string(i + 1)).c_str());
        QCOMPARE(finals[1].size(), finals[0].size());
        for (std::size_t i = 0; i < finals[0].size(); ++i) {
            QCOMPARE(finals[1][i].first, finals[0][i].first);
            const double d = (finals[1][i].second - finals[0][i].second).abs().max().item<double>();
            QVERIFY2(d <= 1e-6, (finals[0][i].first + " differs by " + std::to_string(d)).c_str());
        }
    }

    // Without a graph (evaluation, routing capture) recomputation changes nothing.
    void noGraphIsUntouched()
    {
        const auto dir = generated("deepseek_v3", torch::kFloat);
        const auto cfg = ModelConfig::load(dir);
        auto m = load(dir, torch::kFloat, ExpertMode::Masked, selections(cfg).front());
        const auto b = paddedBatch(cfg.vocabSize);
        torch::NoGradGuard noGrad;
        ForwardOptions fo;
        fo.logits = true;
        fo.auxLoss = true;
        const auto plain = m->forward(b, fo);
        m->setRecompute(true);
        const auto recomputed = m->forward(b, fo);
        QVERIFY(torch::equal(recomputed.logits, plain.logits));
        QVERIFY(torch::equal(recomputed.auxLoss, plain.auxLoss));
        QVERIFY(!recomputed.loss.requires_grad());
        const auto routing = m->captureRouting(b);
        QCOMPARE(routing.size(), cfg.moeLayers().size());
    }

    // The miner's settings carry the switch to the engine and the plan; it is not part of the
    // run's folder key (a run stopped for memory resumes with it).
    void minerSettingsCarryIt()
    {
        const auto dir = generated("qwen3_moe", torch::kBFloat16);
        MinerSettings s;
        s.modelDir = dir;
        s.selection.setLayer(1, {0, 5});
        s.outDir = test::workDir() / "miner";
        s.device = "cpu";
        s.train.batchSize = 4;
        s.dataset = {{"seq_len", 512}};
        QCOMPARE(MinerSettings::fromJson(s.toJson()).recompute, false);
        s.recompute = true;
        auto j = s.toJson();
        QCOMPARE(j.at("recompute").get<bool>(), true);
        QCOMPARE(MinerSettings::fromJson(j).recompute, true);
        j.erase("recompute"); // a job recorded before the setting existed
        QCOMPARE(MinerSettings::fromJson(j).recompute, false);
        j["recompute"] = "yes";
        QVERIFY_THROWS_EXCEPTION(FormatError, MinerSettings::fromJson(j));

        const auto with = planMinerMemory(s);
        s.recompute = false;
        const auto without = planMinerMemory(s);
        QVERIFY2(with.activationBytes < without.activationBytes / 2,
                 (formatBytes(with.activationBytes) + " vs " + formatBytes(without.activationBytes)).c_str());
        QCOMPARE(with.weightBytes, without.weightBytes);
        QCOMPARE(with.logitsBytes, without.logitsBytes);
    }

    // The plan offers recomputation to a job that does not fit, with its total.
    void planSuggestsIt()
    {
        MemoryPlanInput in;
        in.config = ModelConfig::load(generated("qwen3_moe", torch::kBFloat16));
        in.selection = selections(in.config).front();
        in.mode = ExpertMode::Masked;
        in.batchSize = 8;
        in.seqLen = 1024;
        in.device = "cpu";
        const auto plain = planMemory(in);
        in.recompute = true;
        const auto recomputed = planMemory(in);
        QVERIFY(recomputed.totalBytes() < plain.totalBytes());
        in.recompute = false;
        in.memoryLimit = (plain.totalBytes() + recomputed.totalBytes()) / 2;
        const auto refused = planMemory(in);
        QVERIFY(!refused.fits());
        const auto it = std::find_if(refused.suggestions.begin(), refused.suggestions.end(),
                                     [](const std::string& s) { return s.find("activation recomputation") == 0; });
        QVERIFY2(it != refused.suggestions.end(), refused.text().c_str());
        QVERIFY(it->find("--recompute") != std::string::npos);
        QVERIFY2(it->find(formatBytes(recomputed.totalBytes()) + " (fits)") != std::string::npos, it->c_str());
        in.canRecompute = false;
        const auto without = planMemory(in);
        QVERIFY(std::none_of(without.suggestions.begin(), without.suggestions.end(),
                             [](const std::string& s) { return s.find("activation recomputation") == 0; }));
    }
};

QTEST_APPLESS_MAIN(TestRecompute)
#include "test_recompute.moc"
