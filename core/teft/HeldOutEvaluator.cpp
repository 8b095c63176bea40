#include "core/teft/HeldOutEvaluator.h"

#include "core/data/TokenDataset.h"
#include "core/model/MoeModel.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <cmath>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

namespace teft {

ScopedUpdate::ScopedUpdate(MoeModel& model, const TensorMap& delta) : m_model(model)
{
    try {
        for (const auto& [name, d] : delta) {
            if (!m_model.hasTensor(name))
                throw Error("The update has tensor " + name + ", which this model does not hold");
            at::Tensor current = m_model.tensor(name);
            if (current.sizes() != d.sizes())
                throw Error("The update's " + name + " has shape " + c10::str(d.sizes()) + ", the model's " +
                            c10::str(current.sizes()));
            m_saved[name] = current;
            m_model.setTensor(name, current.to(torch::kFloat) - d.to(torch::kCPU, torch::kFloat));
        }
    } catch (...) {
        for (const auto& [name, t] : m_saved)
            m_model.setTensor(name, t);
        throw;
    }
}

ScopedUpdate::~ScopedUpdate()
{
    for (const auto& [name, t] : m_saved) {
        try {
            m_model.setTensor(name, t);
        } catch (const std::exception& e) {
            spdlog::error("Could not restore {} after an evaluation: {}", name, e.what());
        }
    }
}

HeldOutEvaluator::HeldOutEvaluator(MoeModel& model, Fetch fetch, std::vector<std::vector<std::int64_t>> batches)
    : m_model(model), m_fetch(std::move(fetch)), m_batches(std::move(batches))
{
    if (m_batches.empty())
        throw Error("Held-out evaluation needs at least one batch");
}

HeldOutEvaluator HeldOutEvaluator::forDataset(MoeModel& model, const TokenDataset& dataset, std::uint64_t seed,
                                              int numBatches, int batchSize)
{
    const TokenDataset copy = dataset;
    return HeldOutEvaluator(
        model, [copy](const std::vector<std::int64_t>& idx) { return copy.heldOutBatch(idx); },
        dataset.evalBatches(seed, numBatches, batchSize));
}

std::vector<double> HeldOutEvaluator::batchLosses(const TensorMap* delta, JobControl& control)
{
    std::unique_ptr<ScopedUpdate> update;
    if (delta)
        update = std::make_unique<ScopedUpdate>(m_model, *delta);
    torch::NoGradGuard noGrad;
    std::vector<double> out;
    for (std::size_t b = 0; b < m_batches.size(); ++b) {
        control.checkpoint();
        ModelBatch batch;
        batch.inputIds = m_fetch(m_batches[b]).to(m_model.device());
        ForwardOptions opt;
        opt.loss = true;
        out.push_back(m_model.forward(batch, opt).loss.item<double>());
    }
    return out;
}

double HeldOutEvaluator::meanLoss(const TensorMap* delta, JobControl& control)
{
    double sum = 0.0;
    int n = 0;
    for (double l : batchLosses(delta, control))
        if (std::isfinite(l)) {
            sum += l;
            ++n;
        }
    return n ? sum / n : NAN;
}

LossWithUpdateFn HeldOutEvaluator::lossFn()
{
    return [this](const TensorMap* delta, JobControl& control) { return batchLosses(delta, control); };
}

} // namespace teft
