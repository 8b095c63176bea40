#include "core/project/Datasets.h"

#include "core/text/Tokenizer.h"
#include "core/util/Error.h"

namespace teft {

TokenDataset tokenizeDataset(const std::filesystem::path& modelDir, const DatasetSpec& spec,
                             const PackingOptions& packing, JobControl& control)
{
    // Checked first: a dataset that moved is the likely cause, not the tokenizer.
    for (const auto& path : spec.paths)
        if (!std::filesystem::exists(path))
            throw Error("Dataset path " + path.string() + " does not exist (moved or deleted?)");
    const auto tokenizer = Tokenizer::fromFile(modelDir);
    return TokenDataset::build(spec, tokenizer, packing, control);
}

} // namespace teft
