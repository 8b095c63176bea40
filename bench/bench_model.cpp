// Engine benchmark: identification (routing capture + statistics, what `teft identify` does per
// batch), forward and ESFT-style training-step tokens/s and peak memory of teft's MoeModel,
// printed as JSON; bench/run_model_bench.sh and scripts/gpu-check.sh run it next to the Hugging
// Face transformers baseline (bench/hf_train_bench.py bench) on the same checkpoint and data and
// print the ratios (bench/compare_bench.py).
//
//   bench_model --model DIR --experts SEL.json [--batch 4] [--seq 256] [--steps 3] [--warmup 1]
//               [--threads 0] [--dtype bf16|fp32] [--mode full|masked] [--aux-loss 1]
//               [--device cpu|cuda:N|auto] [--identify 1] [--matmul 1] [--matmul-size N]
//               [--recompute 0|1] [--profile TRACE.json]
// Memory: the process's peak RSS, and what a training step adds to the resident memory it
// starts from (after the warm-up steps: AdamW's state exists; the peak RSS counter is reset
// before the timed steps): activations, the loss and the gradients. On CUDA also the peak bytes
// allocated and reserved by LibTorch's CUDA caching allocator, over the run and per phase
// (reset before each: what torch.cuda.max_memory_allocated reports in the baseline). CUDA
// timings synchronise the device before the clock is read. --matmul measures a square bf16/fp32 matmul of --matmul-size
// (default 2048 on the CPU, 8192 on CUDA) as the ceiling the model's matmuls aim at.
// --recompute 1 trains with activation recomputation (MoeModelOptions::recompute).
// --offload 1 keeps the frozen experts in host memory and streams them to the GPU per layer
// (MoeModelOptions::offloadFrozenExperts; offloaded_bytes in the output).
// --profile writes a Chrome trace (LibTorch's legacy autograd profiler) of one extra training
// step after the timed ones.
#include "core/model/MoeModel.h"
#include "core/teft/RoutingStats.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"

#include <c10/core/CachingDeviceAllocator.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace teft;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t peakRssBytes()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<std::int64_t>(u.ru_maxrss) * 1024;
}

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"); -1 when it cannot be read.
std::int64_t statusBytes(const std::string& field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field + ":", 0) == 0)
            return std::stoll(line.substr(field.size() + 1)) * 1024;
    return -1;
}

// The resident memory now, after the heap handed its free memory back, and the peak RSS counter
// (VmHWM) reset to it (Linux clear_refs); false when the counter cannot be reset.
bool resetPeakRss(std::int64_t& current)
{
    malloc_trim(0);
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.close();
    current = statusBytes("VmRSS");
    return clear.good() && current > 0;
}

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

void sync(const torch::Device& d)
{
    if (d.is_cuda())
        torch::cuda::synchronize();
}

// Peak bytes allocated / reserved by LibTorch's CUDA caching allocator since the last reset
// (through c10's DeviceAllocator interface, so this program links only LibTorch's CPU
// libraries); resets the peaks when asked. Zeros on the CPU.
struct CudaPeak {
    std::int64_t allocated = 0;
    std::int64_t reserved = 0;
};

CudaPeak cudaPeak(const torch::Device& d, bool reset = true)
{
    if (!d.is_cuda())
        return {};
    sync(d);
    using c10::CachingDeviceAllocator::StatType;
    c10::DeviceAllocator* alloc = c10::getDeviceAllocator(c10::DeviceType::CUDA);
    const auto stats = alloc->getDeviceStats(d.index());
    const auto all = static_cast<std::size_t>(StatType::AGGREGATE);
    const CudaPeak p{stats.allocated_bytes[all].peak, stats.reserved_bytes[all].peak};
    if (reset)
        alloc->resetPeakStats(d.index());
    return p;
}

nlohmann::json toJson(const CudaPeak& p) { return {{"allocated", p.allocated}, {"reserved", p.reserved}}; }

// FLOP/s of a plain square matmul on this machine (the ceiling the model's matmuls aim at).
double matmulFlops(torch::ScalarType dtype, const torch::Device& device, std::int64_t n, int reps)
{
    const auto opts = torch::TensorOptions().dtype(dtype).device(device);
    const torch::Tensor a = torch::randn({n, n}, opts), b = torch::randn({n, n}, opts);
    for (int i = 0; i < (device.is_cuda() ? 3 : 1); ++i)
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
    int batch = 4, seq = 256, steps = 3, warmup = 1, threads = 0, aux = 1, matmul = 1, identify = 1, recompute = 0;
    std::int64_t matmulSize = 0; // 0: 2048 on the CPU, 8192 on CUDA
    double lr = 1e-4;
    int offload = 0; // --offload 1: MoeModelOptions::offloadFrozenExperts
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
        else if (k == "--matmul-size")
            a.matmulSize = std::stoll(v);
        else if (k == "--identify")
            a.identify = std::stoi(v);
        else if (k == "--recompute")
            a.recompute = std::stoi(v);
        else if (k == "--lr")
            a.lr = std::stod(v);
        else if (k == "--offload")
            a.offload = std::stoi(v);
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
    opt.offloadFrozenExperts = a.offload != 0;
    opt.recompute = a.recompute != 0;

    auto t0 = Clock::now();
    auto model = MoeModel::load(a.model, opt);
    const torch::Device device = model->device();
    sync(device);
    const double loadS = seconds(t0, Clock::now());
    const std::int64_t rssLoaded = peakRssBytes();
    nlohmann::json phases = nlohmann::json::object();
    phases["load"] = toJson(cudaPeak(device));
    const ModelConfig& cfg = model->config();

    torch::manual_seed(0);
    const torch::Tensor ids = torch::randint(0, cfg.vocabSize, {a.batch, a.seq}, torch::kLong);
    ModelBatch batch;
    batch.inputIds = ids.to(device);
    const double tokens = static_cast<double>(a.batch) * a.seq;

    // Identification: what collectRoutingStats (core/train/RoutingIdentification.cpp) does per
    // batch, on the same tokens: the routing capture (no lm_head), then each MoE layer's real
    // tokens counted into the statistics.
    nlohmann::json identify = nlohmann::json::object();
    if (a.identify) {
        RoutingStats stats(cfg.moeLayers(), static_cast<int>(cfg.numExperts), static_cast<int>(cfg.topK));
        auto identifyBatch = [&] {
            for (const auto& lr : model->captureRouting(batch)) {
                const auto k = lr.ids.size(-1);
                auto ids2 = lr.ids.reshape({-1, k});
                auto w = lr.weights.reshape({-1, k});
                const auto real = ids2.select(1, 0).ge(0).nonzero().squeeze(1); // padding has id -1
                stats.accumulate(stats.rowOfLayer(lr.layer), ids2.index_select(0, real), w.index_select(0, real));
            }
        };
        for (int i = 0; i < a.warmup; ++i)
            identifyBatch();
        sync(device);
        cudaPeak(device);
        t0 = Clock::now();
        for (int i = 0; i < a.steps; ++i)
            identifyBatch();
        sync(device);
        const double identifyS = seconds(t0, Clock::now()) / a.steps;
        phases["identify"] = toJson(cudaPeak(device));
        double assignments = 0;
        for (int r = 0; r < stats.rows(); ++r)
            for (int e = 0; e < stats.numExperts(); ++e)
                assignments += stats.count(r, e);
        identify = {{"identify_s", identifyS},
                    {"identify_tokens_per_s", tokens / identifyS},
                    {"identify_assignments", static_cast<std::int64_t>(assignments)},
                    {"identify_assignments_expected",
                     static_cast<std::int64_t>(tokens) * (a.warmup + a.steps) * cfg.topK * stats.rows()}};
    }

    // Labels left undefined: next-token targets from the inputs themselves (the model shifts).
    double forwardS = 0;
    {
        torch::NoGradGuard noGrad;
        ForwardOptions fo;
        fo.loss = true;
        for (int i = 0; i < a.warmup; ++i)
            model->forward(batch, fo);
        sync(device);
        cudaPeak(device);
        t0 = Clock::now();
        for (int i = 0; i < a.steps; ++i)
            model->forward(batch, fo);
        sync(device);
        forwardS = seconds(t0, Clock::now()) / a.steps;
    }
    const std::int64_t rssForward = peakRssBytes();
    phases["forward"] = toJson(cudaPeak(device));

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
    std::int64_t rssBeforeSteps = 0;
    const bool stepPeak = resetPeakRss(rssBeforeSteps);
    t0 = Clock::now();
    for (int i = 0; i < a.steps; ++i)
        step();
    sync(device);
    const double trainS = seconds(t0, Clock::now()) / a.steps;
    const std::int64_t peakOfSteps = statusBytes("VmHWM");
    // The training phase's peak includes the warm-up steps (AdamW's state is created there).
    phases["train"] = toJson(cudaPeak(device));
    if (!a.profile.empty()) {
        torch::autograd::profiler::RecordProfile guard(a.profile);
        step();
    }

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
        {"offload", a.offload != 0},
        {"offloaded_bytes", model->memory().offloadedBytes},
        {"recompute", a.recompute != 0},
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
        {"rss_before_timed_steps_bytes", rssBeforeSteps},
        {"peak_rss_timed_steps_bytes", stepPeak ? peakOfSteps : -1},
        {"peak_rss_bytes", peakRssBytes()},
        {"losses", losses},
    };
    out.update(identify);
    if (a.identify)
        out["identify_flops_per_token"] = fwd - fm.head; // no lm_head
    if (device.is_cuda()) {
        const DeviceInfo info = describeDevice(device.str());
        out["gpu_name"] = info.description;
        out["gpu_memory_total_bytes"] = info.memoryTotal;
        out["cuda_phase_peak_bytes"] = phases;
        std::int64_t allocated = 0, reserved = 0;
        for (const auto& [name, p] : phases.items()) {
            allocated = std::max(allocated, p["allocated"].get<std::int64_t>());
            reserved = std::max(reserved, p["reserved"].get<std::int64_t>());
        }
        out["cuda_peak_allocated_bytes"] = allocated;
        out["cuda_peak_reserved_bytes"] = reserved;
    }
    if (a.matmul) {
        const std::int64_t n = a.matmulSize > 0 ? a.matmulSize : (device.is_cuda() ? 8192 : 2048);
        out["matmul_size"] = n;
        out["matmul_flop_per_s"] = matmulFlops(opt.computeDtype, device, n, device.is_cuda() ? 10 : 4);
    }
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
