#pragma once

// TEFT step 4: write Φ into the base model at the selected slots and publish a complete
// checkpoint in the base's own layout and dtype (safetensors, sharded + index when the base is
// sharded or larger than the shard size; config.json, tokenizer and generation files copied),
// then check every tensor of the written files: merged experts equal Φ in the base dtype,
// everything else byte-identical to the base. Optionally reports held-out losses before (on the
// memory-mapped base) and after (on the checkpoint as written, loaded from the output folder),
// both on the report half of the held-out rows (TokenDataset::HeldOutPart::Report), disjoint
// from the scoring half a validator chose the merged update on.
//
// The merge streams: tensor by tensor, shard by shard, unchanged tensors are copied from the
// base files in bounded chunks and Φ (converted to the checkpoint's dtype) is written in place
// of the experts it replaces, fused [E, 2I, H] / [E, H, I] layouts included. Memory: Φ and one
// copy buffer, never the model (the evaluations hold what the model engine holds). A cancelled
// or killed merge leaves no partial file; running it again resumes after the shards it
// completed.

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
    std::string device = "auto";                   // where the before/after evaluations run ("cpu", "cuda:0", "auto")
    std::optional<std::int64_t> projectId;         // the job store project the merge job belongs to
    std::size_t chunkBytes = std::size_t{8} << 20; // largest copy / comparison buffer
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
    std::uint64_t bytesWritten = 0; // tensor data written by this run
    std::uint64_t bytesKept = 0;    // tensor data of shards kept from an interrupted run
    std::size_t largestBuffer = 0;  // the largest copy buffer the writer allocated
    nlohmann::json toJson() const;
};

// datasets: (name, held-out data) pairs whose loss is reported before and after (may be empty).
MergeResult runMerge(const MergeSettings& settings,
                     const std::vector<std::pair<std::string, const TokenDataset*>>& datasets, JobControl& control);

// Compares a merged checkpoint against its base and Φ, reading both in chunks of chunkBytes:
// Φ's tensors (per expert, or their slices of fused expert tensors) must equal Φ cast to the
// checkpoint's dtype, all other bytes must be identical to the base's.
MergeVerification verifyMerged(const std::filesystem::path& baseDir, const std::filesystem::path& mergedDir,
                               const TensorMap& phi, JobControl* control = nullptr,
                               std::size_t chunkBytes = std::size_t{8} << 20);

// Φ's tensor in the dtype a merged checkpoint stores it in (through fp32, as the model engine's
// fp32 master weights do).
at::Tensor phiInDtype(const at::Tensor& phi, c10::ScalarType dtype);

} // namespace teft
