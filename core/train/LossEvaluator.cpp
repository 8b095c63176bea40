#include "core/train/LossEvaluator.h"

#include "core/data/TokenDataset.h"
#include "core/model/MoeModel.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace teft {

nlohmann::json EvalResult::toJson() const
{
    return {{"loss", loss},
            {"perplexity", perplexity},
            {"tokens", tokens},
            {"batches", batches},
            {"dropped_batches", droppedBatches}};
}

EvalResult evaluateLoss(MoeModel& model, const TokenDataset& data, const EvalSettings& s, JobControl& control)
{
    torch::NoGradGuard noGrad;
    EvalResult r;
    const auto batches = data.evalBatches(s.seed, s.batches, s.batchSize);
    double sum = 0;
    for (std::size_t i = 0; i < batches.size(); ++i) {
        control.checkpoint();
        ModelBatch b;
        b.inputIds = data.heldOutBatch(batches[i]);
        const auto out = model.forward(b, ForwardOptions{});
        const double loss = out.loss.item<double>();
        r.batchLosses.push_back(std::isfinite(loss) ? loss : std::numeric_limits<double>::quiet_NaN());
        r.batchTokens.push_back(out.targetTokens);
        if (std::isfinite(loss)) {
            sum += loss * static_cast<double>(out.targetTokens);
            r.tokens += out.targetTokens;
            ++r.batches;
        } else {
            ++r.droppedBatches;
        }
    }
    r.loss = r.tokens > 0 ? sum / static_cast<double>(r.tokens) : std::numeric_limits<double>::quiet_NaN();
    r.perplexity = std::exp(r.loss);
    return r;
}

std::pair<double, double> pairedMeans(const EvalResult& a, const EvalResult& b, int* kept)
{
    double sa = 0, sb = 0, n = 0;
    int k = 0;
    for (std::size_t i = 0; i < a.batchLosses.size() && i < b.batchLosses.size(); ++i) {
        if (!std::isfinite(a.batchLosses[i]) || !std::isfinite(b.batchLosses[i]))
            continue;
        const double w = static_cast<double>(a.batchTokens[i]);
        sa += a.batchLosses[i] * w;
        sb += b.batchLosses[i] * w;
        n += w;
        ++k;
    }
    if (kept)
        *kept = k;
    if (n == 0)
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    return {sa / n, sb / n};
}

} // namespace teft
