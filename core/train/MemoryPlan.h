#pragma once

// The memory a training job will hold, worked out before anything is loaded: from config.json,
// the expert selection, the expert mode, batch, sequence length, compute dtype and the device.
// `teft train --plan` prints it; trainMiner() (core/project/Train.h) and the desktop's Train
// page refuse a job whose plan does not fit, naming the figures and what to change.
//
// What is counted (bytes on the chosen device):
//  - weights: the frozen tensors MoeModel::load keeps, in the compute dtype, exactly as
//    MoeModel::memory().weightBytes sums them: embeddings, lm_head (unless tied), norms,
//    attention, routers (deepseek_v3's score bias in fp32), shared experts, dense MLPs and the
//    frozen routed experts the mode holds (full: every expert but the selected ones; masked:
//    none in a layer that has a selection, all of them in a MoE layer without one).
//  - trainable state: the selected experts' fp32 masters (= memory().trainableBytes), their
//    fp32 gradients and AdamW's two fp32 moments; on the CPU also the fp32 copy of Φ(t) the
//    miner keeps to compute Δ at the end.
//  - activations: what autograd keeps for the backward pass of one micro-batch, per layer from
//    the first layer holding a trainable expert on (the layers before it run without a graph;
//    with recomputation each layer's input only), counted from the engine's forward functions,
//    plus what the backward pass adds at its peak (the largest layer's gradients; recomputed,
//    that layer's saved tensors too), calibrated against measured peaks; see
//    estimateActivations() in MemoryPlan.cpp for the count, what it assumes and the calibration.
//  - logits and loss: LmLoss's chunked cross-entropy: one chunk of fp32 logits and its
//    probabilities (~64 MiB of logits per chunk) plus the [tokens, H] hidden states and their
//    gradient it keeps (its peak and the backward pass's do not coincide).
//  - runtime: what the process holds besides the job: CPU 256 MiB (LibTorch's CPU libraries,
//    the tokenizer and the data), 512 MiB when LibTorch's CUDA libraries are loaded (--device
//    auto probes for a GPU), plus, with full routing, 512 MiB + 32 MiB per MoE layer holding
//    frozen experts of kernel caches (oneDNN's matmul primitives per expert shape) and heap;
//    CUDA 512 MiB on the device (the context, cuBLAS workspaces).
// The available memory is the device's: CPU MemAvailable from /proc/meminfo, CUDA the free
// memory the runtime reports (describeDevice), or an explicit limit (--memory-limit).

#include "core/model/ModelConfig.h"
#include "core/model/MoeModel.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace teft {

struct MinerSettings;

struct MemoryPlanInput {
    ModelConfig config;
    std::map<int, std::vector<int>> selection; // MoE layer -> trainable experts
    ExpertMode mode = ExpertMode::Full;
    torch::ScalarType computeDtype = torch::kBFloat16;
    std::int64_t batchSize = 1;   // rows per micro-batch
    std::int64_t seqLen = 128;    // tokens per row
    std::string device = "cpu";   // as requested ("auto" resolved here)
    std::int64_t memoryLimit = 0; // > 0: use this as the available memory instead of the device's
    // Planned engine options: activation recomputation (keep only each layer's input, recompute
    // the layer in the backward pass) and streaming frozen experts from host memory per layer.
    // Counted when set; offered as suggestions only when the engine can do them (canRecompute,
    // canOffload).
    bool recompute = false;
    bool offloadFrozenExperts = false;
    bool canRecompute = true; // the engine recomputes on every device (MoeModelOptions::recompute)
    bool canOffload = false;
    // As MoeModelOptions::offloadOnCpu (tests): count the offload on the CPU too. Otherwise it is
    // counted on CUDA devices only (on the CPU the engine's offload is a no-op).
    bool offloadOnCpu = false;
};

struct MemoryPlan {
    std::string device;            // resolved: "cpu", "cuda:0"
    std::string deviceDescription; // "CPU, 2 threads", "NVIDIA H200"
    bool isCuda = false;

    std::int64_t weightBytes = 0;       // frozen weights held on the device (all of them)
    std::int64_t hubBytes = 0;          // of which: everything but the routed experts
    std::int64_t frozenExpertBytes = 0; // of which: frozen routed experts
    std::int64_t frozenExperts = 0;     // how many frozen routed experts are held
    std::int64_t trainableExperts = 0;  // selected experts present
    std::int64_t masterBytes = 0;       // fp32 masters of the selected experts
    std::int64_t gradientBytes = 0;     // their fp32 gradients
    std::int64_t optimizerBytes = 0;    // AdamW m and v
    std::int64_t referenceBytes = 0;    // the fp32 copy of Φ(t) for Δ (on the CPU only)
    std::int64_t activationBytes = 0;   // saved for the backward pass + its peak beyond the loss's
    std::int64_t logitsBytes = 0;       // chunked loss
    std::int64_t runtimeBytes = 0;      // the process besides the job (with the CPU kernel caches)
    // Offload: frozenExpertBytes is then what is on the device, the device slots of two layers'
    // frozen experts (as MoeModel::memory().weightBytes counts them); the rest stays in host
    // memory (offloadedBytes, with the pinned staging buffers, stagingBytes, not in the total).
    std::int64_t offloadedBytes = 0;
    std::int64_t stagingBytes = 0;

    std::int64_t availableBytes = 0; // free memory of the device (or the limit); 0 = unknown
    bool availableIsLimit = false;   // availableBytes is --memory-limit's

    std::vector<std::string> assumptions;
    std::vector<std::string> suggestions; // when it does not fit: concrete changes, with their totals

    std::int64_t trainableStateBytes() const { return masterBytes + gradientBytes + optimizerBytes + referenceBytes; }
    std::int64_t totalBytes() const
    {
        return weightBytes + trainableStateBytes() + activationBytes + logitsBytes + runtimeBytes;
    }
    // Unknown available memory counts as fitting (nothing to refuse on).
    bool fits() const { return availableBytes <= 0 || totalBytes() <= availableBytes; }

    nlohmann::json toJson() const;
    // A few aligned lines: each figure, the total against the available memory, the suggestions.
    std::string text() const;
    // The refusal: "This training job needs about 31.2 GiB on cuda:0 but 22.0 GiB are free
    // (weights ..., ...). Try: ...".
    std::string refusal() const;
};

// The plan for `input`. Throws the errors of resolveDevice / describeDevice for a bad device,
// Error for a selection naming a layer that is not MoE or an expert out of range.
MemoryPlan planMemory(const MemoryPlanInput& input);

// The plan of a miner run: config.json of settings.modelDir, the selection, mode, dtype, batch
// size, device, and the sequence length from settings.dataset ("seq_len", 128 when absent).
MemoryPlan planMinerMemory(const MinerSettings& settings, std::int64_t memoryLimit = 0);

// "1.5 GiB", "640 MiB", "12 KiB", "100 B".
std::string formatBytes(std::int64_t bytes);
// Parses "8000000", "8G", "8GiB", "512M", "1.5g" (binary units); UsageError otherwise.
std::int64_t parseByteSize(const std::string& text);

} // namespace teft
