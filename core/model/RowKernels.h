#pragma once

// CPU kernels for the MoE layer's token dispatch: rows scattered back to their tokens (optionally
// scaled by a per-row weight) with fp32 accumulation and one rounding per output, and the
// gradients of the weighted scatter. bf16 or fp32 rows, int64 indices.

#include <torch/types.h>

namespace teft {

// True when the kernels handle rows of this tensor (CPU, bf16 or fp32, contiguous 2-D).
bool rowKernelsApply(const torch::Tensor& rows);

// out[N, H] with out[index[m]] += weight[m] * rows[m] (weight undefined: 1), zero elsewhere.
torch::Tensor scatterAddRows(const torch::Tensor& rows, const torch::Tensor& index, const torch::Tensor& weight,
                             std::int64_t outRows);

// For grad [N, H]: gradRows[m] = weight[m] * grad[index[m]] and
// gradWeight[m] = sum_h grad[index[m], h] * rows[m, h] (fp32 sum); either may be skipped.
void weightedScatterBackward(const torch::Tensor& grad, const torch::Tensor& rows, const torch::Tensor& index,
                             const torch::Tensor& weight, torch::Tensor* gradRows, torch::Tensor* gradWeight);

// RMSNorm over the last dimension of a contiguous x [..., D] with weight [D] (same dtype):
// out = round(w * round(x * rstd)) as the composite computes it, rstd [rows] fp32 returned too.
bool rmsNormKernelApplies(const torch::Tensor& x, const torch::Tensor& weight);
std::pair<torch::Tensor, torch::Tensor> rmsNormForwardKernel(const torch::Tensor& x, const torch::Tensor& weight,
                                                             double eps);
// The input gradient: (g*w - n * mean(g*w*n)) * rstd with n = x * rstd, fp32 math, rounded once.
torch::Tensor rmsNormBackwardKernel(const torch::Tensor& grad, const torch::Tensor& x, const torch::Tensor& weight,
                                    const torch::Tensor& rstd);

// Rotary embedding, half layout, fused with the [B, T, h, d] -> [B, h, T, d] transpose:
// out[b, i, t] = x[b, t, i] * cos[t] + rotate_half(x[b, t, i]) * sin[t] in fp32, rounded once.
// x: 4-D with unit stride in the last dimension, bf16 or fp32; cos/sin: [T, d] fp32 contiguous.
// The backward maps a gradient [B, h, T, d] to [B, T, h, d] (the transposed rotation).
bool ropeKernelApplies(const torch::Tensor& x);
torch::Tensor ropeForwardKernel(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);
torch::Tensor ropeBackwardKernel(const torch::Tensor& grad, const torch::Tensor& cos, const torch::Tensor& sin);

} // namespace teft
