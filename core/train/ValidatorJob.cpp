#include "core/train/ValidatorJob.h"

#include "core/data/TokenDataset.h"
#include "core/io/SafetensorsFile.h"
#include "core/store/JobRun.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/ProofOfLossScorer.h"
#include "core/teft/Submission.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/text/Unicode.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/util/AtomicFile.h"
#include "core/util/StaleTemporaries.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <set>

namespace teft {

namespace fs = std::filesystem;

nlohmann::json ValidatorSettings::toJson() const
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : submissions)
        list.push_back(text::repairUtf8(p.string()));
    return {{"model", modelDir.string()},
            {"selection_hash", selection.hash()},
            {"device", device},
            {"compute_dtype", dtypeName(computeDtype)},
            {"state", stateDir.string()},
            {"submissions", submissionsDir.string()},
            {"submission_list", list},
            {"round", round ? nlohmann::json(*round) : nlohmann::json(nullptr)},
            {"eval_batches", eval.batches},
            {"eval_batch_size", eval.batchSize},
            {"eval_seed", std::to_string(eval.seed)},
            {"confidence", confidence},
            {"timeout_s", timeoutSeconds},
            {"aggregation", aggregation.toJson()},
            {"outer", outer.toJson()},
            {"allow_unsigned", allowUnsigned},
            {"allow_unknown_keys", allowUnknownKeys},
            {"max_update_norm", maxUpdateNorm},
            {"max_relative_norm", maxRelativeNorm},
            {"near_copy_cosine", nearCopyCosine},
            {"submissions_in_given_order", submissionsInGivenOrder}};
}

ValidatorState ValidatorState::load(const fs::path& stateDir)
{
    ValidatorState s;
    const auto path = stateDir / "state.json";
    if (!fs::exists(path))
        return s;
    const auto j = nlohmann::json::parse(readFile(path), nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("format", "") != "teft-validator-state")
        throw FormatError("Validator state " + path.string() + " is not a teft-validator-state JSON file");
    s.round = j.value("round", 0);
    if (s.round < 0)
        throw FormatError("Validator state " + path.string() + ": round " + std::to_string(s.round) + " is negative");
    // The files it names live inside the state folder: a relative path without "..".
    auto inside = [&](const char* key) -> fs::path {
        const fs::path rel = j.value(key, "");
        if (rel.empty())
            return {};
        const bool escapes = rel.is_absolute() ||
                             std::any_of(rel.begin(), rel.end(), [](const fs::path& part) { return part == ".."; });
        if (escapes)
            throw FormatError("Validator state " + path.string() + ": '" + key + "' is " + rel.string() +
                              ", which is not a path inside the state folder");
        return stateDir / rel;
    };
    s.phi = inside("phi");
    s.optimizer = inside("optimizer");
    return s;
}

std::vector<fs::path> submissionFolders(const ValidatorSettings& s)
{
    if (s.submissions.empty())
        return SubmissionVerifier::listSubmissions(s.submissionsDir);
    std::vector<fs::path> out;
    std::set<fs::path> seen;
    for (const auto& p : s.submissions) {
        std::error_code ec;
        const auto status = fs::symlink_status(p, ec);
        if (ec || !fs::exists(status))
            throw Error("Submission " + p.string() + " does not exist (moved or deleted?)" +
                        (ec && ec != std::errc::no_such_file_or_directory ? ": " + ec.message() : std::string()));
        if (!fs::is_directory(p, ec))
            throw Error("Submission " + p.string() +
                        " is not a folder: a submission is a folder holding manifest.json and experts.safetensors");
        const fs::path canonical = fs::canonical(p, ec);
        if (ec)
            throw Error("Submission " + p.string() + " cannot be read: " + ec.message());
        fs::directory_iterator probe(p, ec);
        if (ec)
            throw Error("Submission " + p.string() + " cannot be read: " + ec.message());
        if (seen.insert(canonical).second)
            out.push_back(p); // a symbolic link is kept as given: the verifier refuses it with its reason
    }
    return out;
}

namespace {

// Applies Φ − Δ to the model and restores Φ when it goes out of scope.
class AppliedUpdate {
public:
    AppliedUpdate(MoeModel& model, const TensorMap& phi, const TensorMap& delta) : m_model(model), m_phi(phi)
    {
        for (const auto& [name, d] : delta) {
            m_names.push_back(name);
            m_model.setTensor(name, m_phi.at(name) - d.to(torch::kFloat));
        }
    }
    ~AppliedUpdate()
    {
        for (const auto& name : m_names)
            m_model.setTensor(name, m_phi.at(name));
    }

private:
    MoeModel& m_model;
    const TensorMap& m_phi;
    std::vector<std::string> m_names;
};

} // namespace

struct ScoredRound::Engine {
    std::unique_ptr<MoeModel> model; // holds Φ(t) between the phases
    std::vector<std::string> names;  // the selected experts' tensor names
    TensorMap phi;                   // Φ(t)
    bool applied = false;
};

namespace {

// The name each submission goes by in the round's report ("name", "tied_with"): its folder's
// name, or "<parent>/<folder>" where two folders have the same name (every miner run's
// submission is <run folder>/submission), or the whole path where that is still not unique.
std::vector<std::string> submissionNames(const std::vector<Verdict>& verdicts)
{
    const auto count = [&](const std::function<std::string(const fs::path&)>& name) {
        std::map<std::string, int> n;
        for (const auto& v : verdicts)
            ++n[name(v.dir)];
        return n;
    };
    const auto folder = [](const fs::path& d) { return d.filename().string(); };
    const auto withParent = [](const fs::path& d) {
        return (d.parent_path().filename() / d.filename()).generic_string();
    };
    const auto byFolder = count(folder);
    const auto byParent = count(withParent);
    std::vector<std::string> names;
    for (const auto& v : verdicts) {
        std::string name = folder(v.dir);
        if (byFolder.at(name) > 1)
            name = byParent.at(withParent(v.dir)) > 1 ? v.dir.string() : withParent(v.dir);
        names.push_back(text::repairUtf8(name));
    }
    return names;
}

ScoredRound scoreWith(const ValidatorSettings& s, const ValidatorState& state, const TokenDataset& heldOut,
                      JobControl& control)
{
    ScoredRound out;
    out.settings = s;
    out.state = state;
    out.round = s.round.value_or(state.round);
    // The history is append-only: an earlier round's Φ, optimizer state and report are never
    // rewritten, and a round is only scored on the Φ it builds on.
    if (out.round != state.round)
        throw UsageError("Round " + std::to_string(out.round) + " cannot be validated in " + s.stateDir.string() +
                         ": its next round is " + std::to_string(state.round) +
                         (out.round < state.round ? " (earlier rounds are kept as they were applied; use a new state "
                                                    "folder to validate again from the start)"
                                                  : " (rounds are validated in order)"));
    auto engine = std::make_shared<ScoredRound::Engine>();

    MoeModelOptions opt;
    opt.device = s.device;
    opt.computeDtype = s.computeDtype;
    opt.mode = ExpertMode::Full;
    opt.selection = s.selection.layers();
    engine->model = MoeModel::load(s.modelDir, opt, &control);
    auto& model = *engine->model;
    engine->names = selectedTensorNames(model.config(), s.selection);
    const auto& names = engine->names;
    if (!state.phi.empty())
        applyExperts(model, loadTensorFile(state.phi), state.phi.string());
    engine->phi = currentExperts(model, names);
    const TensorMap& phi = engine->phi;

    VerifierPolicy policy;
    policy.baseFingerprint = baseFingerprint(phi, configIdentity(s.modelDir));
    policy.selectionHash = s.selection.hash();
    policy.round = out.round;
    for (const auto& [name, t] : phi)
        policy.expected.push_back({name, t.sizes().vec(), "F32"});
    policy.maxUpdateNorm = s.maxUpdateNorm;
    policy.maxRelativeNorm = s.maxRelativeNorm;
    for (const auto& [name, t] : phi)
        policy.referenceNorms[name] = t.to(torch::kDouble).norm().item<double>();
    policy.nearCopyCosine = s.nearCopyCosine;
    policy.allowUnsigned = s.allowUnsigned;
    policy.allowUnknownKeys = s.allowUnknownKeys;
    if (!s.knownMinersFile.empty())
        policy.knownMiners = KnownMiners::load(s.knownMinersFile);
    SubmissionVerifier verifier(policy);
    const auto dirs = submissionFolders(s);
    // The order among identical updates is the validator's own receipt order (its state folder),
    // never the senders' file times or names.
    fs::create_directories(s.stateDir);
    ReceiptLog receipts(s.stateDir / "receipts.json");
    out.verdicts = verifier.verifyAll(dirs, &control, s.submissionsInGivenOrder ? nullptr : &receipts);
    if (!s.submissionsInGivenOrder)
        receipts.save();

    const std::vector<std::string> labels = submissionNames(out.verdicts);
    std::vector<const Verdict*> accepted;
    std::vector<std::string> ids; // the accepted ones' names
    for (std::size_t i = 0; i < out.verdicts.size(); ++i)
        if (out.verdicts[i].accepted) {
            accepted.push_back(&out.verdicts[i]);
            ids.push_back(labels[i]);
            out.scored.push_back(i);
        }

    // Per-batch losses on the same seeded batches; the scorer pairs them (ScoreStatistics.h).
    LossWithUpdateFn lossFn = [&](const TensorMap* delta, JobControl& ctl) -> BatchLosses {
        std::optional<AppliedUpdate> applied;
        if (delta)
            applied.emplace(model, phi, *delta);
        auto e = evaluateLoss(model, heldOut, s.eval, ctl);
        return {std::move(e.batchLosses), std::move(e.batchTokens)};
    };
    // The standard error assumes distinct batches: more rows than the held-out set has repeat rows.
    const std::int64_t evalRows = static_cast<std::int64_t>(s.eval.batches) * s.eval.batchSize;
    out.evalRowsRepeat = evalRows > heldOut.numHeldOut();
    if (out.evalRowsRepeat)
        spdlog::warn("validator: {} held-out batches of {} rows need {} rows but the held-out set has {}; rows repeat, "
                     "so the batches are correlated and the standard errors are too small",
                     s.eval.batches, s.eval.batchSize, evalRows, heldOut.numHeldOut());
    ProofOfLossScorer::Settings ps;
    ps.timeoutSeconds = s.timeoutSeconds;
    ps.confidence = s.confidence;
    ProofOfLossScorer scorer(lossFn, ps);
    auto scored = scorer.scoreAll(
        ids,
        [&](std::size_t i) {
            TensorMap d;
            for (const auto& name : names)
                d[name] = accepted[i]->submission->delta(name).to(torch::kFloat, false, true);
            return d;
        },
        control);
    out.plan = planAggregation(scored.scores, s.aggregation);
    out.baselineLoss = scored.baselineLoss;
    out.baselineTokens = 0;
    for (std::size_t b = 0; b < scored.baseline.losses.size(); ++b)
        if (std::isfinite(scored.baseline.losses[b]))
            out.baselineTokens += scored.baseline.tokens[b];
    out.candidates = std::move(scored.candidates);

    out.submissions = nlohmann::json::array();
    std::size_t ai = 0;
    for (std::size_t vi = 0; vi < out.verdicts.size(); ++vi) {
        const Verdict& v = out.verdicts[vi];
        // A sender names its folder: bytes that are not UTF-8 must not stop the report being written.
        nlohmann::json j{{"dir", text::repairUtf8(v.dir.string())},
                         {"name", labels[vi]},
                         {"miner", v.minerId},
                         {"verdict", v.code},
                         {"message", v.message},
                         {"update_norm", v.updateNorm},
                         {"bytes", v.submission ? v.submission->encodedBytes() : std::uint64_t(0)},
                         {"encoding", v.submission ? deltaEncodingName(v.submission->encoding()) : ""}};
        if (v.accepted) {
            const auto& c = out.candidates[ai];
            j["loss"] = std::isfinite(c.loss) ? nlohmann::json(c.loss) : nlohmann::json(nullptr);
            // s_i = gain ± std_error over `tokens` tokens in `batches` batches; score is what the
            // aggregation uses: the gain when significant, else 0 (then after copy zeroing).
            const auto paired = c.paired.toJson();
            for (const char* key : {"gain", "std_error", "lower_bound", "tokens", "batches", "significant"})
                j[key] = paired[key];
            j["raw_score"] = out.plan.rawScores[ai];
            j["score"] = out.plan.scores[ai];
            j["rank"] = out.plan.ranks[ai];
            j["weight"] = out.plan.weights[ai];
            nlohmann::json tied = nlohmann::json::array();
            for (const std::size_t k : scored.tiedWith[ai])
                tied.push_back(ids[k]);
            j["tied_with"] = std::move(tied);
            std::string fate = out.plan.fates[ai];
            if (c.timedOut)
                fate = "timed_out";
            else if (!c.error.empty())
                fate = "eval_failed";
            else if (fate == "no_improvement" && c.paired.gain > 0 && !c.paired.significant)
                fate = "not_significant"; // a gain within noise: its lower bound is ≤ 0
            j["fate"] = fate;
            j["eval_error"] = c.error;
            j["eval_seconds"] = c.seconds;
            ++ai;
        } else {
            j["fate"] = "refused";
        }
        out.submissions.push_back(j);
    }
    out.engine = std::move(engine);
    return out;
}

// Throws UsageError for weights that are not one finite, non-negative value per scored
// submission summing to 1 (or all 0).
void checkWeights(const ScoredRound& scored, const std::vector<double>& weights)
{
    if (weights.size() != scored.scored.size())
        throw UsageError("The outer step got " + std::to_string(weights.size()) + " weights for " +
                         std::to_string(scored.scored.size()) + " scored submissions");
    double sum = 0;
    for (const double w : weights) {
        if (!std::isfinite(w) || w < 0)
            throw UsageError("An aggregation weight is negative or not finite");
        sum += w;
    }
    if (sum != 0 && std::abs(sum - 1.0) > 1e-6)
        throw UsageError("The aggregation weights sum to " + std::to_string(sum) + ", not 1");
}

// The outer step, the state, the report and the store rows; the caller's recordJob settles `rec`.
ValidatorResult applyWith(ScoredRound& scored, const TokenDataset& heldOut, JobControl& control,
                          const std::optional<std::vector<double>>& weightsOverride, JobRecord& rec)
{
    const auto& s = scored.settings;
    auto& engine = *scored.engine;
    auto& model = *engine.model;
    const auto& names = engine.names;
    const TensorMap& phi = engine.phi;
    const auto& verdicts = scored.verdicts;
    const auto& plan = scored.plan;
    const std::vector<double>& weights = weightsOverride ? *weightsOverride : plan.weights;
    const bool anyWeight = std::any_of(weights.begin(), weights.end(), [](double w) { return w > 0; });

    ValidatorResult result;
    result.round = scored.round;
    result.jobId = rec.id();
    result.baselineLoss = scored.baselineLoss;

    TensorMap next = phi;
    OuterOptimizer outer(s.outer);
    if (!scored.state.optimizer.empty())
        outer.load(scored.state.optimizer, /*keepSettings=*/true);
    try {
        if (anyWeight) {
            const auto agg = aggregateDeltas(names, weights, [&](std::size_t i, const std::string& name) {
                return verdicts[scored.scored[i]].submission->delta(name).to(torch::kFloat, false, true);
            });
            for (auto& [name, t] : next)
                t = t.clone();
            outer.step(next, agg);
            result.updated = true;
        }
        applyExperts(model, next, "Φ(t+1)");
        const auto newEval = evaluateLoss(model, heldOut, s.eval, control);
        result.newLoss = newEval.loss;
    } catch (...) {
        applyExperts(model, phi, "Φ(t)"); // the round can be applied again
        throw;
    }
    engine.applied = true;

    const auto roundDir = s.stateDir / ("round-" + std::to_string(result.round));
    fs::create_directories(roundDir);
    removeStaleTemporaries(roundDir); // of an earlier attempt at this round that was killed mid-write
    removeStaleTemporaries(s.stateDir);
    result.phiFile = roundDir / "phi.safetensors";
    saveTensorFile(result.phiFile, next);
    outer.save(roundDir / "outer_optimizer.safetensors");

    nlohmann::json subs = scored.submissions;
    if (weightsOverride) {
        for (std::size_t ai = 0; ai < scored.scored.size(); ++ai) {
            auto& j = subs[scored.scored[ai]];
            const double w = weights[ai];
            if (w == plan.weights[ai])
                continue;
            j["planned_weight"] = j["weight"];
            j["planned_fate"] = j["fate"];
            j["weight"] = w;
            if (w > 0)
                j["fate"] = "merged";
            else if (j["fate"] == "merged")
                j["fate"] = "overridden";
        }
    }
    result.report = {{"format", "teft-round-report"},
                     {"version", 1},
                     {"round", result.round},
                     {"baseline_loss", result.baselineLoss},
                     {"baseline_tokens", scored.baselineTokens},
                     {"confidence", s.confidence},
                     {"eval_rows_repeat", scored.evalRowsRepeat},
                     {"new_loss", result.newLoss},
                     {"updated", result.updated},
                     {"outer_steps", outer.steps()},
                     {"phi", result.phiFile.string()},
                     {"settings", s.toJson()},
                     {"submissions", subs}};
    if (weightsOverride)
        result.report["weights_overridden"] = *weightsOverride != plan.weights;
    writeFileAtomically(roundDir / "report.json", result.report.dump(2) + "\n");
    nlohmann::json st{{"format", "teft-validator-state"},
                      {"round", result.round + 1},
                      {"phi", fs::relative(result.phiFile, s.stateDir).string()},
                      {"optimizer", fs::relative(roundDir / "outer_optimizer.safetensors", s.stateDir).string()}};
    writeFileAtomically(s.stateDir / "state.json", st.dump(2) + "\n");

    if (auto* store = rec.store()) {
        try {
            JobStore::Round r;
            r.jobId = rec.id();
            r.projectId = s.projectId;
            r.number = static_cast<int>(result.round);
            r.baselineLoss = result.baselineLoss;
            r.newLoss = result.newLoss;
            r.report = result.report.dump();
            const std::int64_t roundId = store->addRound(r);
            for (std::size_t i = 0; i < verdicts.size(); ++i) {
                const auto& v = verdicts[i];
                const auto& j = subs[i];
                JobStore::Submission row;
                row.roundId = roundId;
                row.hash = v.deltaSha256;
                row.miner = v.minerId;
                row.path = v.dir.string();
                row.verification = v.accepted ? "ok" : v.code;
                row.reason = v.accepted ? j.value("fate", "") : v.message;
                if (v.accepted) {
                    row.baseLoss = result.baselineLoss;
                    if (j["loss"].is_number())
                        row.newLoss = j["loss"].get<double>();
                    row.score = j["score"].get<double>();
                    row.weight = j["weight"].get<double>();
                    row.rank = j["rank"].get<int>();
                    row.accepted = j["weight"].get<double>() > 0;
                }
                store->addSubmission(row);
            }
        } catch (const std::exception& e) {
            spdlog::warn("round not recorded in the job store: {}", e.what());
        }
    }
    rec.metric(result.round, "baseline_loss", result.baselineLoss);
    rec.metric(result.round, "new_loss", result.newLoss);
    spdlog::info("round {}: {} submissions, {} accepted, loss {:.4f} -> {:.4f}", result.round, verdicts.size(),
                 scored.scored.size(), result.baselineLoss, result.newLoss);
    return result;
}

} // namespace

ScoredRound scoreRound(const ValidatorSettings& s, const TokenDataset& heldOut, JobControl& control)
{
    // Scores on the scoring half of the held-out rows; merge and eval report on the other half.
    return scoreWith(s, ValidatorState::load(s.stateDir), heldOut.heldOutPart(TokenDataset::HeldOutPart::Scoring),
                     control);
}

ValidatorResult applyRound(ScoredRound& scored, const TokenDataset& heldOut, JobControl& control,
                           const std::optional<std::vector<double>>& weights)
{
    if (!scored.engine || !scored.engine->model)
        throw UsageError("applyRound needs a round from scoreRound");
    if (scored.engine->applied)
        throw Error("Round " + std::to_string(scored.round) + " has already been applied; score the submissions again");
    if (weights)
        checkWeights(scored, *weights);
    const auto& s = scored.settings;
    const auto now = ValidatorState::load(s.stateDir);
    if (now.round != scored.state.round || now.phi != scored.state.phi || now.optimizer != scored.state.optimizer)
        throw Error("The validator state in " + s.stateDir.string() +
                    " changed since the submissions were scored (now at round " + std::to_string(now.round) +
                    "); score them again");
    auto rec = s.recordJob ? std::make_unique<JobRecord>("validate", s.toJson().dump(), s.stateDir.string(), s.projectId)
                           : std::make_unique<JobRecord>(JobRecord::Unrecorded{});
    const TokenDataset scoring = heldOut.heldOutPart(TokenDataset::HeldOutPart::Scoring);
    return recordJob(*rec, [&] { return applyWith(scored, scoring, control, weights, *rec); });
}

ValidatorResult runValidator(const ValidatorSettings& s, const TokenDataset& heldOut, JobControl& control)
{
    const auto state = ValidatorState::load(s.stateDir);
    JobRecord rec("validate", s.toJson().dump(), s.stateDir.string(), s.projectId);
    return recordJob(rec, [&] {
        const TokenDataset scoring = heldOut.heldOutPart(TokenDataset::HeldOutPart::Scoring);
        auto scored = scoreWith(s, state, scoring, control);
        return applyWith(scored, scoring, control, std::nullopt, rec);
    });
}

} // namespace teft
