#include "core/project/Identify.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/ModelConfig.h"
#include "core/model/MoeModel.h"
#include "core/project/Datasets.h"
#include "core/project/Project.h"
#include "core/store/JobRun.h"
#include "core/train/ModelIdentity.h"
#include "core/util/Error.h"

namespace teft {

namespace fs = std::filesystem;

RoutingCosts routingCosts(const fs::path& modelDir, const std::string& fingerprint)
{
    const ModelConfig config = ModelConfig::load(modelDir);
    RoutingCosts c;
    c.layout = moeLayoutOf(config, fingerprint);
    c.paramsPerExpert = config.paramsPerExpert();
    // The bytes that travel: a submission's Δ is fp32 whatever the checkpoint's dtype (the
    // model's own bf16 bytes would show half of it).
    c.bytesPerExpert = config.paramsPerExpert() * static_cast<std::int64_t>(sizeof(float));
    c.modelBytes = static_cast<std::int64_t>(CheckpointFiles::open(modelDir).totalBytes()); // as `teft demo` counts it
    return c;
}

namespace {

RoutingStats collect(MoeModel& model, const IdentifyRequest& r, const IdentifyDataset& d, JobControl& control)
{
    IdentifySettings settings = r.settings;
    if (d.batches > 0)
        settings.batches = d.batches;
    std::optional<RoutingStats> stats;
    auto add = [&](const TokenDataset& data) {
        RoutingStats s = collectRoutingStats(model, data, settings, control);
        if (stats)
            stats->merge(s);
        else
            stats = std::move(s);
    };
    if (d.spec) {
        add(tokenizeDataset(r.modelDir, *d.spec, d.packing, control));
    } else {
        for (const TokenDataset* data : d.tokenized)
            add(*data);
    }
    if (!stats)
        throw UsageError("Identification of '" + d.label + "' was given no dataset");
    return std::move(*stats);
}

void save(const RoutingStats& stats, const fs::path& file)
{
    if (file.has_parent_path())
        fs::create_directories(file.parent_path());
    stats.save(file.string());
}

} // namespace

IdentifyResult identify(const IdentifyRequest& r, JobControl& control, const IdentifyFinish& finish)
{
    if (r.statsFile.empty())
        throw UsageError("Identification needs a file for the routing statistics");
    if (r.reference && r.referenceStatsFile.empty())
        throw UsageError("Identification with a reference dataset needs a file for its statistics");
    const fs::path outputDir = r.outputDir.empty() ? r.statsFile.parent_path() : r.outputDir;
    JobRecord rec("identify", r.config.dump(), outputDir.string(), r.projectId);
    return recordJob(rec, [&] {
        MoeModelOptions opt;
        opt.device = r.device;
        opt.computeDtype = r.computeDtype;
        // Layer by layer, loading holds about one layer too (a model larger than memory).
        opt.releaseMappedPages = r.settings.layerByLayer;
        auto model = MoeModel::load(r.modelDir, opt, &control);
        IdentifyResult result;
        result.jobId = rec.id();
        result.fingerprint = modelFingerprint(r.modelDir);
        result.target = collect(*model, r, r.target, control);
        result.target.modelFingerprint = result.fingerprint;
        result.target.dataset = r.target.label;
        save(result.target, r.statsFile);
        if (r.reference) {
            result.reference = collect(*model, r, *r.reference, control);
            result.reference->modelFingerprint = result.fingerprint;
            result.reference->dataset = r.reference->label;
            save(*result.reference, r.referenceStatsFile);
            recordRoutingMetrics(rec, *result.reference, "reference.");
        }
        rec.metric(0, "tokens", static_cast<double>(result.target.tokens()));
        recordRoutingMetrics(rec, result.target);
        result.costs = routingCosts(r.modelDir, result.fingerprint);
        if (finish)
            finish(rec, result);
        return result;
    });
}

IdentifyResult identify(const Project& project, JobControl& control, const std::string& source)
{
    IdentifyRequest r;
    r.modelDir = project.modelDir;
    r.device = project.device;
    r.projectId = project.id;
    r.config = {{"model", project.modelDir.string()}, {"project", project.id}, {"source", source}};
    auto side = [&](const DatasetSpec& spec) {
        IdentifyDataset d;
        d.label = spec.paths.empty() ? std::string() : spec.paths.front().filename().string();
        d.spec = spec;
        d.packing = project.packing;
        return d;
    };
    r.target = side(project.target);
    r.statsFile = project.targetStatsFile();
    r.outputDir = project.routingDir();
    if (project.reference) {
        r.reference = side(*project.reference);
        r.referenceStatsFile = project.referenceStatsFile();
    }
    return identify(r, control, [&](JobRecord&, const IdentifyResult&) {
        // The page shows reference.json beside target.json: one from an earlier setup would be
        // read as this identification's.
        if (!project.reference)
            fs::remove(project.referenceStatsFile());
    });
}

} // namespace teft
