#pragma once

#include "core/teft/TensorMap.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>

namespace teft {

// The validator's outer step (DiLoCo): the aggregated displacement Δ = Φ(t) − Φ_new is a
// pseudo-gradient for SGD with (Nesterov) momentum, with torch.optim.SGD semantics
// (dampening 0, no weight decay):
//   buf ← Δ on the first step, else buf ← μ·buf + Δ
//   step ← Δ + μ·buf (Nesterov) or buf (plain momentum) or Δ (μ = 0)
//   Φ ← Φ − lr·step
// so lr = 1, μ = 0 gives Φ(t+1) = Φ(t) − Δ = Φ_new. Computed in fp32; parameters of another
// dtype are updated through an fp32 copy and written back. The momentum state survives rounds
// via save()/load() (a safetensors file, written atomically).
class OuterOptimizer {
public:
    struct Settings {
        double lr = 0.7;
        double momentum = 0.9;
        bool nesterov = true;
        void check() const;
        nlohmann::json toJson() const;
        static Settings fromJson(const nlohmann::json& j);
    };

    OuterOptimizer() = default;
    explicit OuterOptimizer(Settings settings);

    // Updates `params` in place (the tensors may be views into a live model). Every name in
    // `delta` must be in `params` with the same shape; params without a delta are left alone
    // and their momentum is not advanced (a round without an update for them).
    void step(TensorMap& params, const TensorMap& delta);

    const Settings& settings() const { return m_settings; }
    std::int64_t steps() const { return m_steps; }
    const TensorMap& momentum() const { return m_momentum; }

    // momentum buffers under the parameter names + metadata (settings, steps).
    void save(const std::filesystem::path& path) const;
    // Replaces the state; the file's settings win unless keepSettings. FormatError naming the file.
    void load(const std::filesystem::path& path, bool keepSettings = false);

private:
    Settings m_settings;
    std::int64_t m_steps = 0;
    TensorMap m_momentum;
};

} // namespace teft
