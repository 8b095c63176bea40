// `teft merge` (TEFT step 4) and `teft eval` (held-out loss and perplexity).
#include "app/cli/Cli.h"
#include "app/cli/TrainCliSupport.h"

#include "core/project/Eval.h"
#include "core/project/Merge.h"

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
    s.device = inv.get("device");
    s.eval = evalSettings(inv);
    std::vector<NamedDataset> datasets;
    for (const auto& p : inv.all("data"))
        datasets.push_back(namedDataset(inv, {p}, "in-domain " + p));
    for (const auto& p : inv.all("reference"))
        datasets.push_back(namedDataset(inv, {p}, "out-of-domain " + p));
    const auto r = mergeModel(s, datasets, inv.control);
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
    o.push_back({"device", "DEV",
                 "where the before/after losses are computed: auto (a GPU when there is one), cpu or cuda:N", "auto"});
    for (const auto& e : evalOptions())
        o.push_back(e);
    return o;
}

int runEval(Invocation& inv)
{
    EvalRequest r;
    r.modelDir = inv.arg(0);
    r.device = inv.get("device");
    r.computeDtype = parseComputeDtype(inv.get("compute-dtype"));
    if (inv.has("phi") && inv.has("submission"))
        throw UsageError("Give either --phi or --submission, not both");
    if (inv.has("phi"))
        r.phiFile = inv.get("phi");
    if (inv.has("submission"))
        r.submissionDir = inv.get("submission");
    for (const auto& p : inv.all("data"))
        r.datasets.push_back(namedDataset(inv, {p}, p));
    r.eval = evalSettings(inv);
    const EvalReport report = evaluateModel(r, inv.control);
    nlohmann::json results = nlohmann::json::array();
    std::ostringstream o;
    for (const auto& [name, e] : report.results) {
        auto j = e.toJson();
        j["dataset"] = name;
        results.push_back(j);
        char buf[512];
        std::snprintf(buf, sizeof buf, "%-50s loss %.4f  perplexity %.3f  (%lld tokens, %d batches%s)\n", name.c_str(),
                      e.loss, e.perplexity, static_cast<long long>(e.tokens), e.batches,
                      e.droppedBatches ? (", " + std::to_string(e.droppedBatches) + " non-finite dropped").c_str()
                                       : "");
        o << buf;
    }
    if (inv.json())
        inv.printJson({{"model", r.modelDir.string()}, {"results", results}});
    else
        inv.printText(o.str());
    return 0;
}

std::vector<Option> evalCmdOptions()
{
    auto o = dataOptions(true);
    o.push_back({"phi", "FILE", "apply Φ (selected expert weights) first", ""});
    o.push_back({"submission", "DIR", "apply a submission's update (Φ − Δ) first", ""});
    o.push_back({"device", "DEV", "auto (a GPU when there is one), cpu or cuda:N", "auto"});
    o.push_back({"compute-dtype", "DTYPE", "bf16 or f32", "f32"});
    for (const auto& e : evalOptions())
        o.push_back(e);
    return o;
}

} // namespace

TEFT_COMMAND({"merge",
              "Write Φ into the base model and publish a verified full checkpoint (TEFT step 4)",
              "Writes every tensor in the base model's own names, layout and dtype (sharded with an index when the "
              "base is), streaming: tensor by tensor, copying unchanged bytes from the base files, so memory stays "
              "at Φ plus a copy buffer; copies config and tokenizer files, then checks the written files: the "
              "merged experts equal Φ and everything else is byte-identical to the base. An interrupted merge "
              "leaves no partial file; running it again resumes after the shards it completed. With --data / "
              "--reference, reports in-domain and out-of-domain held-out loss before (on the base) and after (on "
              "the written checkpoint).",
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
