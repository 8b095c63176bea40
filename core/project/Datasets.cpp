#include "core/project/Datasets.h"

#include "core/text/Tokenizer.h"
#include "core/util/Error.h"

namespace teft {

void requireDatasetPaths(const DatasetSpec& spec)
{
    for (const auto& path : spec.paths)
        if (!std::filesystem::exists(path))
            throw Error("Dataset path " + path.string() + " does not exist (moved or deleted?)");
}

TokenDataset tokenizeDataset(const std::filesystem::path& modelDir, const DatasetSpec& spec,
                             const PackingOptions& packing, JobControl& control)
{
    requireDatasetPaths(spec);
    const auto tokenizer = Tokenizer::fromFile(modelDir);
    return TokenDataset::build(spec, tokenizer, packing, control);
}

} // namespace teft
