#include "core/train/ValidatorJob.h"

#include "core/data/TokenDataset.h"
#include "core/io/SafetensorsFile.h"
#include "core/store/JobRecord.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/ProofOfLossScorer.h"
#include "core/teft/Submission.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace teft {

namespace fs = std::filesystem;

nlohmann::json ValidatorSettings::toJson() const
{
    return {{"model", modelDir.string()},
            {"selection_hash", selection.hash()},
            {"device", device},
            {"compute_dtype", dtypeName(computeDtype)},
            {"state", stateDir.string()},
            {"submissions", submissionsDir.string()},
            {"round", round ? nlohmann::json(*round) : nlohmann::json(nullptr)},
            {"eval_batches", eval.batches},
            {"eval_batch_size", eval.batchSize},
            {"eval_seed", std::to_string(eval.seed)},
            {"timeout_s", timeoutSeconds},
            {"aggregation", aggregation.toJson()},
            {"outer", outer.toJson()},
            {"allow_unsigned", allowUnsigned},
            {"allow_unknown_keys", allowUnknownKeys},
            {"max_update_norm", maxUpdateNorm}};
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
    if (!j.value("phi", "").empty())
        s.phi = stateDir / j.value("phi", "");
    if (!j.value("optimizer", "").empty())
        s.optimizer = stateDir / j.value("optimizer", "");
    return s;
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

ValidatorResult runValidator(const ValidatorSettings& s, const TokenDataset& heldOut, JobControl& control)
{
    const auto state = ValidatorState::load(s.stateDir);
    ValidatorResult result;
    result.round = s.round.value_or(state.round);
    JobRecord rec("validate", s.toJson().dump(), s.stateDir.string());
    result.jobId = rec.id();
    try {
        MoeModelOptions opt;
        opt.device = s.device;
        opt.computeDtype = s.computeDtype;
        opt.mode = ExpertMode::Full;
        opt.selection = s.selection.layers();
        auto model = MoeModel::load(s.modelDir, opt, &control);
        const auto names = selectedTensorNames(model->config(), s.selection);
        if (!state.phi.empty())
            applyExperts(*model, loadTensorFile(state.phi), state.phi.string());
        const TensorMap phi = currentExperts(*model, names);

        VerifierPolicy policy;
        policy.baseFingerprint = baseFingerprint(phi, configIdentity(s.modelDir));
        policy.selectionHash = s.selection.hash();
        policy.round = result.round;
        for (const auto& [name, t] : phi)
            policy.expected.push_back({name, t.sizes().vec(), "F32"});
        policy.maxUpdateNorm = s.maxUpdateNorm;
        policy.allowUnsigned = s.allowUnsigned;
        policy.allowUnknownKeys = s.allowUnknownKeys;
        if (!s.knownMinersFile.empty())
            policy.knownMiners = KnownMiners::load(s.knownMinersFile);
        SubmissionVerifier verifier(policy);
        const auto dirs = SubmissionVerifier::listSubmissions(s.submissionsDir);
        const auto verdicts = verifier.verifyAll(dirs, &control);

        std::vector<const Verdict*> accepted;
        for (const auto& v : verdicts)
            if (v.accepted)
                accepted.push_back(&v);

        std::optional<EvalResult> baseEval;
        LossWithUpdateFn lossFn = [&](const TensorMap* delta, JobControl& ctl) -> double {
            if (!delta) {
                if (!baseEval)
                    baseEval = evaluateLoss(*model, heldOut, s.eval, ctl);
                return baseEval->loss;
            }
            AppliedUpdate applied(*model, phi, *delta);
            const auto cand = evaluateLoss(*model, heldOut, s.eval, ctl);
            int kept = 0;
            const auto [b, c] = pairedMeans(*baseEval, cand, &kept);
            if (kept == 0)
                return std::numeric_limits<double>::quiet_NaN();
            // The score is computed against the full baseline: shift so that baseline − loss
            // equals the paired difference over the batches both sides kept.
            return baseEval->loss - (b - c);
        };
        ProofOfLossScorer::Settings ps;
        ps.timeoutSeconds = s.timeoutSeconds;
        ProofOfLossScorer scorer(lossFn, ps);
        std::vector<std::string> ids;
        for (const auto* v : accepted)
            ids.push_back(v->dir.filename().string());
        const auto scored = scorer.scoreAll(
            ids,
            [&](std::size_t i) {
                TensorMap d;
                for (const auto& name : names)
                    d[name] = accepted[i]->submission->delta(name).to(torch::kFloat, false, true);
                return d;
            },
            control);
        const auto plan = planAggregation(scored.scores, s.aggregation);
        result.baselineLoss = scored.baselineLoss;

        TensorMap next = phi;
        OuterOptimizer outer(s.outer);
        if (!state.optimizer.empty())
            outer.load(state.optimizer, /*keepSettings=*/true);
        if (!plan.empty()) {
            const auto agg = aggregateDeltas(names, plan.weights, [&](std::size_t i, const std::string& name) {
                return accepted[i]->submission->delta(name).to(torch::kFloat, false, true);
            });
            for (auto& [name, t] : next)
                t = t.clone();
            outer.step(next, agg);
            result.updated = true;
        }
        applyExperts(*model, next, "Φ(t+1)");
        const auto newEval = evaluateLoss(*model, heldOut, s.eval, control);
        result.newLoss = newEval.loss;

        const auto roundDir = s.stateDir / ("round-" + std::to_string(result.round));
        fs::create_directories(roundDir);
        result.phiFile = roundDir / "phi.safetensors";
        saveTensorFile(result.phiFile, next);
        outer.save(roundDir / "outer_optimizer.safetensors");

        nlohmann::json subs = nlohmann::json::array();
        auto store = rec.store();
        std::int64_t roundId = 0;
        std::size_t ai = 0;
        std::vector<nlohmann::json> rows;
        for (const auto& v : verdicts) {
            nlohmann::json j{{"dir", v.dir.string()},    {"name", v.dir.filename().string()},
                             {"miner", v.minerId},       {"verdict", v.code},
                             {"message", v.message},     {"update_norm", v.updateNorm},
                             {"bytes", v.submission ? v.submission->tensors().dataSize() : std::uint64_t(0)}};
            if (v.accepted) {
                const auto& c = scored.candidates[ai];
                j["loss"] = std::isfinite(c.loss) ? nlohmann::json(c.loss) : nlohmann::json(nullptr);
                j["raw_score"] = plan.rawScores[ai];
                j["score"] = plan.scores[ai];
                j["rank"] = plan.ranks[ai];
                j["weight"] = plan.weights[ai];
                j["fate"] = c.timedOut ? "timed_out" : (!c.error.empty() ? "eval_failed" : plan.fates[ai]);
                j["eval_error"] = c.error;
                j["eval_seconds"] = c.seconds;
                ++ai;
            } else {
                j["fate"] = "refused";
            }
            subs.push_back(j);
        }
        result.report = {{"format", "teft-round-report"},
                         {"version", 1},
                         {"round", result.round},
                         {"baseline_loss", result.baselineLoss},
                         {"new_loss", result.newLoss},
                         {"updated", result.updated},
                         {"outer_steps", outer.steps()},
                         {"phi", result.phiFile.string()},
                         {"settings", s.toJson()},
                         {"submissions", subs}};
        writeFileAtomically(roundDir / "report.json", result.report.dump(2) + "\n");
        nlohmann::json st{{"format", "teft-validator-state"},
                          {"round", result.round + 1},
                          {"phi", fs::relative(result.phiFile, s.stateDir).string()},
                          {"optimizer", fs::relative(roundDir / "outer_optimizer.safetensors", s.stateDir).string()}};
        writeFileAtomically(s.stateDir / "state.json", st.dump(2) + "\n");

        if (store) {
            try {
                JobStore::Round r;
                r.jobId = rec.id();
                r.number = static_cast<int>(result.round);
                r.baselineLoss = result.baselineLoss;
                r.newLoss = result.newLoss;
                r.report = result.report.dump();
                roundId = store->addRound(r);
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
        rec.succeed();
        spdlog::info("round {}: {} submissions, {} accepted, loss {:.4f} -> {:.4f}", result.round, verdicts.size(),
                     accepted.size(), result.baselineLoss, result.newLoss);
        return result;
    } catch (const Cancelled&) {
        rec.cancelled();
        throw;
    } catch (const std::exception& e) {
        rec.fail(e.what());
        throw;
    }
}

} // namespace teft
