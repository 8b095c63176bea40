// Demo step 3: the target domain's experts, through TEFT step 1 (core/project/Identify.h) like
// `teft identify` and the desktop's Experts page, with the other domains as the reference.
#include "core/demo/DemoSteps.h"
#include "core/io/CheckpointFiles.h"
#include "core/project/Identify.h"
#include "core/store/JobRecord.h"
#include "core/teft/SelectionPolicy.h"

#include <spdlog/spdlog.h>

namespace teft {

ExpertSelection identifyDemoExperts(const DemoContext& ctx, const DemoFoundation& f, const DemoDatasets& data)
{
    const auto& s = ctx.settings;
    spdlog::info("demo: identifying experts for '{}'", s.target);
    IdentifyRequest request;
    request.modelDir = f.modelDir();
    request.computeDtype = torch::kFloat;
    request.settings.batches = 8;
    request.target.label = s.target;
    request.target.tokenized = {&data.at(s.target)};
    // The contrast: what sets the target apart from every other domain (fewer batches each, so
    // that the reference together is about as large as the target).
    IdentifyDataset reference;
    reference.label = "other demo domains";
    reference.batches = 2;
    for (const auto& [name, d] : data)
        if (name != s.target)
            reference.tokenized.push_back(&d);
    request.reference = reference;
    request.statsFile = ctx.work / "stats.json";
    request.referenceStatsFile = ctx.work / "stats.reference.json";
    request.config = {{"model", f.modelDir().string()}, {"target", s.target}};
    request.outputDir = ctx.work;

    ExpertSelection selection;
    identify(request, ctx.control, [&](JobRecord& record, const IdentifyResult& result) {
        SelectionPolicy p;
        p.kind = SelectionPolicy::Kind::TopKPerLayer;
        p.metric = RoutingMetric::ContrastLogRatio;
        p.k = s.expertsPerLayer;
        selection = selectExperts(result.target, p, &*result.reference);
        selection.save((ctx.work / "selection.json").string());
        record.metric(0, "experts", selection.count());
    });
    return selection;
}

nlohmann::json demoSelectionCost(const ExpertSelection& selection, const DemoFoundation& f)
{
    const auto& config = f.config;
    const auto modelBytes = CheckpointFiles::open(f.modelDir()).totalBytes();
    const auto cost = selection.cost(config.paramsPerExpert(), config.bytesPerExpert(),
                                     static_cast<std::int64_t>(modelBytes));
    return {{"experts", cost.experts},
            {"total_experts", config.numExperts * static_cast<std::int64_t>(config.moeLayers().size())},
            {"trainable_parameters", cost.trainableParameters},
            {"model_bytes", modelBytes},
            {"share_of_model", cost.shareOfModel},
            {"selected_bytes", cost.submissionBytes}};
}

} // namespace teft
