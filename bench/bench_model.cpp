// Engine benchmark: forward and ESFT-style training-step tokens/s and peak resident memory of
// teft's MoeModel, printed as JSON; bench/run_model_bench.sh runs it next to the Hugging Face
// transformers baseline (bench/hf_train_bench.py bench) on the same checkpoint and data and
// prints the ratios.
//
//   bench_model --model DIR --experts SEL.json [--batch 4] [--seq 256] [--steps 3] [--warmup 1]
//               [--threads 0] [--dtype bf16|fp32] [--mode full|masked] [--aux-loss 1]
//               [--device cpu] [--matmul 1] [--profile TRACE.json]
// --profile writes a Chrome trace (LibTorch's legacy autograd profiler) of one extra training
// step after the timed ones.
#include "core/model/MoeModel.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"

#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <sys/resource.h>

using namespace teft;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t peakRssBytes()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<std::int64_t>(u.ru_maxrss) * 1024;
}

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

void sync(const torch::Device& d)
{
    if (d.is_cuda())
        torch::cuda::synchronize();
}

// FLOP/s of a plain square matmul on this machine (the ceiling the model's matmuls aim at).
double matmulFlops(torch::ScalarType dtype, const torch::Device& device, std::int64_t n = 2048, int reps = 4)
{
    const auto opts = torch::TensorOptions().dtype(dtype).device(device);
    const torch::Tensor a = torch::randn({n, n}, opts), b = torch::randn({n, n}, opts);
    torch::mm(a, b);
    sync(device);
    const auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i)
        torch::mm(a, b);
    sync(device);
    return 2.0 * n * n * n * reps / seconds(t0, Clock::now());
}

// Multiply-adds per token of one forward pass (x2 = FLOPs), per decoder layer and for the head:
// attention projections, scores and values over a causal window of T/2 on average, the router,
// k routed experts (+ shared expert / dense MLP), the vocabulary projection.
struct FlopModel {
    std::vector<double> layer; // per layer, per token
    double head = 0;
};

FlopModel forwardFlops(const ModelConfig& c, std::int64_t seq)
{
    const double H = c.hiddenSize, heads = c.numHeads, kv = c.numKvHeads, hd = c.headDim;
    const double E = c.numExperts, I = c.expertIntermediate, k = c.topK;
    FlopModel f;
    for (int l = 0; l < c.numLayers; ++l) {
        double macs = H * hd * (2 * heads + 2 * kv) + 2 * heads * hd * (seq / 2.0);
        macs += c.isMoeLayer(l) ? H * E + k * 3 * H * I + 3 * H * c.sharedIntermediate : 3 * H * c.intermediateSize;
        f.layer.push_back(2 * macs);
    }
    f.head = 2 * H * c.vocabSize;
    return f;
}

struct Args {
    std::string model, experts, dtype = "bf16", mode = "full", device = "cpu", profile;
    int batch = 4, seq = 256, steps = 3, warmup = 1, threads = 0, aux = 1, matmul = 1;
    double lr = 1e-4;
};

Args parseArgs(int argc, char** argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string k = argv[i];
        if (i + 1 >= argc)
            throw UsageError("missing value for " + k);
        const std::string v = argv[++i];
        if (k == "--model")
            a.model = v;
        else if (k == "--experts")
            a.experts = v;
        else if (k == "--dtype")
            a.dtype = v;
        else if (k == "--mode")
            a.mode = v;
        else if (k == "--device")
            a.device = v;
        else if (k == "--batch")
            a.batch = std::stoi(v);
        else if (k == "--seq")
            a.seq = std::stoi(v);
        else if (k == "--steps")
            a.steps = std::stoi(v);
        else if (k == "--warmup")
            a.warmup = std::stoi(v);
        else if (k == "--threads")
            a.threads = std::stoi(v);
        else if (k == "--aux-loss")
            a.aux = std::stoi(v);
        else if (k == "--matmul")
            a.matmul = std::stoi(v);
        else if (k == "--lr")
            a.lr = std::stod(v);
        else if (k == "--profile")
            a.profile = v;
        else
            throw UsageError("unknown option " + k);
    }
    if (a.model.empty() || a.experts.empty())
        throw UsageError("usage: bench_model --model DIR --experts SEL.json [options]");
    return a;
}

std::map<int, std::vector<int>> parseSelection(const std::string& fileOrText)
{
    const std::string text = std::filesystem::exists(fileOrText) ? readFile(fileOrText) : fileOrText;
    std::map<int, std::vector<int>> sel;
    const nlohmann::json doc = nlohmann::json::parse(text);
    for (const auto& [layer, experts] : doc.items())
        sel[std::stoi(layer)] = experts.get<std::vector<int>>();
    return sel;
}

int run(const Args& a)
{
    configureThreads(a.threads);
    MoeModelOptions opt;
    opt.device = resolveDevice(a.device);
    opt.computeDtype = a.dtype == "fp32" ? torch::kFloat : torch::kBFloat16;
    opt.mode = parseExpertMode(a.mode);
    opt.selection = parseSelection(a.experts);
    opt.checkFinite = false; // not part of what the baseline does

    auto t0 = Clock::now();
    auto model = MoeModel::load(a.model, opt);
    const double loadS = seconds(t0, Clock::now());
    const std::int64_t rssLoaded = peakRssBytes();
    const ModelConfig& cfg = model->config();
    const torch::Device device = model->device();

    torch::manual_seed(0);
    const torch::Tensor ids = torch::randint(0, cfg.vocabSize, {a.batch, a.seq}, torch::kLong);
    ModelBatch batch;
    batch.inputIds = ids.to(device);
    // Labels left undefined: next-token targets from the inputs themselves (the model shifts).
    double forwardS = 0;
    {
        torch::NoGradGuard noGrad;
        ForwardOptions fo;
        fo.loss = true;
        for (int i = 0; i < a.warmup; ++i)
            model->forward(batch, fo);
        sync(device);
        t0 = Clock::now();
        for (int i = 0; i < a.steps; ++i)
            model->forward(batch, fo);
        sync(device);
        forwardS = seconds(t0, Clock::now()) / a.steps;
    }
    const std::int64_t rssForward = peakRssBytes();

    std::vector<torch::Tensor> params;
    std::int64_t trainable = 0;
    for (auto& [name, p] : model->trainableParameters()) {
        params.push_back(p);
        trainable += p.numel();
    }
    torch::optim::AdamW optimizer(params, torch::optim::AdamWOptions(a.lr).weight_decay(0.0));
    std::vector<double> losses;
    auto step = [&] {
        ForwardOptions fo;
        fo.loss = true;
        fo.auxLoss = a.aux != 0;
        ForwardResult r = model->forward(batch, fo);
        torch::Tensor loss = r.loss;
        if (a.aux)
            loss = loss + cfg.routerAuxLossCoef * r.auxLoss;
        loss.backward();
        optimizer.step();
        optimizer.zero_grad();
        losses.push_back(loss.item<double>());
    };
    for (int i = 0; i < a.warmup; ++i)
        step();
    sync(device);
    t0 = Clock::now();
    for (int i = 0; i < a.steps; ++i)
        step();
    sync(device);
    const double trainS = seconds(t0, Clock::now()) / a.steps;
    if (!a.profile.empty()) {
        torch::autograd::profiler::RecordProfile guard(a.profile);
        step();
    }

    const double tokens = static_cast<double>(a.batch) * a.seq;
    const FlopModel fm = forwardFlops(cfg, a.seq);
    double fwd = fm.head, train = 2 * fm.head; // head: forward + gradient of the hidden states
    const int first = model->firstTrainableLayer();
    for (std::size_t l = 0; l < fm.layer.size(); ++l) {
        fwd += fm.layer[l];
        // Frozen layers after the first trainable one also propagate input gradients (about
        // the forward cost again); weight gradients of the few trainable experts are neglected.
        train += fm.layer[l] * (first >= 0 && static_cast<int>(l) >= first ? 2 : 1);
    }
    nlohmann::json out = {
        {"implementation", "teft"},
        {"torch_version", TORCH_VERSION},
        {"model", a.model},
        {"model_type", cfg.modelType},
        {"dtype", a.dtype},
        {"mode", a.mode},
        {"device", device.str()},
        {"threads", intraOpThreads()},
        {"batch", a.batch},
        {"seq", a.seq},
        {"steps", a.steps},
        {"trainable_parameters", trainable},
        {"load_s", loadS},
        {"forward_s", forwardS},
        {"forward_tokens_per_s", tokens / forwardS},
        {"train_step_s", trainS},
        {"train_tokens_per_s", tokens / trainS},
        {"forward_flops_per_token", fwd},
        {"train_flops_per_token_estimate", train},
        {"forward_flop_per_s", fwd * tokens / forwardS},
        {"train_flop_per_s_estimate", train * tokens / trainS},
        {"peak_rss_after_load_bytes", rssLoaded},
        {"peak_rss_forward_bytes", rssForward},
        {"peak_rss_bytes", peakRssBytes()},
        {"losses", losses},
    };
    if (a.matmul)
        out["matmul_flop_per_s"] = matmulFlops(opt.computeDtype, device);
    std::cout << out.dump(2) << std::endl;
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(parseArgs(argc, argv));
    } catch (const UsageError& e) {
        std::fprintf(stderr, "bench_model: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_model: error: %s\n", e.what());
        return 1;
    }
}
