// `teft encodings`: the bytes a miner's update takes per round in each encoding (f32, bf16,
// int8 with per-row scales) for a model and a selection, as they travel.
#include "app/cli/Cli.h"

#include "core/model/ModelConfig.h"
#include "core/model/ModelFamily.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/UpdateBytes.h"
#include "core/train/ModelIdentity.h"
#include "core/util/Error.h"

#include <sstream>

namespace teft::cli {
namespace {

int runEncodings(Invocation& inv)
{
    if (inv.has("model") == inv.has("preset"))
        throw UsageError("Give either --model DIR or --preset NAME (e.g. --preset qwen3-30b-a3b)");
    if (inv.has("experts-per-layer") == inv.has("selection"))
        throw UsageError("Give either --experts-per-layer N or --selection FILE");
    ModelConfig config;
    std::string modelLabel;
    if (inv.has("model")) {
        config = ModelConfig::load(inv.get("model"));
        modelLabel = inv.get("model");
    } else {
        const std::string arch = inv.get("arch");
        const FamilySpec* family = findFamilySpec(arch);
        if (!family || !family->presetConfig)
            throw UsageError("Unknown --arch '" + arch + "' (use one of " + familyList() + ")");
        config = ModelConfig::fromJson(family->presetConfig(presetSizes(inv.get("preset"))),
                                       "preset " + inv.get("preset"));
        modelLabel = "preset " + inv.get("preset") + " (" + arch + ")";
    }
    std::int64_t experts = 0;
    if (inv.has("selection")) {
        const ExpertSelection selection = ExpertSelection::load(inv.get("selection"));
        selection.validateOrThrow(moeLayoutOf(config, selection.modelFingerprint()));
        experts = selection.count();
    } else {
        const long long perLayer = inv.getInt("experts-per-layer");
        if (perLayer < 1 || perLayer > config.numExperts)
            throw UsageError("--experts-per-layer must be between 1 and " + std::to_string(config.numExperts) +
                             " (the experts of a layer), not " + inv.get("experts-per-layer"));
        experts = perLayer * static_cast<std::int64_t>(config.moeLayers().size());
    }
    const UpdateBytes b = updateBytes(config, experts);
    if (inv.json()) {
        nlohmann::json doc = b.toJson();
        doc["model"] = modelLabel;
        doc["params_per_expert"] = config.paramsPerExpert();
        inv.printJson(doc);
        return 0;
    }
    std::ostringstream o;
    o << modelLabel << ": " << experts << " selected experts, " << config.paramsPerExpert()
      << " parameters each; bytes per round (one submission):\n"
      << "  f32   " << b.f32 << "\n"
      << "  bf16  " << b.bf16 << "\n"
      << "  int8  " << b.int8 << " (of which " << b.int8Scales << " row scales)\n";
    inv.printText(o.str());
    return 0;
}

} // namespace

TEFT_COMMAND({"encodings",
              "Show the bytes a submission takes per round in each update encoding",
              "A miner's update Δ travels as f32 (4 bytes a value), bf16 (2 bytes, the default) or int8 (1 byte "
              "a value plus one F32 scale per row). For a model (--model DIR, or --preset NAME with --arch) and a "
              "selection (--selection FILE, or --experts-per-layer N on every MoE layer), prints the bytes one "
              "submission carries in each encoding.",
              {},
              {{"model", "DIR", "model folder (config.json)", ""},
               {"preset", "NAME", "generated preset: tiny, small or qwen3-30b-a3b", ""},
               {"arch", "TYPE", "model family of --preset", "qwen3_moe"},
               {"selection", "FILE", "expert selection (teft, Connito or ESFT shape)", ""},
               {"experts-per-layer", "N", "N experts on every MoE layer instead of a selection file", ""}},
              runEncodings});

} // namespace teft::cli
