#pragma once

#include "core/teft/TensorMap.h"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace teft {

// AdamW with torch.optim.AdamW semantics (decoupled weight decay, bias correction, eps outside
// the square root, amsgrad off), over named fp32 parameters. Own implementation so its state
// is plain named tensors that checkpoints store as safetensors (no pickled optimizer state).
class AdamW {
public:
    struct Settings {
        double beta1 = 0.9;
        double beta2 = 0.95;
        double eps = 1e-8;
        double weightDecay = 0.1;
        nlohmann::json toJson() const;
        static Settings fromJson(const nlohmann::json& j);
    };

    AdamW() = default;
    explicit AdamW(Settings settings) : m_settings(settings) {}

    // One step with learning rate lr; every parameter with a defined grad is updated in place.
    void step(const std::vector<std::pair<std::string, at::Tensor>>& params, double lr);

    std::int64_t steps() const { return m_steps; }
    const Settings& settings() const { return m_settings; }
    // State for checkpoints: "exp_avg/<name>", "exp_avg_sq/<name>".
    TensorMap state() const;
    void setState(const TensorMap& state, std::int64_t steps);

private:
    Settings m_settings;
    std::int64_t m_steps = 0;
    TensorMap m_expAvg;
    TensorMap m_expAvgSq;
};

// Total L2 norm of the grads (as torch.nn.utils.clip_grad_norm_ computes it), and scales the
// grads by maxNorm / (norm + 1e-6) when the norm exceeds maxNorm (maxNorm <= 0: no clipping).
// Returns the norm before clipping (non-finite when any grad is).
double clipGradNorm(const std::vector<std::pair<std::string, at::Tensor>>& params, double maxNorm);

} // namespace teft
