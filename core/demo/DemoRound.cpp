// Demo steps 4 and 5: the miners' keys, then each round's miners and validation.
#include "core/demo/DemoSteps.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/train/MinerJob.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace teft {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string minerId(int i) { return "miner-" + std::to_string(i); }
fs::path roundDir(const DemoContext& ctx, int round) { return ctx.work / ("round-" + std::to_string(round)); }
fs::path validatorDir(const DemoContext& ctx) { return ctx.work / "validator"; }

MinerSettings minerSettings(const DemoContext& ctx, const DemoFoundation& f, const ExpertSelection& selection,
                            const ValidatorState& state, int round, int i)
{
    const auto& s = ctx.settings;
    MinerSettings m;
    m.modelDir = f.modelDir();
    m.phiFile = state.phi;
    m.selection = selection;
    m.mode = ExpertMode::Full;
    m.computeDtype = torch::kFloat;
    m.shardIndex = i;
    m.shardCount = s.miners;
    m.train.innerSteps = s.innerSteps;
    m.train.batchSize = s.batchSize;
    m.train.lr = i == s.badMiner ? s.badLr : s.lr;
    m.train.warmupSteps = std::max<std::int64_t>(1, s.innerSteps / 10);
    m.train.checkpointEvery = 5;
    m.train.seed = static_cast<std::uint64_t>(1000 * round + i);
    m.round = round;
    m.minerId = minerId(i);
    m.keyDir = ctx.work / "keys" / m.minerId;
    m.outDir = roundDir(ctx, round) / "miners" / m.minerId;
    m.submissionDir = roundDir(ctx, round) / "submissions" / m.minerId;
    m.dataLabel = s.target;
    // The demo's report compares the miners' exact Δ (fp32 deltas) and keeps nothing outside its
    // work folder: no error-feedback residual in the data directory.
    m.encoding = DeltaEncoding::F32;
    return m;
}

// One miner's result for the round's report. A miner that fails (e.g. stopped after too many
// non-finite steps) sends nothing; the round goes on without it. A cancellation stops the demo.
nlohmann::json runDemoMiner(const DemoContext& ctx, const MinerSettings& m, const TokenDataset& target)
{
    fs::remove_all(m.submissionDir);
    nlohmann::json j;
    try {
        j = runMiner(m, target, ctx.control).toJson();
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        spdlog::warn("demo: {} failed: {}", m.minerId, e.what());
        j = {{"error", e.what()}};
    }
    j["miner"] = m.minerId;
    j["lr"] = m.train.lr;
    j["bad"] = m.shardIndex == ctx.settings.badMiner;
    return j;
}

ValidatorSettings validatorSettings(const DemoContext& ctx, const DemoFoundation& f, const ExpertSelection& selection,
                                    int round)
{
    const auto& s = ctx.settings;
    ValidatorSettings v;
    v.modelDir = f.modelDir();
    v.selection = selection;
    v.stateDir = validatorDir(ctx);
    v.submissionsDir = roundDir(ctx, round) / "submissions";
    v.round = round;
    v.eval = s.scoringEval;
    v.timeoutSeconds = 120;
    v.aggregation = s.aggregation;
    v.outer = s.outer;
    v.knownMinersFile = ctx.work / "known_miners.json";
    return v;
}

} // namespace

void ensureDemoMinerKeys(const DemoContext& ctx)
{
    KnownMiners known;
    for (int i = 0; i < ctx.settings.miners; ++i)
        known.add(MinerKey::loadOrCreate(ctx.work / "keys" / minerId(i), minerId(i)).publicKey());
    known.save(ctx.work / "known_miners.json");
}

DemoRound runDemoRound(const DemoContext& ctx, const DemoFoundation& f, const ExpertSelection& selection,
                       const TokenDataset& target, int round)
{
    const auto& s = ctx.settings;
    const auto state = ValidatorState::load(validatorDir(ctx));
    DemoRound out;
    nlohmann::json miners = nlohmann::json::array();
    for (int i = 0; i < s.miners; ++i) {
        ctx.control.checkpoint();
        const auto t0 = Clock::now();
        spdlog::info("demo: round {} miner {}{}", round, i, i == s.badMiner ? " (bad on purpose)" : "");
        miners.push_back(runDemoMiner(ctx, minerSettings(ctx, f, selection, state, round, i), target));
        out.minerSeconds += since(t0);
    }
    const auto t0 = Clock::now();
    spdlog::info("demo: round {} validation", round);
    out.report = runValidator(validatorSettings(ctx, f, selection, round), target, ctx.control).report;
    out.validatorSeconds = since(t0);
    out.report["miners"] = miners;
    writeFileAtomically(roundDir(ctx, round) / "demo_round.json", out.report.dump(2) + "\n");
    return out;
}

std::optional<nlohmann::json> finishedDemoRound(const DemoContext& ctx, int round)
{
    if (ValidatorState::load(validatorDir(ctx)).round <= round)
        return std::nullopt;
    spdlog::info("demo: round {} already done, reusing it", round);
    // The demo's own record of the round (with its miners), or the validator's when the demo
    // stopped between the validation and writing it.
    const auto demoReport = roundDir(ctx, round) / "demo_round.json";
    const auto validatorReport = validatorDir(ctx) / ("round-" + std::to_string(round)) / "report.json";
    return nlohmann::json::parse(readFile(fs::exists(demoReport) ? demoReport : validatorReport));
}

std::optional<std::uint64_t> roundSubmissionBytes(const nlohmann::json& roundReport)
{
    std::optional<std::uint64_t> bytes;
    for (const auto& m : roundReport.value("miners", nlohmann::json::array()))
        if (m.contains("submission_bytes") && m["submission_bytes"].is_number_unsigned())
            bytes = m["submission_bytes"].get<std::uint64_t>();
    return bytes;
}

DemoRounds runDemoRounds(const DemoContext& ctx, const DemoFoundation& f, const ExpertSelection& selection,
                         const TokenDataset& target)
{
    DemoRounds out;
    for (int r = 0; r < ctx.settings.rounds; ++r) {
        auto report = finishedDemoRound(ctx, r);
        if (!report) {
            auto round = runDemoRound(ctx, f, selection, target, r);
            out.minerSeconds += round.minerSeconds;
            out.validatorSeconds += round.validatorSeconds;
            report = std::move(round.report);
        }
        // From the miners' results also for a reused round (a rerun once reported 0 bytes).
        out.submissionBytes = roundSubmissionBytes(*report).value_or(out.submissionBytes);
        out.reports.push_back(*report);
    }
    return out;
}

} // namespace teft
