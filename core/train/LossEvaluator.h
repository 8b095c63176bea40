#pragma once

// Held-out loss of a model: mean next-token cross-entropy over the same seeded batches of a
// dataset's held-out rows (TokenDataset::evalBatches), each batch weighted by its tokens.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <vector>

namespace teft {

class MoeModel;
class TokenDataset;
class JobControl;

struct EvalSettings {
    int batches = 8;
    int batchSize = 8;
    std::uint64_t seed = 1234;
};

struct EvalResult {
    double loss = 0;       // token-weighted mean over the finite batches
    double perplexity = 0; // exp(loss)
    std::int64_t tokens = 0;
    int batches = 0;                 // finite batches used
    int droppedBatches = 0;          // non-finite
    std::vector<double> batchLosses; // per batch (NaN when non-finite)
    std::vector<std::int64_t> batchTokens;
    nlohmann::json toJson() const;
};

// Evaluates without autograd; control.checkpoint() between batches.
EvalResult evaluateLoss(MoeModel& model, const TokenDataset& data, const EvalSettings& settings, JobControl& control);
// Combines per-batch losses, leaving out batches that are non-finite in `a` or `b` (both get
// the same batches); returns the token-weighted means of a and b over the kept batches.
std::pair<double, double> pairedMeans(const EvalResult& a, const EvalResult& b, int* kept = nullptr);

} // namespace teft
