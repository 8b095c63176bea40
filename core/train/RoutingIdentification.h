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
};

// Stores the statistics in the job store as metrics the GUI can chart without the JSON file:
// "<prefix>token_share.layer<L>" and "<prefix>gate_score.layer<L>", step = expert id.
void recordRoutingMetrics(JobRecord& record, const RoutingStats& stats, const std::string& prefix = {});

RoutingStats collectRoutingStats(MoeModel& model, const TokenDataset& data, const IdentifySettings& settings,
                                 JobControl& control);

} // namespace teft
