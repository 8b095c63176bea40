#include "core/teft/ValidatorRound.h"

#include "core/io/SafetensorsFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <cmath>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

namespace teft {
using nlohmann::json;

json RoundReport::toJson() const
{
    auto num = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
    json subs = json::array();
    for (const auto& s : submissions)
        subs.push_back({{"id", s.id},
                        {"miner_id", s.minerId},
                        {"code", s.code},
                        {"message", s.message},
                        {"loss", num(s.loss)},
                        {"baseline_loss", num(s.baselineLoss)},
                        {"score", s.score},
                        {"rank", s.rank},
                        {"weight", s.weight},
                        {"fate", s.fate},
                        {"update_norm", s.updateNorm}});
    return json{{"round", round},
                {"baseline_loss", num(baselineLoss)},
                {"submissions", subs},
                {"stepped", stepped},
                {"aggregated_norm", aggregatedNorm},
                {"aggregation", aggregation.toJson()},
                {"outer", outer.toJson()}};
}

RoundReport runValidatorRound(const std::vector<std::filesystem::path>& submissionDirs,
                              const SubmissionVerifier& verifier, const LossWithUpdateFn& loss, TensorMap& phi,
                              OuterOptimizer& outer, const ValidatorRoundSettings& settings, JobControl& control)
{
    settings.aggregation.check();
    RoundReport report;
    report.round = settings.round;
    report.aggregation = settings.aggregation;
    report.outer = outer.settings();

    const std::vector<Verdict> verdicts = verifier.verifyAll(submissionDirs, &control);
    std::vector<const Verdict*> accepted;
    for (const auto& v : verdicts) {
        SubmissionOutcome o;
        o.id = v.dir.filename().string();
        o.minerId = v.minerId;
        o.code = v.code;
        o.message = v.message;
        o.loss = NAN;
        o.baselineLoss = NAN;
        o.updateNorm = v.updateNorm;
        o.fate = v.accepted ? "" : "refused";
        report.submissions.push_back(o);
        if (v.accepted)
            accepted.push_back(&v);
        else
            spdlog::info("Round {}: refused {} ({}): {}", settings.round, o.id, v.code, v.message);
    }

    std::vector<std::string> ids;
    for (const Verdict* v : accepted)
        ids.push_back(v->dir.filename().string());
    auto deltaOf = [&](std::size_t i, const std::string& name) {
        return accepted[i]->submission->delta(name);
    };
    ProofOfLossScorer scorer(loss, {settings.timeoutSeconds});
    const auto scored = scorer.scoreAll(
        ids,
        [&](std::size_t i) {
            TensorMap d;
            for (const auto& name : accepted[i]->submission->tensorNames())
                d[name] = deltaOf(i, name);
            return d;
        },
        control);
    report.baselineLoss = scored.baselineLoss;

    const AggregationPlan plan = planAggregation(scored.scores, settings.aggregation);
    std::size_t k = 0;
    for (auto& o : report.submissions) {
        if (o.fate == "refused")
            continue;
        const auto& c = scored.candidates[k];
        o.loss = c.loss;
        o.baselineLoss = c.baselineLoss;
        o.score = plan.scores[k];
        o.rank = plan.ranks[k];
        o.weight = plan.weights[k];
        o.fate = c.ok && std::isfinite(c.loss) ? plan.fates[k] : "evaluation_failed";
        if (!c.error.empty())
            o.message = c.error;
        ++k;
    }

    if (!plan.empty()) {
        std::vector<std::string> names;
        for (const auto& [name, t] : phi)
            names.push_back(name);
        const TensorMap agg = aggregateDeltas(names, plan.weights, deltaOf);
        double sq = 0.0;
        for (const auto& [name, t] : agg)
            sq += t.to(torch::kDouble).pow(2).sum().item<double>();
        report.aggregatedNorm = std::sqrt(sq);
        control.checkpoint();
        outer.step(phi, agg);
        report.stepped = true;
    }
    spdlog::info("Round {}: baseline loss {:.4f}, {} submitted, {} accepted, outer step {}", settings.round,
                 report.baselineLoss, submissionDirs.size(), accepted.size(), report.stepped ? "taken" : "skipped");
    return report;
}

} // namespace teft
