#pragma once

// The decoder's building blocks as plain functions over tensors, so that each can be checked on
// its own against a straightforward computation. x is [..., H] in the compute dtype.

#include "core/model/ModelConfig.h"
#include "core/model/ModelWeights.h"

#include <torch/types.h>

namespace teft {

// Which kernels the decoder runs. Auto: LibTorch's scaled-dot-product attention (flash /
// memory-efficient kernels) and grouped expert GEMMs (torch::_grouped_mm) on CUDA; the engine's
// blocked attention and fused per-expert CPU kernels on the CPU. Library forces LibTorch's
// kernels everywhere (the CPU tests check the CUDA path's numerics with it); Native forces the
// engine's own. Process-wide; set it before a forward pass, not during one.
enum class KernelPath { Auto, Native, Library };
void setKernelPath(KernelPath path);
KernelPath kernelPath();
// True when tensors like x go through LibTorch's attention and grouped expert kernels.
bool libraryKernels(const torch::Tensor& x);

// w * (x_f32 * rsqrt(mean(x^2) + eps)).to(x.dtype)
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

// x @ w.T (+ b), w cast to x's dtype when it is a trainable fp32 master.
torch::Tensor project(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b = {});

// silu(gate) * up, evaluated in fp32 and rounded once to the inputs' dtype.
torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up);

// down(silu(gate x) * up x) for x [N, H] (swiglu() when no gradient is needed).
torch::Tensor gatedMlp(const torch::Tensor& x, const GatedMlpWeights& w);

// cos and sin tables [T, d] (fp32) for positions 0..T-1, with the attention factor of YaRN
// already applied, as transformers does.
struct RopeTables {
    torch::Tensor cos, sin;
};
RopeTables ropeTables(const ModelConfig& cfg, std::int64_t seqLen, const torch::Device& device);
// The inverse frequencies [d/2] and the cos/sin scale for cfg (default or YaRN).
std::pair<torch::Tensor, double> ropeInverseFrequencies(const ModelConfig& cfg);
// x [B, heads, T, d]; half layout: x*cos + rotate_half(x)*sin. interleaved: adjacent pairs are
// first gathered into halves (deepseek), as transformers does.
torch::Tensor applyRope(const torch::Tensor& x, const RopeTables& rope, bool interleaved);
// applyRope(x.transpose(1, 2), rope, false) for x [B, T, heads, d], as a contiguous
// [B, heads, T, d] tensor (fused CPU kernel, fp32 math rounded once, where it applies).
torch::Tensor applyRopeTransposed(const torch::Tensor& x, const RopeTables& rope);

// Blocked positions [B|1, 1, 1, T, T] (bool): false where query i may attend key j (j <= i, key
// not padding, inside the sliding window when window > 0), true elsewhere. Undefined where the
// library kernels run a plain causal mask (no padding, no window): flash attention's is_causal.
torch::Tensor attentionBias(const torch::Tensor& attentionMask, std::int64_t seqLen, std::int64_t window,
                            const torch::Device& device);

// Scaled dot-product attention with grouped kv heads. q [B, h, T, d], k [B, hkv, T, d],
// v [B, hkv, T, dv], blocked from attentionBias() (undefined: plain causal). Returns [B, T, h*dv]. A query whose keys are
// all blocked (padding) attends uniformly.
torch::Tensor groupedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& blocked, double scale);

// Self-attention of one layer (standard or MLA per cfg). x [B, T, H] -> [B, T, H].
torch::Tensor selfAttention(const ModelConfig& cfg, const AttentionWeights& w, const torch::Tensor& x,
                            const RopeTables& rope, const torch::Tensor& bias);
double mlaSoftmaxScale(const ModelConfig& cfg);

} // namespace teft
