// Seconds per pretraining step of the demo foundation model (FullParameterModel, all parameters,
// AdamW) for a few sizes: how big a model fits the demo's few-minutes budget on 2 cores.
// Usage: bench_demo_model [threads]
#include "core/model/CheckpointGenerator.h"
#include "core/model/ModelConfig.h"
#include "core/train/AdamW.h"
#include "core/train/FullParameterModel.h"
#include "core/util/Runtime.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace teft;

int main(int argc, char** argv)
{
    configureThreads(argc > 1 ? std::atoi(argv[1]) : 2);
    struct Size {
        int hidden, layers, experts, inter, seq, batch;
    };
    for (const Size sz : {Size{96, 4, 16, 64, 128, 8}, Size{96, 4, 16, 64, 64, 8}, Size{64, 3, 8, 32, 128, 8},
                          Size{64, 4, 16, 48, 64, 8}, Size{96, 4, 8, 96, 64, 8}}) {
        GenerateOptions go;
        auto cj = generatedConfigJson(go);
        cj["hidden_size"] = sz.hidden;
        cj["num_hidden_layers"] = sz.layers;
        cj["num_attention_heads"] = 4;
        cj["num_key_value_heads"] = 2;
        cj["head_dim"] = sz.hidden / 4;
        cj["num_experts"] = sz.experts;
        cj["moe_intermediate_size"] = sz.inter;
        cj["max_window_layers"] = sz.layers;
        const auto cfg = ModelConfig::fromJson(cj);
        FullParameterModel model(cfg, randomWeights(cfg, 1, torch::kFloat));
        AdamW opt(model.parameters(), {});
        const auto ids = torch::randint(0, 256, {sz.batch, sz.seq}, torch::kLong);
        const int steps = 6;
        double fwd = 0, total = 0;
        for (int s = 0; s < steps + 1; ++s) {
            const auto t0 = std::chrono::steady_clock::now();
            auto loss = model.loss(ids, 0.01);
            const auto t1 = std::chrono::steady_clock::now();
            loss.backward();
            opt.step(1e-3);
            for (auto& [n, p] : model.parameters())
                p.mutable_grad() = at::Tensor();
            const auto t2 = std::chrono::steady_clock::now();
            if (s > 0) {
                fwd += std::chrono::duration<double>(t1 - t0).count();
                total += std::chrono::duration<double>(t2 - t0).count();
            }
        }
        std::printf("hidden %3d layers %d experts %2d inter %3d seq %3d batch %d: %.3f s/step (forward %.3f)\n",
                    sz.hidden, sz.layers, sz.experts, sz.inter, sz.seq, sz.batch, total / steps, fwd / steps);
        std::fflush(stdout);
    }
    return 0;
}
