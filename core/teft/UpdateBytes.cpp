#include "core/teft/UpdateBytes.h"

#include "core/model/ModelConfig.h"

#include <nlohmann/json.hpp>

namespace teft {

std::vector<std::vector<std::int64_t>> expertDeltaShapes(const ModelConfig& config)
{
    const std::int64_t h = config.hiddenSize, i = config.expertIntermediate;
    return {{i, h}, {i, h}, {h, i}};
}

std::uint64_t expertUpdateBytes(const ModelConfig& config, DeltaEncoding encoding)
{
    std::uint64_t bytes = 0;
    for (const auto& shape : expertDeltaShapes(config))
        bytes += encodedBytes(shape, encoding);
    return bytes;
}

std::uint64_t expertInt8ScaleBytes(const ModelConfig& config)
{
    std::uint64_t bytes = 0;
    for (const auto& shape : expertDeltaShapes(config))
        bytes += 4 * static_cast<std::uint64_t>(int8Rows(shape));
    return bytes;
}

std::uint64_t UpdateBytes::of(DeltaEncoding encoding) const
{
    switch (encoding) {
    case DeltaEncoding::F32:
        return f32;
    case DeltaEncoding::BF16:
        return bf16;
    case DeltaEncoding::Int8:
        return int8;
    }
    return f32;
}

nlohmann::json UpdateBytes::toJson() const
{
    return {{"experts", experts},
            {"f32", f32},
            {"bf16", bf16},
            {"int8", int8},
            {"int8_scales", int8Scales}};
}

UpdateBytes updateBytes(const ModelConfig& config, std::int64_t experts)
{
    UpdateBytes b;
    b.experts = experts;
    const auto n = static_cast<std::uint64_t>(experts);
    b.f32 = n * expertUpdateBytes(config, DeltaEncoding::F32);
    b.bf16 = n * expertUpdateBytes(config, DeltaEncoding::BF16);
    b.int8 = n * expertUpdateBytes(config, DeltaEncoding::Int8);
    b.int8Scales = n * expertInt8ScaleBytes(config);
    return b;
}

} // namespace teft
