// Demo step 6: Φ merged into a full checkpoint, and the losses per domain for the report.
#include "core/demo/DemoCorpus.h"
#include "core/demo/DemoSteps.h"
#include "core/train/ValidatorJob.h"

#include <spdlog/spdlog.h>

namespace teft {

MergeResult mergeDemo(const DemoContext& ctx, const DemoFoundation& f, const DemoDatasets& data)
{
    spdlog::info("demo: merging Φ into the base model");
    MergeSettings ms;
    ms.modelDir = f.modelDir();
    ms.phiFile = ValidatorState::load(ctx.work / "validator").phi;
    ms.outDir = ctx.work / "merged";
    ms.eval = ctx.settings.eval;
    std::vector<std::pair<std::string, const TokenDataset*>> ds;
    for (const auto& d : demoDomains())
        ds.emplace_back(d, &data.at(d));
    return runMerge(ms, ds, ctx.control);
}

nlohmann::json demoLossRows(const MergeResult& merged, const FullFineTuneBaseline* fullFineTune,
                            const std::string& target)
{
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& d : merged.losses) {
        nlohmann::json row{{"domain", d.name}, {"in_domain", d.name == target}, {"base", d.before}, {"teft", d.after}};
        if (fullFineTune && fullFineTune->sameSteps.count(d.name))
            row["full_ft"] = fullFineTune->sameSteps.at(d.name);
        if (fullFineTune && fullFineTune->matched.count(d.name))
            row["full_ft_matched"] = fullFineTune->matched.at(d.name);
        rows.push_back(row);
    }
    return rows;
}

} // namespace teft
