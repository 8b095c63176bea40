#pragma once

// TEFT step 4: write Φ into the base model at the selected slots and publish a complete
// checkpoint in the base's own layout and dtype (safetensors, sharded + index when the base is
// sharded or larger than the shard size; config.json, tokenizer and generation files copied),
// then reload it and check every tensor: merged experts equal Φ in the base dtype, everything
// else byte-identical to the base. Optionally reports held-out losses before and after.

#include "core/teft/TensorMap.h"
#include "core/train/LossEvaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class TokenDataset;
class JobControl;

struct MergeSettings {
    std::filesystem::path modelDir;
    std::filesystem::path phiFile;
    std::filesystem::path outDir;
    std::uint64_t maxShardBytes = 0; // 0: the base's layout (its largest shard, or one file)
    EvalSettings eval;
    std::optional<std::int64_t> projectId; // the job store project the merge job belongs to
};

struct MergeVerification {
    std::int64_t tensors = 0;
    std::int64_t mergedTensors = 0;
    std::int64_t identicalTensors = 0; // untouched and byte-identical
    std::vector<std::string> problems;
    bool ok() const { return problems.empty(); }
};

struct DomainLoss {
    std::string name;
    double before = 0, after = 0;
};

struct MergeResult {
    std::filesystem::path outDir;
    MergeVerification verification;
    std::vector<DomainLoss> losses; // per dataset given
    std::int64_t jobId = 0;
    nlohmann::json toJson() const;
};

// datasets: (name, held-out data) pairs whose loss is reported before and after (may be empty).
MergeResult runMerge(const MergeSettings& settings,
                     const std::vector<std::pair<std::string, const TokenDataset*>>& datasets, JobControl& control);

// Compares a merged checkpoint against its base and Φ (names in Φ must equal Φ cast to the
// base dtype; all other tensors byte-identical).
MergeVerification verifyMerged(const std::filesystem::path& baseDir, const std::filesystem::path& mergedDir,
                               const TensorMap& phi);

} // namespace teft
