// `teft merge` (TEFT step 4) and `teft eval` (held-out loss and perplexity).
#include "app/cli/Cli.h"
#include "app/cli/TrainCliSupport.h"

#include "core/model/MoeModel.h"
#include "core/store/JobRecord.h"
#include "core/teft/Submission.h"
#include "core/train/MergeJob.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"

#include <sstream>

namespace teft::cli {
namespace {

namespace fs = std::filesystem;

EvalSettings evalSettings(const Invocation& inv)
{
    EvalSettings e;
    e.batches = static_cast<int>(inv.getInt("eval-batches"));
    e.batchSize = static_cast<int>(inv.getInt("eval-batch-size"));
    e.seed = static_cast<std::uint64_t>(inv.getInt("eval-seed"));
    return e;
}

std::vector<Option> evalOptions()
{
    return {{"eval-batches", "N", "held-out batches", "8"},
            {"eval-batch-size", "N", "rows per held-out batch", "8"},
            {"eval-seed", "S", "seed choosing the held-out batches", "1234"}};
}

int runMergeCmd(Invocation& inv)
{
    MergeSettings s;
    s.modelDir = inv.arg(0);
    s.phiFile = inv.require("phi");
    s.outDir = inv.require("out");
    s.maxShardBytes = static_cast<std::uint64_t>(inv.getInt("shard-bytes"));
    s.eval = evalSettings(inv);
    std::vector<TokenDataset> sets;
    std::vector<std::string> labels;
    for (const auto& p : inv.all("data")) {
        sets.push_back(loadDataset(inv, {p}, s.modelDir));
        labels.push_back("in-domain " + p);
    }
    for (const auto& p : inv.all("reference")) {
        sets.push_back(loadDataset(inv, {p}, s.modelDir));
        labels.push_back("out-of-domain " + p);
    }
    std::vector<std::pair<std::string, const TokenDataset*>> ds;
    for (std::size_t i = 0; i < sets.size(); ++i)
        ds.emplace_back(labels[i], &sets[i]);
    const auto r = runMerge(s, ds, inv.control);
    if (inv.json()) {
        inv.printJson(r.toJson());
        return 0;
    }
    std::ostringstream o;
    o << "Merged checkpoint written to " << r.outDir.string() << " and verified: " << r.verification.mergedTensors
      << " merged expert tensors equal Φ, " << r.verification.identicalTensors
      << " other tensors byte-identical to the base\n";
    for (const auto& d : r.losses) {
        char buf[512];
        std::snprintf(buf, sizeof buf, "  %-50s loss %.4f -> %.4f (%+.4f)\n", d.name.c_str(), d.before, d.after,
                      d.after - d.before);
        o << buf;
    }
    inv.printText(o.str());
    return 0;
}

std::vector<Option> mergeOptions()
{
    auto o = dataOptions(false);
    o[0].help = "in-domain dataset to report the loss on; repeatable";
    o.push_back({"reference", "PATH", "out-of-domain dataset to report the loss on; repeatable", "", false, true});
    o.push_back({"phi", "FILE", "Φ: the trained experts (round-<n>/phi.safetensors from `teft validate`)", "", true});
    o.push_back({"out", "DIR", "output model folder", "", true});
    o.push_back({"shard-bytes", "B", "maximum shard size (0 = the base model's layout)", "0"});
    for (const auto& e : evalOptions())
        o.push_back(e);
    return o;
}

int runEval(Invocation& inv)
{
    const fs::path modelDir = inv.arg(0);
    if (inv.has("phi") && inv.has("submission"))
        throw UsageError("Give either --phi or --submission, not both");
    nlohmann::json cfg{{"model", modelDir.string()}, {"data", inv.all("data")}, {"phi", inv.get("phi")},
                       {"submission", inv.get("submission")}};
    JobRecord rec("eval", cfg.dump(), "");
    TensorMap apply;
    if (inv.has("phi"))
        apply = loadTensorFile(inv.get("phi"));
    MoeModelOptions opt;
    opt.device = inv.get("device");
    opt.computeDtype = parseComputeDtype(inv.get("compute-dtype"));
    std::shared_ptr<const Submission> sub;
    TensorMap deltas;
    if (inv.has("submission")) {
        sub = Submission::open(inv.get("submission"));
        for (const auto& n : sub->tensorNames())
            deltas[n] = sub->delta(n).to(torch::kFloat, false, true);
    }
    const auto config = ModelConfig::load(modelDir);
    for (const auto* m : {&apply, &deltas})
        for (const auto& [name, t] : *m) {
            int layer = 0, expert = 0, part = 0;
            if (!config.parseExpertTensorName(name, layer, expert, part))
                throw FormatError("'" + name + "' is not an expert tensor of " + modelDir.string());
            auto& v = opt.selection[layer];
            if (std::find(v.begin(), v.end(), expert) == v.end())
                v.push_back(expert);
        }
    auto model = MoeModel::load(modelDir, opt, &inv.control);
    if (!apply.empty())
        applyExperts(*model, apply, inv.get("phi"));
    for (const auto& [name, d] : deltas) // the submission's Φ_i = Φ(t) − Δ_i, Φ(t) the model's (+ --phi)
        model->setTensor(name, model->tensor(name).to(torch::kFloat) - d);
    nlohmann::json results = nlohmann::json::array();
    std::ostringstream o;
    for (const auto& p : inv.all("data")) {
        const auto data = loadDataset(inv, {p}, modelDir);
        const auto r = evaluateLoss(*model, data, evalSettings(inv), inv.control);
        auto j = r.toJson();
        j["dataset"] = p;
        results.push_back(j);
        rec.metric(static_cast<std::int64_t>(results.size()), "loss", r.loss);
        char buf[512];
        std::snprintf(buf, sizeof buf, "%-50s loss %.4f  perplexity %.3f  (%lld tokens, %d batches%s)\n", p.c_str(), r.loss,
                      r.perplexity, static_cast<long long>(r.tokens), r.batches,
                      r.droppedBatches ? (", " + std::to_string(r.droppedBatches) + " non-finite dropped").c_str() : "");
        o << buf;
    }
    rec.succeed();
    if (inv.json())
        inv.printJson({{"model", modelDir.string()}, {"results", results}});
    else
        inv.printText(o.str());
    return 0;
}

std::vector<Option> evalCmdOptions()
{
    auto o = dataOptions(true);
    o.push_back({"phi", "FILE", "apply Φ (selected expert weights) first", ""});
    o.push_back({"submission", "DIR", "apply a submission's update (Φ − Δ) first", ""});
    o.push_back({"device", "DEV", "cpu, cuda:0 or auto", "cpu"});
    o.push_back({"compute-dtype", "DTYPE", "bf16 or f32", "f32"});
    for (const auto& e : evalOptions())
        o.push_back(e);
    return o;
}

} // namespace

TEFT_COMMAND({"merge",
              "Write Φ into the base model and publish a verified full checkpoint (TEFT step 4)",
              "Writes every tensor in the base model's own names, layout and dtype (sharded with an index when the "
              "base is), copies config and tokenizer files, reloads the result and checks that the merged experts "
              "equal Φ and everything else is byte-identical to the base. With --data / --reference, reports "
              "in-domain and out-of-domain held-out loss before and after.",
              {"MODEL"},
              mergeOptions(),
              runMergeCmd});

TEFT_COMMAND({"eval",
              "Held-out loss and perplexity of a model, optionally with Φ or a submission applied",
              "Evaluates the same seeded held-out batches of each dataset (--eval-seed).",
              {"MODEL"},
              evalCmdOptions(),
              runEval});

} // namespace teft::cli
