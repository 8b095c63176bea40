// `teft validate`: a validator round (TEFT step 3).
#include "app/cli/Cli.h"
#include "app/cli/TrainCliSupport.h"

#include "core/project/Validate.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/util/Paths.h"

#include <sstream>

namespace teft::cli {
namespace {

namespace fs = std::filesystem;

int runValidate(Invocation& inv)
{
    ValidatorSettings s;
    s.modelDir = inv.arg(0);
    s.selection = loadSelection(inv.require("selection"));
    s.device = inv.get("device");
    s.computeDtype = parseComputeDtype(inv.get("compute-dtype"));
    s.stateDir = inv.require("state");
    // The submissions: every one in --submissions FOLDER and every --submission PATH (each once).
    if (!inv.has("submissions") && !inv.has("submission"))
        throw UsageError("Name the submissions to score: --submissions FOLDER (each submission in it) and/or "
                         "--submission PATH (one submission folder; repeatable)");
    if (inv.has("submissions"))
        s.submissionsDir = inv.get("submissions");
    if (inv.has("submission")) {
        if (inv.has("submissions"))
            s.submissions = SubmissionVerifier::listSubmissions(s.submissionsDir);
        for (const auto& p : inv.all("submission"))
            s.submissions.emplace_back(p);
    }
    if (inv.has("round"))
        s.round = inv.getInt("round");
    s.eval.batches = static_cast<int>(inv.getInt("eval-batches"));
    s.eval.batchSize = static_cast<int>(inv.getInt("eval-batch-size"));
    s.eval.seed = static_cast<std::uint64_t>(inv.getInt("eval-seed"));
    s.confidence = inv.getDouble("confidence");
    if (!(s.confidence >= 0.5 && s.confidence < 1.0))
        throw UsageError("--confidence must be at least 0.5 and below 1 (e.g. 0.95), not " + inv.get("confidence"));
    s.timeoutSeconds = inv.getDouble("timeout");
    s.aggregation.policy = aggregationPolicyFromString(inv.get("policy"));
    s.aggregation.topK = static_cast<int>(inv.getInt("top-k"));
    s.aggregation.alpha = inv.getDouble("alpha");
    s.aggregation.check();
    s.outer.lr = inv.getDouble("outer-lr");
    s.outer.momentum = inv.getDouble("momentum");
    s.outer.nesterov = !inv.flag("no-nesterov");
    s.outer.check();
    s.allowUnsigned = inv.flag("allow-unsigned");
    s.allowUnknownKeys = inv.flag("allow-unknown-keys");
    // The list `teft keys trust` keeps (a missing file is an empty list).
    s.knownMinersFile = inv.has("known-miners") ? fs::path(inv.get("known-miners")) : dataDir() / "known_miners.json";
    s.maxUpdateNorm = inv.getDouble("max-norm");
    s.maxRelativeNorm = inv.getDouble("max-relative-norm");
    if (!(s.maxRelativeNorm >= 0))
        throw UsageError("--max-relative-norm must be a number >= 0, not " + inv.get("max-relative-norm"));
    s.nearCopyCosine = inv.getDouble("near-copy-cosine");
    if (!(s.nearCopyCosine > 0 && s.nearCopyCosine <= 2))
        throw UsageError("--near-copy-cosine must be a number in (0, 1] (above 1: no near-copy test), not " +
                         inv.get("near-copy-cosine"));
    const auto r = validate(s, datasetSpec(inv, inv.all("data")), packingOptions(inv), inv.control);
    if (inv.json()) {
        inv.printJson(r.report);
        return 0;
    }
    std::ostringstream o;
    char buf[512];
    std::snprintf(buf, sizeof buf, "Round %lld: loss %.4f -> %.4f%s\n", static_cast<long long>(r.round), r.baselineLoss,
                  r.newLoss, r.updated ? "" : " (no submission improved the loss: Φ unchanged)");
    o << buf;
    // s_i ± its standard error (the measured gain, whether significant or not), the tokens it
    // rests on, and SCORE: what the aggregation uses (0 unless significant).
    o << "  SUBMISSION            VERDICT          S_I ± STD ERROR        TOKENS      SCORE  RANK  WEIGHT  FATE\n";
    for (const auto& j : r.report["submissions"]) {
        const auto num = [&](const char* key) { return j.contains(key) && j[key].is_number(); };
        std::string gain = "-";
        if (num("gain")) {
            char g[64];
            std::snprintf(g, sizeof g, "%+.5f ± ", j["gain"].get<double>());
            gain = g;
            if (num("std_error")) {
                std::snprintf(g, sizeof g, "%.5f", j["std_error"].get<double>());
                gain += g;
            } else {
                gain += "n/a"; // fewer than 2 batches kept: no error estimate
            }
        }
        std::string fate = j.value("fate", "");
        if (j.contains("tied_with") && !j["tied_with"].empty()) {
            fate += " (tied with";
            for (const auto& t : j["tied_with"])
                fate += " " + t.get<std::string>();
            fate += ")";
        }
        std::snprintf(buf, sizeof buf, "  %-20s  %-15s  %-21s  %9s  %9.5f  %4s  %6.3f  %s\n",
                      j.value("name", "").c_str(), j.value("verdict", "").c_str(), gain.c_str(),
                      num("tokens") ? std::to_string(j["tokens"].get<std::int64_t>()).c_str() : "-",
                      j.value("score", 0.0), j.contains("rank") ? std::to_string(j["rank"].get<int>()).c_str() : "-",
                      j.value("weight", 0.0), fate.c_str());
        o << buf;
    }
    std::snprintf(buf, sizeof buf,
                  "A gain scores only when significant: its one-sided %.0f %% lower bound (Student t over the "
                  "batches) is above 0.\n",
                  100.0 * s.confidence);
    o << buf;
    if (r.report.value("eval_rows_repeat", false))
        o << "Warning: the held-out batches repeat rows (more batches × rows than held-out rows): the standard errors "
             "are too small.\n";
    o << "Φ(t+1): " << r.phiFile.string() << "\n";
    inv.printText(o.str());
    return 0;
}

std::vector<Option> validateOptions()
{
    auto o = dataOptions(true);
    const std::vector<Option> more = {
        {"selection", "FILE", "expert selection", "", true},
        {"submissions", "DIR", "folder of submission folders (each one in it is scored)", ""},
        {"submission", "PATH", "one submission folder to score; repeatable, also with --submissions", "", false, true},
        {"state", "DIR", "validator state folder (Φ(t), outer momentum, round reports)", "", true},
        {"round", "R", "round number (default: the state's next round)", ""},
        {"policy", "NAME", "top_k, proportional or power", "top_k"},
        {"top-k", "K", "submissions kept by top_k", "1"},
        {"alpha", "A", "exponent of the power policy", "1.2"},
        {"outer-lr", "LR", "outer SGD learning rate", "0.7"},
        {"momentum", "M", "outer momentum", "0.9"},
        {"no-nesterov", "", "plain momentum instead of Nesterov"},
        {"eval-batches", "N", "held-out batches (at least 2 for a standard error; more narrow it)", "16"},
        {"eval-batch-size", "N", "rows per held-out batch", "8"},
        {"eval-seed", "S", "seed choosing the held-out batches", "1234"},
        {"confidence", "C", "confidence of the one-sided bound a score's gain must clear", "0.95"},
        {"timeout", "SECONDS", "per-submission evaluation time-out (0 = none)", "300"},
        {"known-miners", "FILE", "accepted miner keys (default: <data-dir>/known_miners.json, see `teft keys trust`)",
         ""},
        {"allow-unsigned", "", "accept unsigned submissions"},
        {"allow-unknown-keys", "", "accept valid signatures by keys not in --known-miners"},
        {"max-norm", "N", "refuse updates with a larger L2 norm over all tensors (0 = no bound)", "0"},
        {"max-relative-norm", "R",
         "refuse updates whose norm on any tensor exceeds R times that tensor's current norm (0 = no bound)", "2"},
        {"near-copy-cosine", "C",
         "refuse as a near copy an update whose cosine similarity with an earlier one's is at least C (2 = off)",
         "0.95"},
        {"device", "DEV", "auto (a GPU when there is one), cpu or cuda:N", "auto"},
        {"compute-dtype", "DTYPE", "bf16 or f32", "f32"}};
    o.insert(o.end(), more.begin(), more.end());
    return o;
}

} // namespace

TEFT_COMMAND({"validate",
              "Verify, score, aggregate and step a folder or a list of submissions (TEFT step 3)",
              "The submissions are those in --submissions DIR and each --submission PATH (a folder named twice "
              "is scored once). Each submission is verified (signature, hash, base fingerprint, selection, names, "
              "shapes, dtypes, "
              "finite values, norm, duplicates) and scored by proof of loss on the same seeded held-out batches: "
              "s_i is the token-weighted mean of L_b(Φ) − L_b(Φ − Δ_i) over the batches b, reported with its standard "
              "error; it scores only when significant (its one-sided lower bound at --confidence is above 0, Student "
              "t), else 0 with the fate not_significant. Submissions whose difference is within noise are reported "
              "as tied. Scores are aggregated by policy and Φ takes an outer Nesterov step "
              "whose momentum is kept in the state folder. Writes round-<n>/phi.safetensors and report.json.",
              {"MODEL"},
              validateOptions(),
              runValidate});

} // namespace teft::cli
