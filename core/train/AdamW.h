#pragma once

// AdamW over named fp32 tensors with torch.optim.AdamW semantics (decoupled weight decay,
// bias-corrected moments):
//   p ← p·(1 − lr·wd);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + ε)
// Written out (not torch::optim) so that its whole state is plain named tensors that a
// training checkpoint stores in safetensors and restores bit for bit.

#include "core/teft/TensorMap.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace teft {

struct AdamWSettings {
    double beta1 = 0.9;
    double beta2 = 0.95;
    double eps = 1e-8;
    double weightDecay = 0.1;
};

class AdamW {
public:
    AdamW() = default;
    AdamW(std::vector<std::pair<std::string, at::Tensor>> params, AdamWSettings settings);

    // One update with the gradients currently in the parameters' .grad() (a parameter without
    // a gradient is left alone). Runs without autograd.
    void step(double lr);

    const AdamWSettings& settings() const { return m_settings; }
    std::int64_t steps() const { return m_step; }
    const std::vector<std::pair<std::string, at::Tensor>>& params() const { return m_params; }

    // "exp_avg/<name>" and "exp_avg_sq/<name>" (fp32) for every parameter.
    TensorMap state() const;
    // Restores moments saved by state() and the step count. FormatError naming a missing tensor
    // or a wrong shape.
    void loadState(const TensorMap& state, std::int64_t steps);

private:
    std::vector<std::pair<std::string, at::Tensor>> m_params;
    std::vector<at::Tensor> m_expAvg, m_expAvgSq;
    AdamWSettings m_settings;
    std::int64_t m_step = 0;
};

} // namespace teft
