#include "core/project/Identify.h"

#include "core/teft/UpdateBytes.h"
#include "core/train/MinerJob.h"

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
    // The bytes that travel: a submission's Δ in the miners' default encoding (bf16), whatever the
    // checkpoint's dtype (core/teft/UpdateBytes.h).
    c.bytesPerExpert = static_cast<std::int64_t>(expertUpdateBytes(config, MinerSettings().encoding));
    c.modelBytes = static_cast<std::int64_t>(CheckpointFiles::open(modelDir).totalBytes()); // as `teft demo` counts it
    return c;
}

namespace {

RoutingStats collect(MoeModel& model, const IdentifyRequest& r, const IdentifyDataset& d, JobControl& control,
                     DatasetSummary& summary)
{
    IdentifySettings settings = r.settings;
    if (d.batches > 0)
        settings.batches = d.batches;
    std::optional<RoutingStats> stats;
    bool first = true;
    auto add = [&](const TokenDataset& data) {
        const DatasetSummary part = summaryOf(data);
        if (first) {
            summary = part;
            first = false;
        } else {
            summary.files += part.files;
            summary.records += part.records;
            summary.tokens += part.tokens;
            summary.rowTokens += part.rowTokens;
            summary.quality.merge(part.quality);
        }
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
    if (r.references.size() != r.referenceStatsFiles.size())
        throw UsageError("Identification needs one statistics file per reference dataset (" +
                         std::to_string(r.references.size()) + " references, " +
                         std::to_string(r.referenceStatsFiles.size()) + " files)");
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
        result.target = collect(*model, r, r.target, control, result.targetData);
        result.target.modelFingerprint = result.fingerprint;
        result.target.dataset = r.target.label;
        save(result.target, r.statsFile);
        for (std::size_t i = 0; i < r.references.size(); ++i) {
            DatasetSummary data;
            RoutingStats stats = collect(*model, r, r.references[i], control, data);
            stats.modelFingerprint = result.fingerprint;
            stats.dataset = r.references[i].label;
            save(stats, r.referenceStatsFiles[i]);
            recordRoutingMetrics(rec, stats, "reference" + std::to_string(i + 1) + ".");
            result.references.push_back(std::move(stats));
            result.referencesData.push_back(std::move(data));
        }
        if (r.reference) {
            DatasetSummary ignored;
            result.reference = collect(*model, r, *r.reference, control, ignored);
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
    r.settings = project.identifySettings();
    const std::int64_t budget = project.identifyTokenBudget();
    r.config = {{"model", project.modelDir.string()}, {"project", project.id}, {"source", source}, {"tokens", budget}};
    auto side = [&](const DatasetSpec& spec) {
        IdentifyDataset d;
        d.label = datasetLabel(spec);
        d.spec = spec;
        d.packing = project.packing;
        return d;
    };
    r.target = side(project.target);
    r.statsFile = project.targetStatsFile();
    r.outputDir = project.routingDir();
    for (std::size_t k = 1; k <= project.references.size(); ++k) {
        r.references.push_back(side(project.references[k - 1]));
        r.referenceStatsFiles.push_back(project.referenceStatsFile(static_cast<int>(k)));
    }
    std::optional<RoutingStats> combined;
    IdentifyResult result = identify(r, control, [&](JobRecord& rec, const IdentifyResult& res) {
        // The page shows the reference statistics beside target.json: files from an earlier setup
        // (more references, or none) would be read as this identification's.
        std::vector<fs::path> stale;
        for (const auto& entry : fs::directory_iterator(project.routingDir())) {
            const std::string name = entry.path().filename().string();
            if (name.rfind("reference", 0) != 0 || entry.path().extension() != ".json")
                continue;
            bool current = false;
            for (std::size_t k = 1; k <= project.references.size(); ++k)
                current = current || entry.path() == project.referenceStatsFile(static_cast<int>(k));
            if (!current)
                stale.push_back(entry.path());
        }
        for (const auto& path : stale)
            fs::remove(path);
        if (!res.references.empty()) {
            combined = res.references.front();
            for (std::size_t i = 1; i < res.references.size(); ++i)
                combined->merge(res.references[i]);
            std::string label;
            for (const auto& ref : res.references)
                label += (label.empty() ? "" : ", ") + ref.dataset;
            combined->dataset = label;
            combined->modelFingerprint = res.fingerprint;
            save(*combined, project.referenceStatsFile());
            recordRoutingMetrics(rec, *combined, "reference.");
        }
        ProjectDataSummary data;
        data.target = res.targetData;
        data.references = res.referencesData;
        data.save(project.dataSummaryFile());
    });
    const int k = project.contrastReference;
    if (k >= 1 && k <= static_cast<int>(result.references.size()))
        result.reference = result.references[static_cast<std::size_t>(k - 1)];
    else
        result.reference = std::move(combined);
    return result;
}

} // namespace teft
