#include "app/cli/TrainCliSupport.h"

#include "core/teft/ExpertSelection.h"

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

DatasetSpec datasetSpec(const Invocation& inv, const std::vector<std::string>& paths)
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
    return spec;
}

PackingOptions packingOptions(const Invocation& inv)
{
    PackingOptions po;
    po.seqLen = inv.getInt("seq-len");
    po.heldOutFraction = inv.getDouble("held-out");
    po.seed = static_cast<std::uint64_t>(inv.getInt("data-seed"));
    return po;
}

NamedDataset namedDataset(const Invocation& inv, const std::vector<std::string>& paths, const std::string& name)
{
    return {name, datasetSpec(inv, paths), packingOptions(inv)};
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
