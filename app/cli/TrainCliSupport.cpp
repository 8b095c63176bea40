#include "app/cli/TrainCliSupport.h"

#include "core/teft/ExpertSelection.h"
#include "core/text/Tokenizer.h"

#include <nlohmann/json.hpp>

namespace teft::cli {

std::vector<Option> dataOptions(bool required)
{
    return {{"data", "PATH", "dataset file or folder (JSONL, text, CSV/TSV); repeatable", "", required, true},
            {"format", "FMT", "auto, jsonl, text, csv or tsv", "auto"},
            {"field", "NAME", "JSONL field / CSV column holding the text", ""},
            {"seq-len", "N", "tokens per training row", "128"},
            {"held-out", "F", "fraction of documents held out for evaluation", "0.05"},
            {"data-seed", "S", "seed of the held-out split", "0"}};
}

TokenDataset loadDataset(const Invocation& inv, const std::vector<std::string>& paths, const std::filesystem::path& modelDir,
                         nlohmann::json* record)
{
    DatasetSpec spec;
    for (const auto& p : paths) {
        if (!std::filesystem::exists(p))
            throw UsageError("Dataset path '" + p + "' does not exist");
        spec.paths.emplace_back(std::filesystem::absolute(p));
    }
    spec.format = parseDataFormat(inv.get("format"));
    spec.field = inv.get("field");
    spec.column = inv.get("field");
    PackingOptions po;
    po.seqLen = inv.getInt("seq-len");
    po.heldOutFraction = inv.getDouble("held-out");
    po.seed = static_cast<std::uint64_t>(inv.getInt("data-seed"));
    if (record)
        *record = datasetRecordJson(spec, po);
    const auto tokenizer = Tokenizer::fromFile(modelDir);
    return TokenDataset::build(spec, tokenizer, po, inv.control);
}

torch::ScalarType parseComputeDtype(const std::string& name)
{
    if (name == "bf16" || name == "bfloat16")
        return torch::kBFloat16;
    if (name == "f32" || name == "float32" || name == "fp32")
        return torch::kFloat;
    throw UsageError("Compute dtype must be bf16 or f32, got '" + name + "'");
}

ExpertSelection loadSelection(const std::string& path)
{
    auto s = ExpertSelection::load(path);
    if (s.empty())
        throw UsageError("The selection " + path + " selects no experts");
    return s;
}

} // namespace teft::cli
