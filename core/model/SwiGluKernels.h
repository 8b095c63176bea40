#pragma once

// Fused CPU kernels for silu(gate) * up and its gradients over row-major 2-D views (rows may be
// strided, as the two halves of a fused [N, 2I] gate/up projection): fp32 math, each output
// rounded once to the storage dtype (bf16 or fp32).

#include <torch/types.h>

namespace teft {

// True when the kernels handle these operands (CPU, bf16 or fp32, same dtype and shape, 2-D with
// unit column stride).
bool swigluKernelApplies(const torch::Tensor& gate, const torch::Tensor& up);

// silu(gate) * up as a new contiguous [N, I] tensor.
torch::Tensor swigluForwardKernel(const torch::Tensor& gate, const torch::Tensor& up);

// gradGate = grad * up * silu'(gate), gradUp = grad * silu(gate), written into the given
// [N, I] views (unit column stride).
void swigluBackwardKernel(const torch::Tensor& grad, const torch::Tensor& gate, const torch::Tensor& up,
                          const torch::Tensor& gradGate, const torch::Tensor& gradUp);

} // namespace teft
