#include "core/project/Train.h"

#include "core/project/Datasets.h"
#include "core/project/Project.h"
#include "core/dist/Collective.h"
#include "core/store/JobRecord.h"
#include "core/data/TokenDataset.h"
#include "core/util/ErrorKind.h"
#include "core/train/MemoryPlan.h"
#include "core/train/ModelIdentity.h"
#include "core/train/ValidatorJob.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <system_error>

namespace teft {

MinerSettings minerSettingsFor(const Project& project, const ExpertSelection& selection, const MinerForm& form)
{
    MinerSettings s;
    s.modelDir = project.modelDir;
    s.selection = selection;
    s.mode = form.maskedRouting ? ExpertMode::Masked : ExpertMode::Full;
    s.device = form.device;
    s.computeDtype = form.computeDtype;
    s.train.innerSteps = form.innerSteps;
    s.train.batchSize = form.batchSize;
    s.train.lr = form.learningRate;
    s.train.warmupSteps = form.innerSteps / 10;
    s.train.checkpointEvery = form.checkpointInterval;
    s.validateEvery = form.validationInterval;
    s.recompute = form.recompute;
    s.offload = form.offload;
    s.encoding = form.encoding;
    if (form.shardCount < 1 || form.shardIndex < 0 || form.shardIndex >= form.shardCount)
        throw UsageError("Shard " + std::to_string(form.shardIndex) + " of " + std::to_string(form.shardCount) +
                         " does not exist: the shard index must be at least 0 and less than the shard count");
    s.shardIndex = form.shardIndex;
    s.shardCount = form.shardCount;
    if (form.round) {
        // A network round's Φ(t), as pulled (empty: the round trains from the base model's experts).
        if (*form.round < 0)
            throw UsageError("Round " + std::to_string(*form.round) + " does not exist: rounds start at 0");
        std::error_code ec;
        if (!form.phiFile.empty() && !std::filesystem::is_regular_file(form.phiFile, ec))
            throw UsageError("The Φ(t) file " + form.phiFile.string() + " of round " + std::to_string(*form.round) +
                             " does not exist (moved or deleted?): pull the round again");
        s.phiFile = form.phiFile;
        s.round = *form.round;
    } else if (!form.phiFile.empty()) {
        throw UsageError("The Φ(t) file " + form.phiFile.string() + " was given without its round");
    } else {
        // A miner of round t trains from Φ(t): the project's validator state, when it has one.
        const ValidatorState state = ValidatorState::load(project.validatorStateDir());
        s.phiFile = state.phi;
        s.round = state.round;
    }
    PackingOptions packing = project.packing;
    packing.seqLen = form.sequenceLength;
    s.dataset = datasetRecordJson(project.target, packing);
    s.projectId = project.id;
    s.dataLabel = project.target.paths.empty() ? std::string("data") : project.target.paths.front().filename().string();
    if (!form.runName.empty()) {
        // A named run has its own folder (and so its own checkpoint and submission).
        s.outDir = minerRunDir(project, form.runName);
        return s;
    }
    // Everything that shapes the run names its folder: the same settings resume the same run.
    auto keyJson = s.toJson();
    keyJson.erase("recompute");
    keyJson.erase("offload");
    const std::string key = keyJson.dump();
    s.outDir = project.minerRunsDir() / ("run-" + sha256Hex(key).substr(0, 12));
    return s;
}

MinerForm minerFormOf(const MinerSettings& s)
{
    MinerForm f;
    f.device = s.device;
    f.computeDtype = s.computeDtype;
    f.innerSteps = s.train.innerSteps;
    f.learningRate = s.train.lr;
    f.batchSize = s.train.batchSize;
    f.sequenceLength = s.dataset.is_object() ? s.dataset.value("seq_len", std::int64_t{128}) : 128;
    f.checkpointInterval = s.train.checkpointEvery;
    f.maskedRouting = s.mode == ExpertMode::Masked;
    f.validationInterval = s.validateEvery;
    f.recompute = s.recompute;
    f.offload = s.offload;
    f.encoding = s.encoding;
    f.shardIndex = s.shardIndex;
    f.shardCount = s.shardCount;
    f.runName = s.outDir.filename().string();
    return f;
}

std::filesystem::path minerRunDir(const Project& project, const std::string& name)
{
    if (name.empty())
        throw UsageError("The run has no name: give it one (letters, digits, spaces, '-', '_' or '.')");
    if (name.size() > 64)
        throw UsageError("The run name '" + name.substr(0, 64) + "…' is longer than 64 characters");
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ' ||
                        c == '-' || c == '_' || c == '.';
        if (!ok)
            throw UsageError("The run name '" + name +
                             "' has a character that cannot name its folder: use ASCII letters, digits, spaces, "
                             "'-', '_' or '.'");
    }
    const char first = name.front(), last = name.back();
    if (first == ' ' || first == '.' || last == ' ' || last == '.')
        throw UsageError("The run name '" + name + "' may not start or end with a space or a '.'");
    return project.minerRunsDir() / name;
}

std::vector<MinerRun> minerRuns(const JobStore& store, const Project& project)
{
    // Newest job first (the store's order): the first job seen of a folder is its newest.
    std::vector<MinerRun> runs;
    std::map<std::string, std::size_t> byDir;
    for (const JobStore::Job& job : store.jobsOf("train", project.id)) {
        MinerSettings settings;
        try {
            settings = MinerSettings::fromJson(nlohmann::json::parse(job.config));
        } catch (const std::exception& e) {
            spdlog::warn("train job {}: its settings cannot be read ({}); it is not listed as a run", job.id, e.what());
            continue;
        }
        const std::string dir = settings.outDir.lexically_normal().string();
        const auto it = byDir.find(dir);
        if (it == byDir.end()) {
            MinerRun run;
            run.name = settings.outDir.filename().string();
            run.outDir = settings.outDir;
            run.settings = std::move(settings);
            run.jobIds = {job.id};
            run.state = job.state;
            run.error = job.error;
            run.startedAt = job.createdAt;
            run.updatedAt = job.updatedAt.empty() ? job.createdAt : job.updatedAt;
            byDir.emplace(dir, runs.size());
            runs.push_back(std::move(run));
        } else {
            MinerRun& run = runs[it->second];
            run.jobIds.insert(run.jobIds.begin(), job.id);
            run.startedAt = job.createdAt;
        }
    }
    return runs;
}

std::vector<std::pair<std::int64_t, double>> minerRunMetric(const JobStore& store, const MinerRun& run,
                                                            const std::string& name)
{
    std::map<std::int64_t, double> byStep;
    for (const std::int64_t id : run.jobIds) // oldest first: a later job's value replaces
        for (const JobStore::Metric& m : store.metrics(id, name))
            byStep[m.step] = m.value;
    return {byStep.begin(), byStep.end()};
}

std::string nextMinerRunName(const Project& project, const std::vector<MinerRun>& runs)
{
    for (int n = 1;; ++n) {
        const std::string name = "run " + std::to_string(n);
        const bool taken = std::any_of(runs.begin(), runs.end(), [&](const MinerRun& r) { return r.name == name; });
        std::error_code ec;
        if (!taken && !std::filesystem::exists(project.minerRunsDir() / name, ec))
            return name;
    }
}

std::int64_t recordRefusedMinerStart(const MinerSettings& settings, const std::string& error, ErrorKind kind)
{
    if (settings.collective && settings.collective->rank() != 0)
        return 0;
    JobRecord rec("train", settings.toJson().dump(), settings.outDir.string(), settings.projectId);
    rec.fail(error, kind);
    return rec.id();
}

namespace {

// trainMiner's checks and tokenizing, before runMiner records the job.
TokenDataset prepareMinerData(const MinerSettings& settings, JobControl& control, const MemoryGate& gate)
{
    if (gate.enforce) {
        const MemoryPlan plan = planMinerMemory(settings, gate.memoryLimit);
        if (!plan.fits())
            throw OutOfMemoryError(plan.refusal() + gate.overrideHint);
    }
    DatasetSpec spec;
    PackingOptions packing;
    datasetRecordFromJson(settings.dataset, spec, packing);
    requireDatasetPaths(spec); // before fingerprinting, which reads every router weight
    const std::string& selected = settings.selection.modelFingerprint();
    if (!selected.empty()) {
        control.report(0, 0, "fingerprinting");
        const std::string actual = modelFingerprint(settings.modelDir);
        if (actual != selected)
            throw Error("The expert selection was made for another model (fingerprint " + selected.substr(0, 12) +
                        ", this model " + actual.substr(0, 12) +
                        "): run identification on this model and save a new selection");
    }
    control.report(0, 0, "tokenizing");
    TokenDataset data = tokenizeDataset(settings.modelDir, spec, packing, control);
    if (data.numTrain() < 1)
        throw Error("The dataset has no training rows of " + std::to_string(packing.seqLen) +
                    " tokens: use a shorter sequence length or more data");
    return data;
}

} // namespace

MinerResult trainMiner(const MinerSettings& settings, JobControl& control, const MinerStepFn& onStep,
                       const MemoryGate& gate)
{
    const TokenDataset data = [&] {
        try {
            return prepareMinerData(settings, control, gate);
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            recordRefusedMinerStart(settings, e.what(), errorKindOf(e));
            throw;
        }
    }();
    // A cancel that came while the data was prepared (a cached dataset checks no cancel) stops here,
    // before runMiner records a job: nothing was trained, nothing to record.
    control.checkpoint();
    control.report(0, 0, "loading");
    return runMiner(settings, data, control, onStep);
}

} // namespace teft
