// Model engine throughput on a generated checkpoint: forward and training-step tokens/s, peak
// memory, and achieved FLOP/s against a plain bf16 matmul on the same machine.
//
//   bench_model_engine [--arch qwen3_moe] [--preset small] [--batch 8] [--seq 256] [--steps 5]
//                      [--dtype bf16|f32] [--mode full|masked] [--experts-per-layer 4]
//                      [--threads 0] [--device cpu] [--model DIR]
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/util/Runtime.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <sys/resource.h>

using namespace teft;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t peakRssBytes()
{
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmHWM:") {
            std::int64_t kb = 0;
            in >> kb;
            return kb * 1024;
        }
        std::getline(in, key);
    }
    return 0;
}

double seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

// Process CPU seconds (user + system): the figure to compare on a machine shared with other jobs.
double cpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double matmulFlops(torch::ScalarType dtype, int n)
{
    const auto a = torch::randn({n, n}).to(dtype), b = torch::randn({n, n}).to(dtype);
    torch::mm(a, b);
    const auto t = Clock::now();
    int reps = 0;
    while (seconds(t) < 1.0) {
        torch::mm(a, b);
        ++reps;
    }
    return 2.0 * n * n * n * reps / seconds(t);
}

} // namespace

int main(int argc, char** argv)
{
    std::map<std::string, std::string> a{{"arch", "qwen3_moe"}, {"preset", "small"}, {"batch", "8"}, {"seq", "256"},
                                         {"steps", "5"}, {"dtype", "bf16"}, {"mode", "full"},
                                         {"experts-per-layer", "4"}, {"threads", "0"}, {"device", "cpu"},
                                         {"model", ""}};
    for (int i = 1; i + 1 < argc; i += 2)
        a[std::string(argv[i]).substr(2)] = argv[i + 1];
    try {
        configureThreads(std::stoi(a["threads"]));
        std::string dir = a["model"];
        if (dir.empty()) {
            dir = "/tmp/teft-bench-" + a["arch"] + "-" + a["preset"];
            // generated in a child step so that its memory does not count in the peak
            if (std::system(("test -f " + dir + "/config.json || " + std::string(argv[0]) + " --generate-only " +
                             a["arch"] + ":" + a["preset"] + ":" + dir).c_str()) != 0)
                throw std::runtime_error("could not generate the benchmark checkpoint");
        }
        if (a.count("generate-only")) {
            const auto spec = a["generate-only"];
            const auto p1 = spec.find(':'), p2 = spec.find(':', p1 + 1);
            GenerateOptions g;
            g.arch = spec.substr(0, p1);
            g.preset = spec.substr(p1 + 1, p2 - p1 - 1);
            g.seed = 1;
            generateCheckpoint(spec.substr(p2 + 1), g);
            return 0;
        }
        const auto cfg = ModelConfig::load(dir);
        MoeModelOptions o;
        o.device = a["device"];
        o.computeDtype = parseDtypeName(a["dtype"]);
        o.mode = parseExpertMode(a["mode"]);
        const int per = std::stoi(a["experts-per-layer"]);
        for (int l : cfg.moeLayers())
            for (int e = 0; e < per; ++e)
                o.selection[l].push_back((e * 7 + l) % static_cast<int>(cfg.numExperts));
        auto t0 = Clock::now();
        auto model = MoeModel::load(dir, o);
        const double loadS = seconds(t0);
        const std::int64_t B = std::stoll(a["batch"]), T = std::stoll(a["seq"]);
        torch::manual_seed(0);
        ModelBatch batch{torch::randint(0, 259, {B, T}, torch::kLong), torch::ones({B, T}, torch::kLong), {}};
        std::vector<torch::Tensor> params;
        for (const auto& [n, t] : model->trainableParameters())
            params.push_back(t);
        torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-5).betas({0.9, 0.95}).weight_decay(0.1));
        const int steps = std::stoi(a["steps"]);

        auto trainStep = [&] {
            opt.zero_grad();
            ForwardOptions fo;
            fo.auxLoss = true;
            const auto r = model->forward(batch, fo);
            (r.loss + cfg.routerAuxLossCoef * r.auxLoss).backward();
            torch::nn::utils::clip_grad_norm_(params, 1.0);
            opt.step();
            return r.loss.item<double>();
        };
        trainStep(); // warm-up
        t0 = Clock::now();
        double c0 = cpuSeconds();
        double loss = 0;
        for (int s = 0; s < steps; ++s)
            loss = trainStep();
        const double trainS = seconds(t0) / steps, trainCpu = (cpuSeconds() - c0) / steps;
        double fwdS = 0, fwdCpu = 0;
        {
            torch::NoGradGuard g;
            model->forward(batch);
            t0 = Clock::now();
            c0 = cpuSeconds();
            for (int s = 0; s < steps; ++s)
                model->forward(batch);
            fwdS = seconds(t0) / steps;
            fwdCpu = (cpuSeconds() - c0) / steps;
        }
        const double tokens = static_cast<double>(B * T);
        // FLOPs per token (matmuls only): 2 x active params (+ attention scores), x3 for a
        // training step whose backward reaches back to the first trainable layer (upper bound).
        const double active = static_cast<double>(cfg.paramsActive() - cfg.vocabSize * cfg.hiddenSize);
        const double attn = 4.0 * static_cast<double>(cfg.numLayers * T * cfg.numHeads * cfg.qkHeadDim());
        const double fwdFlops = tokens * (2.0 * active + attn);
        const double peak = matmulFlops(o.computeDtype, 1024);
        std::printf("model %s (%s preset), %s compute, %s mode, %d trainable experts/layer, B=%lld T=%lld, %d threads\n",
                    cfg.modelType.c_str(), a["preset"].c_str(), dtypeName(o.computeDtype).c_str(), a["mode"].c_str(),
                    per, static_cast<long long>(B), static_cast<long long>(T), intraOpThreads());
        std::printf("load %.2f s, final loss %.4f\n", loadS, loss);
        std::printf("forward:    %.1f ms/batch wall (%.1f ms CPU), %.0f tokens/s, %.2f GFLOP/s\n", fwdS * 1e3,
                    fwdCpu * 1e3, tokens / fwdS, fwdFlops / fwdS / 1e9);
        std::printf("train step: %.1f ms/batch wall (%.1f ms CPU), %.0f tokens/s\n", trainS * 1e3, trainCpu * 1e3,
                    tokens / trainS);
        std::printf("plain %s matmul 1024^3: %.2f GFLOP/s; forward reaches %.0f%% of it\n",
                    dtypeName(o.computeDtype).c_str(), peak / 1e9, 100.0 * fwdFlops / fwdS / peak);
        std::printf("peak RSS %.1f MiB; weights %.1f MiB frozen + %.1f MiB trainable\n", peakRssBytes() / 1048576.0,
                    model->memory().weightBytes / 1048576.0, model->memory().trainableBytes / 1048576.0);
        std::printf("{\"forward_tokens_per_s\": %.1f, \"train_tokens_per_s\": %.1f, \"forward_cpu_s\": %.4f, "
                    "\"train_cpu_s\": %.4f, \"peak_rss\": %lld}\n",
                    tokens / fwdS, tokens / trainS, fwdCpu, trainCpu, static_cast<long long>(peakRssBytes()));
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
