#include "core/model/ModelFamily.h"

#include "core/util/Error.h"

#include <algorithm>

namespace teft {

PresetSizes presetSizes(const std::string& preset)
{
    PresetSizes s;
    if (preset == "tiny")
        return s;
    if (preset == "small") {
        s.hidden = 256;
        s.layers = 6;
        s.heads = 8;
        s.kvHeads = 4;
        s.headDim = 32;
        s.experts = 32;
        s.topK = 4;
        s.expertIntermediate = 256;
        s.denseIntermediate = 768;
        return s;
    }
    if (preset == "qwen3-30b-a3b") { // the dimensions of Qwen/Qwen3-30B-A3B (48 layers, 57 GiB in bf16)
        s.hidden = 2048;
        s.layers = 48;
        s.heads = 32;
        s.kvHeads = 4;
        s.headDim = 128;
        s.experts = 128;
        s.topK = 8;
        s.expertIntermediate = 768;
        s.denseIntermediate = 6144;
        s.vocab = 151936;
        return s;
    }
    throw UsageError("Unknown preset '" + preset + "' (use tiny, small or qwen3-30b-a3b)");
}

const std::vector<FamilySpec>& familySpecs()
{
    static const std::vector<FamilySpec> specs = [] {
        auto all = families::registeredSpecs();
        std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.modelType < b.modelType; });
        return all;
    }();
    return specs;
}

const FamilySpec* findFamilySpec(const std::string& modelType)
{
    for (const auto& f : familySpecs())
        if (f.modelType == modelType)
            return &f;
    return nullptr;
}

std::string familyList()
{
    std::string list;
    for (const auto& f : familySpecs())
        list += (list.empty() ? "" : ", ") + f.modelType;
    return list;
}

nlohmann::json commonPresetConfig(const PresetSizes& s, const std::string& modelType, const std::string& architecture)
{
    nlohmann::json c;
    c["architectures"] = nlohmann::json::array({architecture});
    c["model_type"] = modelType;
    c["hidden_size"] = s.hidden;
    c["num_hidden_layers"] = s.layers;
    c["num_attention_heads"] = s.heads;
    c["num_key_value_heads"] = s.kvHeads;
    c["vocab_size"] = s.vocab;
    c["rms_norm_eps"] = 1e-6;
    c["tie_word_embeddings"] = false;
    c["hidden_act"] = "silu";
    c["max_position_embeddings"] = 4096;
    c["initializer_range"] = 0.02;
    c["attention_dropout"] = 0.0;
    c["use_cache"] = true;
    c["bos_token_id"] = 256;
    c["eos_token_id"] = 256;
    c["torch_dtype"] = "bfloat16";
    c["transformers_version"] = "4.51.0";
    return c;
}

} // namespace teft
