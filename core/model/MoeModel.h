#pragma once

// The model engine's public API: a Mixture-of-Experts decoder loaded from a Hugging Face folder
// (config.json + safetensors, single file or sharded), in its own tensor names and layout.
//
//   MoeModelOptions opt;
//   opt.device = "cpu";                          // or "cuda:0", "auto" (resolveDevice)
//   opt.computeDtype = torch::kBFloat16;         // or torch::kFloat
//   opt.mode = ExpertMode::Masked;               // or Full
//   opt.selection = {{1, {0, 5}}, {2, {3}}};     // MoE layer -> expert ids (trainable)
//   auto model = MoeModel::load(dir, opt);
//   ModelBatch b{inputIds /*[B,T] int64*/, attentionMask /*[B,T] 1 real, 0 padding*/};
//   auto r = model->forward(b, {/*loss*/ true, /*logits*/ false, /*aux*/ true});
//   (r.loss + cfg.routerAuxLossCoef * r.auxLoss).backward();  // grads on trainableParameters()
//
// Expert subsets:
// - Full: every expert is present; routing is the base model's. Selected experts are trainable.
// - Masked: in every MoE layer listed in `selection` only the listed experts are present (memory
//   scales with the selection) and the router's logits of the others are masked to -inf before
//   the top-k (deepseek_v3: their bias-corrected choice score), so tokens only reach present
//   experts. MoE layers not listed keep all their experts, frozen, routing unchanged.
// Only selected experts are trainable: fp32 master copies with requires_grad, cast to the
// compute dtype in the forward pass. Everything else is frozen in the compute dtype without
// grad; layers before the first layer holding a trainable expert run under NoGradGuard.
//
// Tensor names are the checkpoint's. Expert tensors are addressed per expert even when the
// checkpoint stores them fused (transformers v5 `mlp.experts.gate_up_proj` [E,2I,H] +
// `mlp.experts.down_proj` [E,H,I]): ModelConfig::expertTensorNames(layer, expert).
//
// Evaluation (proof-of-loss, perplexity): call forward() under torch::NoGradGuard so that no
// graph is kept for the trainable experts. Not thread-safe: one caller at a time.

#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"

#include <torch/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace teft {

class JobControl;
class CheckpointFiles;
class AuxLossAccumulator;
class ExpertStreamer;

enum class ExpertMode { Full, Masked };
ExpertMode parseExpertMode(const std::string& name); // "full" | "masked"; Error otherwise
std::string expertModeName(ExpertMode mode);

struct MoeModelOptions {
    std::string device = "cpu";
    torch::ScalarType computeDtype = torch::kBFloat16; // kBFloat16 or kFloat
    ExpertMode mode = ExpertMode::Full;
    std::map<int, std::vector<int>> selection; // MoE layer -> experts (trainable)
    bool checkFinite = true;                   // refuse NaN / Inf weights at load (one pass over the weights)
    // Activation recomputation (gradient checkpointing) per decoder layer: a forward pass that
    // builds a graph keeps only each layer's input hidden states (and the load-balancing loss's
    // per-layer statistics), dropping each layer's graph once the layer ran; the backward pass
    // runs the layer again and back-propagates through it. Both run a layer alike (grad mode
    // on), so the loss, the routing and the gradients are those without it (bit for bit on the
    // CPU), for about one more forward pass of time and the activations of one layer instead
    // of all. The model must outlive the backward pass.
    bool recompute = false;
    // CPU: release each layer's mapped pages once it is loaded (releaseMappedPages), so that
    // loading (and its finite check) a model larger than memory holds about one layer.
    bool releaseMappedPages = false;
    // Full-routing training larger than the GPU (core/model/ExpertOffload.h): on CUDA the frozen
    // routed experts stay in host memory and are streamed to the device layer by layer through
    // `offloadSlots` device slots (>= 2: one in use, one being filled). The hub and the trainable
    // experts stay on the device. On the CPU a no-op (the weights are mapped views already), said
    // in the log, unless offloadOnCpu (tests: the same streaming path with synchronous copies).
    bool offloadFrozenExperts = false;
    int offloadSlots = 2;
    bool offloadOnCpu = false;
};

struct ModelBatch {
    torch::Tensor inputIds;      // [B, T] int64
    torch::Tensor attentionMask; // [B, T] (1 real token, 0 padding); undefined: all real
    // [B, T] int64, -100 = ignored; undefined: inputIds with padding set to -100. Position t
    // predicts labels[t + 1] (next-token shift done inside, as transformers).
    torch::Tensor labels;
};

struct ForwardOptions {
    bool loss = true;               // mean next-token cross-entropy over the target tokens (chunked)
    bool logits = false;            // full [B, T, V] fp32 logits (inspection / small inputs only)
    bool auxLoss = false;           // load-balancing loss over all MoE layers (padding excluded)
    bool routing = false;           // also return each MoE layer's choices
    std::int64_t lossChunkRows = 0; // 0: automatic (~64 MiB of fp32 logits per chunk)
    // Data parallel: sums the load-balancing loss's routing statistics over the ranks (see
    // AuxLossAccumulator::value in Router.h); auxLoss is then this rank's share. Empty: this
    // batch alone.
    std::function<void(torch::Tensor& counts, double& tokens)> auxStatistics;
};

struct LayerRouting {
    int layer = 0;
    torch::Tensor ids;     // [B, T, k] int64, -1 at padding positions
    torch::Tensor weights; // [B, T, k] fp32, 0 at padding positions
};

struct ForwardResult {
    torch::Tensor loss;                // fp32 scalar (defined when requested); differentiable
    torch::Tensor auxLoss;             // fp32 scalar (defined when requested); not yet multiplied by the coefficient
    torch::Tensor logits;              // [B, T, V] fp32 (when requested)
    std::int64_t targetTokens = 0;     // tokens the loss averages over
    std::vector<LayerRouting> routing; // one per MoE layer, in layer order (when requested)
};

struct ModelMemory {
    std::int64_t weightBytes = 0;    // frozen weights held on the device
    std::int64_t mappedBytes = 0;    // of which read-only views of the memory-mapped checkpoint (CPU)
    std::int64_t trainableBytes = 0; // fp32 masters
    bool isCuda = false;
    std::int64_t deviceAllocated = 0; // CUDA: bytes allocated by torch on the device
    std::int64_t deviceFree = 0;      // CUDA: free device memory
    std::int64_t deviceTotal = 0;
    // Offload: frozen experts kept in host memory (not in weightBytes, which counts the device
    // slots they are streamed through instead), and the pinned staging buffers.
    std::int64_t offloadedBytes = 0;
    std::int64_t stagingBytes = 0;
};

class MoeModel {
public:
    // Loads config.json and the weights of `dir`. Throws teft::FormatError for a malformed
    // config, a missing tensor, a wrong shape or non-finite weights (naming the tensor), and
    // teft::Error for a bad selection (layer that is not MoE, expert out of range) or device.
    // control (optional): progress per layer, cancellation.
    static std::unique_ptr<MoeModel> load(const std::filesystem::path& dir, const MoeModelOptions& options,
                                          JobControl* control = nullptr);
    ~MoeModel();

    const ModelConfig& config() const { return m_config; }
    const MoeModelOptions& options() const { return m_options; }
    torch::Device device() const { return m_device; }
    const std::filesystem::path& dir() const { return m_dir; }

    ForwardResult forward(const ModelBatch& batch, const ForwardOptions& options = {});
    // Switches activation recomputation (MoeModelOptions::recompute) for the next forward passes.
    void setRecompute(bool on) { m_options.recompute = on; }
    // Routing capture: each MoE layer's top-k ids and weights for the real tokens; runs without
    // autograd and stops after the last MoE layer (no lm_head).
    std::vector<LayerRouting> captureRouting(const ModelBatch& batch);

    // Routing capture layer by layer, for identification of a model larger than memory: run one
    // layer over many batches before the next, so that each layer's weights are read once per
    // pass instead of once per batch. beginLayers() embeds a batch (validated as forward()
    // does); runLayer() runs layer `layer` over it in place without autograd and returns what
    // captureRouting() returns for that layer (nothing for a dense layer). Layers must be run
    // in order, 0 first. The same results as captureRouting(), bit for bit.
    struct LayerState {
        torch::Tensor hidden;           // [B, T, H] in the compute dtype, after the layers run so far
        torch::Tensor mask;             // [B, T] int64, undefined: no padding
        torch::Tensor bias;             // attentionBias() of the batch (undefined: plain causal)
        torch::Tensor ropeCos, ropeSin; // rope tables in the compute dtype
        int nextLayer = 0;
    };
    LayerState beginLayers(const ModelBatch& batch) const;
    std::optional<LayerRouting> runLayer(int layer, LayerState& state) const;
    // Gives the pages of layer `layer`'s weights that are views of the memory-mapped checkpoint
    // back to the kernel (SafetensorsFile::releasePages; owned copies are left alone); -1: the
    // embedding, the final norm and the head. Returns the bytes released.
    std::uint64_t releaseMappedPages(int layer) const;
    // Bytes of the checkpoint's mappings resident in this process (SafetensorsFile::residentBytes).
    std::uint64_t mappedResidentBytes() const;

    // The trainable tensors (selected experts' gate/up/down), by checkpoint name, in layer and
    // expert order: fp32 leaves with requires_grad, on the device. Hand these to the optimizer.
    std::vector<std::pair<std::string, torch::Tensor>> trainableParameters() const;
    bool isPresent(int layer, int expert) const;
    bool isTrainable(int layer, int expert) const;

    // Expert tensors by checkpoint name (per-expert names). tensor(): a detached copy of the
    // current value in the tensor's storage dtype (fp32 for trainable, compute dtype otherwise)
    // on the CPU. setTensor(): copies `value` (any float dtype, any device) in place, checking
    // the shape; trainable tensors keep their identity (optimizer state stays valid).
    // Error for an unknown name or an expert absent in masked mode.
    bool hasTensor(const std::string& name) const;
    torch::Tensor tensor(const std::string& name) const;
    void setTensor(const std::string& name, const torch::Tensor& value);

    // The full state in the base checkpoint's names, dtypes and layout (per-expert or fused),
    // CPU tensors: experts held by the model carry their current values, everything else is
    // the checkpoint's own data. Ready for writeCheckpoint().
    std::vector<std::pair<std::string, torch::Tensor>> exportState() const;

    ModelMemory memory() const;

    // Internal layout, for tests and benchmarks.
    const std::vector<LayerWeights>& layers() const { return m_layers; }
    const torch::Tensor& embedding() const { return m_embed; }
    const torch::Tensor& lmHead() const { return m_lmHead; }
    const torch::Tensor& finalNorm() const { return m_finalNorm; }
    int firstTrainableLayer() const { return m_firstTrainableLayer; }

private:
    MoeModel() = default;
    torch::Tensor* findExpertTensor(const std::string& name, int& layer, int& expert, int& part);
    void startOffload(); // builds m_streamer for the layers load() marked (MoeWeights::layer)
    const torch::Tensor* findExpertTensor(const std::string& name) const;
    torch::Tensor runLayers(const torch::Tensor& inputIds, const torch::Tensor& mask, int lastLayer,
                            std::vector<LayerRouting>* routing, AuxLossAccumulator* aux,
                            const torch::Tensor& validRows);

    ModelConfig m_config;
    MoeModelOptions m_options;
    torch::Device m_device{torch::kCPU};
    std::filesystem::path m_dir;
    std::shared_ptr<CheckpointFiles> m_checkpoint;
    bool m_fusedExperts = false; // checkpoint stores experts as gate_up_proj / down_proj
    torch::Tensor m_embed, m_lmHead, m_finalNorm;
    std::vector<LayerWeights> m_layers;
    int m_firstTrainableLayer = -1;
    std::vector<std::vector<bool>> m_modified;  // [layer][expert]: trainable or changed by setTensor
    std::unique_ptr<ExpertStreamer> m_streamer; // offload (after m_layers: it points into them)
    std::int64_t m_stagingBytes = 0;
};

} // namespace teft
