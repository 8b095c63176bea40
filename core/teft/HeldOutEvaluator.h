#pragma once

#include "core/teft/ProofOfLossScorer.h"
#include "core/teft/TensorMap.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace at { class Tensor; }

namespace teft {

class JobControl;
class MoeModel;
class TokenDataset;

// Applies an update Φ − Δ to a model's expert tensors in place and restores the previous
// values, bit for bit, when destroyed (also on exceptions). Only the updated experts are copied,
// never the whole model.
class ScopedUpdate {
public:
    ScopedUpdate(MoeModel& model, const TensorMap& delta);
    ~ScopedUpdate();
    ScopedUpdate(const ScopedUpdate&) = delete;
    ScopedUpdate& operator=(const ScopedUpdate&) = delete;

private:
    MoeModel& m_model;
    TensorMap m_saved;
};

// The mean next-token loss of a model on fixed held-out batches (the same rows, in the same
// order, every call), optionally with an update applied for the duration of the call.
class HeldOutEvaluator {
public:
    using Fetch = std::function<at::Tensor(const std::vector<std::int64_t>&)>;

    HeldOutEvaluator(MoeModel& model, Fetch fetch, std::vector<std::vector<std::int64_t>> batches);
    // Seeded held-out batches of a dataset (TokenDataset::evalBatches).
    static HeldOutEvaluator forDataset(MoeModel& model, const TokenDataset& dataset, std::uint64_t seed,
                                       int numBatches, int batchSize);

    // One loss per batch (non-finite ones included as they are).
    std::vector<double> batchLosses(const TensorMap* delta, JobControl& control);
    // The mean over finite batches (NaN when none is finite).
    double meanLoss(const TensorMap* delta, JobControl& control);
    LossWithUpdateFn lossFn();

    std::size_t numBatches() const { return m_batches.size(); }

private:
    MoeModel& m_model;
    Fetch m_fetch;
    std::vector<std::vector<std::int64_t>> m_batches;
};

} // namespace teft
