#pragma once

#include "core/data/DatasetSpec.h"
#include "core/data/TokenDataset.h"
#include "core/teft/ExpertSelection.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace teft {
class JobStore;
class JobControl;
}

namespace teft::ui {

// What the engine needs to know about a project saved by the wizard: the model folder, the
// target dataset (and an optional reference dataset for the contrast metrics), packing options
// and the device. Every engine run of the desktop application starts from one of these.
struct ProjectSetup {
    std::int64_t id = 0;
    std::string name;
    std::filesystem::path modelDir;
    std::string device = "cpu";
    DatasetSpec target;
    std::optional<DatasetSpec> reference;
    PackingOptions packing; // seqLen and held-out fraction from the project's settings

    // The project's own folder under the data directory: routing statistics, miner runs, the
    // validator's state and merged checkpoints live there.
    std::filesystem::path workDir() const;
    std::filesystem::path targetStatsFile() const { return workDir() / "routing" / "target.json"; }
    std::filesystem::path referenceStatsFile() const { return workDir() / "routing" / "reference.json"; }

    // Reads project `id` from the store. teft::Error naming the problem (no such project, no
    // target dataset, a malformed dataset entry, a model folder that is gone).
    static ProjectSetup load(const JobStore& store, std::int64_t id);
};

// Tokenizes (or loads from the cache) a dataset with the project's model tokenizer and packing.
TokenDataset loadProjectDataset(const ProjectSetup& project, const DatasetSpec& spec, JobControl& control,
                                std::optional<std::int64_t> seqLen = std::nullopt);

// Every expert selection saved for the project that parses, newest first (a damaged row is
// skipped: it must not hide the others).
std::vector<ExpertSelection> projectSelections(const JobStore& store, std::int64_t projectId);

// The newest expert selection saved for the project whose fingerprint matches `fingerprint`
// (any when it is empty); nullopt when there is none.
std::optional<ExpertSelection> latestProjectSelection(const JobStore& store, std::int64_t projectId,
                                                      const std::string& fingerprint = {});

} // namespace teft::ui
