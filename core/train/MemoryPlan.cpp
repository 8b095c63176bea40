#include "core/train/MemoryPlan.h"

#include "core/train/MinerJob.h"
#include "core/util/CudaBackend.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

namespace teft {

namespace {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;
constexpr std::int64_t kFp32 = 4;

std::int64_t bytesOf(torch::ScalarType t) { return static_cast<std::int64_t>(c10::elementSize(t)); }

// One layer's attention weights in elements, as MoeModel's loadAttention keeps them.
std::int64_t attentionElements(const ModelConfig& c)
{
    const auto H = c.hiddenSize;
    std::int64_t n = 0;
    if (c.mla) {
        const auto qk = c.qkHeadDim();
        if (c.qLoraRank > 0) {
            n += c.qLoraRank * H + c.qLoraRank + c.numHeads * qk * c.qLoraRank;
            if (c.mlaAttentionBias)
                n += c.qLoraRank;
        } else {
            n += c.numHeads * qk * H;
        }
        n += (c.kvLoraRank + c.qkRopeHeadDim) * H + c.kvLoraRank;
        n += c.numHeads * (c.qkNopeHeadDim + c.vHeadDim) * c.kvLoraRank;
        n += H * c.numHeads * c.vHeadDim;
        if (c.mlaAttentionBias)
            n += (c.kvLoraRank + c.qkRopeHeadDim) + H;
        return n;
    }
    const auto q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
    n += (q + 2 * kv) * H + H * q;
    if (c.attentionBias)
        n += q + 2 * kv;
    if (c.outputBias)
        n += H;
    if (c.qkHeadNorm)
        n += 2 * c.headDim;
    if (c.qkFullNorm)
        n += q + kv;
    return n;
}

// The selection checked as MoeModel::load checks it: MoE layers only, experts in range,
// duplicates and empty lists dropped.
std::map<int, std::set<int>> checkedSelection(const MemoryPlanInput& in)
{
    const auto& c = in.config;
    std::map<int, std::set<int>> out;
    for (const auto& [layer, experts] : in.selection) {
        if (!c.isMoeLayer(layer))
            throw Error("Expert selection names layer " + std::to_string(layer) + ", which is not a MoE layer");
        std::set<int> unique;
        for (int e : experts) {
            if (e < 0 || e >= c.numExperts)
                throw Error("Expert selection names expert " + std::to_string(e) + " of layer " +
                            std::to_string(layer) + ", but the model has " + std::to_string(c.numExperts) +
                            " experts per layer");
            unique.insert(e);
        }
        if (!unique.empty())
            out[layer] = unique;
    }
    return out;
}

struct ActivationEstimate {
    std::int64_t activations = 0;  // saved for the backward pass + what the backward pass adds at its peak
    std::int64_t logits = 0;       // the chunked loss's buffers
    std::int64_t kernelCaches = 0; // CPU full routing: see below
};

// What one micro-batch's training step holds on top of the weights and the trainable state,
// counted from the engine's forward functions (core/model) and calibrated on the CPU against the
// peak RSS of `teft train` (README, "Memory": the real-dimension Qwen3-30B-A3B layers and the
// small preset, full and masked routing, with and without recomputation, batch 4 x 256 to
// 1 x 2048: the plan's total within 9 % of the measured peak).
//
// Saved for the backward pass, per layer from the first one holding a trainable expert (the
// layers before it run without a graph): the two RMSNorms' inputs, attention's (the qk norms'
// inputs, rotated q and k, v; on the CPU each query block's probabilities, on CUDA the output
// and log-sum-exp), the router's probabilities, FrozenMlpFn's [n, 2I] projection per frozen
// expert, and, in a layer with trainable experts, the gathered rows (their inputs are views of
// them), gate, up and their product, the masters cast to the compute dtype, and CombineRowsFn's
// expert outputs. The first such layer keeps only its MoE block's trainable part (its input
// needs no gradient). With recomputation each layer keeps its input only.
// Assumes uniform routing (each expert gets N·k/E of the N = B·T tokens' choices in full mode;
// masked mode sends all min(k, selected) choices to the selected experts) and that LibTorch's
// matmul saves an input only when the other one needs a gradient.
//
// On top of that, at the step's peak, the larger of: the chunked loss (the hidden states of the
// target tokens, their gradient and one chunk of fp32 logits with its probabilities, ~64 MiB
// of logits), and the backward pass of the largest layer (the residual stream's gradients, the
// expert outputs' and gathered rows'; with recomputation the layer's saved tensors too).
//
// Calibration: on the CPU the saved tensors count 10 % more (the heap's overhead). With full
// routing on the CPU, LibTorch's oneDNN caches a matmul primitive per expert shape (up to 1024)
// and the heap keeps the per-expert temporaries' blocks: 512 MiB + 32 MiB per MoE layer holding
// frozen experts, measured 270–900 MiB, not counted in the tensors. On CUDA (not calibrated
// yet) 25 % on everything for the caching allocator's rounding and fragmentation.
ActivationEstimate estimateActivations(const MemoryPlanInput& in, const std::map<int, std::set<int>>& sel, bool cuda)
{
    const auto& c = in.config;
    const auto dt = bytesOf(in.computeDtype);
    const auto B = in.batchSize, T = in.seqLen, N = B * T, H = c.hiddenSize;
    const auto I = c.expertIntermediate, E = std::max<std::int64_t>(1, c.numExperts), k = c.topK;
    ActivationEstimate a;
    const int first = sel.empty() ? -1 : sel.begin()->first;

    // Attention of one layer whose input needs a gradient, with its input norm.
    std::int64_t attention = N * H * dt + N * kFp32;
    if (c.mla) {
        const auto qk = c.qkHeadDim();
        // q, key (nope + expanded rope part), value, the latent norms' inputs.
        attention += N * c.numHeads * (2 * qk + c.vHeadDim) * dt;
        attention += N * (c.kvLoraRank + (c.qLoraRank > 0 ? c.qLoraRank : 0)) * dt + 2 * N * kFp32;
    } else {
        const auto q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
        attention += N * (q + 2 * kv) * dt; // rotated q and k, contiguous v
        if (c.qkHeadNorm || c.qkFullNorm)   // the norms' (contiguous) inputs and 1/rms
            attention += N * (q + kv) * dt + N * (c.numHeads + c.numKvHeads) * kFp32;
    }
    if (cuda) {
        const auto out = c.mla ? c.numHeads * c.vHeadDim : c.numHeads * c.headDim;
        attention += N * out * dt + B * c.numHeads * T * kFp32;
    } else {
        const std::int64_t block = T <= 64 ? T : (T <= 1024 ? 64 : 128);
        attention += B * c.numHeads * (T * (T + block) / 2) * dt; // Σ rows·keys over the causal blocks
    }

    std::int64_t saved = 0, largestLayer = 0, largestBackward = 0, frozenLayers = 0;
    for (int l = std::max(first, 0); first >= 0 && l < c.numLayers; ++l) {
        const bool head = l == first; // its input needs no gradient
        std::int64_t layer = head ? 0 : attention + N * H * dt + N * kFp32;
        std::int64_t backward = 4 * N * H * kFp32; // the residual stream's gradients
        if (!c.isMoeLayer(l)) {
            layer += N * 2 * c.intermediateSize * dt; // FrozenMlpFn's [N, 2I] projection
        } else {
            const auto it = sel.find(l);
            const auto nsel = it == sel.end() ? 0 : static_cast<std::int64_t>(it->second.size());
            const bool masked = in.mode == ExpertMode::Masked && nsel > 0;
            const std::int64_t slots = masked ? N * std::min(k, nsel) : N * k;
            const std::int64_t trainableSlots = masked ? slots : slots * nsel / E;
            const std::int64_t frozenSlots = slots - trainableSlots;
            frozenLayers += frozenSlots > 0 ? 1 : 0;
            if (!head) {
                layer += N * E * kFp32 + slots * (8 + 8 + kFp32); // router probabilities, ids, order, weights
                layer += frozenSlots * 2 * I * dt;                // FrozenMlpFn per frozen expert
                if (c.sharedIntermediate > 0)
                    layer += N * 2 * c.sharedIntermediate * dt + (c.sharedExpertGate ? N * (H + 1) * dt : 0);
            }
            if (nsel > 0) {
                layer += slots * H * dt;              // the gathered rows
                layer += trainableSlots * 3 * I * dt; // gate, up (SwiGluFn) and their product (down's input)
                layer += nsel * 3 * H * I * dt;       // the masters cast to the compute dtype, kept by the matmuls
            }
            if (nsel > 0 || !head)
                layer += slots * H * dt; // CombineRowsFn's expert outputs
            backward += 2 * slots * H * dt;
        }
        largestLayer = std::max(largestLayer, layer);
        largestBackward = std::max(largestBackward, backward);
        saved += in.recompute ? N * H * dt : layer;
    }
    const std::int64_t targets = B * std::max<std::int64_t>(1, T - 1);
    const std::int64_t chunkRows = std::min(targets, std::max<std::int64_t>(16, (64 * kMiB) / (4 * c.vocabSize)));
    // LmLoss: the hidden states of the target tokens (and their gathered copy for B > 1) and
    // their gradient, one chunk of fp32 logits, its fp32 probabilities, their compute-dtype copy
    // and its product with the head.
    std::int64_t loss = (B > 1 ? 3 : 2) * targets * H * dt + chunkRows * c.vocabSize * (2 * kFp32 + dt) +
                        chunkRows * H * dt;
    std::int64_t backward = 0;
    if (first >= 0) {
        saved += N * H * dt + N * kFp32; // the final norm's input
        backward = largestBackward + (in.recompute ? largestLayer : 0);
    } else {
        saved = N * H * dt * 2; // no graph: the residual stream and one layer's output
    }
    // The loss's buffers and the backward pass's do not exist at once: the activations count
    // what the backward pass adds beyond the loss's.
    const double savedScale = cuda ? 1.25 : 1.1, peakScale = cuda ? 1.25 : 1.0;
    a.logits = static_cast<std::int64_t>(peakScale * static_cast<double>(loss));
    a.activations = static_cast<std::int64_t>(savedScale * static_cast<double>(saved) +
                                              peakScale *
                                                  static_cast<double>(std::max<std::int64_t>(0, backward - loss)));
    if (!cuda && in.mode == ExpertMode::Full && frozenLayers > 0)
        a.kernelCaches = 512 * kMiB + 32 * kMiB * frozenLayers;
    return a;
}

std::string percentOf(std::int64_t part, std::int64_t whole)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", whole > 0 ? 100.0 * double(part) / double(whole) : 0.0);
    return buf;
}

MemoryPlan computePlan(const MemoryPlanInput& in, const DeviceInfo& device, bool withSuggestions);

// Concrete changes that would fit, each with its total.
std::vector<std::string> suggestionsFor(const MemoryPlanInput& in, const MemoryPlan& plan, const DeviceInfo& device)
{
    std::vector<std::string> out;
    const auto avail = plan.availableBytes;
    auto totalWith = [&](const MemoryPlanInput& changed) { return computePlan(changed, device, false).totalBytes(); };
    auto fitsText = [&](std::int64_t total) {
        return formatBytes(total) + (total <= avail ? " (fits)" : " (still too much)");
    };
    if (in.mode == ExpertMode::Full) {
        auto m = in;
        m.mode = ExpertMode::Masked;
        out.push_back("masked routing (--mode masked; only the selected experts are held in their layers): " +
                      fitsText(totalWith(m)));
    }
    if (in.batchSize > 1) {
        // The largest batch that fits, halving.
        auto b = in;
        while (b.batchSize > 1) {
            b.batchSize = std::max<std::int64_t>(1, b.batchSize / 2);
            if (totalWith(b) <= avail)
                break;
        }
        out.push_back("batch size " + std::to_string(b.batchSize) +
                      " (--batch-size; keep the tokens per step with --grad-accum " +
                      std::to_string((in.batchSize + b.batchSize - 1) / b.batchSize) + "): " + fitsText(totalWith(b)));
    }
    if (in.seqLen > 128) {
        auto s = in;
        s.seqLen = std::max<std::int64_t>(128, in.seqLen / 2);
        out.push_back("sequence length " + std::to_string(s.seqLen) + " (--seq-len): " + fitsText(totalWith(s)));
    }
    if (in.canRecompute && !in.recompute) {
        auto r = in;
        r.recompute = true;
        out.push_back("activation recomputation (--recompute; each layer's activations are recomputed in the "
                      "backward pass): " +
                      fitsText(totalWith(r)));
    }
    if (in.canOffload && !in.offloadFrozenExperts && plan.frozenExpertBytes > 0) {
        auto o = in;
        o.offloadFrozenExperts = true;
        const auto offloaded = computePlan(o, device, false);
        out.push_back("offloading the frozen experts to host memory (--offload; " +
                      formatBytes(offloaded.offloadedBytes) +
                      " of them streamed to the device per layer): " + fitsText(offloaded.totalBytes()));
    }
    if (in.computeDtype == torch::kFloat) {
        auto d = in;
        d.computeDtype = torch::kBFloat16;
        out.push_back("bf16 compute (--compute-dtype bf16): " + fitsText(totalWith(d)));
    }
    // Another device with enough free memory.
    std::vector<std::string> devices;
    if (device.name != "cpu")
        devices.push_back("cpu");
    for (int i = 0; i < cudaDeviceCount(); ++i)
        if (device.name != "cuda:" + std::to_string(i))
            devices.push_back("cuda:" + std::to_string(i));
    for (const auto& name : devices) {
        try {
            const DeviceInfo other = describeDevice(name);
            auto d = in;
            d.device = name;
            d.memoryLimit = 0;
            const auto total = computePlan(d, other, false).totalBytes();
            if (other.memoryFree > 0 && total <= other.memoryFree)
                out.push_back("device " + name + " (" + other.description + ", " + formatBytes(other.memoryFree) +
                              " free; --device " + name + "): " + formatBytes(total));
        } catch (const std::exception&) {
            // a device that cannot be described is no suggestion
        }
    }
    return out;
}

MemoryPlan computePlan(const MemoryPlanInput& in, const DeviceInfo& device, bool withSuggestions)
{
    const auto& c = in.config;
    const auto sel = checkedSelection(in);
    MemoryPlan p;
    p.device = device.name;
    p.deviceDescription = device.description;
    p.isCuda = device.isCuda;
    const auto dt = bytesOf(in.computeDtype);
    const auto H = c.hiddenSize, I = c.expertIntermediate, E = c.numExperts;
    const std::int64_t expertElements = 3 * H * I;

    // Weights, as MoeModel::load keeps them and MoeModel::memory() sums them.
    std::int64_t hub = c.vocabSize * H + (c.tieWordEmbeddings ? 0 : c.vocabSize * H) + H;
    std::int64_t hubFp32 = 0;
    std::int64_t largestLayerExperts = 0;
    for (int l = 0; l < c.numLayers; ++l) {
        hub += 2 * H + attentionElements(c);
        if (!c.isMoeLayer(l)) {
            hub += 3 * H * c.intermediateSize;
            continue;
        }
        hub += E * H;
        if (c.routing == RoutingKind::DeepseekSigmoid)
            hubFp32 += E;
        if (c.sharedIntermediate > 0)
            hub += 3 * H * c.sharedIntermediate;
        if (c.sharedExpertGate)
            hub += H;
        const auto it = sel.find(l);
        const auto nsel = it == sel.end() ? 0 : static_cast<std::int64_t>(it->second.size());
        const std::int64_t frozen = (in.mode == ExpertMode::Masked && nsel > 0) ? 0 : E - nsel;
        p.frozenExperts += frozen;
        p.trainableExperts += nsel;
        largestLayerExperts = std::max(largestLayerExperts, frozen * expertElements * dt);
    }
    p.hubBytes = hub * dt + hubFp32 * kFp32;
    p.frozenExpertBytes = p.frozenExperts * expertElements * dt;
    if (in.offloadFrozenExperts && (device.isCuda || in.offloadOnCpu) && p.frozenExpertBytes > 0) {
        // Streamed per layer (core/model/ExpertOffload.h): the device holds two slots of the
        // largest layer's frozen experts (one in use, the next being copied), one when a single
        // layer has frozen experts; every frozen expert stays in host memory, read from there
        // through a ring of 4 pinned 32 MiB staging buffers. Either mode: masked routing holds
        // frozen experts only in the MoE layers without a selection.
        std::int64_t offloadedLayers = 0;
        for (int l = 0; l < c.numLayers; ++l) {
            if (!c.isMoeLayer(l))
                continue;
            const auto it = sel.find(l);
            const auto nsel = it == sel.end() ? 0 : static_cast<std::int64_t>(it->second.size());
            offloadedLayers += ((in.mode == ExpertMode::Masked && nsel > 0) ? 0 : E - nsel) > 0 ? 1 : 0;
        }
        p.offloadedBytes = p.frozenExpertBytes;
        p.frozenExpertBytes = std::min<std::int64_t>(2, offloadedLayers) * largestLayerExperts;
        p.stagingBytes = 4 * 32 * kMiB;
    }
    p.weightBytes = p.hubBytes + p.frozenExpertBytes;

    // Trainable state: fp32 masters, gradients, AdamW m and v (and Φ(t) on the CPU).
    const std::int64_t trainable = p.trainableExperts * expertElements * kFp32;
    p.masterBytes = trainable;
    p.gradientBytes = trainable;
    p.optimizerBytes = 2 * trainable;
    p.referenceBytes = device.isCuda ? 0 : trainable;

    const auto act = estimateActivations(in, sel, device.isCuda);
    p.activationBytes = act.activations;
    p.logitsBytes = act.logits;
    // CPU: the `teft` process's libraries, heap, tokenizer and data held about 250 MiB resident
    // (`teft train --device cpu` on the real-dimension layers, /proc/<pid>/status), 230 MiB more
    // with LibTorch's CUDA libraries loaded (--device auto probes for a GPU); plus, with full
    // routing, the kernel caches (estimateActivations). CUDA: the context, cuBLAS workspaces.
    const bool cudaLibraries = device.isCuda || (in.device != "cpu" && cudaBackend().loaded);
    p.runtimeBytes = (cudaLibraries ? 512 : 256) * kMiB + act.kernelCaches;

    p.availableIsLimit = in.memoryLimit > 0;
    p.availableBytes = in.memoryLimit > 0 ? in.memoryLimit : device.memoryFree;

    p.assumptions = {
        "weights in " + dtypeName(in.computeDtype) + " as the engine holds them (" + std::to_string(p.frozenExperts) +
            " frozen routed experts, " + std::to_string(p.trainableExperts) + " trainable)",
        "activations of one micro-batch of " + std::to_string(in.batchSize) + " x " + std::to_string(in.seqLen) +
            " tokens, from the first layer with a trainable expert on" +
            (in.recompute ? std::string(", recomputed per layer") : std::string()),
        "routing spread evenly over the experts",
        device.isCuda ? "scaled-dot-product attention (no attention probabilities kept)"
                      : "blocked attention keeping each block's probabilities",
        "runtime allowance " + formatBytes(p.runtimeBytes) +
            (device.isCuda ? std::string(" (CUDA context, cuBLAS workspaces)")
                           : std::string(" (LibTorch, the tokenized data") +
                                 (act.kernelCaches > 0 ? ", " + formatBytes(act.kernelCaches) +
                                                             " of kernel caches for the frozen experts' matmuls)"
                                                       : std::string(")"))),
    };
    if (p.offloadedBytes > 0)
        p.assumptions.push_back(formatBytes(p.offloadedBytes) +
                                " of frozen experts stay in host memory, streamed per layer (forward and backward)"
                                " through " +
                                formatBytes(p.frozenExpertBytes) + " of device slots and " +
                                formatBytes(p.stagingBytes) + " of pinned staging buffers");
    if (withSuggestions && !p.fits())
        p.suggestions = suggestionsFor(in, p, device);
    return p;
}

} // namespace

MemoryPlan planMemory(const MemoryPlanInput& input)
{
    const DeviceInfo device = describeDevice(input.device);
    MemoryPlanInput in = input;
    in.canOffload = in.canOffload || device.isCuda; // the engine streams frozen experts on CUDA
    return computePlan(in, device, true);
}

MemoryPlan planMinerMemory(const MinerSettings& s, std::int64_t memoryLimit)
{
    MemoryPlanInput in;
    in.config = ModelConfig::load(s.modelDir);
    in.selection = s.selection.layers();
    in.mode = s.mode;
    in.computeDtype = s.computeDtype;
    in.batchSize = s.train.batchSize;
    in.seqLen = s.dataset.is_object() ? s.dataset.value("seq_len", std::int64_t{128}) : 128;
    in.device = s.device;
    in.memoryLimit = memoryLimit;
    in.offloadFrozenExperts = s.offload;
    in.recompute = s.recompute;
    return planMemory(in);
}

nlohmann::json MemoryPlan::toJson() const
{
    return {{"device", device},
            {"device_description", deviceDescription},
            {"weights_bytes", weightBytes},
            {"hub_bytes", hubBytes},
            {"frozen_expert_bytes", frozenExpertBytes},
            {"frozen_experts", frozenExperts},
            {"trainable_experts", trainableExperts},
            {"offloaded_bytes", offloadedBytes},
            {"staging_bytes", stagingBytes},
            {"trainable_state_bytes", trainableStateBytes()},
            {"master_bytes", masterBytes},
            {"gradient_bytes", gradientBytes},
            {"optimizer_bytes", optimizerBytes},
            {"reference_bytes", referenceBytes},
            {"activation_bytes", activationBytes},
            {"logits_bytes", logitsBytes},
            {"runtime_bytes", runtimeBytes},
            {"total_bytes", totalBytes()},
            {"available_bytes", availableBytes},
            {"available_is_limit", availableIsLimit},
            {"fits", fits()},
            {"assumptions", assumptions},
            {"suggestions", suggestions}};
}

std::string MemoryPlan::text() const
{
    std::ostringstream o;
    auto line = [&](const std::string& label, std::int64_t bytes, const std::string& note = {}) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "  %-18s %12s", label.c_str(), formatBytes(bytes).c_str());
        o << buf << (note.empty() ? "" : "   " + note) << "\n";
    };
    o << "Memory plan on " << device << " (" << deviceDescription << "):\n";
    line("weights", weightBytes,
         "hub " + formatBytes(hubBytes) + ", " + std::to_string(frozenExperts) + " frozen experts " +
             formatBytes(frozenExpertBytes) +
             (offloadedBytes > 0 ? " on the device (slots), " + formatBytes(offloadedBytes) + " in host memory"
                                 : std::string()));
    line("trainable state", trainableStateBytes(),
         std::to_string(trainableExperts) + " experts: fp32 masters " + formatBytes(masterBytes) + ", gradients " +
             formatBytes(gradientBytes) + ", AdamW " + formatBytes(optimizerBytes) +
             (referenceBytes > 0 ? ", Φ(t) copy " + formatBytes(referenceBytes) : std::string()));
    line("activations", activationBytes);
    line("logits and loss", logitsBytes, "chunked over the vocabulary");
    line("runtime", runtimeBytes);
    line("total", totalBytes());
    if (availableBytes > 0)
        line(availableIsLimit ? "limit" : "available", availableBytes,
             fits() ? percentOf(totalBytes(), availableBytes) + " used: fits" : "does NOT fit");
    else
        o << "  available          unknown\n";
    if (!suggestions.empty()) {
        o << "To fit, change one of:\n";
        for (const auto& s : suggestions)
            o << "  - " << s << "\n";
    }
    return o.str();
}

std::string MemoryPlan::refusal() const
{
    std::ostringstream o;
    o << "This training job needs about " << formatBytes(totalBytes()) << " on " << device << " but "
      << formatBytes(availableBytes) << (availableIsLimit ? " is the memory limit" : " is available") << " (weights "
      << formatBytes(weightBytes) << ", trainable state " << formatBytes(trainableStateBytes()) << ", activations "
      << formatBytes(activationBytes) << ", logits " << formatBytes(logitsBytes) << ").";
    if (!suggestions.empty()) {
        o << " Try: ";
        for (std::size_t i = 0; i < suggestions.size(); ++i)
            o << (i ? "; " : "") << suggestions[i];
        o << ".";
    }
    return o.str();
}

std::string formatBytes(std::int64_t bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (std::abs(v) >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
    else
        std::snprintf(buf, sizeof buf, v < 10 ? "%.2f %s" : (v < 100 ? "%.1f %s" : "%.0f %s"), v, units[u]);
    return buf;
}

std::int64_t parseByteSize(const std::string& text)
{
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        throw UsageError("'" + text + "' is not a memory size (bytes, or a number with K, M, G or T)");
    }
    std::string unit = text.substr(used);
    std::transform(unit.begin(), unit.end(), unit.begin(), [](unsigned char ch) { return std::tolower(ch); });
    double scale = 1;
    if (unit.empty() || unit == "b")
        scale = 1;
    else if (unit == "k" || unit == "kb" || unit == "kib")
        scale = 1024.0;
    else if (unit == "m" || unit == "mb" || unit == "mib")
        scale = 1024.0 * 1024;
    else if (unit == "g" || unit == "gb" || unit == "gib")
        scale = 1024.0 * 1024 * 1024;
    else if (unit == "t" || unit == "tb" || unit == "tib")
        scale = 1024.0 * 1024 * 1024 * 1024;
    else
        throw UsageError("'" + text + "' is not a memory size (bytes, or a number with K, M, G or T)");
    if (!(value > 0) || !std::isfinite(value))
        throw UsageError("A memory size must be positive, got '" + text + "'");
    return static_cast<std::int64_t>(value * scale);
}

} // namespace teft
