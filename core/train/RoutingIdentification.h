#pragma once

// TEFT step 1: run the frozen model over a dataset's rows and accumulate routing statistics
// (token count and gate mass per MoE layer × expert; padding excluded).

#include "core/teft/RoutingStats.h"

#include <cstdint>
#include <string>

namespace teft {

class JobRecord;
class MoeModel;
class TokenDataset;
class JobControl;

struct IdentifySettings {
    int batches = 16; // batches of training rows (fewer when the dataset is smaller)
    int batchSize = 8;
    bool heldOut = false; // read held-out rows instead of training rows
    // Layer by layer (the default): the hidden states of a block of batches go through one
    // layer before the next, so each layer's weights are read once per block instead of once
    // per batch, and (CPU, weights mapped from the checkpoint) the layer's pages are given back
    // to the kernel once the block is through it (MoeModel::releaseMappedPages): a model larger
    // than memory is analysed with about one layer of weights resident. false: batch by batch
    // through all layers (MoeModel::captureRouting). Both give the same statistics.
    bool layerByLayer = true;
    // Largest hidden states (bytes, compute dtype) a block holds; at least one batch a block.
    std::int64_t blockBytes = std::int64_t{1} << 30;
};

// Stores the statistics in the job store as metrics the GUI can chart without the JSON file:
// "<prefix>token_share.layer<L>" and "<prefix>gate_score.layer<L>", step = expert id.
void recordRoutingMetrics(JobRecord& record, const RoutingStats& stats, const std::string& prefix = {});

// The first min(rows, batches * batchSize) rows, in batches of batchSize. Progress: "routing",
// in batches (batch by batch) or batch-layers (layer by layer); cancellation between them.
RoutingStats collectRoutingStats(MoeModel& model, const TokenDataset& data, const IdentifySettings& settings,
                                 JobControl& control);

} // namespace teft
