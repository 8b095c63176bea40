#include "core/train/RoutingIdentification.h"

#include "core/data/TokenDataset.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRecord.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <torch/torch.h>

#include <algorithm>

namespace teft {

void recordRoutingMetrics(JobRecord& record, const RoutingStats& stats, const std::string& prefix)
{
    for (int r = 0; r < stats.rows(); ++r) {
        const auto layer = std::to_string(stats.moeLayers()[static_cast<std::size_t>(r)]);
        for (int e = 0; e < stats.numExperts(); ++e) {
            record.metric(e, prefix + "token_share.layer" + layer, stats.tokenShare(r, e));
            record.metric(e, prefix + "gate_score.layer" + layer, stats.gateScore(r, e));
        }
    }
    record.flushMetrics();
}

namespace {

void accumulate(RoutingStats& stats, const LayerRouting& lr)
{
    const int row = stats.rowOfLayer(lr.layer);
    const auto k = lr.ids.size(-1);
    auto ids = lr.ids.reshape({-1, k});
    auto w = lr.weights.reshape({-1, k});
    const auto real = ids.select(1, 0).ge(0).nonzero().squeeze(1); // padding has id -1
    ids = ids.index_select(0, real);
    w = w.index_select(0, real);
    stats.accumulate(row, ids, w); // counts the tokens as well
}

} // namespace

RoutingStats collectRoutingStats(MoeModel& model, const TokenDataset& data, const IdentifySettings& s,
                                 JobControl& control)
{
    const auto& c = model.config();
    RoutingStats stats(c.moeLayers(), static_cast<int>(c.numExperts), static_cast<int>(c.topK));
    if (s.batchSize < 1 || s.batches < 1)
        throw UsageError("Identification needs at least one batch of at least one row (batches " +
                         std::to_string(s.batches) + ", batch size " + std::to_string(s.batchSize) + ")");
    const std::int64_t rows = s.heldOut ? data.numHeldOut() : data.numTrain();
    if (rows == 0)
        throw Error(std::string("The dataset has no ") + (s.heldOut ? "held-out" : "training") + " rows to analyse");
    const std::int64_t total = std::min<std::int64_t>(rows, static_cast<std::int64_t>(s.batches) * s.batchSize);
    auto batch = [&](std::int64_t start) {
        std::vector<std::int64_t> idx;
        for (std::int64_t r = start; r < std::min(total, start + s.batchSize); ++r)
            idx.push_back(r);
        ModelBatch b;
        b.inputIds = s.heldOut ? data.heldOutBatch(idx) : data.trainBatch(idx);
        return b;
    };
    if (!s.layerByLayer) {
        for (std::int64_t start = 0; start < total; start += s.batchSize) {
            control.checkpoint();
            control.report(start, total, "routing");
            for (const auto& lr : model.captureRouting(batch(start)))
                accumulate(stats, lr);
        }
        control.report(total, total, "routing");
        return stats;
    }

    // Layer by layer over blocks of batches. The statistics are sums over tokens, so the order in
    // which layers and batches are accumulated does not change them.
    const int layers = c.lastMoeLayer() + 1;
    const std::int64_t batches = (total + s.batchSize - 1) / s.batchSize;
    const std::int64_t units = batches * std::max(layers, 1);
    std::int64_t done = 0;
    for (std::int64_t first = 0; first < batches;) {
        control.checkpoint();
        control.report(done, units, "routing");
        std::vector<MoeModel::LayerState> block;
        std::int64_t blockBytes = 0;
        while (first < batches && (block.empty() || blockBytes < s.blockBytes)) {
            block.push_back(model.beginLayers(batch(first * s.batchSize)));
            blockBytes += static_cast<std::int64_t>(block.back().hidden.nbytes());
            ++first;
        }
        model.releaseMappedPages(-1); // the embedding rows the block read
        for (int l = 0; l < layers; ++l) {
            for (auto& state : block) {
                control.checkpoint();
                if (const auto lr = model.runLayer(l, state))
                    accumulate(stats, *lr);
                control.report(++done, units, "routing");
            }
            model.releaseMappedPages(l);
        }
    }
    control.report(units, units, "routing");
    return stats;
}

} // namespace teft
