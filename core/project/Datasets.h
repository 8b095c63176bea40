#pragma once

// Turning a dataset a user named into the rows a TEFT step reads, the same way for the command
// line, the desktop application and the demo: the model folder's tokenizer, the given packing.

#include "core/data/DatasetSpec.h"
#include "core/data/TokenDataset.h"

#include <filesystem>
#include <string>

namespace teft {

class JobControl;

// A dataset with the packing it is read with and the name reports show it under.
struct NamedDataset {
    std::string name;
    DatasetSpec spec;
    PackingOptions packing;
};

// teft::Error "Dataset path … does not exist (moved or deleted?)" for the first path of `spec`
// that is gone: the likely cause of a failure, checked before anything expensive is read.
void requireDatasetPaths(const DatasetSpec& spec);

// Tokenizes (or loads from the cache) `spec` with the tokenizer of the model in `modelDir`.
// requireDatasetPaths first, before the tokenizer is read; Cancelled through `control`.
TokenDataset tokenizeDataset(const std::filesystem::path& modelDir, const DatasetSpec& spec,
                             const PackingOptions& packing, JobControl& control);

} // namespace teft
