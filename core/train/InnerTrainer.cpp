#include "core/train/InnerTrainer.h"

#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace teft {

void InnerTrainerSettings::check() const
{
    if (innerSteps < 1)
        throw UsageError("Inner steps must be >= 1, got " + std::to_string(innerSteps));
    if (batchSize < 1)
        throw UsageError("Batch size must be >= 1, got " + std::to_string(batchSize));
    if (gradAccum < 1)
        throw UsageError("Gradient accumulation must be >= 1, got " + std::to_string(gradAccum));
    if (maxNonFiniteInARow < 1)
        throw UsageError("The non-finite step limit must be >= 1, got " + std::to_string(maxNonFiniteInARow));
    if (checkpointEvery < 0)
        throw UsageError("Checkpoint interval must be >= 0, got " + std::to_string(checkpointEvery));
    if (!(adamw.beta1 >= 0 && adamw.beta1 < 1) || !(adamw.beta2 >= 0 && adamw.beta2 < 1))
        throw UsageError("AdamW betas must be in [0, 1)");
    if (!(adamw.weightDecay >= 0))
        throw UsageError("Weight decay must be >= 0, got " + std::to_string(adamw.weightDecay));
    schedule().check();
}

LrSchedule InnerTrainerSettings::schedule() const { return LrSchedule{lr, warmupSteps, innerSteps, minLrRatio}; }

nlohmann::json InnerTrainerSettings::toJson() const
{
    return {{"inner_steps", innerSteps},
            {"batch_size", batchSize},
            {"grad_accum", gradAccum},
            {"lr", lr},
            {"warmup_steps", warmupSteps},
            {"min_lr_ratio", minLrRatio},
            {"beta1", adamw.beta1},
            {"beta2", adamw.beta2},
            {"eps", adamw.eps},
            {"weight_decay", adamw.weightDecay},
            {"clip_norm", clipNorm},
            {"max_non_finite_in_a_row", maxNonFiniteInARow},
            {"checkpoint_every", checkpointEvery},
            {"seed", std::to_string(seed)},
            {"tokens_per_row", tokensPerRow}};
}

InnerTrainerSettings InnerTrainerSettings::fromJson(const nlohmann::json& j)
{
    InnerTrainerSettings s;
    s.innerSteps = j.value("inner_steps", s.innerSteps);
    s.batchSize = j.value("batch_size", s.batchSize);
    s.gradAccum = j.value("grad_accum", s.gradAccum);
    s.lr = j.value("lr", s.lr);
    s.warmupSteps = j.value("warmup_steps", s.warmupSteps);
    s.minLrRatio = j.value("min_lr_ratio", s.minLrRatio);
    s.adamw.beta1 = j.value("beta1", s.adamw.beta1);
    s.adamw.beta2 = j.value("beta2", s.adamw.beta2);
    s.adamw.eps = j.value("eps", s.adamw.eps);
    s.adamw.weightDecay = j.value("weight_decay", s.adamw.weightDecay);
    s.clipNorm = j.value("clip_norm", s.clipNorm);
    s.maxNonFiniteInARow = j.value("max_non_finite_in_a_row", s.maxNonFiniteInARow);
    s.checkpointEvery = j.value("checkpoint_every", s.checkpointEvery);
    if (j.contains("seed"))
        s.seed = std::stoull(j.at("seed").get<std::string>());
    s.tokensPerRow = j.value("tokens_per_row", s.tokensPerRow);
    return s;
}

double gradientNorm(const std::vector<std::pair<std::string, at::Tensor>>& params)
{
    torch::NoGradGuard noGrad;
    double sum = 0;
    for (const auto& [name, p] : params) {
        if (!p.grad().defined())
            continue;
        const double n = p.grad().to(torch::kDouble).norm().item<double>();
        sum += n * n;
    }
    return std::sqrt(sum);
}

InnerTrainer::InnerTrainer(std::vector<std::pair<std::string, at::Tensor>> params, std::vector<std::int64_t> rows,
                           InnerTrainerSettings settings, std::filesystem::path checkpointDir, std::string identity)
    : m_params(std::move(params)), m_settings(settings), m_order(std::move(rows), settings.seed),
      m_optimizer(m_params, settings.adamw), m_checkpointDir(std::move(checkpointDir))
{
    m_settings.check();
    if (m_params.empty())
        throw Error("Nothing to train: the model has no trainable parameters (is the expert selection empty?)");
    for (const auto& [name, p] : m_params)
        if (p.scalar_type() != torch::kFloat || !p.requires_grad())
            throw Error("Trainable parameter '" + name + "' must be an fp32 tensor that requires grad");
    m_state.seed = settings.seed;
    m_state.identity = std::move(identity);
}

void InnerTrainer::saveCheckpoint()
{
    if (m_checkpointDir.empty())
        return;
    TensorMap params;
    for (const auto& [name, p] : m_params)
        params[name] = p.detach();
    saveTrainCheckpoint(m_checkpointDir, m_state, params, m_optimizer.state());
}

bool InnerTrainer::tryResume()
{
    if (m_checkpointDir.empty())
        return false;
    auto ckpt = loadTrainCheckpoint(m_checkpointDir);
    if (!ckpt)
        return false;
    if (ckpt->state.identity != m_state.identity)
        throw Error("The checkpoint in " + m_checkpointDir.string() + " belongs to another run (identity " +
                    ckpt->state.identity + ", this run " + m_state.identity +
                    "); use another output folder or delete the checkpoint");
    if (ckpt->state.seed != m_settings.seed)
        throw Error("The checkpoint in " + m_checkpointDir.string() + " was made with seed " +
                    std::to_string(ckpt->state.seed) + ", this run uses " + std::to_string(m_settings.seed));
    torch::NoGradGuard noGrad;
    for (auto& [name, p] : m_params) {
        const auto it = ckpt->params.find(name);
        if (it == ckpt->params.end())
            throw FormatError("The checkpoint in " + m_checkpointDir.string() + " lacks parameter '" + name + "'");
        if (it->second.sizes() != p.sizes())
            throw FormatError("The checkpoint in " + m_checkpointDir.string() + " has another shape for '" + name +
                              "'");
        p.copy_(it->second);
    }
    m_optimizer.loadState(ckpt->optimizer, ckpt->state.step - ckpt->state.skippedSteps);
    m_state = ckpt->state;
    return true;
}

InnerTrainerResult InnerTrainer::run(const LossFn& lossFn, JobControl& control, const StepFn& onStep)
{
    InnerTrainerResult result;
    if (tryResume())
        result.resumedFromStep = m_state.step;
    const auto schedule = m_settings.schedule();
    const std::int64_t rowsPerStep = static_cast<std::int64_t>(m_settings.batchSize) * m_settings.gradAccum;
    try {
        while (m_state.step < m_settings.innerSteps) {
            control.checkpoint();
            control.report(m_state.step, m_settings.innerSteps, "training");
            for (auto& [name, p] : m_params)
                p.mutable_grad() = at::Tensor();
            double lossSum = 0;
            bool finite = true;
            for (int micro = 0; micro < m_settings.gradAccum; ++micro) {
                const auto rows = m_order.take(m_state.dataPosition + micro * m_settings.batchSize,
                                               m_settings.batchSize);
                auto loss = lossFn(rows);
                const double value = loss.item<double>();
                if (!std::isfinite(value)) {
                    finite = false;
                    break;
                }
                lossSum += value;
                (loss / static_cast<double>(m_settings.gradAccum)).backward();
            }
            StepReport report;
            report.lr = schedule.lrAt(m_state.step);
            report.gradNorm = finite ? gradientNorm(m_params) : std::numeric_limits<double>::quiet_NaN();
            if (!std::isfinite(report.gradNorm))
                finite = false;
            m_state.dataPosition += rowsPerStep;
            m_state.tokensSeen += rowsPerStep * m_settings.tokensPerRow;
            if (finite) {
                if (m_settings.clipNorm > 0 && report.gradNorm > m_settings.clipNorm) {
                    torch::NoGradGuard noGrad;
                    const double coef = m_settings.clipNorm / (report.gradNorm + 1e-6);
                    for (auto& [name, p] : m_params)
                        if (p.grad().defined())
                            p.mutable_grad().mul_(coef);
                }
                m_optimizer.step(report.lr);
                m_state.nonFiniteInARow = 0;
                report.loss = lossSum / m_settings.gradAccum;
            } else {
                ++m_state.skippedSteps;
                ++m_state.nonFiniteInARow;
                report.skipped = true;
                report.loss = std::numeric_limits<double>::quiet_NaN();
            }
            for (auto& [name, p] : m_params)
                p.mutable_grad() = at::Tensor();
            ++m_state.step;
            report.step = m_state.step;
            result.losses.push_back(report.loss);
            if (onStep)
                onStep(report);
            if (m_state.nonFiniteInARow >= m_settings.maxNonFiniteInARow)
                throw NonFiniteError("Training stopped at step " + std::to_string(m_state.step) + ": " +
                                     std::to_string(m_state.nonFiniteInARow) +
                                     " steps in a row had a non-finite loss or gradient (lower the learning rate "
                                     "or check the data)");
            if (m_settings.checkpointEvery > 0 && m_state.step % m_settings.checkpointEvery == 0 &&
                m_state.step < m_settings.innerSteps)
                saveCheckpoint();
        }
    } catch (const Cancelled&) {
        saveCheckpoint();
        throw;
    }
    control.report(m_settings.innerSteps, m_settings.innerSteps, "training");
    result.steps = m_state.step;
    result.skippedSteps = m_state.skippedSteps;
    result.tokensSeen = m_state.tokensSeen;
    for (double l : result.losses)
        if (std::isfinite(l)) {
            result.firstLoss = l;
            break;
        }
    for (auto it = result.losses.rbegin(); it != result.losses.rend(); ++it)
        if (std::isfinite(*it)) {
            result.lastLoss = *it;
            break;
        }
    return result;
}

} // namespace teft
