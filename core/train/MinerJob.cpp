#include "core/train/MinerJob.h"

#include "core/data/TokenDataset.h"
#include "core/dist/Collective.h"
#include "core/store/JobRun.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/train/ModelIdentity.h"
#include "core/util/CudaBackend.h"
#include "core/util/Error.h"
#include "core/util/ErrorKind.h"
#include "core/util/Hash.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <malloc.h>
#include <memory>
#include <new>
#include <set>

namespace teft {

nlohmann::json MinerSettings::toJson() const
{
    return {{"model", modelDir.string()},
            {"phi", phiFile.string()},
            {"selection_hash", selection.hash()},
            {"selection", selection.toJson()},
            {"experts", selection.count()},
            {"mode", expertModeName(mode)},
            {"device", device},
            {"compute_dtype", dtypeName(computeDtype)},
            {"offload", offload},
            {"recompute", recompute},
            {"shard", std::to_string(shardIndex) + "/" + std::to_string(shardCount)},
            {"train", train.toJson()},
            {"aux_loss_coef", auxLossCoef},
            {"round", round},
            {"miner_id", minerId},
            {"out", outDir.string()},
            {"submission_dir", submissionDir.string()},
            {"key_dir", keyDir.string()},
            {"sign", sign},
            {"encoding", deltaEncodingName(encoding)},
            {"residual_file", residualFile.string()},
            {"validate_every", validateEvery},
            {"validation",
             {{"batches", validation.batches},
              {"batch_size", validation.batchSize},
              {"seed", std::to_string(validation.seed)}}},
            {"dataset", dataset.is_null() ? nlohmann::json::object() : dataset},
            {"data", dataLabel},
            {"project", projectId ? nlohmann::json(*projectId) : nlohmann::json(nullptr)}};
}

MinerSettings MinerSettings::fromJson(const nlohmann::json& j)
{
    if (!j.is_object())
        throw FormatError("miner settings: expected a JSON object");
    MinerSettings s;
    try {
        s.modelDir = j.at("model").get<std::string>();
        s.phiFile = j.value("phi", std::string());
        if (!j.contains("selection"))
            throw FormatError("miner settings: no 'selection' (a job recorded by an older version cannot be resumed)");
        s.selection = ExpertSelection::fromJson(j.at("selection"));
        s.mode = parseExpertMode(j.value("mode", std::string("full")));
        s.device = j.value("device", s.device);
        s.computeDtype = parseDtypeName(j.value("compute_dtype", std::string("bfloat16")));
        if (j.contains("offload") && !j.at("offload").is_boolean())
            throw FormatError("miner settings: 'offload' must be true or false");
        s.offload = j.value("offload", false);
        if (j.contains("recompute") && !j.at("recompute").is_boolean())
            throw FormatError("miner settings: 'recompute' must be true or false");
        s.recompute = j.value("recompute", false);
        const auto shard = j.value("shard", std::string("0/1"));
        const auto slash = shard.find('/');
        if (slash == std::string::npos)
            throw FormatError("miner settings: shard '" + shard + "' is not i/n");
        s.shardIndex = std::stoi(shard.substr(0, slash));
        s.shardCount = std::stoi(shard.substr(slash + 1));
        s.train = InnerTrainerSettings::fromJson(j.at("train"));
        s.train.tokensPerRow = 0; // set from the data by runMiner
        s.auxLossCoef = j.value("aux_loss_coef", 0.0);
        s.round = j.value("round", std::int64_t{0});
        s.minerId = j.value("miner_id", std::string());
        s.outDir = j.at("out").get<std::string>();
        s.submissionDir = j.value("submission_dir", std::string());
        s.keyDir = j.value("key_dir", std::string());
        s.sign = j.value("sign", true);
        if (j.contains("encoding")) {
            try {
                s.encoding = parseDeltaEncoding(j.at("encoding").get<std::string>());
            } catch (const UsageError& e) {
                throw FormatError(std::string("miner settings: ") + e.what());
            }
        }
        s.residualFile = j.value("residual_file", std::string());
        s.validateEvery = j.value("validate_every", std::int64_t{0});
        if (j.contains("validation")) {
            const auto& v = j.at("validation");
            s.validation.batches = v.value("batches", s.validation.batches);
            s.validation.batchSize = v.value("batch_size", s.validation.batchSize);
            if (v.contains("seed"))
                s.validation.seed = std::stoull(v.at("seed").get<std::string>());
        }
        s.dataset = j.value("dataset", nlohmann::json::object());
        s.dataLabel = j.value("data", std::string());
        if (j.contains("project") && !j.at("project").is_null())
            s.projectId = j.at("project").get<std::int64_t>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("miner settings: ") + e.what());
    } catch (const std::invalid_argument&) {
        throw FormatError("miner settings: a number is malformed");
    } catch (const std::out_of_range&) {
        throw FormatError("miner settings: a number is out of range");
    }
    return s;
}

nlohmann::json MinerResult::toJson() const
{
    return {{"submission", submissionDir.string()},
            {"package_sha256", packageSha256},
            {"submission_bytes", submissionBytes},
            {"encoding", deltaEncodingName(encoding)},
            {"residual_file", residualFile.string()},
            {"steps", training.steps},
            {"skipped_steps", training.skippedSteps},
            {"tokens_seen", training.tokensSeen},
            {"resumed_from_step", training.resumedFromStep},
            {"first_loss", training.firstLoss},
            {"last_loss", training.lastLoss},
            {"validation_loss_before",
             std::isfinite(validationLossBefore) ? nlohmann::json(validationLossBefore) : nlohmann::json(nullptr)},
            {"validation_loss_after",
             std::isfinite(validationLossAfter) ? nlohmann::json(validationLossAfter) : nlohmann::json(nullptr)},
            {"seconds", seconds},
            {"job_id", jobId}};
}

std::filesystem::path defaultResidualFile(const std::string& minerId, const std::string& selectionHash)
{
    std::string name;
    for (char c : minerId.empty() ? std::string("unsigned") : minerId)
        name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
    if (name.empty() || name[0] == '.')
        name = "_" + name;
    return dataDir() / "residuals" / (name + "-" + selectionHash.substr(0, 16) + ".safetensors");
}

std::filesystem::path residualFileOfRound(const std::filesystem::path& base, std::int64_t round)
{
    return base.parent_path() /
           (base.stem().string() + ".round-" + std::to_string(round) + base.extension().string());
}

namespace {

// The rounds that left a residual beside `base` ("<stem>.round-<n><ext>"), ascending.
std::vector<std::int64_t> residualRounds(const std::filesystem::path& base)
{
    std::vector<std::int64_t> rounds;
    std::error_code ec;
    const std::string prefix = base.stem().string() + ".round-";
    const std::string ext = base.extension().string();
    for (std::filesystem::directory_iterator it(base.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() + ext.size() || name.compare(0, prefix.size(), prefix) != 0 ||
            name.compare(name.size() - ext.size(), ext.size(), ext) != 0)
            continue;
        const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - ext.size());
        if (digits.empty() || digits.size() > 15 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        rounds.push_back(std::stoll(digits));
    }
    std::sort(rounds.begin(), rounds.end());
    return rounds;
}

} // namespace

TensorMap currentExperts(const MoeModel& model, const std::vector<std::string>& names)
{
    TensorMap out;
    for (const auto& n : names)
        out[n] = model.tensor(n).to(torch::kFloat, false, true);
    return out;
}

void applyExperts(MoeModel& model, const TensorMap& phi, const std::string& source)
{
    for (const auto& [name, t] : phi) {
        if (!model.hasTensor(name))
            throw FormatError(source + ": tensor '" + name + "' is not an expert tensor held by the model");
        model.setTensor(name, t);
    }
}

namespace {

// TEST HOOK (fault injection, for the tests of the out-of-memory path on machines without a
// GPU): TEFT_TEST_FAULT_OOM_AT_STEP=N makes inner step N (1-based) of every miner run in this
// process throw std::bad_alloc from its forward pass, as memory running out there would. Unset
// or 0: no effect. Never set it outside a test.
std::int64_t faultOomAtStep()
{
    const char* v = std::getenv("TEFT_TEST_FAULT_OOM_AT_STEP");
    return v && *v ? std::strtoll(v, nullptr, 10) : 0;
}

// The step of the checkpoint in `dir` (-1 when there is none or it cannot be read).
std::int64_t checkpointStep(const std::filesystem::path& dir)
{
    std::ifstream in(dir / "checkpoint.json");
    if (!in)
        return -1;
    try {
        return nlohmann::json::parse(in).value("step", std::int64_t{-1});
    } catch (const std::exception&) {
        return -1;
    }
}

// The held-out loss before training that the checkpoint in `dir` of the run `identity` recorded
// (measured at step 0 of the run, kept in every checkpoint; see trainAndPackage); nullopt when
// there is no such checkpoint or it holds none (one written before it was recorded).
std::optional<double> recordedValidationBefore(const std::filesystem::path& dir, const std::string& identity)
{
    std::ifstream in(dir / "checkpoint.json");
    if (!in)
        return std::nullopt;
    try {
        const auto j = nlohmann::json::parse(in);
        if (j.value("identity", std::string()) != identity || !j.contains("extra") || !j.at("extra").is_object())
            return std::nullopt;
        const auto& extra = j.at("extra");
        const auto it = extra.find("validation_loss_before");
        if (it == extra.end() || !it->is_number())
            return std::nullopt;
        return it->get<double>();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// The first line of a (possibly long) LibTorch message, at most 300 characters.
std::string firstLine(const std::string& text)
{
    auto line = text.substr(0, text.find('\n'));
    return line.size() > 300 ? line.substr(0, 300) + "…" : line;
}

// After the job's tensors are gone (the model, the graph and the optimizer state went with the
// stack that held them): cached GPU memory back to the driver, freed heap back to the system.
void releaseMemory(const std::string& device)
{
    if (device.rfind("cuda", 0) == 0 || device == "auto")
        cudaEmptyCache();
    malloc_trim(0);
}

// This rank's share of a micro-batch's loss in data-parallel training, so that the shares of all
// ranks sum to the loss one process computes on the whole micro-batch: the cross-entropy is this
// rank's mean weighted by its target tokens over the micro-batch's (all-reduced: a mean over
// every token of the global batch, not a mean of means), and the load-balancing loss takes its
// routing statistics from all ranks (AuxLossAccumulator::value). One small all-reduce.
at::Tensor shareOfLoss(MoeModel& model, const ModelBatch& b, ForwardOptions fo, double auxCoef, Collective& c)
{
    // Packed training rows have no padding: every position after the first is a target.
    const double localTokens = static_cast<double>(b.inputIds.size(0) * (b.inputIds.size(1) - 1));
    double globalTokens = 0;
    bool reduced = false;
    auto reduce = [&](torch::Tensor* counts, double* auxTokens) {
        std::vector<torch::Tensor> parts{torch::tensor({localTokens, auxTokens ? *auxTokens : 0.0}, torch::kDouble)};
        if (counts)
            parts.push_back(counts->reshape(-1));
        auto flat = torch::cat(parts);
        c.allReduce(flat, ReduceOp::Sum, "the all-reduce of a micro-batch's token counts");
        globalTokens = flat[0].item<double>();
        if (counts) {
            *auxTokens = flat[1].item<double>();
            *counts = flat.narrow(0, 2, counts->numel()).view(counts->sizes()).clone();
        }
        reduced = true;
    };
    if (fo.auxLoss)
        fo.auxStatistics = [&](torch::Tensor& counts, double& tokens) { reduce(&counts, &tokens); };
    auto r = model.forward(b, fo);
    if (!reduced)
        reduce(nullptr, nullptr);
    if (static_cast<double>(r.targetTokens) != localTokens)
        throw Error("Internal error: a training micro-batch has " + std::to_string(r.targetTokens) +
                    " target tokens, expected " + std::to_string(static_cast<std::int64_t>(localTokens)));
    auto share = r.loss * (localTokens / globalTokens);
    return auxCoef > 0 ? share + auxCoef * r.auxLoss : share;
}

// runMiner's work under its job record (recordJob keeps the record's outcome). stepsDone: the
// inner steps finished so far (-1 before training started), for the out-of-memory message.
MinerResult trainAndPackage(const MinerSettings& s, const TokenDataset& data, JobControl& control,
                            const MinerStepFn& onStep, JobRecord& rec, std::chrono::steady_clock::time_point started,
                            std::int64_t& stepsDone)
{
    MinerResult result;
    result.jobId = rec.id();
    if (s.selection.empty())
        throw UsageError("The expert selection is empty: nothing to train");

    MoeModelOptions opt;
    opt.device = s.device;
    opt.computeDtype = s.computeDtype;
    opt.mode = s.mode;
    opt.selection = s.selection.layers();
    opt.offloadFrozenExperts = s.offload;
    opt.recompute = s.recompute;
    auto model = MoeModel::load(s.modelDir, opt, &control);
    const auto names = selectedTensorNames(model->config(), s.selection);
    if (!s.phiFile.empty()) {
        const auto phi = loadTensorFile(s.phiFile);
        const std::set<std::string> expected(names.begin(), names.end());
        for (const auto& [name, t] : phi)
            if (!expected.count(name))
                throw FormatError("Φ file " + s.phiFile.string() + " holds '" + name +
                                  "', which is not a selected expert tensor");
        if (phi.size() != expected.size())
            throw FormatError("Φ file " + s.phiFile.string() + " holds " + std::to_string(phi.size()) +
                              " tensors, the selection has " + std::to_string(expected.size()));
        applyExperts(*model, phi, s.phiFile.string());
    }
    const TensorMap phi0 = currentExperts(*model, names);
    const auto configId = configIdentity(s.modelDir);
    const auto baseFp = baseFingerprint(phi0, configId);

    auto train = s.train;
    train.tokensPerRow = data.seqLen() - 1;
    const auto identity = sha256Hex(baseFp + "\n" + s.selection.hash() + "\n" + train.toJson().dump() + "\n" +
                                    std::to_string(s.shardIndex) + "/" + std::to_string(s.shardCount) + "\n" +
                                    expertModeName(s.mode) + dtypeName(s.computeDtype) + std::to_string(s.auxLossCoef));
    if (s.collective)
        requireSameOnAllRanks(*s.collective,
                              std::to_string(data.numTrain()) + " " + std::to_string(data.numHeldOut()) + " " +
                                  std::to_string(data.seqLen()) + " " + data.stats().cacheKey,
                              "the tokenized dataset");
    InnerTrainer trainer(model->trainableParameters(), data.shard(s.shardIndex, s.shardCount), train,
                         s.outDir / "checkpoint", identity, s.collective);
    const double auxCoef = s.auxLossCoef;
    const std::int64_t oomAt = faultOomAtStep();
    stepsDone = trainer.state().step;
    const InnerTrainer::ShareLossFn lossFn = [&](const MicroBatch& batch) {
        if (oomAt > 0 && trainer.state().step + 1 == oomAt)
            throw std::bad_alloc(); // TEST HOOK, see faultOomAtStep()
        ModelBatch b;
        b.inputIds = data.trainBatch(batch.rows);
        ForwardOptions fo;
        fo.auxLoss = auxCoef > 0;
        if (batch.collective)
            return shareOfLoss(*model, b, fo, auxCoef, *batch.collective);
        auto r = model->forward(b, fo);
        return auxCoef > 0 ? r.loss + auxCoef * r.auxLoss : r.loss;
    };
    const bool canValidate = s.validateEvery > 0 && data.numHeldOut() > 0;
    if (s.validateEvery > 0 && !canValidate)
        spdlog::warn("miner: the dataset has no held-out rows; no validation loss will be reported");
    // Pauses are waited out here, after a step's report (control.checkpoint() blocks while the
    // job is paused), so that their time is left out of every duration reported: the trainer's
    // own checkpoint before the next step then passes at once.
    double pausedSeconds = 0;
    // Data parallel, the trainer does not pause (a paused rank would stall the others).
    auto waitIfPaused = [&] {
        if (s.collective || !control.paused())
            return;
        const auto pausedAt = std::chrono::steady_clock::now();
        control.checkpoint(); // Cancelled when the pause ends in a cancel
        pausedSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - pausedAt).count();
    };
    // The held-out loss of Φ(t) is the run's, measured once at step 0: a resumed run reads it from
    // its checkpoint, which carries it (setExtra), so that it is measured again only when the run
    // starts over (no checkpoint, or one written before it was recorded). Measured before the
    // trainer resumes a checkpoint: the model holds Φ(t).
    if (canValidate) {
        if (const auto recorded = recordedValidationBefore(s.outDir / "checkpoint", identity)) {
            result.validationLossBefore = *recorded;
        } else {
            control.report(0, train.innerSteps, "validating");
            result.validationLossBefore = evaluateLoss(*model, data, s.validation, control).loss;
            rec.metric(0, "val_loss", result.validationLossBefore);
        }
        trainer.setExtra("validation_loss_before", result.validationLossBefore);
    }
    // A pause after a step writes a checkpoint at once (the trainer's periodic ones may be far
    // off), so that nothing trained is lost while the job waits, then waits.
    auto pauseAfterStep = [&](std::int64_t step) {
        if (s.collective || !control.paused())
            return;
        if (step < train.innerSteps)
            trainer.saveCheckpoint();
        control.report(step, train.innerSteps, "paused");
        waitIfPaused();
    };
    std::int64_t validatedStep = -1; // the step of the last held-out loss, and that loss:
    double lastValidationLoss = std::numeric_limits<double>::quiet_NaN();
    waitIfPaused();
    auto lastStep = std::chrono::steady_clock::now();
    const auto runStarted = lastStep; // this process's first step starts now
    const double pausedBeforeRun = pausedSeconds;
    const auto rowTokens = data.seqLen() - 1;
    std::int64_t tokensSeen = 0;
    std::int64_t stepsThisRun = 0;
    result.training = trainer.run(lossFn, control, [&](const StepReport& r) {
        stepsDone = r.step;
        // Skipped (non-finite) steps are counted, not stored as NaN.
        if (r.skipped) {
            rec.metric(r.step, "skipped_step", 1.0);
        } else {
            rec.metric(r.step, "loss", r.loss);
            rec.metric(r.step, "grad_norm", r.gradNorm);
        }
        rec.metric(r.step, "lr", r.lr);
        const auto now = std::chrono::steady_clock::now();
        const double stepSeconds = std::chrono::duration<double>(now - lastStep).count();
        const std::int64_t stepTokens = std::int64_t{train.batchSize} * train.gradAccum * rowTokens;
        tokensSeen += stepTokens;
        MinerStep step;
        step.report = r;
        step.totalSteps = train.innerSteps;
        step.tokensSeen = tokensSeen;
        step.tokensPerSecond = stepSeconds > 0 ? double(stepTokens) / stepSeconds : 0.0;
        rec.metric(r.step, "tokens_per_s", step.tokensPerSecond);
        if (canValidate && (r.step % s.validateEvery == 0 || r.step == train.innerSteps)) {
            control.report(r.step, train.innerSteps, "validating");
            step.validationLoss = evaluateLoss(*model, data, s.validation, control).loss;
            rec.metric(r.step, "val_loss", step.validationLoss);
            validatedStep = r.step;
            lastValidationLoss = step.validationLoss;
        }
        rec.progress(static_cast<double>(r.step) / static_cast<double>(train.innerSteps), "training");
        const auto stepEnd = std::chrono::steady_clock::now();
        step.elapsedSeconds = std::chrono::duration<double>(stepEnd - started).count() - pausedSeconds;
        step.stepsThisRun = ++stepsThisRun;
        step.activeSeconds = std::chrono::duration<double>(stepEnd - runStarted).count() -
                             (pausedSeconds - pausedBeforeRun);
        step.validationLossBefore = result.validationLossBefore;
        if (onStep)
            onStep(step);
        pauseAfterStep(r.step);
        // Neither validation nor a pause is training time.
        lastStep = std::chrono::steady_clock::now();
    });

    // The held-out loss after training is the one at the run's final step: measured there by the
    // step's validation, else now (the trained experts are those of the final step).
    if (canValidate) {
        if (validatedStep != result.training.steps) {
            control.report(result.training.steps, train.innerSteps, "validating");
            const double after = evaluateLoss(*model, data, s.validation, control).loss;
            rec.metric(result.training.steps, "val_loss", after);
            result.validationLossAfter = after;
        } else {
            result.validationLossAfter = lastValidationLoss;
        }
    }
    if (s.collective && s.collective->rank() != 0) {
        // Rank 0 writes the submission: wait for it, so that all ranks end together (and this
        // one fails, naming rank 0, if rank 0 does).
        s.collective->barrier("the wait for rank 0 to write the submission");
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return result;
    }
    TensorMap delta;
    {
        torch::NoGradGuard g;
        for (const auto& [name, p] : model->trainableParameters())
            delta[name] = (phi0.at(name) - p.detach().to(torch::kCPU)).contiguous();
    }
    SubmissionManifest m;
    m.baseFingerprint = baseFp;
    m.selectionHash = s.selection.hash();
    m.round = s.round;
    m.minerId = s.minerId;
    m.innerSteps = result.training.steps;
    m.tokensSeen = result.training.tokensSeen;
    m.dataShard = (s.dataLabel.empty() ? std::string("data") : s.dataLabel) + " shard " + std::to_string(s.shardIndex) +
                  "/" + std::to_string(s.shardCount);
    m.training = s.toJson();
    // Local paths stay local: the manifest travels to validators.
    for (const char* key : {"dataset", "key_dir", "out", "submission_dir", "phi", "project"})
        m.training.erase(key);
    m.training["skipped_steps"] = result.training.skippedSteps;
    m.training["run_identity"] = identity;
    m.encoding = s.encoding;
    std::optional<MinerKey> key;
    if (s.sign)
        key = MinerKey::loadOrCreate(s.keyDir.empty() ? MinerKey::defaultKeyDir() : s.keyDir, s.minerId);
    const auto subDir = s.submissionDir.empty() ? s.outDir / "submission" : s.submissionDir;
    result.encoding = s.encoding;
    if (s.encoding == DeltaEncoding::F32) {
        const auto written = writeSubmission(subDir, m, delta, key ? &*key : nullptr, &control);
        result.submissionDir = written.dir;
        result.packageSha256 = written.packageSha256;
        result.submissionBytes = written.tensorBytes;
    } else {
        // The residual is kept per round it was left by: a run for round t starts from the one
        // the latest earlier round left, and leaves its own for round t. Two runs of one round
        // (shards, a retry) both start from the same earlier residual, never from each other's.
        const auto base = s.residualFile.empty()
                              ? defaultResidualFile(key ? key->minerId() : (s.minerId.empty() ? "unsigned" : s.minerId),
                                                    s.selection.hash())
                              : s.residualFile;
        result.residualFile = residualFileOfRound(base, s.round);
        std::filesystem::path input;
        for (const auto r : residualRounds(base))
            if (r < s.round)
                input = residualFileOfRound(base, r);
        const auto pending = s.outDir / "residual.pending.safetensors";
        // The pending residual into its place: saved there atomically, then the pending one removed
        // (a crash in between leaves both equal, and the next rerun moves it again). Residuals of
        // rounds before the one this run started from are no longer needed.
        auto commitResidual = [&] {
            std::filesystem::create_directories(result.residualFile.parent_path());
            QuantizationResidual::load(pending).save(result.residualFile);
            std::filesystem::remove(pending);
            for (const auto r : residualRounds(base))
                if (r < s.round && residualFileOfRound(base, r) != input) {
                    std::error_code ignored;
                    std::filesystem::remove(residualFileOfRound(base, r), ignored);
                }
        };
        // This run's submission, written by an earlier attempt (killed or finished after that).
        std::shared_ptr<const Submission> earlier;
        std::error_code ec;
        if (std::filesystem::exists(subDir / "manifest.json", ec)) {
            try {
                auto sub = Submission::open(subDir);
                const auto& em = sub->manifest();
                if (em.encoding == s.encoding && em.training.is_object() &&
                    em.training.value("run_identity", std::string()) == identity &&
                    em.innerSteps == result.training.steps && em.round == s.round)
                    earlier = std::move(sub);
            } catch (const std::exception&) {
                // not this run's: written over below
            }
        }
        if (earlier) {
            if (std::filesystem::exists(pending, ec))
                commitResidual();
            result.reused = true;
            result.submissionDir = subDir;
            result.packageSha256 = earlier->packageSha256();
            result.submissionBytes = earlier->encodedBytes();
            spdlog::info("miner {}: the submission of this run was already written ({}); not encoded again",
                         s.minerId, subDir.string());
        } else {
            // Δ + the residual of the previous round, encoded; the new residual kept beside the run
            // until the submission is in place.
            auto residual = input.empty() ? QuantizationResidual{} : QuantizationResidual::load(input);
            const TensorMap encoded = residual.encode(delta, s.encoding);
            residual.save(pending);
            const auto written = writeEncodedSubmission(subDir, m, encoded, key ? &*key : nullptr, &control);
            commitResidual();
            result.submissionDir = written.dir;
            result.packageSha256 = written.packageSha256;
            result.submissionBytes = written.tensorBytes;
            rec.metric(result.training.steps, "residual_norm", std::sqrt(residual.squaredNorm()));
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    rec.metric(result.training.steps, "submission_bytes", static_cast<double>(result.submissionBytes));
    if (s.collective)
        s.collective->barrier("the wait for rank 0 to write the submission");
    spdlog::info("miner {}: {} steps ({} skipped), loss {:.4f} -> {:.4f}, submission {} ({} bytes, {})", s.minerId,
                 result.training.steps, result.training.skippedSteps, result.training.firstLoss,
                 result.training.lastLoss, result.submissionDir.string(), result.submissionBytes,
                 deltaEncodingName(s.encoding));
    return result;
}

} // namespace

MinerResult runMiner(const MinerSettings& s, const TokenDataset& data, JobControl& control, const MinerStepFn& onStep)
{
    const auto started = std::chrono::steady_clock::now();
    // Data parallel: rank 0 records the job, the other ranks record nothing.
    auto rec = !s.collective || s.collective->rank() == 0
                   ? std::make_unique<JobRecord>("train", s.toJson().dump(), s.outDir.string(), s.projectId)
                   : std::make_unique<JobRecord>(JobRecord::Unrecorded{});
    std::int64_t stepsDone = -1;
    return recordJob(*rec, [&] {
        try {
            return trainAndPackage(s, data, control, onStep, *rec, started, stepsDone);
        } catch (const std::exception& e) {
            // Out of memory (c10::OutOfMemoryError on CUDA, std::bad_alloc on the CPU...): the
            // model and the graph are gone with trainAndPackage's stack; release what the
            // allocators cache, keep the checkpoint, and say what to do.
            if (errorKindOf(e) != ErrorKind::OutOfMemory)
                throw;
            releaseMemory(s.device);
            const auto checkpointDir = s.outDir / "checkpoint";
            const std::int64_t kept = checkpointStep(checkpointDir);
            const std::string where = stepsDone < 0 ? "while loading the model"
                                                    : "at inner step " + std::to_string(stepsDone + 1) + " of " +
                                                          std::to_string(s.train.innerSteps);
            const std::string checkpoint =
                kept >= 0 ? "its last checkpoint (step " + std::to_string(kept) + ") in " + checkpointDir.string() +
                                " is kept and Resume continues from it"
                          : std::string("no checkpoint was written yet, so Resume starts again from step 0");
            throw OutOfMemoryError(
                "Out of memory on " + s.device + " " + where + " (" + firstLine(e.what()) + "). The job stopped; " +
                checkpoint + ". Free memory on the device (close other programs or jobs) and Resume, " +
                (s.recompute ? std::string()
                             : std::string("or Resume with activation recomputation (--recompute; the same run), ")) +
                "or start a new run with a smaller batch size or sequence length, masked routing (--mode masked), "
                "fewer experts or another device; `teft train --plan` shows what the job needs.");
        }
    });
}

} // namespace teft
