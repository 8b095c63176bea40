#include "core/demo/DemoModel.h"

#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/io/CheckpointFiles.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRun.h"
#include "core/text/Tokenizer.h"
#include "core/train/FullParameterModel.h"
#include "core/train/InnerTrainer.h"
#include "core/train/RoutingIdentification.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Paths.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace teft {

namespace fs = std::filesystem;

nlohmann::json DemoModelSettings::toJson() const
{
    return {{"format", "teft-demo-model-v1"},
            {"seed", std::to_string(seed)},
            {"corpus_mb_per_domain", corpusMbPerDomain},
            {"hidden", hidden},
            {"layers", layers},
            {"heads", heads},
            {"kv_heads", kvHeads},
            {"head_dim", headDim},
            {"experts", experts},
            {"top_k", topK},
            {"expert_intermediate", expertIntermediate},
            {"seq_len", seqLen},
            {"batch_size", batchSize},
            {"steps", steps},
            {"lr", lr},
            {"aux_loss_coef", auxLossCoef}};
}

std::string DemoModelSettings::hash() const { return sha256Hex(toJson().dump()).substr(0, 12); }

fs::path demoModelDir(const DemoModelSettings& s) { return modelsDir() / ("demo-" + s.hash()); }

std::vector<fs::path> ensureDemoCorpus(const DemoModelSettings& s, JobControl& control)
{
    char mb[32];
    std::snprintf(mb, sizeof mb, "%.3g", s.corpusMbPerDomain);
    const auto dir = dataDir() / "demo" / ("corpus-" + std::to_string(s.seed) + "-" + mb);
    std::vector<fs::path> files;
    bool complete = true;
    for (const auto& d : demoDomains()) {
        files.push_back(dir / (d + ".jsonl"));
        complete = complete && fs::exists(files.back());
    }
    if (!complete) {
        DemoCorpusOptions o;
        o.seed = s.seed;
        o.mbPerDomain = s.corpusMbPerDomain;
        writeDemoCorpus(dir, o, control);
    }
    return files;
}

nlohmann::json DemoModelInfo::toJson() const
{
    auto conc = [](const std::vector<DomainConcentration>& v) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& d : v)
            a.push_back({{"domain", d.domain}, {"entropy", d.entropy}, {"top_share", d.topShare}});
        return a;
    };
    return {{"dir", dir.string()},
            {"built", built},
            {"seconds", seconds},
            {"first_loss", firstLoss},
            {"last_loss", lastLoss},
            {"concentration_trained", conc(trained)},
            {"concentration_random", conc(random)}};
}

DemoModelInfo DemoModelInfo::fromJson(const nlohmann::json& j, const fs::path& dir)
{
    DemoModelInfo i;
    i.dir = dir;
    i.seconds = j.value("seconds", 0.0);
    i.firstLoss = j.value("first_loss", 0.0);
    i.lastLoss = j.value("last_loss", 0.0);
    auto conc = [](const nlohmann::json& a) {
        std::vector<DomainConcentration> v;
        for (const auto& d : a)
            v.push_back({d.value("domain", ""), d.value("entropy", 0.0), d.value("top_share", 0.0)});
        return v;
    };
    i.trained = conc(j.value("concentration_trained", nlohmann::json::array()));
    i.random = conc(j.value("concentration_random", nlohmann::json::array()));
    return i;
}

std::vector<DomainConcentration> routingConcentration(const fs::path& modelDir,
                                                      const std::vector<fs::path>& domainFiles,
                                                      const DemoModelSettings& s, JobControl& control)
{
    MoeModelOptions opt;
    opt.computeDtype = torch::kFloat;
    auto model = MoeModel::load(modelDir, opt, &control);
    const auto tokenizer = Tokenizer::fromFile(modelDir);
    std::vector<DomainConcentration> out;
    for (const auto& file : domainFiles) {
        DatasetSpec spec;
        spec.paths = {file};
        PackingOptions po;
        po.seqLen = s.seqLen;
        po.seed = s.seed;
        const auto data = TokenDataset::build(spec, tokenizer, po, control);
        IdentifySettings is;
        is.batches = 4;
        is.batchSize = 8;
        is.heldOut = data.numHeldOut() > 0;
        const auto stats = collectRoutingStats(*model, data, is, control);
        DomainConcentration d;
        d.domain = file.stem().string();
        const int E = stats.numExperts(), k = stats.topK();
        for (int r = 0; r < stats.rows(); ++r) {
            std::vector<double> p;
            double total = 0;
            for (int e = 0; e < E; ++e)
                total += stats.count(r, e);
            double h = 0;
            for (int e = 0; e < E; ++e) {
                const double q = total > 0 ? stats.count(r, e) / total : 0;
                p.push_back(q);
                if (q > 0)
                    h -= q * std::log(q);
            }
            std::sort(p.rbegin(), p.rend());
            double top = 0;
            for (int i = 0; i < k && i < E; ++i)
                top += p[static_cast<std::size_t>(i)];
            d.entropy += h / std::log(static_cast<double>(E));
            d.topShare += top;
        }
        d.entropy /= std::max(1, stats.rows());
        d.topShare /= std::max(1, stats.rows());
        out.push_back(d);
    }
    return out;
}

DemoModelInfo ensureDemoModel(const DemoModelSettings& s, JobControl& control)
{
    const auto dir = demoModelDir(s);
    if (fs::exists(dir / "demo_model.json")) {
        const auto j = nlohmann::json::parse(readFile(dir / "demo_model.json"), nullptr, false);
        if (!j.is_discarded())
            return DemoModelInfo::fromJson(j, dir);
    }
    const auto started = std::chrono::steady_clock::now();
    JobRecord rec("pretrain", s.toJson().dump(), dir.string());
    return recordJob(rec, [&] {
        const auto files = ensureDemoCorpus(s, control);
        // A fixed partial folder: a cancelled build resumes from its pretraining checkpoint.
        const auto tmp = modelsDir() / (".demo-" + s.hash() + ".partial");
        const auto initDir = tmp / "random-init";
        fs::create_directories(initDir);

        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.dtype = torch::kBFloat16;
        auto cj = generatedConfigJson(go);
        cj["hidden_size"] = s.hidden;
        cj["num_hidden_layers"] = s.layers;
        cj["num_attention_heads"] = s.heads;
        cj["num_key_value_heads"] = s.kvHeads;
        cj["head_dim"] = s.headDim;
        cj["num_experts"] = s.experts;
        cj["num_experts_per_tok"] = s.topK;
        cj["moe_intermediate_size"] = s.expertIntermediate;
        cj["max_window_layers"] = s.layers;
        cj["max_position_embeddings"] = std::max<std::int64_t>(cj.value("max_position_embeddings", 0), s.seqLen);
        const auto config = ModelConfig::fromJson(cj, "demo config");
        const auto init = randomWeights(config, s.seed, torch::kFloat);
        for (const auto& d : {initDir, tmp}) {
            writeFileAtomically(d / "config.json", cj.dump(2) + "\n");
            writeByteLevelTokenizer(d);
        }
        std::vector<std::pair<std::string, torch::Tensor>> initStored;
        for (const auto& [n, t] : init)
            initStored.emplace_back(n, t.to(torch::kBFloat16));
        writeCheckpoint(initDir, initStored, 1ULL << 40);

        const auto tokenizer = Tokenizer::fromFile(tmp);
        DatasetSpec spec;
        spec.paths = files;
        PackingOptions po;
        po.seqLen = s.seqLen;
        po.seed = s.seed;
        const auto data = TokenDataset::build(spec, tokenizer, po, control);

        // Pretrain from the bf16-rounded initial weights (what the random-init checkpoint holds).
        FullParameterModel model(config, initStored);
        InnerTrainerSettings ts;
        ts.innerSteps = s.steps;
        ts.batchSize = s.batchSize;
        ts.lr = s.lr;
        ts.warmupSteps = std::max<std::int64_t>(1, s.steps / 20);
        ts.minLrRatio = 0.1;
        ts.seed = s.seed;
        ts.tokensPerRow = s.seqLen - 1;
        ts.checkpointEvery = 100;
        std::vector<std::int64_t> rows;
        for (std::int64_t r = 0; r < data.numTrain(); ++r)
            rows.push_back(r);
        InnerTrainer trainer(model.parameters(), rows, ts, tmp / "pretrain-checkpoint", s.hash());
        DemoModelInfo info;
        info.dir = dir;
        info.built = true;
        const auto r = trainer.run(
            [&](const std::vector<std::int64_t>& idx) { return model.loss(data.trainBatch(idx), s.auxLossCoef); },
            control,
            [&](const StepReport& rep) {
                if (!rep.skipped)
                    rec.metric(rep.step, "loss", rep.loss);
                rec.progress(static_cast<double>(rep.step) / static_cast<double>(s.steps), "pretraining");
                if (rep.step % 50 == 0)
                    spdlog::info("demo model pretraining: step {}/{} loss {:.4f}", rep.step, s.steps, rep.loss);
            });
        info.firstLoss = r.firstLoss;
        info.lastLoss = r.lastLoss;
        writeCheckpoint(tmp, model.exportState(torch::kBFloat16), 1ULL << 40);
        fs::remove_all(tmp / "pretrain-checkpoint");
        info.trained = routingConcentration(tmp, files, s, control);
        info.random = routingConcentration(initDir, files, s, control);
        info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        auto meta = info.toJson();
        meta["settings"] = s.toJson();
        writeFileAtomically(tmp / "demo_model.json", meta.dump(2) + "\n");
        fs::remove_all(dir);
        fs::rename(tmp, dir);
        info.dir = dir;
        return info;
    });
}

} // namespace teft
