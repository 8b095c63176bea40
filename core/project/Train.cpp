#include "core/project/Train.h"

#include "core/project/Datasets.h"
#include "core/project/Project.h"
#include "core/train/MemoryPlan.h"
#include "core/train/ModelIdentity.h"
#include "core/train/ValidatorJob.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"

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
    // A miner of round t trains from Φ(t): the project's validator state, when it has one.
    const ValidatorState state = ValidatorState::load(project.validatorStateDir());
    s.phiFile = state.phi;
    s.round = state.round;
    PackingOptions packing = project.packing;
    packing.seqLen = form.sequenceLength;
    s.dataset = datasetRecordJson(project.target, packing);
    s.projectId = project.id;
    s.dataLabel = project.target.paths.empty() ? std::string("data") : project.target.paths.front().filename().string();
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
    return f;
}

MinerResult trainMiner(const MinerSettings& settings, JobControl& control, const MinerStepFn& onStep,
                       const MemoryGate& gate)
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
    const TokenDataset data = tokenizeDataset(settings.modelDir, spec, packing, control);
    if (data.numTrain() < 1)
        throw Error("The dataset has no training rows of " + std::to_string(packing.seqLen) +
                    " tokens: use a shorter sequence length or more data");
    control.report(0, 0, "loading");
    return runMiner(settings, data, control, onStep);
}

} // namespace teft
