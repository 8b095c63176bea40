// Demo step 7: the full fine-tuning baseline, every parameter trained on the same target rows,
// at a small sweep of learning rates. Two comparisons come out of it:
//  - at the same steps: each learning rate trains as many steps as one miner made over all
//    rounds; the one with the lowest in-domain loss is reported (the baseline at its best);
//  - at a matched in-domain gain: for each learning rate, the first step whose in-domain loss is
//    at or below the TEFT-merged model's; the learning rate whose out-of-domain drift is the
//    smallest there is reported (again the baseline at its best), so that the out-of-domain
//    cost of the same in-domain gain is compared.
// Every reported loss is measured on a checkpoint written to disk (in the model's own dtype,
// loaded by the model engine, as the merged TEFT checkpoint is) on the report half of the
// held-out rows; the in-memory fp32 in-domain loss only picks the step.
#include "core/demo/DemoSteps.h"
#include "core/io/CheckpointFiles.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRun.h"
#include "core/train/FullParameterModel.h"
#include "core/train/InnerTrainer.h"
#include "core/train/LossEvaluator.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"
#include "core/util/Progress.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <limits>

namespace teft {

namespace fs = std::filesystem;

namespace {

using Part = TokenDataset::HeldOutPart;

InnerTrainerSettings fullFineTuneSettings(const DemoSettings& s, double lr)
{
    InnerTrainerSettings ts;
    ts.innerSteps = s.innerSteps * s.rounds;
    ts.batchSize = s.batchSize;
    ts.lr = lr;
    ts.warmupSteps = std::max<std::int64_t>(1, ts.innerSteps / 10);
    ts.seed = 77;
    ts.tokensPerRow = s.model.seqLen - 1;
    ts.checkpointEvery = 10;
    return ts;
}

std::string lrName(double lr)
{
    char b[32];
    std::snprintf(b, sizeof b, "%g", lr);
    return b;
}

// A complete model folder: the weights in the base's storage dtype, config and tokenizer.
void writeModelFolder(const DemoFoundation& f, const FullParameterModel& model, const fs::path& outDir)
{
    fs::create_directories(outDir);
    writeCheckpoint(outDir, model.exportState(f.config.storageDtype()), 1ULL << 40);
    for (const char* file : {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"})
        if (fs::exists(f.modelDir() / file))
            writeFileAtomically(outDir / file, readFile(f.modelDir() / file));
}

// Every domain's held-out loss (report rows) of a model folder, through the model engine.
std::map<std::string, double> evalDomains(const fs::path& modelDir, const DemoDatasets& data, const EvalSettings& e,
                                          JobControl& control)
{
    MoeModelOptions opt;
    opt.computeDtype = torch::kFloat;
    auto model = MoeModel::load(modelDir, opt, &control);
    std::map<std::string, double> out;
    for (const auto& [name, d] : data)
        out[name] = evaluateLoss(*model, d.heldOutPart(Part::Report), e, control).loss;
    return out;
}

// The in-domain loss of the model being trained (fp32, in memory), token-weighted over the same
// report batches evalDomains uses: only to find the step where the matched gain is reached.
double inMemoryLoss(FullParameterModel& model, const TokenDataset& target, const EvalSettings& e)
{
    torch::NoGradGuard noGrad;
    const auto report = target.heldOutPart(Part::Report);
    double sum = 0, tokens = 0;
    for (const auto& b : report.evalBatches(e.seed, e.batches, e.batchSize)) {
        const auto ids = report.heldOutBatch(b);
        const double n = static_cast<double>(ids.size(0) * (ids.size(1) - 1));
        sum += model.loss(ids).item<double>() * n;
        tokens += n;
    }
    return sum / tokens;
}

nlohmann::json lossesJson(const std::map<std::string, double>& losses)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : losses)
        j[k] = v;
    return j;
}

std::map<std::string, double> lossesOf(const nlohmann::json& j)
{
    std::map<std::string, double> out;
    for (const auto& [k, v] : j.items())
        out[k] = v.get<double>();
    return out;
}

// One learning rate: trains (a "train" job, resumable from its checkpoint), writes the final
// model and, the first time the in-domain loss reaches `matchLoss`, the model of that step;
// evaluates both. Saved as <dir>/result.json, which a rerun reuses.
nlohmann::json trainOneRate(const DemoContext& ctx, const DemoFoundation& f, const DemoDatasets& data, double lr,
                            double matchLoss, const fs::path& dir)
{
    const auto resultFile = dir / "result.json";
    if (fs::exists(resultFile))
        return nlohmann::json::parse(readFile(resultFile));
    const auto& s = ctx.settings;
    const auto& target = data.at(s.target);
    const auto ts = fullFineTuneSettings(s, lr);
    nlohmann::json cfg = ts.toJson();
    cfg["model"] = f.modelDir().string();
    cfg["kind"] = "full fine-tuning";
    cfg["match_loss"] = matchLoss;
    JobRecord rec("train", cfg.dump(), dir.string());
    recordJob(rec, [&] {
        auto model = FullParameterModel::load(f.modelDir());
        std::vector<std::int64_t> rows;
        for (std::int64_t i = 0; i < target.numTrain(); ++i)
            rows.push_back(i);
        // A step reached before an interruption is found again on resume: the check runs after
        // every step and the matched model is written before the next trainer checkpoint.
        const auto matchedDir = dir / "matched";
        const auto matchedStepFile = dir / "matched_step.json";
        InnerTrainer trainer(model->parameters(), rows, ts, dir / "checkpoint", sha256Hex(cfg.dump()));
        trainer.run([&](const std::vector<std::int64_t>& idx) { return model->loss(target.trainBatch(idx)); },
                    ctx.control,
                    [&](const StepReport& rep) {
                        if (!rep.skipped)
                            rec.metric(rep.step, "loss", rep.loss);
                        if (fs::exists(matchedStepFile))
                            return;
                        const double inDomain = inMemoryLoss(*model, target, s.eval);
                        rec.metric(rep.step, "report_loss", inDomain);
                        if (inDomain <= matchLoss) {
                            writeModelFolder(f, *model, matchedDir);
                            writeFileAtomically(matchedStepFile, nlohmann::json{{"step", rep.step}}.dump() + "\n");
                        }
                    });
        writeModelFolder(f, *model, dir / "final");
    });
    nlohmann::json result{{"lr", lr}, {"steps", ts.innerSteps}};
    result["losses"] = lossesJson(evalDomains(dir / "final", data, s.eval, ctx.control));
    if (fs::exists(dir / "matched_step.json")) {
        result["matched_step"] = nlohmann::json::parse(readFile(dir / "matched_step.json")).at("step");
        result["matched_losses"] = lossesJson(evalDomains(dir / "matched", data, s.eval, ctx.control));
    }
    writeFileAtomically(resultFile, result.dump(2) + "\n");
    return result;
}

// The largest out-of-domain rise above the base.
double worstDrift(const std::map<std::string, double>& losses, const std::map<std::string, double>& base,
                  const std::string& target)
{
    double worst = -std::numeric_limits<double>::infinity();
    for (const auto& [name, loss] : losses)
        if (name != target)
            worst = std::max(worst, loss - base.at(name));
    return worst;
}

} // namespace

std::vector<double> DemoSettings::fullFineTuneLrs() const
{
    std::vector<double> out;
    for (double factor : fullFineTuneLrFactors)
        out.push_back(lr * factor);
    return out;
}

FullFineTuneBaseline fullFineTuneBaseline(const DemoContext& ctx, const DemoFoundation& f, const DemoDatasets& data,
                                          const MergeResult& merged)
{
    const auto& s = ctx.settings;
    std::map<std::string, double> base, teft;
    for (const auto& d : merged.losses) {
        base[d.name] = d.before;
        teft[d.name] = d.after;
    }
    const double matchLoss = teft.at(s.target);
    const auto lrs = s.fullFineTuneLrs();
    if (lrs.empty())
        throw UsageError("The full fine-tuning baseline needs at least one learning rate");
    spdlog::info("demo: full fine-tuning baseline ({} steps, all parameters, learning rates {})",
                 s.innerSteps * s.rounds, nlohmann::json(lrs).dump());

    FullFineTuneBaseline out;
    out.json = {{"steps", s.innerSteps * s.rounds}, {"match_loss", matchLoss}, {"sweep", nlohmann::json::array()}};
    double bestFinal = std::numeric_limits<double>::infinity(), bestMatchedDrift = bestFinal;
    for (std::size_t i = 0; i < lrs.size(); ++i) {
        ctx.control.report(static_cast<std::int64_t>(i), static_cast<std::int64_t>(lrs.size()), "full fine-tuning",
                           "learning rate " + lrName(lrs[i]));
        const auto r = trainOneRate(ctx, f, data, lrs[i], matchLoss, ctx.work / "full-ft" / ("lr-" + lrName(lrs[i])));
        auto row = r;
        const auto losses = lossesOf(r.at("losses"));
        row["worst_out_of_domain_drift"] = worstDrift(losses, base, s.target);
        if (losses.at(s.target) < bestFinal) {
            bestFinal = losses.at(s.target);
            out.sameSteps = losses;
            out.json["same_steps"] = {{"lr", lrs[i]}, {"steps", r.at("steps")}, {"losses", r.at("losses")}};
        }
        if (r.contains("matched_losses")) {
            const auto matched = lossesOf(r.at("matched_losses"));
            const double drift = worstDrift(matched, base, s.target);
            row["matched_worst_out_of_domain_drift"] = drift;
            if (drift < bestMatchedDrift) {
                bestMatchedDrift = drift;
                out.matched = matched;
                out.json["matched_gain"] = {{"lr", lrs[i]},
                                            {"step", r.at("matched_step")},
                                            {"losses", r.at("matched_losses")}};
            }
        }
        out.json["sweep"].push_back(row);
    }
    if (!out.json.contains("matched_gain"))
        out.json["matched_gain"] = nullptr; // no learning rate reached TEFT's in-domain loss
    return out;
}

} // namespace teft
