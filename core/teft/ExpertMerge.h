#pragma once

#include "core/teft/TensorMap.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace teft {

class JobControl;

struct MergeResult {
    std::filesystem::path outDir;
    std::int64_t expertsMerged = 0;  // (layer, expert) slots written from Φ
    std::int64_t tensorsWritten = 0; // all tensors of the checkpoint
    std::uint64_t weightBytes = 0;
    int shards = 1;
    bool verified = false;
    nlohmann::json toJson() const;
};

// TEFT step 4: writes Φ (the trained experts, by checkpoint name, any float dtype) into the
// base model at their (layer, expert) slots and writes a complete checkpoint to outDir in the
// base's own layout and dtypes (single file or about as many shards as the base, with index;
// per-expert or fused experts), copies config.json, tokenizer and generation files, adds
// teft_merge.json (provenance), then reloads it to verify: every tensor has the base's name,
// dtype and shape; the merged experts hold Φ cast to the storage dtype; everything else is
// bit for bit the base. Throws Error naming the problem (unknown tensor name, outDir == base).
MergeResult mergeExperts(const std::filesystem::path& baseDir, const TensorMap& phi,
                         const std::filesystem::path& outDir, const nlohmann::json& provenance = {},
                         JobControl* control = nullptr);

} // namespace teft
