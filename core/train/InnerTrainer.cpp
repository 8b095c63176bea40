#include "core/train/InnerTrainer.h"

#include "core/dist/Collective.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <spdlog/spdlog.h>

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
                           InnerTrainerSettings settings, std::filesystem::path checkpointDir, std::string identity,
                           Collective* collective)
    : m_params(std::move(params)), m_settings(settings), m_order(std::move(rows), settings.seed),
      m_optimizer(m_params, settings.adamw), m_checkpointDir(std::move(checkpointDir)), m_collective(collective)
{
    m_settings.check();
    if (m_collective && m_settings.batchSize < m_collective->size())
        throw UsageError("The batch size (" + std::to_string(m_settings.batchSize) +
                         " rows per micro-batch) is split across the " + std::to_string(m_collective->size()) +
                         " ranks: it must be at least the number of ranks");
    if (m_params.empty())
        throw Error("Nothing to train: the model has no trainable parameters (is the expert selection empty?)");
    for (const auto& [name, p] : m_params)
        if (p.scalar_type() != torch::kFloat || !p.requires_grad())
            throw Error("Trainable parameter '" + name + "' must be an fp32 tensor that requires grad");
    m_state.seed = settings.seed;
    m_state.identity = std::move(identity);
}

bool InnerTrainer::isWriter() const { return !m_collective || m_collective->rank() == 0; }

void InnerTrainer::saveCheckpoint()
{
    if (m_checkpointDir.empty() || !isWriter())
        return;
    TensorMap params;
    for (const auto& [name, p] : m_params)
        params[name] = p.detach();
    saveTrainCheckpoint(m_checkpointDir, m_state, params, m_optimizer.state());
}

void InnerTrainer::setExtra(const std::string& key, const nlohmann::json& value)
{
    m_extra[key] = value;
    m_state.extra[key] = value;
}

bool InnerTrainer::tryResumeLocal()
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
    if (isWriter()) // what a writer killed after the JSON's rename left: the previous state
        removeSupersededTrainStates(m_checkpointDir, ckpt->tensorsFile);
    return true;
}

namespace {

nlohmann::json stateToJson(const TrainProgressState& s)
{
    return {{"step", s.step},
            {"data_position", s.dataPosition},
            {"seed", std::to_string(s.seed)},
            {"tokens_seen", s.tokensSeen},
            {"skipped_steps", s.skippedSteps},
            {"non_finite_in_a_row", s.nonFiniteInARow},
            {"identity", s.identity},
            {"extra", s.extra}};
}

TrainProgressState stateFromJson(const nlohmann::json& j)
{
    TrainProgressState s;
    s.step = j.at("step").get<std::int64_t>();
    s.dataPosition = j.at("data_position").get<std::int64_t>();
    s.seed = std::stoull(j.at("seed").get<std::string>());
    s.tokensSeen = j.at("tokens_seen").get<std::int64_t>();
    s.skippedSteps = j.at("skipped_steps").get<std::int64_t>();
    s.nonFiniteInARow = j.at("non_finite_in_a_row").get<std::int64_t>();
    s.identity = j.at("identity").get<std::string>();
    s.extra = j.at("extra");
    return s;
}

} // namespace

bool InnerTrainer::tryResume()
{
    if (!m_collective)
        return tryResumeLocal();
    Collective& c = *m_collective;
    requireSameOnAllRanks(c, m_state.identity + "\n" + std::to_string(m_settings.seed),
                          "the run (its settings, model, expert selection and data)");
    // Rank 0 reads its checkpoint (checking it as a single process would) and hands the state to
    // the others, so that only rank 0's disk needs to hold the run folder.
    nlohmann::json header = nlohmann::json::object();
    if (c.rank() == 0) {
        try {
            if (tryResumeLocal())
                header["state"] = stateToJson(m_state);
        } catch (const std::exception& e) {
            header["error"] = e.what();
        }
    }
    header = nlohmann::json::parse(broadcastString(c, header.dump(), 0, "the checkpoint's state"));
    if (header.contains("error"))
        throw Error(header.at("error").get<std::string>());
    if (!header.contains("state"))
        return false;
    torch::NoGradGuard noGrad;
    const auto optimizer = m_optimizer.state();
    std::vector<at::Tensor> parts;
    for (const auto& [name, p] : m_params) {
        parts.push_back(p.detach().reshape(-1).to(torch::kCPU));
        parts.push_back(optimizer.at("exp_avg/" + name).reshape(-1).to(torch::kCPU));
        parts.push_back(optimizer.at("exp_avg_sq/" + name).reshape(-1).to(torch::kCPU));
    }
    auto flat = torch::cat(parts);
    c.broadcast(flat, 0, "the checkpoint's weights and optimizer state");
    if (c.rank() != 0) {
        TensorMap moments;
        std::int64_t offset = 0;
        for (auto& [name, p] : m_params) {
            const auto n = p.numel();
            p.copy_(flat.narrow(0, offset, n).view_as(p));
            moments["exp_avg/" + name] = flat.narrow(0, offset + n, n).view(p.sizes());
            moments["exp_avg_sq/" + name] = flat.narrow(0, offset + 2 * n, n).view(p.sizes());
            offset += 3 * n;
        }
        m_state = stateFromJson(header.at("state"));
        m_optimizer.loadState(moments, m_state.step - m_state.skippedSteps);
    }
    return true;
}

InnerTrainer::ReducedStep InnerTrainer::reduceStep(double lossSum, bool finite, bool cancel)
{
    // One buffer for the whole step: every parameter's gradient (zeros where it has none), then
    // one has-a-gradient flag per parameter, the loss, the non-finite flag and the cancel flag.
    torch::NoGradGuard noGrad;
    const auto device = m_params.front().second.device();
    std::vector<at::Tensor> parts;
    std::vector<float> tail;
    parts.reserve(m_params.size() + 1);
    tail.reserve(m_params.size() + 3);
    for (const auto& [name, p] : m_params) {
        const auto& g = p.grad();
        parts.push_back(g.defined() ? g.reshape(-1) : torch::zeros({p.numel()}, p.options()));
        tail.push_back(g.defined() ? 1.0f : 0.0f);
    }
    tail.push_back(static_cast<float>(lossSum));
    tail.push_back(finite ? 0.0f : 1.0f);
    tail.push_back(cancel ? 1.0f : 0.0f);
    parts.push_back(torch::tensor(tail, torch::kFloat).to(device));
    auto flat = torch::cat(parts);
    m_collective->allReduce(flat, ReduceOp::Sum, "the gradient all-reduce of step " + std::to_string(m_state.step + 1));
    const auto n = static_cast<std::int64_t>(tail.size());
    const auto reducedTail = flat.narrow(0, flat.numel() - n, n).to(torch::kCPU);
    const float* t = reducedTail.data_ptr<float>();
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        auto& p = m_params[i].second;
        // A parameter no rank gave a gradient stays without one, as in a single process
        // (AdamW then leaves it alone: no decay, no moment update).
        p.mutable_grad() = t[i] > 0 ? flat.narrow(0, offset, p.numel()).view_as(p) : at::Tensor();
        offset += p.numel();
    }
    const std::size_t k = m_params.size();
    return {static_cast<double>(t[k]), t[k + 1] == 0.0f, t[k + 2] > 0.0f};
}

void InnerTrainer::checkReplicasAgree()
{
    // Every rank applied the same reduced gradients to the same weights: their copies agree.
    // A cheap check (per-parameter sums, fp64) that warns instead of failing: a rank on another
    // kind of CPU may round a last bit differently, which changes nothing that matters.
    torch::NoGradGuard noGrad;
    std::vector<at::Tensor> sums;
    for (const auto& [name, p] : m_params)
        sums.push_back(p.detach().to(torch::kDouble).sum().reshape({1}).to(torch::kCPU));
    auto hi = torch::cat(sums);
    auto lo = hi.clone();
    m_collective->allReduce(hi, ReduceOp::Max, "the final check of the weights");
    m_collective->allReduce(lo, ReduceOp::Min, "the final check of the weights");
    const double diff = (hi - lo).abs().max().item<double>();
    if (diff > 0)
        spdlog::warn("distributed: the ranks' copies of the trained weights differ slightly (largest difference of "
                     "a tensor's sum: {:.3g}); rank 0's are the result",
                     diff);
}

InnerTrainerResult InnerTrainer::run(const LossFn& lossFn, JobControl& control, const StepFn& onStep)
{
    return run(ShareLossFn([&lossFn](const MicroBatch& b) {
                   auto loss = lossFn(b.rows);
                   const auto rows = static_cast<std::int64_t>(b.rows.size());
                   return rows == b.globalRows ? loss : loss * (static_cast<double>(rows) / b.globalRows);
               }),
               control, onStep);
}

InnerTrainerResult InnerTrainer::run(const ShareLossFn& lossFn, JobControl& control, const StepFn& onStep)
{
    InnerTrainerResult result;
    if (tryResume()) {
        result.resumedFromStep = m_state.step;
        if (!m_state.extra.is_object())
            m_state.extra = nlohmann::json::object();
        for (const auto& [key, value] : m_extra.items())
            m_state.extra[key] = value;
    }
    const auto schedule = m_settings.schedule();
    const std::int64_t rowsPerStep = static_cast<std::int64_t>(m_settings.batchSize) * m_settings.gradAccum;
    const std::int64_t startStep = m_state.step;
    const auto [shareBegin, shareEnd] = m_collective ? rankShare(m_settings.batchSize, m_collective->rank(),
                                                                 m_collective->size())
                                                     : std::pair<std::int64_t, std::int64_t>{0, m_settings.batchSize};
    try {
        while (m_state.step < m_settings.innerSteps) {
            // Distributed, a cancel request travels with the step's all-reduce, so that every
            // rank stops after the same step.
            bool cancel = false;
            if (m_collective)
                cancel = control.cancelRequested();
            else
                control.checkpoint();
            control.report(m_state.step, m_settings.innerSteps, "training");
            for (auto& [name, p] : m_params)
                p.mutable_grad() = at::Tensor();
            double lossSum = 0;
            bool finite = true;
            for (int micro = 0; micro < m_settings.gradAccum; ++micro) {
                MicroBatch batch;
                batch.rows = m_order.take(m_state.dataPosition + micro * m_settings.batchSize + shareBegin,
                                          shareEnd - shareBegin);
                batch.globalRows = m_settings.batchSize;
                batch.collective = m_collective;
                auto loss = lossFn(batch);
                const double value = loss.item<double>();
                if (!std::isfinite(value)) {
                    finite = false;
                    // The other ranks' losses make collective calls: keep in step with them.
                    if (!m_collective)
                        break;
                }
                if (!finite)
                    continue;
                lossSum += value;
                (loss / static_cast<double>(m_settings.gradAccum)).backward();
            }
            if (m_collective) {
                const auto reduced = reduceStep(lossSum, finite, cancel);
                lossSum = reduced.lossSum;
                finite = reduced.finite;
                cancel = reduced.cancel;
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
            if (cancel && m_state.step < m_settings.innerSteps)
                throw Cancelled();
        }
        if (m_collective)
            checkReplicasAgree();
    } catch (const Cancelled&) {
        saveCheckpoint();
        throw;
    } catch (const PeerFailure& e) {
        // The failed collective came before the step's update: the weights, the optimizer and
        // the state are those of the last finished step, which rank 0 keeps for a resume.
        const bool saved = isWriter() && !m_checkpointDir.empty() && m_state.step > startStep;
        if (saved)
            saveCheckpoint();
        std::string hint;
        if (!m_checkpointDir.empty())
            hint = saved ? " Rank 0 saved the state after step " + std::to_string(m_state.step) + " in " +
                               m_checkpointDir.string() + ": run the same command again to resume."
                         : " Run the same command again to resume from the last checkpoint (rank 0 writes them in " +
                               m_checkpointDir.string() + ").";
        throw PeerFailure(e.what() + hint);
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
