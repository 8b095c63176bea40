// `teft identify` and `teft select`: TEFT step 1, routing statistics of a frozen model over a
// dataset (and optionally a reference), and expert selections made from them.
#include "app/cli/Cli.h"
#include "core/util/Paths.h"
#include "app/cli/TrainCliSupport.h"

#include "core/project/Identify.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/RoutingStats.h"
#include "core/teft/SelectionPolicy.h"
#include "core/util/AtomicFile.h"

#include <algorithm>
#include <limits>
#include <sstream>

namespace teft::cli {
namespace {

namespace fs = std::filesystem;

int runIdentify(Invocation& inv)
{
    const fs::path modelDir = inv.arg(0);
    const auto out = inv.require("out");
    refuseOutputInside(out, modelDir, "out", "model folder");
    IdentifyRequest r;
    r.modelDir = modelDir;
    r.device = inv.get("device");
    r.computeDtype = parseComputeDtype(inv.get("compute-dtype"));
    r.settings.batches = static_cast<int>(inv.getInt("batches"));
    r.settings.batchSize = static_cast<int>(inv.getInt("batch-size"));
    if (r.settings.batchSize < 1)
        throw UsageError("--batch-size must be at least 1, got " + std::to_string(r.settings.batchSize));
    if (inv.has("tokens")) {
        // The token budget: whole batches of rows, rounded up.
        if (inv.has("batches"))
            throw UsageError("--tokens and --batches both set how much of each dataset is analysed: give one");
        const long long tokens = inv.getInt("tokens");
        if (tokens < 1)
            throw UsageError("--tokens must be at least 1, got " + std::to_string(tokens));
        const long long batchTokens = static_cast<long long>(r.settings.batchSize) *
                                      std::max(1LL, inv.getInt("seq-len"));
        const long long batches = (tokens + batchTokens - 1) / batchTokens;
        r.settings.batches = static_cast<int>(std::min<long long>(batches, std::numeric_limits<int>::max()));
    }
    r.config = {{"model", modelDir.string()},
                {"data", inv.all("data")},
                {"reference", inv.all("reference")},
                {"batches", r.settings.batches},
                {"out", out}};
    if (inv.has("tokens"))
        r.config["tokens"] = inv.getInt("tokens");
    r.outputDir = fs::path(out).parent_path();
    auto side = [&](const char* option) {
        IdentifyDataset d;
        d.label = inv.all(option).front();
        d.spec = datasetSpec(inv, inv.all(option));
        d.packing = packingOptions(inv);
        return d;
    };
    r.target = side("data");
    r.statsFile = out;
    if (inv.has("reference")) {
        r.reference = side("reference");
        r.referenceStatsFile = inv.has("reference-out")
                                   ? fs::path(inv.get("reference-out"))
                                   : fs::path(out).parent_path() / (fs::path(out).stem().string() + ".reference.json");
    }
    const IdentifyResult result = identify(r, inv.control);
    const RoutingStats& stats = result.target;
    nlohmann::json doc{{"stats", out},
                       {"tokens", stats.tokens()},
                       {"model_fingerprint", result.fingerprint},
                       {"job_id", result.jobId}};
    if (result.reference) {
        doc["reference_stats"] = r.referenceStatsFile.string();
        doc["reference_tokens"] = result.reference->tokens();
    }
    if (inv.json()) {
        inv.printJson(doc);
    } else {
        std::ostringstream o;
        o << "Routing statistics over " << stats.tokens() << " tokens written to " << out << "\n";
        if (doc.contains("reference_stats"))
            o << "Reference statistics over " << doc["reference_tokens"] << " tokens written to "
              << doc["reference_stats"].get<std::string>() << "\n";
        // Top experts per layer by token share.
        for (int r = 0; r < stats.rows(); ++r) {
            std::vector<std::pair<double, int>> v;
            for (int e = 0; e < stats.numExperts(); ++e)
                v.push_back({stats.tokenShare(r, e), e});
            std::sort(v.rbegin(), v.rend());
            o << "  layer " << stats.moeLayers()[static_cast<std::size_t>(r)] << ":";
            for (std::size_t i = 0; i < v.size() && i < 4; ++i) {
                char buf[48];
                std::snprintf(buf, sizeof buf, " e%d %.1f%%", v[i].second, 100 * v[i].first);
                o << buf;
            }
            o << "\n";
        }
        inv.printText(o.str());
    }
    return 0;
}

std::vector<Option> identifyOptions()
{
    auto o = dataOptions(true);
    o.push_back({"reference", "PATH", "general reference dataset for contrast; repeatable", "", false, true});
    o.push_back({"reference-out", "FILE", "where the reference statistics go (default: <out>.reference.json)", ""});
    o.push_back({"batches", "N",
                 "batches of rows to analyse per dataset (the default reads 16 × 8 rows × 128 tokens = 16384 "
                 "tokens of each)",
                 "16"});
    o.push_back({"tokens", "N",
                 "token budget per dataset instead of --batches: whole batches of --batch-size rows of --seq-len "
                 "tokens, rounded up (default: --batches × --batch-size × --seq-len, 16384 tokens at the defaults)",
                 ""});
    o.push_back({"batch-size", "N", "rows per batch", "8"});
    o.push_back({"device", "DEV", "auto (a GPU when there is one), cpu or cuda:N", "auto"});
    o.push_back({"compute-dtype", "DTYPE", "bf16 or f32", "f32"});
    o.push_back({"out", "FILE", "routing statistics JSON", "", true});
    return o;
}

SelectionEdit parseEdit(const std::string& text, bool selected)
{
    const auto colon = text.find(':');
    try {
        if (colon == std::string::npos)
            throw std::invalid_argument("no colon");
        return {std::stoi(text.substr(0, colon)), std::stoi(text.substr(colon + 1)), selected};
    } catch (const std::exception&) {
        throw UsageError("An expert edit must be LAYER:EXPERT (e.g. 3:12), got '" + text + "'");
    }
}

int runSelect(Invocation& inv)
{
    ExpertSelection selection;
    if (inv.has("import")) {
        selection = ExpertSelection::load(inv.get("import"));
    } else {
        if (!inv.has("stats"))
            throw UsageError("Give --stats (routing statistics from `teft identify`) or --import (a selection file)");
        const auto stats = RoutingStats::load(inv.get("stats"));
        std::optional<RoutingStats> ref;
        if (inv.has("reference-stats"))
            ref = RoutingStats::load(inv.get("reference-stats"));
        SelectionPolicy p;
        const auto policy = inv.get("policy");
        if (policy == "topk" || policy == "top_k")
            p.kind = SelectionPolicy::Kind::TopKPerLayer;
        else if (policy == "topp" || policy == "top_p")
            p.kind = SelectionPolicy::Kind::TopPPerLayer;
        else if (policy == "budget")
            p.kind = SelectionPolicy::Kind::GlobalBudget;
        else
            throw UsageError("--policy must be topk, topp or budget, got '" + policy + "'");
        p.metric = routingMetricFromString(inv.has("metric") ? inv.get("metric") : (ref ? "log_ratio" : "token"));
        p.k = static_cast<int>(inv.getInt("k"));
        p.p = inv.getDouble("p");
        p.maxExperts = inv.getInt("max-experts");
        p.maxBytes = inv.getInt("max-bytes");
        p.bytesPerExpert = inv.getInt("bytes-per-expert");
        for (const auto& l : inv.all("layer"))
            p.onlyLayers.push_back(std::stoi(l));
        p.check();
        if (needsReference(p.metric) && !ref)
            throw UsageError("Metric " + toString(p.metric) + " needs --reference-stats");
        selection = selectExperts(stats, p, ref ? &*ref : nullptr);
    }
    std::vector<SelectionEdit> edits;
    for (const auto& a : inv.all("add"))
        edits.push_back(parseEdit(a, true));
    for (const auto& r : inv.all("remove"))
        edits.push_back(parseEdit(r, false));
    applyEdits(selection, edits);
    const auto out = inv.require("out");
    const auto fmt = inv.get("format");
    if (fmt == "teft")
        selection.save(out);
    else if (fmt == "connito")
        writeFileAtomically(out, selection.toConnitoJson().dump(2) + "\n");
    else if (fmt == "esft")
        writeFileAtomically(out, selection.toEsftJson().dump(2) + "\n");
    else
        throw UsageError("--format must be teft, connito or esft, got '" + fmt + "'");
    nlohmann::json doc{{"out", out},
                       {"format", fmt},
                       {"experts", selection.count()},
                       {"hash", selection.hash()},
                       {"layers", selection.toJson()["layers"]}};
    if (inv.json()) {
        inv.printJson(doc);
    } else {
        std::ostringstream o;
        o << "Selected " << selection.count() << " experts (" << fmt << " format) -> " << out << "\n";
        for (const auto& [layer, experts] : selection.layers()) {
            o << "  layer " << layer << ":";
            for (int e : experts)
                o << " " << e;
            o << "\n";
        }
        inv.printText(o.str());
    }
    return 0;
}

} // namespace

TEFT_COMMAND({"identify",
              "Routing statistics of a frozen model over a dataset (TEFT step 1)",
              "Runs the model over batches of the dataset's rows and records, per MoE layer and expert, the token "
              "count and the gate mass (padding excluded). With --reference, the same for a general dataset, for "
              "contrast metrics in `teft select`. The rows go through the model layer by layer (all of them "
              "through one layer before the next), and on the CPU each layer's pages of the memory-mapped "
              "checkpoint are given back once done, so a model larger than memory is analysed with about one "
              "layer resident (use --compute-dtype bf16 for a bf16 checkpoint: f32 copies the weights). "
              "Recorded in the job store as an 'identify' job.",
              {"MODEL"},
              identifyOptions(),
              runIdentify});

TEFT_COMMAND({"select",
              "Choose the experts to train from routing statistics, or convert a selection file",
              "Policies: topk (k best per layer), topp (ESFT: cumulative share per layer), budget (a global count "
              "or byte budget). Metrics: token, gate, contrast, log_ratio (the last two need --reference-stats). "
              "--add/--remove LAYER:EXPERT edit the result. --import reads a teft, Connito expert_assignment.json "
              "or ESFT expert config; --format picks the shape written.",
              {},
              {{"stats", "FILE", "routing statistics from `teft identify`", ""},
               {"reference-stats", "FILE", "reference statistics (contrast metrics)", ""},
               {"import", "FILE", "start from a selection file instead of statistics", ""},
               {"policy", "NAME", "topk, topp or budget", "topp"},
               {"metric", "NAME",
                "token, gate, contrast or log_ratio (default: log_ratio with a reference, else token)", ""},
               {"k", "N", "experts per layer (topk)", "2"},
               {"p", "P", "cumulative share per layer (topp)", "0.2"},
               {"max-experts", "N", "budget: at most N experts (0 = no limit)", "0"},
               {"max-bytes", "B", "budget: at most B bytes (0 = no limit)", "0"},
               {"bytes-per-expert", "B", "budget with --max-bytes: the bytes of one expert", "0"},
               {"layer", "L", "only these model layers; repeatable", "", false, true},
               {"add", "L:E", "add an expert; repeatable", "", false, true},
               {"remove", "L:E", "remove an expert; repeatable", "", false, true},
               {"format", "FMT", "teft, connito or esft", "teft"},
               {"out", "FILE", "selection file", "", true}},
              runSelect});

} // namespace teft::cli
