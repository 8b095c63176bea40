#pragma once

// Randomly initialised checkpoints in a family's exact Hugging Face layout ("teft model
// create"): config.json, model.safetensors (or shards + index), a byte-level tokenizer.json in
// the Qwen2 layout, tokenizer_config.json and generation_config.json.

#include "core/model/ModelConfig.h"

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class JobControl;

struct GenerateOptions {
    std::string arch = "qwen3_moe"; // model_type
    std::string preset = "tiny";    // tiny | small | qwen3-30b-a3b (presetSizes)
    int layers = 0;                 // > 0: this many layers instead of the preset's
    int shards = 1;                 // > 1: about that many shards + index
    std::uint64_t seed = 0;
    torch::ScalarType dtype = torch::kBFloat16; // kBFloat16 | kFloat | kHalf
    bool fusedExperts = false;                  // transformers v5 layout: mlp.experts.gate_up_proj / down_proj
};

// The config.json a generated checkpoint of this family and preset carries.
nlohmann::json generatedConfigJson(const GenerateOptions& options);

// Random weights for cfg, by checkpoint name, in the order transformers saves them. Norm weights
// are near 1, routers are scaled so routing is decisive, deepseek_v3 gets a non-zero
// e_score_correction_bias.
std::vector<std::pair<std::string, torch::Tensor>> randomWeights(const ModelConfig& cfg, std::uint64_t seed,
                                                                 torch::ScalarType dtype, bool fusedExperts = false);

// Writes the whole folder (creating it); returns the parsed config. The data is drawn while the
// shards are written (the same bytes as randomWeights), so memory holds about one shard: a
// checkpoint larger than memory is generated with --shards of about its layer count.
ModelConfig generateCheckpoint(const std::filesystem::path& out, const GenerateOptions& options,
                               JobControl* control = nullptr);

// tokenizer.json, tokenizer_config.json and generation_config.json of the byte-level tokenizer
// (256 byte tokens, ids in GPT-2 byte-to-unicode order; <|endoftext|> = 256, <|im_start|> = 257,
// <|im_end|> = 258).
void writeByteLevelTokenizer(const std::filesystem::path& dir);

} // namespace teft
