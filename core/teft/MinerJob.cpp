#include "core/teft/MinerJob.h"

#include "core/data/SplitMix64.h"
#include "core/data/TokenDataset.h"
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/model/MoeModel.h"
#include "core/teft/MinerKey.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>
#include <numeric>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

namespace teft {
namespace fs = std::filesystem;
using nlohmann::json;

MinerObjective moeObjective(MoeModel& model, double auxLossCoef)
{
    MinerObjective o;
    o.parameters = [&model] { return model.trainableParameters(); };
    o.loss = [&model, auxLossCoef](const at::Tensor& rows) {
        ModelBatch batch;
        batch.inputIds = rows.to(model.device());
        ForwardOptions opt;
        opt.loss = true;
        opt.auxLoss = auxLossCoef > 0;
        ForwardResult r = model.forward(batch, opt);
        return auxLossCoef > 0 ? r.loss + auxLossCoef * r.auxLoss : r.loss;
    };
    return o;
}

MinerData tokenDataShard(const TokenDataset& dataset, int shard, int numShards)
{
    MinerData d;
    d.rows = dataset.shard(shard, numShards);
    const TokenDataset copy = dataset; // shares the mapping
    d.fetch = [copy](const std::vector<std::int64_t>& idx) { return copy.trainBatch(idx); };
    d.shardName = std::to_string(shard) + "/" + std::to_string(numShards);
    return d;
}

void MinerSettings::check() const
{
    auto bad = [](const std::string& what) { throw UsageError("Miner settings: " + what); };
    if (innerSteps < 1)
        bad("inner steps must be at least 1 (got " + std::to_string(innerSteps) + ")");
    if (gradAccumulation < 1)
        bad("gradient accumulation must be at least 1 (got " + std::to_string(gradAccumulation) + ")");
    if (batchSize < 1)
        bad("batch size must be at least 1 (got " + std::to_string(batchSize) + ")");
    if (!(lr > 0) || !std::isfinite(lr))
        bad("learning rate must be positive (got " + std::to_string(lr) + ")");
    if (warmupSteps < 0)
        bad("warmup steps cannot be negative");
    if (!(minLrRatio >= 0 && minLrRatio <= 1))
        bad("minimum lr ratio must be in [0, 1] (got " + std::to_string(minLrRatio) + ")");
    if (maxNonFiniteInARow < 1)
        bad("the non-finite step limit must be at least 1");
    if (checkpointEvery < 0)
        bad("checkpoint interval cannot be negative");
}

json MinerSettings::toJson() const
{
    return json{{"inner_steps", innerSteps},       {"grad_accumulation", gradAccumulation},
                {"batch_size", batchSize},         {"lr", lr},
                {"warmup_steps", warmupSteps},     {"min_lr_ratio", minLrRatio},
                {"adam", adam.toJson()},           {"clip_norm", clipNorm},
                {"max_non_finite_in_a_row", maxNonFiniteInARow},
                {"checkpoint_every", checkpointEvery}, {"seed", seed},
                {"optimizer", "adamw"},            {"schedule", "warmup_cosine"}};
}

MinerSettings MinerSettings::fromJson(const json& j)
{
    MinerSettings s;
    try {
        s.innerSteps = j.value("inner_steps", s.innerSteps);
        s.gradAccumulation = j.value("grad_accumulation", s.gradAccumulation);
        s.batchSize = j.value("batch_size", s.batchSize);
        s.lr = j.value("lr", s.lr);
        s.warmupSteps = j.value("warmup_steps", s.warmupSteps);
        s.minLrRatio = j.value("min_lr_ratio", s.minLrRatio);
        if (j.contains("adam"))
            s.adam = AdamW::Settings::fromJson(j["adam"]);
        s.clipNorm = j.value("clip_norm", s.clipNorm);
        s.maxNonFiniteInARow = j.value("max_non_finite_in_a_row", s.maxNonFiniteInARow);
        s.checkpointEvery = j.value("checkpoint_every", s.checkpointEvery);
        s.seed = j.value("seed", s.seed);
    } catch (const json::exception& e) {
        throw FormatError(std::string("Miner settings: ") + e.what());
    }
    return s;
}

double MinerSettings::learningRate(std::int64_t step) const
{
    if (step < warmupSteps)
        return lr * static_cast<double>(step + 1) / static_cast<double>(warmupSteps);
    const double span = static_cast<double>(std::max<std::int64_t>(1, innerSteps - warmupSteps));
    const double progress = std::min(1.0, static_cast<double>(step - warmupSteps) / span);
    const double minLr = lr * minLrRatio;
    return minLr + (lr - minLr) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

json MinerResult::toJson() const
{
    json hist = json::array();
    for (const auto& h : history)
        hist.push_back({{"step", h.step},
                        {"loss", std::isfinite(h.loss) ? json(h.loss) : json(nullptr)},
                        {"lr", h.lr},
                        {"grad_norm", std::isfinite(h.gradNorm) ? json(h.gradNorm) : json(nullptr)},
                        {"skipped", h.skipped}});
    return json{{"steps_done", stepsDone},
                {"skipped_steps", skippedSteps},
                {"tokens_seen", tokensSeen},
                {"resumed_from_step", resumedFromStep},
                {"base_fingerprint", baseFingerprint},
                {"history", hist}};
}

namespace {
std::vector<MinerStepRecord> historyFromJson(const json& j)
{
    std::vector<MinerStepRecord> out;
    for (const auto& h : j) {
        MinerStepRecord r;
        r.step = h.at("step").get<std::int64_t>();
        r.loss = h.at("loss").is_null() ? NAN : h.at("loss").get<double>();
        r.lr = h.at("lr").get<double>();
        r.gradNorm = h.at("grad_norm").is_null() ? NAN : h.at("grad_norm").get<double>();
        r.skipped = h.at("skipped").get<bool>();
        out.push_back(r);
    }
    return out;
}
} // namespace

MinerJob::MinerJob(MinerObjective objective, MinerData data, Spec spec)
    : m_objective(std::move(objective)), m_data(std::move(data)), m_spec(std::move(spec))
{
    m_spec.settings.check();
    if (m_data.rows.empty())
        throw Error("The miner's data shard " + m_data.shardName + " has no training rows");
    torch::NoGradGuard noGrad;
    for (const auto& [name, p] : m_objective.parameters())
        m_base[name] = p.detach().to(torch::kCPU, torch::kFloat).clone();
    if (m_base.empty())
        throw Error("The miner has nothing to train: no expert is selected");
    m_baseFingerprint = teft::baseFingerprint(m_base, m_spec.configIdentity);
}

fs::path MinerJob::checkpointPath() const { return m_spec.workDir / "miner-checkpoint.safetensors"; }

std::vector<std::int64_t> MinerJob::batchRows(std::int64_t microBatch)
{
    const auto n = static_cast<std::int64_t>(m_data.rows.size());
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(m_spec.settings.batchSize));
    for (std::int64_t b = 0; b < m_spec.settings.batchSize; ++b) {
        const std::int64_t g = microBatch * m_spec.settings.batchSize + b;
        const std::int64_t epoch = g / n;
        if (epoch != m_permEpoch) {
            m_perm.resize(static_cast<std::size_t>(n));
            std::iota(m_perm.begin(), m_perm.end(), 0);
            SplitMix64 rng(SplitMix64::mix(m_spec.settings.seed ^ 0x6d696e6572ULL) ^
                           static_cast<std::uint64_t>(epoch));
            for (std::int64_t i = n - 1; i > 0; --i)
                std::swap(m_perm[static_cast<std::size_t>(i)],
                          m_perm[rng.below(static_cast<std::uint64_t>(i + 1))]);
            m_permEpoch = epoch;
        }
        out.push_back(m_data.rows[static_cast<std::size_t>(m_perm[static_cast<std::size_t>(g % n)])]);
    }
    return out;
}

void MinerJob::saveCheckpoint(std::int64_t step, const MinerResult& r, std::int64_t nonFiniteInARow,
                              const AdamW& adam) const
{
    SafetensorsWriter w(checkpointPath());
    for (const auto& [name, p] : m_objective.parameters())
        w.add("param/" + name, p.detach().to(torch::kCPU, torch::kFloat).contiguous());
    for (const auto& [key, t] : adam.state())
        w.add(key, t.detach().to(torch::kCPU, torch::kFloat).contiguous());
    w.add("rng/cpu", at::detail::getDefaultCPUGenerator().get_state());
    w.setMetadata("teft", "miner-checkpoint");
    w.setMetadata("step", std::to_string(step));
    w.setMetadata("adam_steps", std::to_string(adam.steps()));
    w.setMetadata("tokens_seen", std::to_string(r.tokensSeen));
    w.setMetadata("skipped_steps", std::to_string(r.skippedSteps));
    w.setMetadata("non_finite_in_a_row", std::to_string(nonFiniteInARow));
    w.setMetadata("base_fingerprint", m_baseFingerprint);
    w.setMetadata("selection_hash", m_spec.selectionHash);
    w.setMetadata("settings", m_spec.settings.toJson().dump());
    w.setMetadata("history", r.toJson()["history"].dump());
    w.write();
}

bool MinerJob::loadCheckpoint(MinerResult& r, std::int64_t& step, std::int64_t& nonFiniteInARow, AdamW& adam)
{
    const fs::path path = checkpointPath();
    if (!fs::exists(path))
        return false;
    const auto file = SafetensorsFile::open(path);
    const auto& meta = file->metadata();
    auto get = [&](const char* key) {
        const auto it = meta.find(key);
        if (it == meta.end())
            throw FormatError(path.string() + ": metadata \"" + key + "\" is missing");
        return it->second;
    };
    if (get("teft") != "miner-checkpoint")
        throw FormatError(path.string() + " is not a miner checkpoint");
    if (get("base_fingerprint") != m_baseFingerprint)
        throw Error(path.string() + " was made from another base model or Φ(t); remove it or use "
                                    "another work folder to start over");
    if (get("selection_hash") != m_spec.selectionHash)
        throw Error(path.string() + " was made for another expert selection");
    if (json::parse(get("settings")) != m_spec.settings.toJson())
        throw Error(path.string() + " was made with other training settings (" + get("settings") +
                    "); resume with the same settings or start over");
    try {
        step = std::stoll(get("step"));
        r.tokensSeen = std::stoll(get("tokens_seen"));
        r.skippedSteps = std::stoll(get("skipped_steps"));
        nonFiniteInARow = std::stoll(get("non_finite_in_a_row"));
        r.history = historyFromJson(json::parse(get("history")));
        const std::int64_t adamSteps = std::stoll(get("adam_steps"));
        TensorMap state;
        for (const auto& info : file->tensors())
            if (info.name.rfind("exp_avg", 0) == 0)
                state[info.name] = file->tensor(info.name).clone();
        adam.setState(state, adamSteps);
    } catch (const std::logic_error& e) { // stoll, json
        throw FormatError(path.string() + ": bad metadata (" + e.what() + ")");
    }
    torch::NoGradGuard noGrad;
    for (const auto& [name, p] : m_objective.parameters()) {
        const std::string key = "param/" + name;
        if (!file->contains(key))
            throw FormatError(path.string() + " lacks trainable tensor " + name);
        p.copy_(file->tensor(key));
    }
    if (file->contains("rng/cpu")) {
        at::Generator gen = at::detail::getDefaultCPUGenerator(); // a handle on the same generator
        gen.set_state(file->tensor("rng/cpu").clone());
    }
    return true;
}

MinerResult MinerJob::run(JobControl& control)
{
    const MinerSettings& s = m_spec.settings;
    MinerResult r;
    r.baseFingerprint = m_baseFingerprint;
    AdamW adam(s.adam);
    std::int64_t step = 0, nonFiniteInARow = 0;
    if (loadCheckpoint(r, step, nonFiniteInARow, adam)) {
        r.resumedFromStep = step;
        spdlog::info("Miner resumes from step {} of {} ({})", step, s.innerSteps, checkpointPath().string());
    }
    const auto params = m_objective.parameters();
    auto finish = [&] {
        r.stepsDone = step;
        torch::NoGradGuard noGrad;
        r.delta.clear();
        for (const auto& [name, p] : params)
            r.delta[name] = m_base.at(name) - p.detach().to(torch::kCPU, torch::kFloat);
    };
    try {
        while (step < s.innerSteps) {
            control.checkpoint();
            for (const auto& [name, p] : params)
                p.mutable_grad() = at::Tensor();
            MinerStepRecord rec;
            rec.step = step;
            rec.lr = s.learningRate(step);
            double lossSum = 0.0;
            bool finite = true;
            for (int a = 0; a < s.gradAccumulation; ++a) {
                const auto rows = batchRows(step * s.gradAccumulation + a);
                const at::Tensor batch = m_data.fetch(rows);
                r.tokensSeen += batch.numel();
                if (!finite)
                    continue; // keep the data position; no point computing
                at::Tensor loss = m_objective.loss(batch);
                const double value = loss.item<double>();
                if (!std::isfinite(value)) {
                    finite = false;
                    continue;
                }
                lossSum += value;
                (loss / static_cast<double>(s.gradAccumulation)).backward();
            }
            rec.loss = finite ? lossSum / s.gradAccumulation : NAN;
            rec.gradNorm = finite ? clipGradNorm(params, s.clipNorm) : NAN;
            rec.skipped = !finite || !std::isfinite(rec.gradNorm);
            if (rec.skipped) {
                ++r.skippedSteps;
                ++nonFiniteInARow;
            } else {
                adam.step(params, rec.lr);
                nonFiniteInARow = 0;
            }
            for (const auto& [name, p] : params)
                p.mutable_grad() = at::Tensor();
            r.history.push_back(rec);
            ++step;
            control.report(step, s.innerSteps, "training",
                           rec.skipped ? "skipped a non-finite step"
                                       : "loss " + std::to_string(rec.loss));
            if (nonFiniteInARow >= s.maxNonFiniteInARow) {
                saveCheckpoint(step, r, nonFiniteInARow, adam);
                throw Error("Training stopped at step " + std::to_string(step) + ": " +
                            std::to_string(nonFiniteInARow) +
                            " steps in a row had a non-finite loss or gradient (lower the learning rate?)");
            }
            if (s.checkpointEvery > 0 && step % s.checkpointEvery == 0 && step < s.innerSteps)
                saveCheckpoint(step, r, nonFiniteInARow, adam);
        }
    } catch (const Cancelled&) {
        saveCheckpoint(step, r, nonFiniteInARow, adam);
        throw;
    }
    saveCheckpoint(step, r, nonFiniteInARow, adam);
    finish();
    return r;
}

SubmissionWriteResult MinerJob::submit(const fs::path& dir, const MinerResult& result, const MinerKey* key,
                                       JobControl* control) const
{
    if (result.stepsDone < m_spec.settings.innerSteps)
        throw Error("The miner run is not finished (" + std::to_string(result.stepsDone) + " of " +
                    std::to_string(m_spec.settings.innerSteps) + " steps)");
    SubmissionManifest m;
    m.baseFingerprint = m_baseFingerprint;
    m.selectionHash = m_spec.selectionHash;
    m.round = m_spec.round;
    m.minerId = m_spec.minerId;
    m.innerSteps = result.stepsDone;
    m.tokensSeen = result.tokensSeen;
    m.dataShard = m_data.shardName;
    m.training = m_spec.settings.toJson();
    m.training["skipped_steps"] = result.skippedSteps;
    if (!result.history.empty() && std::isfinite(result.history.back().loss))
        m.training["final_loss"] = result.history.back().loss;
    return writeSubmission(dir, std::move(m), result.delta, key, control);
}

} // namespace teft
