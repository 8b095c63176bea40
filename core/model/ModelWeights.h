#pragma once

// The tensors of a loaded model, grouped as the decoder uses them. Frozen tensors are in the
// compute dtype on the model's device (on the CPU, when the checkpoint already has that dtype,
// read-only views of its memory-mapped files); trainable expert tensors are fp32 leaves that
// require grad (cast to the compute dtype inside the forward pass).

#include <torch/types.h>

#include <vector>

namespace teft {

class ExpertStreamer;

struct AttentionWeights {
    // Standard attention (Linear weights are [out, in]; biases may be undefined).
    torch::Tensor q, k, v, o, qBias, kBias, vBias, oBias;
    // Frozen models: q, k, v stacked in one [q+2kv, H] weight (one matmul), q/k/v then views
    // into it; the same for the biases when all three exist. Undefined otherwise.
    torch::Tensor qkv, qkvBias;
    torch::Tensor qNorm, kNorm; // qwen3_moe: [head_dim]; olmoe: [H*hd] / [kv*hd]
    // Multi-head latent attention.
    torch::Tensor qA, qABias, qANorm, qB; // q_a_proj, q_a_layernorm, q_b_proj (q = plain q when no q_lora_rank)
    torch::Tensor kvA, kvABias, kvANorm, kvB;
};

// A SwiGLU MLP: down(silu(gate x) * up x). Frozen MLPs keep gate and up fused in one
// [2I, H] tensor (one matmul); `gate` and `up` are then views into it.
struct GatedMlpWeights {
    torch::Tensor gateUp; // [2I, H] (frozen) or undefined (trainable)
    torch::Tensor gate, up, down;
    bool trainable = false;
    // Frozen tensors that are read-only views of the memory-mapped checkpoint (copied before a write).
    bool mapped = false;
    bool present() const { return down.defined(); }
};

struct MoeWeights {
    torch::Tensor router;                 // [E, H]
    torch::Tensor scoreBias;              // [E] fp32, deepseek_v3 e_score_correction_bias
    std::vector<GatedMlpWeights> experts; // E entries; absent ones (masked mode) are empty
    torch::Tensor allowed;                // [E] bool on device: router may pick it (undefined: all)
    torch::Tensor presentMask;            // [E] bool on device (undefined: all present)
    // The present experts in dispatch order (built at load): the frozen ones, then the trainable
    // ones. The library kernel path runs all frozen experts as one grouped GEMM per projection.
    std::vector<int> slotExperts;
    int frozenSlots = 0;
    torch::Tensor slotOfExpert;  // [E] int64 on device: each present expert's slot (absent: 0, never routed)
    torch::Tensor stackedGateUp; // CUDA: [frozenSlots, 2I, H]; the frozen experts' gateUp are views into it
    torch::Tensor stackedDown;   // CUDA: [frozenSlots, H, I]; their down likewise
    // Offload (MoeModelOptions::offloadFrozenExperts, core/model/ExpertOffload.h): the frozen
    // experts are host tensors that `streamer` copies to the device for each pass (no stacked
    // tensors then). offloadNext: the offloaded layer the forward pass needs next (-1: none);
    // offloadBackwardNext: the one the backward pass needs after this one.
    ExpertStreamer* streamer = nullptr;
    int layer = -1;
    int offloadNext = -1;
    int offloadBackwardNext = -1;
    GatedMlpWeights shared;   // optional
    torch::Tensor sharedGate; // [1, H] (qwen2_moe)
};

struct LayerWeights {
    torch::Tensor inputNorm, postNorm;
    AttentionWeights attn;
    bool isMoe = false;
    GatedMlpWeights mlp; // dense layers
    MoeWeights moe;
};

} // namespace teft
