#include "core/project/Eval.h"

#include "core/train/ModelIdentity.h"
#include "core/model/ModelConfig.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRun.h"
#include "core/teft/Submission.h"
#include "core/train/MinerJob.h"
#include "core/util/Error.h"

#include <algorithm>

namespace teft {

EvalReport evaluateModel(const EvalRequest& r, JobControl& control)
{
    if (!r.phiFile.empty() && !r.submissionDir.empty())
        throw UsageError("Give either a Φ file or a submission to evaluate, not both");
    nlohmann::json names = nlohmann::json::array();
    for (const auto& d : r.datasets)
        names.push_back(d.name);
    const nlohmann::json cfg{{"model", r.modelDir.string()},
                             {"data", names},
                             {"phi", r.phiFile.string()},
                             {"submission", r.submissionDir.string()}};
    JobRecord rec("eval", cfg.dump(), "", r.projectId);
    return recordJob(rec, [&] {
        EvalReport report;
        report.jobId = rec.id();
        TensorMap apply;
        if (!r.phiFile.empty())
            apply = loadTensorFile(r.phiFile);
        MoeModelOptions opt;
        opt.device = r.device;
        opt.computeDtype = r.computeDtype;
        TensorMap deltas;
        if (!r.submissionDir.empty()) {
            const auto sub = Submission::open(r.submissionDir);
            for (const auto& n : sub->tensorNames())
                deltas[n] = sub->delta(n).to(torch::kFloat, false, true);
        }
        // Only the experts Φ or the update touch are held as trainable-size copies.
        const auto config = ModelConfig::load(r.modelDir);
        for (const auto* m : {&apply, &deltas})
            for (const auto& [name, t] : *m) {
                int layer = 0, expert = 0, part = 0;
                if (!config.parseExpertTensorName(name, layer, expert, part))
                    throw FormatError("'" + name + "' is not an expert tensor of " + r.modelDir.string());
                auto& v = opt.selection[layer];
                if (std::find(v.begin(), v.end(), expert) == v.end())
                    v.push_back(expert);
            }
        auto model = MoeModel::load(r.modelDir, opt, &control);
        if (!apply.empty())
            applyExperts(*model, apply, r.phiFile.string());
        for (const auto& [name, d] : deltas) // the submission's Φ_i = Φ(t) − Δ_i, Φ(t) the model's (+ the Φ file)
            model->setTensor(name, model->tensor(name).to(torch::kFloat) - d);
        for (const auto& d : r.datasets) {
            const auto data = tokenizeDataset(r.modelDir, d.spec, d.packing, control);
            // The report half of the held-out rows: never the rows a validator scored on.
            report.results.push_back(
                {d.name, evaluateLoss(*model, data.heldOutPart(TokenDataset::HeldOutPart::Report), r.eval, control)});
            rec.metric(static_cast<std::int64_t>(report.results.size()), "loss", report.results.back().result.loss);
        }
        return report;
    });
}

} // namespace teft
