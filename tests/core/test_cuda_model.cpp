// The model engine on a GPU against the same engine on the CPU, on generated checkpoints of every
// family: forward (logits, loss, load-balancing loss, routing), routing capture, bf16 compute,
// gradients of the selected experts and an optimizer step in both expert modes (frozen tensors
// bit for bit unchanged on the GPU too), the loss going down over a few AdamW steps, and the
// weights living on the device, and the offload of frozen experts (--offload) training as the
// resident model does with less device memory. Without a GPU the whole test reports SKIP (CTest's
// SKIP_REGULAR_EXPRESSION on initTestCase, label `cuda`); scripts/gpu-check.sh runs it where one is.
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/util/CudaBackend.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <set>

using namespace teft;
namespace fs = std::filesystem;

namespace {

const std::string kGpu = "cuda:0";

fs::path generated(const std::string& arch, torch::ScalarType dtype = torch::kFloat, bool fused = false)
{
    const auto dir = test::workDir() / "models" / (arch + "-" + dtypeName(dtype) + (fused ? "-fused" : ""));
    static std::set<std::string> made; // regenerated once per run, never stale
    if (made.insert(dir.string()).second) {
        fs::remove_all(dir);
        GenerateOptions o;
        o.arch = arch;
        o.seed = 17;
        o.dtype = dtype;
        o.fusedExperts = fused;
        generateCheckpoint(dir, o);
    }
    return dir;
}

ModelBatch batch(std::int64_t vocab)
{
    torch::manual_seed(5);
    ModelBatch b;
    b.inputIds = torch::randint(0, std::min<std::int64_t>(vocab, 259), {3, 11}, torch::kLong);
    b.attentionMask = torch::ones({3, 11}, torch::kLong);
    b.attentionMask[1].narrow(0, 7, 4).fill_(0);
    b.attentionMask[2].narrow(0, 5, 6).fill_(0);
    return b;
}

ModelBatch onDevice(const ModelBatch& b, const torch::Device& d)
{
    ModelBatch c;
    c.inputIds = b.inputIds.to(d);
    c.attentionMask = b.attentionMask.to(d);
    return c;
}

std::unique_ptr<MoeModel> load(const fs::path& dir, const std::string& device, torch::ScalarType dtype = torch::kFloat,
                               ExpertMode mode = ExpertMode::Full, std::map<int, std::vector<int>> sel = {})
{
    MoeModelOptions o;
    o.device = device;
    o.computeDtype = dtype;
    o.mode = mode;
    o.selection = std::move(sel);
    return MoeModel::load(dir, o);
}

ForwardResult run(MoeModel& m, const ModelBatch& b)
{
    ForwardOptions fo;
    fo.logits = true;
    fo.auxLoss = true;
    fo.routing = true;
    return m.forward(onDevice(b, m.device()), fo);
}

double relRms(const torch::Tensor& a, const torch::Tensor& ref)
{
    const auto d = (a.cpu().to(torch::kDouble) - ref.cpu().to(torch::kDouble));
    return (d.pow(2).mean().sqrt() / ref.cpu().to(torch::kDouble).pow(2).mean().sqrt().clamp_min(1e-30)).item<double>();
}

// Relative RMS difference of the logits at every real position before the first one whose expert
// choice differs between the two runs (a near-tie that rounding flips changes that token's path;
// causal attention keeps earlier positions unaffected); `compared` gets how many positions that
// was, out of `real`.
double logitsDifference(const ForwardResult& a, const ForwardResult& ref, const ModelBatch& b, std::int64_t& compared,
                        std::int64_t& real)
{
    const auto lengths = b.attentionMask.sum(1);
    std::vector<torch::Tensor> diffs, refs;
    compared = 0;
    real = lengths.sum().item<std::int64_t>();
    for (std::int64_t row = 0; row < b.inputIds.size(0); ++row) {
        std::int64_t upTo = lengths[row].item<std::int64_t>();
        for (std::size_t l = 0; l < ref.routing.size(); ++l) {
            const auto ia = std::get<0>(a.routing[l].ids[row].cpu().sort(-1));
            const auto ir = std::get<0>(ref.routing[l].ids[row].cpu().sort(-1));
            const auto differs = ia.ne(ir).any(-1).nonzero();
            if (differs.numel() > 0)
                upTo = std::min(upTo, differs[0][0].item<std::int64_t>());
        }
        compared += upTo;
        if (upTo == 0)
            continue;
        diffs.push_back((a.logits[row].cpu() - ref.logits[row].cpu()).narrow(0, 0, upTo).reshape(-1));
        refs.push_back(ref.logits[row].cpu().narrow(0, 0, upTo).reshape(-1));
    }
    if (diffs.empty())
        return 1.0;
    const auto diff = torch::cat(diffs).to(torch::kDouble), r = torch::cat(refs).to(torch::kDouble);
    return (diff.pow(2).mean().sqrt() / r.pow(2).mean().sqrt()).item<double>();
}

} // namespace

class TestCudaModel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        configureThreads(0);
        if (!cudaAvailable())
            QSKIP(("no CUDA GPU here (" + cudaBackend().message + "): the engine's GPU path is tested where one is")
                      .c_str());
    }

    // fp32 compute: the GPU gives the CPU's logits, losses and expert choices, for every family,
    // per-expert and fused checkpoints; the routing capture agrees with the forward pass there.
    void forwardMatchesCpu()
    {
        std::vector<std::pair<std::string, bool>> cases;
        for (const auto& arch : ModelConfig::supportedModelTypes())
            cases.emplace_back(arch, false);
        cases.emplace_back("qwen3_moe", true);
        for (const auto& [arch, fused] : cases) {
            const std::string what = arch + (fused ? " (fused)" : "");
            const auto dir = generated(arch, torch::kFloat, fused);
            auto cpu = load(dir, "cpu");
            auto gpu = load(dir, kGpu);
            QVERIFY2(gpu->device().is_cuda(), what.c_str());
            const auto b = batch(cpu->config().vocabSize);
            const auto rc = run(*cpu, b), rg = run(*gpu, b);
            std::int64_t compared = 0, real = 0;
            const double diff = logitsDifference(rg, rc, b, compared, real);
            QVERIFY2(compared * 4 >= real * 3, (what + ": routing differs too early, compared " +
                                                std::to_string(compared) + " of " + std::to_string(real))
                                                   .c_str());
            QVERIFY2(diff < 5e-3, (what + ": logits relative RMS " + std::to_string(diff)).c_str());
            const double lc = rc.loss.item<double>(), lg = rg.loss.item<double>();
            QVERIFY2(std::abs(lc - lg) < 2e-3 * lc,
                     (what + ": loss " + std::to_string(lg) + " vs " + std::to_string(lc)).c_str());
            const double ac = rc.auxLoss.item<double>(), ag = rg.auxLoss.item<double>();
            QVERIFY2(std::abs(ac - ag) < 1e-2 * ac,
                     (what + ": aux " + std::to_string(ag) + " vs " + std::to_string(ac)).c_str());
            QCOMPARE(rg.targetTokens, rc.targetTokens);

            const auto cap = gpu->captureRouting(onDevice(b, gpu->device()));
            QCOMPARE(cap.size(), rg.routing.size());
            for (std::size_t i = 0; i < cap.size(); ++i) {
                QVERIFY2(torch::equal(cap[i].ids.cpu(), rg.routing[i].ids.cpu()), what.c_str());
                QVERIFY(cap[i].ids[2].narrow(0, 5, 6).eq(-1).all().item<bool>()); // padding marked
            }
        }
    }

    // bf16 compute on the GPU against fp32 on the CPU (same bf16 weights): within 3 % relative
    // RMS on the logits and 5 % on the loss.
    void bf16OnGpuAgreesWithFp32OnCpu()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto dir = generated(arch, torch::kBFloat16);
            auto cpu = load(dir, "cpu", torch::kFloat);
            auto gpu = load(dir, kGpu, torch::kBFloat16);
            const auto b = batch(cpu->config().vocabSize);
            const auto rc = run(*cpu, b), rg = run(*gpu, b);
            std::int64_t compared = 0, real = 0;
            const double diff = logitsDifference(rg, rc, b, compared, real);
            QVERIFY2(compared * 2 >= real, (arch + ": routing differs too early").c_str());
            QVERIFY2(diff < 0.03, (arch + ": logits relative RMS " + std::to_string(diff)).c_str());
            const double lc = rc.loss.item<double>(), lg = rg.loss.item<double>();
            QVERIFY2(std::abs(lc - lg) < 0.05 * lc,
                     (arch + ": loss " + std::to_string(lg) + " vs " + std::to_string(lc)).c_str());
        }
    }

    // Gradients of the selected experts match the CPU's; one SGD step moves exactly the selected
    // experts, by the same amounts; every other tensor stays bit for bit what it was.
    void gradientsAndStepMatchCpu()
    {
        for (const std::string arch : {"qwen3_moe", "mixtral", "deepseek_v3"}) {
            for (ExpertMode mode : {ExpertMode::Full, ExpertMode::Masked}) {
                const std::string what = arch + " " + expertModeName(mode);
                const auto dir = generated(arch, torch::kFloat);
                const auto cfg = ModelConfig::load(dir);
                std::map<int, std::vector<int>> sel{{cfg.moeLayers().back(), {1, 4}}};
                if (cfg.moeLayers().size() > 1)
                    sel[cfg.moeLayers().front()] = {2};
                const std::size_t tensors = 3 * (sel.size() == 2 ? 3 : 2); // gate, up, down per expert
                auto cpu = load(dir, "cpu", torch::kFloat, mode, sel);
                auto gpu = load(dir, kGpu, torch::kFloat, mode, sel);
                const auto before = gpu->exportState();
                const auto b = batch(cfg.vocabSize);
                std::map<std::string, torch::Tensor> gradCpu;
                std::vector<torch::Tensor> leavesGpu;
                for (auto* m : {cpu.get(), gpu.get()}) {
                    ForwardOptions fo;
                    fo.auxLoss = true;
                    const auto r = m->forward(onDevice(b, m->device()), fo);
                    (r.loss + cfg.routerAuxLossCoef * r.auxLoss).backward();
                }
                const auto pc = cpu->trainableParameters(), pg = gpu->trainableParameters();
                QCOMPARE(pg.size(), pc.size());
                QCOMPARE(pg.size(), tensors);
                for (std::size_t i = 0; i < pc.size(); ++i) {
                    QCOMPARE(pg[i].first, pc[i].first);
                    QVERIFY2(pg[i].second.is_cuda() && pg[i].second.scalar_type() == torch::kFloat,
                             pg[i].first.c_str());
                    QVERIFY2(pg[i].second.grad().defined(), (what + ": no gradient for " + pg[i].first).c_str());
                    const double d = relRms(pg[i].second.grad(), pc[i].second.grad());
                    QVERIFY2(d < 5e-3,
                             (what + ": gradient of " + pg[i].first + " differs by " + std::to_string(d)).c_str());
                    leavesGpu.push_back(pg[i].second);
                }
                torch::optim::SGD sgd(leavesGpu, torch::optim::SGDOptions(0.5));
                sgd.step();
                const auto after = gpu->exportState();
                QCOMPARE(after.size(), before.size());
                std::map<std::string, std::size_t> trainable;
                for (std::size_t i = 0; i < pc.size(); ++i)
                    trainable[pc[i].first] = i;
                int changed = 0;
                for (std::size_t i = 0; i < before.size(); ++i) {
                    QCOMPARE(after[i].first, before[i].first);
                    const auto it = trainable.find(before[i].first);
                    if (it == trainable.end()) {
                        QVERIFY2(torch::equal(after[i].second, before[i].second),
                                 (what + ": frozen tensor changed on the GPU: " + before[i].first).c_str());
                        continue;
                    }
                    ++changed;
                    // The step the CPU's gradient predicts.
                    const auto expected = before[i].second.to(torch::kFloat) - 0.5 * pc[it->second].second.grad().cpu();
                    const double d = relRms(after[i].second.to(torch::kFloat) - before[i].second.to(torch::kFloat),
                                            expected - before[i].second.to(torch::kFloat));
                    QVERIFY2(d < 1e-2,
                             (what + ": step of " + before[i].first + " differs by " + std::to_string(d)).c_str());
                }
                QCOMPARE(changed, static_cast<int>(tensors));
            }
        }
    }

    // A few AdamW steps in bf16 on the GPU lower the loss on the batch they train on.
    void adamwLowersTheLossOnGpu()
    {
        const auto dir = generated("qwen3_moe", torch::kBFloat16);
        const auto cfg = ModelConfig::load(dir);
        std::map<int, std::vector<int>> sel;
        for (int l : cfg.moeLayers())
            sel[l] = {0, 1, 2, 3};
        auto m = load(dir, kGpu, torch::kBFloat16, ExpertMode::Full, sel);
        std::vector<torch::Tensor> leaves;
        for (const auto& [name, t] : m->trainableParameters())
            leaves.push_back(t);
        torch::optim::AdamW opt(leaves, torch::optim::AdamWOptions(1e-2).weight_decay(0.0));
        const auto b = onDevice(batch(cfg.vocabSize), m->device());
        std::vector<double> losses;
        for (int step = 0; step < 6; ++step) {
            ForwardOptions fo;
            fo.auxLoss = true;
            const auto r = m->forward(b, fo);
            (r.loss + cfg.routerAuxLossCoef * r.auxLoss).backward();
            opt.step();
            opt.zero_grad();
            losses.push_back(r.loss.item<double>());
            QVERIFY(std::isfinite(losses.back()));
        }
        QVERIFY2(losses.back() < losses.front() - 0.05,
                 ("loss " + std::to_string(losses.front()) + " -> " + std::to_string(losses.back())).c_str());
    }

    // Offload (--offload) on the GPU: the frozen experts stream from host memory through two
    // device slots on their own stream (core/model/ExpertOffload.h). Three AdamW steps in bf16
    // with a held-out pass between them give the resident run's losses, gradients and weights (the
    // same operations; on the CPU, test_expert_offload, bit for bit; CUDA's atomics reorder sums),
    // and the run's peak device memory (the caching allocator's) is lower by about the frozen
    // experts it no longer holds.
    void offloadedTrainingMatchesResidentOnGpu()
    {
        const auto dir = test::workDir() / "models" / "qwen3_moe-small-bf16";
        if (!fs::exists(dir / "config.json")) {
            GenerateOptions o;
            o.arch = "qwen3_moe";
            o.preset = "small"; // 6 MoE layers of 32 experts: 12 MiB of frozen experts per layer
            o.seed = 17;
            o.dtype = torch::kBFloat16;
            generateCheckpoint(dir, o);
        }
        const auto cfg = ModelConfig::load(dir);
        const auto moe = cfg.moeLayers();
        const std::map<int, std::vector<int>> sel{{moe[moe.size() / 2], {1, 6}}, {moe.back(), {2}}};
        struct Run {
            std::vector<double> losses;
            std::vector<torch::Tensor> grads, weights;
            std::int64_t peak = 0, weightBytes = 0, offloadedBytes = 0;
        };
        auto trainOn = [&](bool offload) {
            Run r;
            cudaEmptyCache();
            const std::int64_t base = cudaAllocatedBytes(0);
            cudaPeakAllocatedBytes(0, /*reset=*/true);
            {
                MoeModelOptions o;
                o.device = kGpu;
                o.computeDtype = torch::kBFloat16;
                o.selection = sel;
                o.offloadFrozenExperts = offload;
                auto m = MoeModel::load(dir, o);
                const auto mem = m->memory();
                r.weightBytes = mem.weightBytes;
                r.offloadedBytes = mem.offloadedBytes;
                std::vector<torch::Tensor> leaves;
                for (const auto& [name, t] : m->trainableParameters())
                    leaves.push_back(t);
                torch::optim::AdamW opt(leaves, torch::optim::AdamWOptions(2e-3).weight_decay(0.0));
                torch::manual_seed(5);
                ModelBatch b;
                b.inputIds = torch::randint(0, 259, {4, 64}, torch::kLong).to(m->device());
                for (int step = 0; step < 3; ++step) {
                    ForwardOptions fo;
                    fo.auxLoss = true;
                    const auto out = m->forward(b, fo);
                    (out.loss + cfg.routerAuxLossCoef * out.auxLoss).backward();
                    r.losses.push_back(out.loss.item<double>());
                    if (step == 0)
                        for (const auto& t : leaves)
                            r.grads.push_back(t.grad().cpu());
                    opt.step();
                    opt.zero_grad();
                    torch::NoGradGuard noGrad;
                    r.losses.push_back(m->forward(b).loss.item<double>());
                }
                for (const auto& t : leaves)
                    r.weights.push_back(t.detach().cpu());
                r.peak = cudaPeakAllocatedBytes(0) - base;
            }
            return r;
        };
        const auto resident = trainOn(false);
        const auto streamed = trainOn(true);
        QCOMPARE(resident.offloadedBytes, std::int64_t{0});
        QVERIFY(streamed.offloadedBytes > 0);
        const std::int64_t saved = resident.weightBytes - streamed.weightBytes;
        QVERIFY2(saved > 0, std::to_string(saved).c_str());
        for (std::size_t i = 0; i < resident.losses.size(); ++i)
            QVERIFY2(std::abs(streamed.losses[i] - resident.losses[i]) < 5e-3 * resident.losses[i],
                     ("loss " + std::to_string(i) + ": " + std::to_string(streamed.losses[i]) + " vs " +
                      std::to_string(resident.losses[i]))
                         .c_str());
        QVERIFY(resident.losses.back() < resident.losses.front());
        QCOMPARE(streamed.grads.size(), resident.grads.size());
        for (std::size_t i = 0; i < resident.grads.size(); ++i) {
            const double dg = relRms(streamed.grads[i], resident.grads[i]);
            QVERIFY2(dg < 2e-2, ("gradient " + std::to_string(i) + " differs by " + std::to_string(dg)).c_str());
            const double dw = relRms(streamed.weights[i], resident.weights[i]);
            QVERIFY2(dw < 2e-2, ("weights " + std::to_string(i) + " differ by " + std::to_string(dw)).c_str());
        }
        const std::string peaks = "peak " + std::to_string(streamed.peak) + " vs " + std::to_string(resident.peak) +
                                  " resident";
        qInfo("offload: %s, %lld bytes of frozen experts in host memory", peaks.c_str(),
              static_cast<long long>(streamed.offloadedBytes));
        QVERIFY2(resident.peak > 0 && streamed.peak > 0, peaks.c_str());
        QVERIFY2(streamed.peak < resident.peak - saved / 2, peaks.c_str());
    }

    // The weights and the trainable state live on the GPU; the memory goes back when the model
    // is released.
    void weightsLiveOnTheDevice()
    {
        const auto dir = generated("olmoe", torch::kBFloat16);
        const std::int64_t baseline = cudaAllocatedBytes(0);
        {
            auto m = load(dir, kGpu, torch::kBFloat16, ExpertMode::Full, {{1, {3}}});
            const ModelMemory mem = m->memory();
            QVERIFY(mem.isCuda);
            QVERIFY2(mem.deviceAllocated >= mem.weightBytes / 2, std::to_string(mem.deviceAllocated).c_str());
            QVERIFY(mem.deviceTotal > 0 && mem.deviceFree > 0 && mem.deviceFree <= mem.deviceTotal);
            QVERIFY(m->embedding().is_cuda() && m->lmHead().is_cuda());
            QVERIFY(cudaAllocatedBytes(0) > baseline);
        }
        QVERIFY2(cudaAllocatedBytes(0) <= baseline + (1 << 20),
                 ("allocated " + std::to_string(cudaAllocatedBytes(0)) + " after release, " + std::to_string(baseline) +
                  " before")
                     .c_str());
    }
};

QTEST_APPLESS_MAIN(TestCudaModel)
#include "test_cuda_model.moc"
