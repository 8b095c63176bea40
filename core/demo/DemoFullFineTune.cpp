// Demo step 7: the full fine-tuning baseline, every parameter trained on the same target rows.
#include "core/demo/DemoSteps.h"
#include "core/io/CheckpointFiles.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRun.h"
#include "core/train/FullParameterModel.h"
#include "core/train/InnerTrainer.h"
#include "core/train/LossEvaluator.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

namespace teft {

namespace fs = std::filesystem;

namespace {

InnerTrainerSettings fullFineTuneSettings(const DemoSettings& s)
{
    InnerTrainerSettings ts;
    ts.innerSteps = s.innerSteps * s.rounds;
    ts.batchSize = s.batchSize;
    ts.lr = s.lr;
    ts.warmupSteps = std::max<std::int64_t>(1, ts.innerSteps / 10);
    ts.seed = 77;
    ts.tokensPerRow = s.model.seqLen - 1;
    ts.checkpointEvery = 10;
    return ts;
}

// Trains into `outDir` (a complete model folder: weights, config and tokenizer of the base),
// resuming from work/full-ft-checkpoint after a cancel. A "train" job.
void trainFullFineTune(const DemoContext& ctx, const DemoFoundation& f, const TokenDataset& target,
                       const fs::path& outDir)
{
    const auto ts = fullFineTuneSettings(ctx.settings);
    nlohmann::json cfg = ts.toJson();
    cfg["model"] = f.modelDir().string();
    cfg["kind"] = "full fine-tuning";
    JobRecord rec("train", cfg.dump(), outDir.string());
    recordJob(rec, [&] {
        auto model = FullParameterModel::load(f.modelDir());
        std::vector<std::int64_t> rows;
        for (std::int64_t i = 0; i < target.numTrain(); ++i)
            rows.push_back(i);
        InnerTrainer trainer(model->parameters(), rows, ts, ctx.work / "full-ft-checkpoint", sha256Hex(cfg.dump()));
        trainer.run([&](const std::vector<std::int64_t>& idx) { return model->loss(target.trainBatch(idx)); },
                    ctx.control,
                    [&](const StepReport& rep) {
                        if (!rep.skipped)
                            rec.metric(rep.step, "loss", rep.loss);
                    });
        fs::create_directories(outDir);
        writeCheckpoint(outDir, model->exportState(f.config.storageDtype()), 1ULL << 40);
        for (const char* file : {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"})
            if (fs::exists(f.modelDir() / file))
                writeFileAtomically(outDir / file, readFile(f.modelDir() / file));
    });
}

std::map<std::string, double> evalDomains(const fs::path& modelDir, const DemoDatasets& data, const EvalSettings& e,
                                          JobControl& control)
{
    MoeModelOptions opt;
    opt.computeDtype = torch::kFloat;
    auto model = MoeModel::load(modelDir, opt, &control);
    std::map<std::string, double> out;
    for (const auto& [name, d] : data)
        out[name] = evaluateLoss(*model, d, e, control).loss;
    return out;
}

} // namespace

std::map<std::string, double> fullFineTuneBaseline(const DemoContext& ctx, const DemoFoundation& f,
                                                   const DemoDatasets& data)
{
    const auto& s = ctx.settings;
    spdlog::info("demo: full fine-tuning baseline ({} steps, all parameters)", s.innerSteps * s.rounds);
    const auto dir = ctx.work / "full-ft";
    if (!fs::exists(dir / "model.safetensors"))
        trainFullFineTune(ctx, f, data.at(s.target), dir);
    return evalDomains(dir, data, s.eval, ctx.control);
}

} // namespace teft
