#pragma once

// The bytes a miner's update Δ takes as it travels, per encoding (core/teft/DeltaEncoding.h):
// what every size the CLI and the GUI show is based on.

#include "core/teft/DeltaEncoding.h"

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <vector>

namespace teft {

class ExpertSelection;
struct ModelConfig;

// The shapes of one routed expert's Δ tensors: gate and up [I, H], down [H, I].
std::vector<std::vector<std::int64_t>> expertDeltaShapes(const ModelConfig& config);
// One expert's Δ encoded (payloads plus int8 row scales).
std::uint64_t expertUpdateBytes(const ModelConfig& config, DeltaEncoding encoding);
// The int8 row scales alone of one expert's Δ.
std::uint64_t expertInt8ScaleBytes(const ModelConfig& config);

// A round's submission for `experts` selected experts, in each encoding.
struct UpdateBytes {
    std::int64_t experts = 0;
    std::uint64_t f32 = 0;
    std::uint64_t bf16 = 0;
    std::uint64_t int8 = 0; // scales included
    std::uint64_t int8Scales = 0;
    std::uint64_t of(DeltaEncoding encoding) const;
    nlohmann::json toJson() const;
};
UpdateBytes updateBytes(const ModelConfig& config, std::int64_t experts);

} // namespace teft
