// Activation recomputation on a GPU: the same loss, routing and gradients of the trainable
// experts as the plain backward pass on the same model and batch (full and masked routing, with
// the load-balancing loss, fp32 and bf16, scaled-dot-product attention and grouped expert GEMMs),
// and a lower peak of LibTorch's CUDA allocator over a training step. Without a GPU the whole
// test reports SKIP (label `cuda`); scripts/gpu-check.sh runs it where one is.
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/util/CudaBackend.h"
#include "core/util/Runtime.h"
#include "support/RecomputeCheck.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {

const std::string kGpu = "cuda:0";

fs::path generated(const std::string& arch, torch::ScalarType dtype, const std::string& preset = "tiny")
{
    const auto dir = test::workDir() / "models" / (arch + "-" + preset + "-" + dtypeName(dtype));
    if (!fs::exists(dir / "config.json")) {
        GenerateOptions o;
        o.arch = arch;
        o.preset = preset;
        o.seed = 29;
        o.dtype = dtype;
        generateCheckpoint(dir, o);
    }
    return dir;
}

ModelBatch batch(std::int64_t vocab, std::int64_t rows, std::int64_t tokens, bool padded)
{
    torch::manual_seed(4);
    ModelBatch b;
    b.inputIds = torch::randint(0, std::min<std::int64_t>(vocab, 259), {rows, tokens}, torch::kLong);
    b.attentionMask = torch::ones({rows, tokens}, torch::kLong);
    if (padded && rows > 1)
        b.attentionMask[1].narrow(0, tokens / 2, tokens - tokens / 2).fill_(0);
    return b;
}

std::unique_ptr<MoeModel> load(const fs::path& dir, torch::ScalarType dtype, ExpertMode mode,
                               std::map<int, std::vector<int>> sel)
{
    MoeModelOptions o;
    o.device = kGpu;
    o.computeDtype = dtype;
    o.mode = mode;
    o.selection = std::move(sel);
    return MoeModel::load(dir, o);
}

} // namespace

class TestCudaRecompute : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        configureThreads(0);
        if (!cudaAvailable())
            QSKIP(("no CUDA GPU here (" + cudaBackend().message + "): recomputation on a GPU is tested where one is")
                      .c_str());
    }

    void sameLossAndGradients()
    {
        for (const std::string arch : {"qwen3_moe", "qwen2_moe", "deepseek_v3"}) {
            for (bool bf16 : {false, true}) {
                const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat;
                const auto dir = generated(arch, dtype);
                const auto cfg = ModelConfig::load(dir);
                const auto moe = cfg.moeLayers();
                std::map<int, std::vector<int>> sel{{moe.back(), {1, 4}}};
                sel[moe.front()].push_back(0);
                const auto b = batch(cfg.vocabSize, 3, 17, true);
                for (ExpertMode mode : {ExpertMode::Full, ExpertMode::Masked}) {
                    auto m = load(dir, dtype, mode, sel);
                    const std::string what = arch + (bf16 ? " bf16 " : " fp32 ") + expertModeName(mode);
                    const auto plain = test::trainingPass(*m, b, false, 0.1);
                    const auto recomputed = test::trainingPass(*m, b, true, 0.1);
                    // The same kernels run on the same input; only the GPU's atomics may sum in
                    // another order (and, in bf16, flip a near-tie of the routing downstream).
                    const auto diff = test::differences(recomputed, plain, bf16 ? 3e-2 : 1e-4, !bf16);
                    QVERIFY2(diff.empty(), (what + ": " + diff).c_str());
                }
            }
        }
    }

    // A training step's peak on the GPU: recomputation keeps one layer's activations instead of
    // all of them.
    void lowerPeakOnTheGpu()
    {
        const auto dir = generated("qwen3_moe", torch::kBFloat16, "small");
        const auto cfg = ModelConfig::load(dir);
        std::map<int, std::vector<int>> sel{{cfg.moeLayers().front(), {0, 1}}};
        auto m = load(dir, torch::kBFloat16, ExpertMode::Full, sel);
        const auto b = batch(cfg.vocabSize, 4, 1024, false);
        std::int64_t peaks[2] = {0, 0};
        for (bool recompute : {false, true}) {
            torch::cuda::synchronize();
            const auto base = cudaAllocatedBytes(0);
            cudaPeakAllocatedBytes(0, /*reset=*/true);
            test::trainingPass(*m, b, recompute, 0.0);
            torch::cuda::synchronize();
            peaks[recompute ? 1 : 0] = cudaPeakAllocatedBytes(0) - base;
        }
        QVERIFY2(peaks[1] < peaks[0] * 6 / 10, ("peak with recomputation " + std::to_string(peaks[1] >> 20) +
                                                " MiB, without " + std::to_string(peaks[0] >> 20) + " MiB")
                                                   .c_str());
    }
};

QTEST_APPLESS_MAIN(TestCudaRecompute)
#include "test_cuda_recompute.moc"
