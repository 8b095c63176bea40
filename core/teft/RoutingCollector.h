#pragma once

#include "core/teft/RoutingStats.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace at { class Tensor; }

namespace teft {

class JobControl;
class MoeModel;
class TokenDataset;

// TEFT step 1: runs the frozen model over token rows (no gradients, stopping after the last
// MoE layer) and accumulates each MoE layer's top-k choices into RoutingStats. Padding
// positions (id −1 in the captured routing) are left out. Use a model loaded in Full mode
// without a selection, so routing is the base model's.
RoutingStats collectRoutingStats(MoeModel& model,
                                 const std::function<at::Tensor(const std::vector<std::int64_t>&)>& fetch,
                                 const std::vector<std::int64_t>& rows, std::int64_t batchSize,
                                 JobControl& control);

// Over up to maxRows training rows of a dataset, spread evenly over it (0 = all rows).
RoutingStats collectRoutingStats(MoeModel& model, const TokenDataset& dataset, std::int64_t maxRows,
                                 std::int64_t batchSize, JobControl& control);

} // namespace teft
