#include "core/teft/RoutingCollector.h"

#include "core/data/TokenDataset.h"
#include "core/model/MoeModel.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <torch/torch.h>

namespace teft {

RoutingStats collectRoutingStats(MoeModel& model,
                                 const std::function<at::Tensor(const std::vector<std::int64_t>&)>& fetch,
                                 const std::vector<std::int64_t>& rows, std::int64_t batchSize,
                                 JobControl& control)
{
    if (batchSize < 1)
        throw UsageError("Routing statistics: the batch size must be at least 1");
    if (!model.options().selection.empty() && model.options().mode == ExpertMode::Masked)
        throw UsageError("Routing statistics need the base model's routing: load the model in full "
                         "mode (a masked model only routes to its selected experts)");
    const ModelConfig& cfg = model.config();
    RoutingStats stats(cfg.moeLayers(), static_cast<int>(cfg.numExperts), static_cast<int>(cfg.topK));
    torch::NoGradGuard noGrad;
    const auto total = static_cast<std::int64_t>(rows.size());
    for (std::int64_t start = 0; start < total; start += batchSize) {
        control.checkpoint();
        control.report(start, total, "routing");
        const std::vector<std::int64_t> idx(rows.begin() + start,
                                            rows.begin() + std::min(total, start + batchSize));
        ModelBatch batch;
        batch.inputIds = fetch(idx);
        for (const LayerRouting& lr : model.captureRouting(batch)) {
            const int row = stats.rowOfLayer(lr.layer);
            if (row < 0)
                continue;
            const at::Tensor ids = lr.ids.reshape({-1, lr.ids.size(-1)}).cpu();
            const at::Tensor w = lr.weights.reshape({-1, lr.weights.size(-1)}).cpu();
            const at::Tensor real = ids.select(1, 0) >= 0;
            stats.accumulate(row, ids.index({real}), w.index({real}));
        }
    }
    control.report(total, total, "routing");
    return stats;
}

RoutingStats collectRoutingStats(MoeModel& model, const TokenDataset& dataset, std::int64_t maxRows,
                                 std::int64_t batchSize, JobControl& control)
{
    const std::int64_t n = dataset.numTrain();
    if (n == 0)
        throw Error("The dataset has no training rows to collect routing statistics on");
    const std::int64_t take = maxRows > 0 ? std::min(maxRows, n) : n;
    std::vector<std::int64_t> rows;
    rows.reserve(static_cast<std::size_t>(take));
    for (std::int64_t i = 0; i < take; ++i)
        rows.push_back(i * n / take);
    return collectRoutingStats(
        model, [&dataset](const std::vector<std::int64_t>& idx) { return dataset.trainBatch(idx); }, rows,
        batchSize, control);
}

} // namespace teft
