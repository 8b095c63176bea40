// `teft train`: a miner (TEFT step 2) — train only the selected experts and write a signed
// submission. Rerunning with the same settings and --out resumes from the checkpoint.
#include "app/cli/Cli.h"
#include "app/cli/Launcher.h"
#include "app/cli/NetworkCli.h"
#include "app/cli/TrainCliSupport.h"

#include "core/dist/Distributed.h"
#include "core/net/Network.h"
#include "core/net/ObjectStore.h"
#include "core/project/Train.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/MinerKey.h"
#include "core/train/MemoryPlan.h"
#include "core/util/Runtime.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

namespace teft::cli {
namespace {

// When the launcher variables make this process a rank of a data-parallel job (WORLD_SIZE > 1):
// its device (cuda:LOCAL_RANK for CUDA), its share of the machine's cores, quiet progress on the
// ranks other than 0, and the process group, set as s.collective. Null in a single process.
std::unique_ptr<ProcessGroup> joinDataParallelJob(Invocation& inv, MinerSettings& s)
{
    const auto dist = DistributedEnv::fromEnvironment();
    if (!dist || dist->worldSize <= 1)
        return nullptr;
    const long long timeout = inv.getInt("dist-timeout");
    if (timeout < 1)
        throw UsageError("--dist-timeout must be at least 1 second, got " + std::to_string(timeout));
    const std::string backend = inv.get("dist-backend");
    if (backend != "gloo" && backend != "nccl")
        throw UsageError("--dist-backend must be gloo or nccl, got '" + backend + "'");
    s.device = deviceForRank(s.device, *dist);
    // The ranks on this machine share its cores (--threads 0 means all of them).
    if (inv.getInt("threads") == 0 && dist->localWorldSize > 1)
        configureThreads(std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / dist->localWorldSize));
    if (dist->rank != 0)
        inv.control.setProgressCallback({}); // rank 0 shows the progress
    ProcessGroupOptions options;
    options.timeout = std::chrono::seconds(timeout);
    options.nccl = backend == "nccl";
    if (options.nccl) {
        if (s.device.rfind("cuda:", 0) != 0)
            throw UsageError("--dist-backend nccl reduces on GPUs: it needs a CUDA device (--device cuda, or auto on "
                             "a machine with GPUs), not " +
                             s.device);
        options.ncclDevice = std::stoi(s.device.substr(5));
    }
    auto group = connectProcessGroup(*dist, options);
    s.collective = group.get();
    return group;
}

int runTrain(Invocation& inv)
{
    MinerSettings s;
    s.modelDir = std::filesystem::absolute(inv.arg(0));
    s.selection = loadSelection(inv.require("selection"));
    if (inv.has("phi"))
        s.phiFile = inv.get("phi");
    s.mode = parseExpertMode(inv.get("mode"));
    s.device = inv.get("device");
    s.computeDtype = parseComputeDtype(inv.get("compute-dtype"));
    s.offload = inv.flag("offload");
    s.recompute = inv.flag("recompute");
    const auto shard = inv.get("shard");
    const auto slash = shard.find('/');
    try {
        if (slash == std::string::npos)
            throw std::invalid_argument("no slash");
        s.shardIndex = std::stoi(shard.substr(0, slash));
        s.shardCount = std::stoi(shard.substr(slash + 1));
    } catch (const std::exception&) {
        throw UsageError("--shard must be I/N (e.g. 0/3), got '" + shard + "'");
    }
    auto& t = s.train;
    t.innerSteps = inv.getInt("steps");
    t.batchSize = static_cast<int>(inv.getInt("batch-size"));
    t.gradAccum = static_cast<int>(inv.getInt("grad-accum"));
    t.lr = inv.getDouble("lr");
    t.warmupSteps = inv.getInt("warmup");
    t.minLrRatio = inv.getDouble("min-lr-ratio");
    t.adamw.weightDecay = inv.getDouble("weight-decay");
    t.adamw.beta1 = inv.getDouble("beta1");
    t.adamw.beta2 = inv.getDouble("beta2");
    t.clipNorm = inv.getDouble("clip");
    t.checkpointEvery = inv.getInt("checkpoint-every");
    t.maxNonFiniteInARow = static_cast<int>(inv.getInt("max-non-finite"));
    t.seed = static_cast<std::uint64_t>(inv.getInt("seed"));
    t.check();
    s.auxLossCoef = inv.getDouble("aux-loss");
    s.round = inv.getInt("round");
    s.minerId = inv.get("miner-id");
    s.sign = !inv.flag("unsigned");
    if (inv.has("key-dir"))
        s.keyDir = inv.get("key-dir");
    s.encoding = parseDeltaEncoding(inv.get("encoding"));
    if (inv.has("residual")) {
        if (s.encoding == DeltaEncoding::F32)
            throw UsageError("--residual keeps the error feedback of a lossy encoding: f32 has none (use "
                             "--encoding bf16 or int8, or leave --residual out)");
        s.residualFile = std::filesystem::absolute(inv.get("residual"));
    }
    s.outDir = std::filesystem::absolute(inv.require("out"));
    if (inv.has("phi"))
        s.phiFile = std::filesystem::absolute(s.phiFile);
    if (!s.keyDir.empty())
        s.keyDir = std::filesystem::absolute(s.keyDir);
    s.validateEvery = inv.getInt("validate-every");
    s.dataLabel = inv.all("data").front();
    s.dataset = datasetRecordJson(datasetSpec(inv, inv.all("data")), packingOptions(inv));
    MemoryGate gate;
    gate.enforce = !inv.flag("ignore-memory-plan");
    gate.memoryLimit = inv.has("memory-limit") ? parseByteSize(inv.get("memory-limit")) : 0;
    gate.overrideHint = " Pass --ignore-memory-plan to start it anyway.";
    if (inv.flag("plan")) {
        // The plan only: exit 0 when the job fits, 1 when it would be refused.
        const MemoryPlan plan = planMinerMemory(s, gate.memoryLimit);
        if (inv.json())
            inv.printJson(plan.toJson());
        else
            inv.printText(plan.text());
        return plan.fits() ? 0 : 1;
    }
    if (inv.has("publish") && !s.sign)
        throw UsageError("--publish commits the submission under the miner's key: leave out --unsigned");
    if (wantsLauncher(inv))
        return launchRanks(inv); // --nproc-per-node: this process starts and watches the ranks
    // --publish: the store and its round are checked before training (a bad address, missing
    // credentials or no open round fail now, not after the run); without --round the submission
    // is for the store's latest round.
    std::unique_ptr<net::ObjectStore> publishStore;
    std::unique_ptr<net::Network> publishNetwork;
    if (inv.has("publish")) {
        publishStore = openStore(inv, "publish");
        publishNetwork = connectNetwork(*publishStore, &inv.control);
        const auto latest = publishNetwork->latestRound(&inv.control);
        if (!latest)
            throw Error("No round is open in " + publishStore->describe() +
                        " to publish to: the validator opens one with `teft round open`");
        if (!inv.has("round"))
            s.round = *latest;
        if (s.round == *latest) {
            const net::RoundView view = publishNetwork->round(*latest, &inv.control);
            if (view.resultObject || view.seal)
                throw Error("Round " + std::to_string(*latest) + " in " + publishStore->describe() +
                            " is already closed: wait for the validator to open the next one (`teft pull` shows it)");
            if (view.secondsToDeadline <= 0)
                throw Error("Round " + std::to_string(*latest) + "'s deadline " + view.opening.deadline +
                            " has passed: a commitment now would be refused as late");
            if (!view.opening.phi.empty() && !inv.has("phi"))
                throw UsageError("Round " + std::to_string(*latest) + " builds on Φ(t) " + view.opening.phi +
                                 ", not on the base model's experts: fetch it with `teft pull --store " +
                                 inv.get("publish") + "` and pass --phi FILE");
        }
    }
    // A rank of a data-parallel job (started by --nproc-per-node, torchrun, a Slurm script...)?
    const std::unique_ptr<ProcessGroup> group = joinDataParallelJob(inv, s);
    MinerResult r;
    try {
        r = trainMiner(s, inv.control, {}, gate);
    } catch (const PeerFailure&) {
        throw;
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        // Tell the other ranks why this one stops: they quote it in their own error.
        if (group)
            group->announceFailure(e.what());
        throw;
    }
    if (group && group->rank() != 0)
        return 0; // rank 0 prints the result (and publishes the submission)
    std::optional<net::SubmitResult> published;
    if (publishNetwork) {
        const MinerKey key = MinerKey::load(s.keyDir.empty() ? MinerKey::defaultKeyDir() : s.keyDir);
        published = net::submitToRound(*publishNetwork, r.submissionDir, key, {}, &inv.control);
    }
    if (inv.json()) {
        nlohmann::json doc = r.toJson();
        if (published)
            doc["published"] = submitResultJson(*published);
        inv.printJson(doc);
    } else {
        std::ostringstream o;
        char buf[256];
        std::snprintf(buf, sizeof buf, "Trained %lld steps (%lld skipped%s), loss %.4f -> %.4f, %lld tokens\n",
                      static_cast<long long>(r.training.steps), static_cast<long long>(r.training.skippedSteps),
                      r.training.resumedFromStep >= 0
                          ? (", resumed at step " + std::to_string(r.training.resumedFromStep)).c_str()
                          : "",
                      r.training.firstLoss, r.training.lastLoss, static_cast<long long>(r.training.tokensSeen));
        o << buf << "Submission: " << r.submissionDir.string() << " (" << r.submissionBytes << " bytes of experts, "
          << deltaEncodingName(r.encoding) << (r.reused ? ", written by an earlier attempt of this run" : "")
          << ")\n";
        if (!r.residualFile.empty())
            o << "Error-feedback residual: " << r.residualFile.string() << "\n";
        if (published)
            o << submitResultText(*published, publishStore->describe());
        inv.printText(o.str());
    }
    return 0;
}

std::vector<Option> trainOptions()
{
    auto o = dataOptions(true);
    const std::vector<Option> more = {
        {"selection", "FILE", "expert selection (teft, Connito or ESFT shape)", "", true},
        {"phi", "FILE", "Φ(t): the current selected experts (from `teft validate`); default the base model's", ""},
        {"mode", "MODE", "full (all experts present) or masked (only selected experts routed to)", "full"},
        {"steps", "H", "inner optimizer steps", "20"},
        {"batch-size", "N", "rows per micro-batch", "8"},
        {"grad-accum", "N", "micro-batches per step", "1"},
        {"lr", "LR", "peak learning rate", "1e-4"},
        {"warmup", "N", "warmup steps", "2"},
        {"min-lr-ratio", "R", "cosine decay floor, as a share of the peak", "0.1"},
        {"weight-decay", "WD", "AdamW weight decay", "0.1"},
        {"beta1", "B", "AdamW beta1", "0.9"},
        {"beta2", "B", "AdamW beta2", "0.95"},
        {"clip", "N", "gradient-norm clipping (0 = none)", "1.0"},
        {"aux-loss", "C", "coefficient of the load-balancing loss (0 = none)", "0"},
        {"checkpoint-every", "K", "checkpoint every K steps (0 = only on cancel)", "10"},
        {"validate-every", "N", "held-out loss every N steps and after the last (0 = never)", "0"},
        {"max-non-finite", "N", "stop after N non-finite steps in a row", "10"},
        {"seed", "S", "data-order seed", "0"},
        {"shard", "I/N", "train on shard I of N of the data", "0/1"},
        {"round", "R", "round number written into the submission", "0"},
        {"miner-id", "ID", "miner name (default: the key's)", ""},
        {"key-dir", "DIR", "miner key folder (default: <data-dir>/keys)", ""},
        {"unsigned", "", "write an unsigned submission"},
        {"encoding", "NAME", "how Δ travels: f32, bf16 or int8 (per-row scales); bf16 and int8 keep error feedback",
         "bf16"},
        {"residual", "FILE",
         "error-feedback residual kept between rounds (default: <data-dir>/residuals/<miner>-<selection>.safetensors)",
         ""},
        {"device", "DEV", "auto (a GPU when there is one), cpu or cuda:N", "auto"},
        {"compute-dtype", "DTYPE", "bf16 or f32", "bf16"},
        {"offload", "",
         "CUDA: keep the frozen experts in host memory and stream them to the GPU layer by layer (pinned "
         "buffers, copies overlapped with compute), for full routing on a model larger than the GPU; a no-op on "
         "the CPU"},
        {"recompute", "",
         "activation recomputation: keep only each layer's input in the forward pass and recompute the layer in "
         "the backward pass (much less activation memory for about one more forward pass of time; the same "
         "results, and a run may be resumed with or without it)"},
        {"plan", "",
         "print the memory plan (weights, trainable state, activations, logits against the device's "
         "free memory) and exit: 0 when the job fits, 1 when it would be refused"},
        {"memory-limit", "BYTES", "memory the job may use (e.g. 24G), instead of the device's free memory", ""},
        {"ignore-memory-plan", "", "start even when the memory plan says the job does not fit"},
        {"out", "DIR", "run folder (checkpoint/ and submission/)", "", true},
        {"publish", "URL",
         "commit and upload the submission to the network's current round in this store (s3://bucket[/prefix] "
         "or file:///path; see `teft submit`); without --round, the store's latest round",
         ""}};
    o.insert(o.end(), more.begin(), more.end());
    // --endpoint, --region, --profile of --publish's store (storeOptions() without --store).
    const auto store = storeOptions();
    o.insert(o.end(), store.begin() + 1, store.end());
    const auto launcher = launcherOptions();
    o.insert(o.end(), launcher.begin(), launcher.end());
    return o;
}

} // namespace

TEFT_COMMAND({"train",
              "Train the selected experts as a miner and write a signed submission (TEFT step 2)",
              "Only the selected experts get gradients and optimizer state (AdamW, warmup + cosine decay, "
              "clipping, gradient accumulation). Non-finite steps are skipped and counted. A checkpoint is kept in "
              "<out>/checkpoint; Ctrl-C leaves it and the same command resumes exactly. The submission "
              "(<out>/submission) holds Δ = Φ(t) − Φ_i for the selected experts, a manifest and an Ed25519 signature. "
              "Before anything is loaded the job's memory plan is checked against the device's free memory (--plan "
              "prints it); a job that does not fit is refused with the figures and what to change. Out of memory "
              "during the run stops the job with its checkpoint kept: the same command resumes it.\n\n"
              "Data parallel (torch.distributed, Gloo): --nproc-per-node N starts N ranks on this machine (with "
              "CUDA, rank k on cuda:k); any other launcher (torchrun, a Slurm script) works through RANK, "
              "WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT. --batch-size and --grad-accum stay the global "
              "batch: each micro-batch is split across the ranks and the gradients of the selected experts are "
              "all-reduced (one buffer per step), so N ranks train as one process would, only faster. Rank 0 "
              "writes the checkpoints, the job record and the submission; rank k logs to teft.rank<k>.log. When a "
              "rank fails, the others stop with an error naming it, and the same command resumes the job from "
              "the last checkpoint (with any number of ranks).",
              {"MODEL"},
              trainOptions(),
              runTrain});

} // namespace teft::cli
