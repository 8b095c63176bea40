// Per-op timings of the model engine's building blocks at the small preset's sizes (where the
// time of a forward pass goes).
#include "core/io/CheckpointFiles.h"
#include "core/model/Blocks.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeLayer.h"
#include "core/model/MoeModel.h"
#include "core/util/Runtime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <sys/resource.h>

using namespace teft;
using Clock = std::chrono::steady_clock;

// Process CPU time (user + system) in ms: stable on a machine shared with other jobs.
double cpuMs()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

template <class F>
double timeIt(F f, int reps = 5)
{
    f();
    const auto t = cpuMs();
    for (int i = 0; i < reps; ++i)
        f();
    return (cpuMs() - t) / reps;
}

int main(int argc, char** argv)
{
    configureThreads(std::getenv("THREADS") ? std::atoi(std::getenv("THREADS")) : 1);
    const auto dtype = argc > 1 && std::string(argv[1]) == "f32" ? torch::kFloat : torch::kBFloat16;
    torch::NoGradGuard g;
    const std::string dir = std::getenv("MODEL") ? std::getenv("MODEL") : "/tmp/teft-bench-qwen3_moe-small";
    MoeModelOptions o;
    o.computeDtype = dtype;
    if (std::getenv("LOADPROF")) { // where loading spends its CPU time
        const auto files = CheckpointFiles::open(dir);
        double tRead = 0, tCopy = 0, tCat = 0;
        for (const auto& n : files.names()) {
            auto a0 = cpuMs();
            const auto t = files.tensor(n);
            tRead += cpuMs() - a0;
            a0 = cpuMs();
            const auto c = t.to(torch::TensorOptions().dtype(dtype), false, true);
            tCopy += cpuMs() - a0;
            a0 = cpuMs();
            if (t.dim() == 2)
                torch::cat({c, c}, 0);
            tCat += cpuMs() - a0;
        }
        std::printf("tensor() %.0f ms, copy %.0f ms, cat %.0f ms (%zu tensors)\n", tRead, tCopy, tCat,
                    files.names().size());
    }
    auto t0 = cpuMs();
    auto m = MoeModel::load(dir, o);
    std::printf("load %.0f ms cpu\n", cpuMs() - t0);
    const auto& c = m->config();
    const std::int64_t B = 8, T = 256, H = c.hiddenSize, N = B * T;
    const auto x = torch::randn({B, T, H}).to(dtype);
    const auto& L = m->layers()[1];
    const auto rope = ropeTables(c, T, torch::kCPU);
    const auto bias = attentionBias({}, T, 0, torch::kCPU);
    std::printf("rmsnorm        %.2f ms\n", timeIt([&] { rmsNorm(x, L.inputNorm, 1e-6); }));
    {
        torch::AutoGradMode on(true);
        const auto xr = x.reshape({N, H}).detach().requires_grad_(true);
        const auto gr = torch::randn({N, H}).to(dtype);
        std::printf("rmsnorm f+b    %.2f ms\n", timeIt([&] { rmsNorm(xr, L.inputNorm, 1e-6).backward(gr); }));
        const auto xh = torch::randn({8, 256, 8, 32}).to(dtype).requires_grad_(true);
        const auto gh = torch::randn({8, 256, 8, 32}).to(dtype);
        const auto wh = torch::ones({32}).to(dtype);
        std::printf("head rms f     %.2f ms\n", timeIt([&] { rmsNorm(xh.detach(), wh, 1e-6); }));
        std::printf("head rms f+b   %.2f ms\n", timeIt([&] { rmsNorm(xh, wh, 1e-6).backward(gh); }));
        std::printf(
            "plain rms f+b  %.2f ms\n", timeIt([&] {
                const auto xf = xr.to(torch::kFloat);
                (L.inputNorm * (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + 1e-6)).to(xr.scalar_type())).backward(gr);
            }));
        const auto hh = torch::randn({8192, 512}).to(dtype).requires_grad_(true);
        const auto ones = torch::ones({8192, 256}).to(dtype);
        std::printf("swiglu f+b     %.2f ms\n", timeIt([&] {
                        const auto parts = hh.chunk(2, -1);
                        swiglu(parts[0], parts[1]).backward(ones);
                    }));
        std::printf("silu*mul f+b   %.2f ms\n", timeIt([&] {
                        const auto parts = hh.chunk(2, -1);
                        (torch::silu(parts[0]) * parts[1]).backward(ones);
                    }));
    }
    std::printf("attention      %.2f ms\n", timeIt([&] { selfAttention(c, L.attn, x, rope, bias); }));
    const auto q = torch::randn({B, c.numHeads, T, c.headDim}).to(dtype);
    const auto k = torch::randn({B, c.numKvHeads, T, c.headDim}).to(dtype);
    std::printf("  core         %.2f ms\n", timeIt([&] { groupedAttention(q, k, k, bias, 0.1); }));
    std::printf("  qk matmul    %.2f ms\n", timeIt([&] {
                    torch::matmul(q.reshape({B, c.numKvHeads, -1, c.headDim}), k.transpose(-1, -2));
                }));
    {
        const auto q4 = (q * 0.1).reshape({B, c.numKvHeads, -1, c.headDim});
        const auto blocked = torch::ones({T, T}, torch::kBool).triu(1).view({1, 1, 1, T, T});
        const auto kv = c.numKvHeads, rep = c.numHeads / c.numKvHeads;
        torch::Tensor pa, pb;
        std::printf("  softmax bf16 %.2f ms\n", timeIt([&] {
                        auto s = torch::matmul(q4, k.transpose(-1, -2)).view({B, kv, rep, T, T});
                        s.masked_fill_(blocked, -1e30);
                        pa = torch::softmax(s, -1);
                    }));
        std::printf("  softmax f32  %.2f ms\n", timeIt([&] {
                        auto s = torch::matmul(q4, k.transpose(-1, -2)).view({B, kv, rep, T, T});
                        s.masked_fill_(blocked, -1e30);
                        pb = torch::softmax(s, -1, torch::kFloat).to(s.scalar_type());
                    }));
        std::printf("  max |a-b| %.3g\n", (pa.to(torch::kFloat) - pb.to(torch::kFloat)).abs().max().item<double>());
    }
    std::printf("  rope         %.2f ms\n", timeIt([&] { applyRope(q, rope, false); }));
    std::printf("  q proj       %.2f ms\n", timeIt([&] { project(x, L.attn.q); }));
    const auto flat = x.reshape({N, H});
    std::printf("moe layer      %.2f ms\n", timeIt([&] { moeForward(c, L.moe, flat); }));
    const auto logits = routerLogits(c, L.moe, flat);
    const auto r = routeTokens(c, logits, {}, {});
    std::printf("  router       %.2f ms\n", timeIt([&] { routeTokens(c, routerLogits(c, L.moe, flat), {}, {}); }));
    std::printf("  dispatch     %.2f ms\n", timeIt([&] { dispatchExperts(flat, r.ids, r.weights, L.moe); }));
    const auto xs = flat.index_select(0, torch::randint(0, N, {N * c.topK}, torch::kLong));
    std::printf("  gather       %.2f ms\n",
                timeIt([&] { flat.index_select(0, torch::randint(0, N, {N * c.topK}, torch::kLong)); }));
    std::printf("  experts mm   %.2f ms\n", timeIt([&] {
                    for (int e = 0; e < c.numExperts; ++e)
                        gatedMlp(xs.narrow(0, e * 256, 256), L.moe.experts[e]);
                }));
    const auto h = torch::randn({256, 2 * c.expertIntermediate}).to(dtype);
    std::printf("  silu*mul x32 %.2f ms\n", timeIt([&] {
                    for (int e = 0; e < 32; ++e)
                        torch::silu(h.narrow(1, 0, 256)) * h.narrow(1, 256, 256);
                }));
    std::printf("  swiglu x32   %.2f ms\n", timeIt([&] {
                    for (int e = 0; e < 32; ++e)
                        swiglu(h.narrow(1, 0, 256), h.narrow(1, 256, 256));
                }));
    std::printf("  mm x32       %.2f ms\n", timeIt([&] {
                    for (int e = 0; e < 32; ++e)
                        torch::mm(xs.narrow(0, e * 256, 256), L.moe.experts[e].gateUp.t());
                }));
    auto out = torch::zeros({N, H}, flat.options());
    const auto idx = torch::randint(0, N, {N * c.topK}, torch::kLong);
    std::printf("  index_add    %.2f ms\n", timeIt([&] { out.index_add_(0, idx, xs); }));
    std::printf("full forward   %.2f ms\n", timeIt(
                                                [&] {
                                                    ModelBatch b{torch::randint(0, 259, {B, T}, torch::kLong), {}, {}};
                                                    m->forward(b);
                                                },
                                                2));
    if (argc > 2) { // one training step under the autograd profiler (chrome trace at argv[2])
        torch::autograd::GradMode::set_enabled(true);
        MoeModelOptions t = o;
        for (int l : c.moeLayers())
            t.selection[l] = {0, 7, 14, 21};
        auto tm = MoeModel::load(dir, t);
        ModelBatch b{torch::randint(0, 259, {B, T}, torch::kLong), {}, {}};
        tm->forward(b).loss.backward();
        torch::autograd::profiler::RecordProfile guard(argv[2]);
        ForwardOptions fo;
        fo.auxLoss = true;
        const auto r = tm->forward(b, fo);
        (r.loss + 0.001 * r.auxLoss).backward();
    }
    return 0;
}
