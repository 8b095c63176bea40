#pragma once

// Options and helpers shared by the TEFT job commands (identify, train, validate, merge, eval).

#include "app/cli/Cli.h"
#include "core/data/TokenDataset.h"

#include <c10/core/ScalarType.h>
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <vector>

namespace teft {
class ExpertSelection;
}

namespace teft::cli {

// --data PATH... (repeatable), --format, --field, --seq-len, --held-out, --data-seed.
std::vector<Option> dataOptions(bool required = true);
// Tokenizes (or loads from the cache) the given paths with the model folder's tokenizer.
// record: when given, receives datasetRecordJson() of what was loaded (absolute paths).
TokenDataset loadDataset(const Invocation& inv, const std::vector<std::string>& paths,
                         const std::filesystem::path& modelDir, nlohmann::json* record = nullptr);
torch::ScalarType parseComputeDtype(const std::string& name); // bf16 | f32
// Reads a selection in any of the three shapes; refuses an empty one (UsageError).
ExpertSelection loadSelection(const std::string& path);

} // namespace teft::cli
