#pragma once

// Next-token cross-entropy without materialising the full fp32 logits: the vocabulary
// projection, log-softmax and the gradient with respect to the hidden states are computed
// chunk by chunk of positions. The lm_head is frozen (hub parameter), so the only gradient
// needed is the one of the hidden states, computed in the forward pass and kept ([N, H], small).

#include <torch/types.h>

namespace teft {

// hidden [N, H] (compute dtype; may require grad), lmHead [V, H] (frozen), targets [N] int64 in
// [0, V). Returns the mean loss over the N rows (fp32 scalar), differentiable w.r.t. hidden.
// chunkRows <= 0: chosen so one chunk's fp32 logits stay near 64 MiB.
torch::Tensor chunkedCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& lmHead,
                                  const torch::Tensor& targets, std::int64_t chunkRows = 0);

// Full logits [B, T, V] in fp32 (for inspection / small inputs).
torch::Tensor fullLogits(const torch::Tensor& hidden, const torch::Tensor& lmHead);

} // namespace teft
