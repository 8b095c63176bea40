#pragma once

// Options and helpers shared by the TEFT job commands (identify, train, validate, merge, eval).

#include "app/cli/Cli.h"
#include "core/data/TokenDataset.h"
#include "core/project/Datasets.h"

#include <c10/core/ScalarType.h>

#include <filesystem>
#include <string>
#include <vector>

namespace teft {
class ExpertSelection;
}

namespace teft::cli {

// --data PATH... (repeatable), --format, --field, --seq-len, --held-out, --data-seed.
std::vector<Option> dataOptions(bool required = true);
// The dataset the data options name over `paths` (absolute); UsageError for a path that does
// not exist. The steps (core/project) tokenize it with the model's tokenizer.
DatasetSpec datasetSpec(const Invocation& inv, const std::vector<std::string>& paths);
// --seq-len, --held-out, --data-seed.
PackingOptions packingOptions(const Invocation& inv);
// datasetSpec + packingOptions under a report name.
NamedDataset namedDataset(const Invocation& inv, const std::vector<std::string>& paths, const std::string& name);
torch::ScalarType parseComputeDtype(const std::string& name); // bf16 | f32
// Reads a selection in any of the three shapes; refuses an empty one (UsageError).
ExpertSelection loadSelection(const std::string& path);

} // namespace teft::cli
