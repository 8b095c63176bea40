#pragma once

// One entry per supported model_type: how to read its config.json keys and what a generated
// ("teft model create") checkpoint of that family looks like. Each family lives in its own file
// under core/model/families/, so adding a family touches one file plus the list in
// ModelFamily.cpp.

#include "core/model/ModelConfig.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace teft {

class ConfigKeys;

// Sizes of the generated presets, shared by the families.
struct PresetSizes {
    std::int64_t hidden = 64;
    std::int64_t layers = 3;
    std::int64_t heads = 4;
    std::int64_t kvHeads = 2;
    std::int64_t headDim = 16;
    std::int64_t experts = 8;
    std::int64_t topK = 2;
    std::int64_t expertIntermediate = 32;
    std::int64_t denseIntermediate = 128;
    std::int64_t vocab = 384; // 256 bytes + 3 specials, padded
};
// "tiny" (tests: seconds) or "small" (benchmarks and demos). UsageError for anything else.
PresetSizes presetSizes(const std::string& preset);

struct FamilySpec {
    std::string modelType;
    ModelFamily family;
    // Reads the family's keys into cfg (shared keys are already read).
    void (*parse)(const ConfigKeys& keys, ModelConfig& cfg);
    // config.json of a generated checkpoint with the family's exact Hugging Face keys.
    nlohmann::json (*presetConfig)(const PresetSizes& sizes);
};

const std::vector<FamilySpec>& familySpecs();
const FamilySpec* findFamilySpec(const std::string& modelType); // nullptr when unknown

// Keys every generated config.json carries (shared by the family files).
nlohmann::json commonPresetConfig(const PresetSizes& s, const std::string& modelType,
                                  const std::string& architecture);

// Defined in core/model/families/*.cpp.
const FamilySpec& mixtralFamily();
const FamilySpec& qwen2MoeFamily();
const FamilySpec& qwen3MoeFamily();
const FamilySpec& olmoeFamily();
const FamilySpec& deepseekV2Family();
const FamilySpec& deepseekV3Family();

} // namespace teft
