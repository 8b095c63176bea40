// `teft train`: a miner (TEFT step 2) — train only the selected experts and write a signed
// submission. Rerunning with the same settings and --out resumes from the checkpoint.
#include "app/cli/Cli.h"
#include "app/cli/TrainCliSupport.h"

#include "core/project/Train.h"
#include "core/teft/ExpertSelection.h"

#include <sstream>

namespace teft::cli {
namespace {

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
    s.outDir = std::filesystem::absolute(inv.require("out"));
    if (inv.has("phi"))
        s.phiFile = std::filesystem::absolute(s.phiFile);
    if (!s.keyDir.empty())
        s.keyDir = std::filesystem::absolute(s.keyDir);
    s.validateEvery = inv.getInt("validate-every");
    s.dataLabel = inv.all("data").front();
    s.dataset = datasetRecordJson(datasetSpec(inv, inv.all("data")), packingOptions(inv));
    const auto r = trainMiner(s, inv.control);
    if (inv.json()) {
        inv.printJson(r.toJson());
    } else {
        std::ostringstream o;
        char buf[256];
        std::snprintf(buf, sizeof buf, "Trained %lld steps (%lld skipped%s), loss %.4f -> %.4f, %lld tokens\n",
                      static_cast<long long>(r.training.steps), static_cast<long long>(r.training.skippedSteps),
                      r.training.resumedFromStep >= 0
                          ? (", resumed at step " + std::to_string(r.training.resumedFromStep)).c_str()
                          : "",
                      r.training.firstLoss, r.training.lastLoss, static_cast<long long>(r.training.tokensSeen));
        o << buf << "Submission: " << r.submissionDir.string() << " (" << r.submissionBytes << " bytes of experts)\n";
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
        {"device", "DEV", "cpu, cuda:0 or auto", "cpu"},
        {"compute-dtype", "DTYPE", "bf16 or f32", "bf16"},
        {"out", "DIR", "run folder (checkpoint/ and submission/)", "", true}};
    o.insert(o.end(), more.begin(), more.end());
    return o;
}

} // namespace

TEFT_COMMAND({"train",
              "Train the selected experts as a miner and write a signed submission (TEFT step 2)",
              "Only the selected experts get gradients and optimizer state (AdamW, warmup + cosine decay, "
              "clipping, gradient accumulation). Non-finite steps are skipped and counted. A checkpoint is kept in "
              "<out>/checkpoint; Ctrl-C leaves it and the same command resumes exactly. The submission "
              "(<out>/submission) holds Δ = Φ(t) − Φ_i for the selected experts, a manifest and an Ed25519 signature.",
              {"MODEL"},
              trainOptions(),
              runTrain});

} // namespace teft::cli
