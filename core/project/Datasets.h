#pragma once

// Turning a dataset a user named into the rows a TEFT step reads, the same way for the command
// line, the desktop application and the demo: the model folder's tokenizer, the given packing.

#include "core/data/DatasetSpec.h"
#include "core/data/TokenDataset.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace teft {

class JobControl;
class Tokenizer;

// A dataset with the packing it is read with and the name reports show it under.
struct NamedDataset {
    std::string name;
    DatasetSpec spec;
    PackingOptions packing;
};

// The name a dataset is shown under: its first path's file (or folder) name, "" without paths.
std::string datasetLabel(const DatasetSpec& spec);

// What reading a dataset as a project reads it gives: how many records and tokens, and the bad
// records skipped (DataQualityReport), so a user sees before training what the engine will use.
struct DatasetSummary {
    std::int64_t files = 0;
    std::int64_t records = 0;   // good records (documents) read
    std::int64_t tokens = 0;    // all tokens, one EOS per document included; 0 when not tokenized
    std::int64_t rowTokens = 0; // tokens in whole training rows: the most identification can read
    bool tokenized = false;     // tokens counted with the model's tokenizer
    DataQualityReport quality;  // bad records skipped while reading
    std::string error;          // why the dataset cannot be used (then the counts are 0); "" when it can

    nlohmann::json toJson() const;
    // FormatError naming the key for a malformed entry.
    static DatasetSummary fromJson(const nlohmann::json& j);
};

// The summary of a built dataset (its stats()).
DatasetSummary summaryOf(const TokenDataset& data);

// Reads `spec` the way the engine will: with a tokenizer, TokenDataset::build with `packing`
// (the cache is filled, so the project's first step does not tokenize again); without one,
// every record is read and counted (no tokens). A dataset that cannot be used (a missing path,
// no usable record) comes back with `error` set, with the bad records met on the way; Cancelled
// through `control` is thrown.
DatasetSummary summarizeDataset(const DatasetSpec& spec, const Tokenizer* tokenizer, const PackingOptions& packing,
                                JobControl& control);

// The summaries of a project's datasets, kept in its folder (Project::dataSummaryFile):
// {"target": summary, "references": [summary, ...]} in the project's order.
struct ProjectDataSummary {
    DatasetSummary target;
    std::vector<DatasetSummary> references;

    // Written to a temporary name and renamed; the folder is created. teft::Error on failure.
    void save(const std::filesystem::path& file) const;
    // nullopt when the file is missing; FormatError naming the file when it is damaged.
    static std::optional<ProjectDataSummary> load(const std::filesystem::path& file);
};

// teft::Error "Dataset path … does not exist (moved or deleted?)" for the first path of `spec`
// that is gone: the likely cause of a failure, checked before anything expensive is read.
void requireDatasetPaths(const DatasetSpec& spec);

// Tokenizes (or loads from the cache) `spec` with the tokenizer of the model in `modelDir`.
// requireDatasetPaths first, before the tokenizer is read; Cancelled through `control`.
TokenDataset tokenizeDataset(const std::filesystem::path& modelDir, const DatasetSpec& spec,
                             const PackingOptions& packing, JobControl& control);

} // namespace teft
