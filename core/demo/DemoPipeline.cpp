#include "core/demo/DemoPipeline.h"

#include "core/demo/DemoCorpus.h"
#include "core/demo/DemoReportTable.h"
#include "core/demo/DemoSteps.h"
#include "core/store/JobRun.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Paths.h"

#include <algorithm>
#include <chrono>
#include <optional>

namespace teft {

namespace fs = std::filesystem;

DemoSettings::DemoSettings() { aggregation.policy = AggregationSettings::Policy::Proportional; }

void DemoSettings::makeTiny()
{
    model.hidden = 32;
    model.layers = 2;
    model.heads = 2;
    model.kvHeads = 1;
    model.headDim = 16;
    model.experts = 8;
    model.expertIntermediate = 16;
    model.seqLen = 32;
    model.corpusMbPerDomain = 0.05;
    model.batchSize = 4;
    eval.batches = 2;
    eval.batchSize = 4;
    scoringEval.batchSize = 1;
    batchSize = 4;
}

nlohmann::json DemoSettings::toJson() const
{
    return {{"model", model.toJson()},
            {"target", target},
            {"miners", miners},
            {"bad_miner", badMiner},
            {"rounds", rounds},
            {"inner_steps", innerSteps},
            {"batch_size", batchSize},
            {"lr", lr},
            {"bad_lr", badLr},
            {"experts_per_layer", expertsPerLayer},
            {"eval_batches", eval.batches},
            {"eval_batch_size", eval.batchSize},
            {"eval_seed", std::to_string(eval.seed)},
            {"scoring_eval_batches", scoringEval.batches},
            {"scoring_eval_batch_size", scoringEval.batchSize},
            {"aggregation", aggregation.toJson()},
            {"outer", outer.toJson()},
            {"full_fine_tune", fullFineTune},
            {"full_fine_tune_lrs", fullFineTune ? fullFineTuneLrs() : std::vector<double>{}}};
}

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void checkSettings(const DemoSettings& s)
{
    const auto& domains = demoDomains();
    if (std::find(domains.begin(), domains.end(), s.target) == domains.end())
        throw UsageError("Unknown demo domain '" + s.target + "'");
    if (s.miners < 1 || s.rounds < 1)
        throw UsageError("The demo needs at least one miner and one round");
}

// Named after the settings, so that a rerun with the same settings finds its work again.
fs::path workDirOf(const DemoSettings& s)
{
    return s.workDir.empty() ? dataDir() / "demo" / ("run-" + sha256Hex(s.toJson().dump()).substr(0, 12)) : s.workDir;
}

} // namespace

DemoReport runDemo(const DemoSettings& s, JobControl& control)
{
    const auto started = Clock::now();
    checkSettings(s);
    const DemoContext ctx{s, workDirOf(s), control};
    if (s.fresh)
        fs::remove_all(ctx.work);
    fs::create_directories(ctx.work);
    JobRecord record("demo", s.toJson().dump(), ctx.work.string());
    return recordJob(record, [&] {
        nlohmann::json report{{"format", "teft-demo-report"},
                              {"version", 1},
                              {"settings", s.toJson()},
                              {"work_dir", ctx.work.string()},
                              {"target", s.target}};
        nlohmann::json timings = nlohmann::json::object();
        const auto timed = [&timings](const char* step, auto&& run) {
            const auto t0 = Clock::now();
            auto result = run();
            timings[step] = since(t0);
            return result;
        };

        const auto foundation = timed("foundation_model", [&] { return demoFoundation(ctx); });
        report["foundation_model"] = foundationJson(foundation);
        const auto data = timed("datasets", [&] { return demoDatasets(ctx, foundation); });
        const auto selection = timed("identify", [&] { return identifyDemoExperts(ctx, foundation, data); });
        report["selection"] = selection.toJson();
        report["selection_cost"] = demoSelectionCost(selection, foundation);

        ensureDemoMinerKeys(ctx);
        const auto rounds = timed("rounds",
                                  [&] { return runDemoRounds(ctx, foundation, selection, data.at(s.target)); });
        report["rounds"] = rounds.reports;
        report["submission_bytes"] = rounds.submissionBytes;
        timings["miners"] = rounds.minerSeconds;
        timings["validators"] = rounds.validatorSeconds;

        const auto merged = timed("merge", [&] { return mergeDemo(ctx, foundation, data); });
        report["merge"] = merged.toJson();
        std::optional<FullFineTuneBaseline> fullFineTune;
        if (s.fullFineTune) {
            fullFineTune = timed("full_fine_tune", [&] { return fullFineTuneBaseline(ctx, foundation, data, merged); });
            report["full_fine_tune"] = fullFineTune->json;
        }
        report["losses"] = demoLossRows(merged, fullFineTune ? &*fullFineTune : nullptr, s.target);

        timings["total"] = since(started);
        report["timings_s"] = timings;
        writeFileAtomically(ctx.work / "demo_report.json", report.dump(2) + "\n");
        return DemoReport{report, demoReportTable(report)};
    });
}

} // namespace teft
