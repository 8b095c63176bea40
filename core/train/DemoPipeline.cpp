#include "core/train/DemoPipeline.h"

#include "core/data/DemoCorpus.h"
#include "core/data/TokenDataset.h"
#include "core/io/CheckpointFiles.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRecord.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/SelectionPolicy.h"
#include "core/text/Tokenizer.h"
#include "core/train/FullParameterModel.h"
#include "core/train/InnerTrainer.h"
#include "core/train/MergeJob.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/train/RoutingIdentification.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Paths.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <sstream>

namespace teft {

namespace fs = std::filesystem;

DemoSettings::DemoSettings()
{
    aggregation.policy = AggregationSettings::Policy::Proportional;
}

nlohmann::json DemoSettings::toJson() const
{
    return {{"model", model.toJson()},     {"target", target},
            {"miners", miners},            {"bad_miner", badMiner},
            {"rounds", rounds},            {"inner_steps", innerSteps},
            {"batch_size", batchSize},     {"lr", lr},
            {"bad_lr", badLr},             {"experts_per_layer", expertsPerLayer},
            {"eval_batches", eval.batches}, {"eval_batch_size", eval.batchSize},
            {"eval_seed", std::to_string(eval.seed)}, {"aggregation", aggregation.toJson()},
            {"outer", outer.toJson()},     {"full_fine_tune", fullFineTune}};
}

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string fmt(const char* f, double v)
{
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::map<std::string, double> evalDomains(const fs::path& modelDir, const std::map<std::string, TokenDataset>& data,
                                          const EvalSettings& e, JobControl& control)
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

DemoReport runDemo(const DemoSettings& s, JobControl& control)
{
    const auto started = Clock::now();
    const auto& domains = demoDomains();
    if (std::find(domains.begin(), domains.end(), s.target) == domains.end())
        throw UsageError("Unknown demo domain '" + s.target + "'");
    if (s.miners < 1 || s.rounds < 1)
        throw UsageError("The demo needs at least one miner and one round");
    const auto work = s.workDir.empty() ? dataDir() / "demo" / ("run-" + sha256Hex(s.toJson().dump()).substr(0, 12))
                                        : s.workDir;
    if (s.fresh)
        fs::remove_all(work);
    fs::create_directories(work);
    JobRecord demoRec("demo", s.toJson().dump(), work.string());
    nlohmann::json report{{"format", "teft-demo-report"}, {"version", 1}, {"settings", s.toJson()},
                          {"work_dir", work.string()}, {"target", s.target}};
    nlohmann::json timings = nlohmann::json::object();
    try {
        // 1. Corpus and foundation model.
        auto t0 = Clock::now();
        spdlog::info("demo: corpus and foundation model");
        const auto files = ensureDemoCorpus(s.model, control);
        const auto info = ensureDemoModel(s.model, control);
        report["foundation_model"] = info.toJson();
        timings["foundation_model"] = since(t0);
        const auto modelDir = info.dir;
        const auto config = ModelConfig::load(modelDir);

        // 2. Datasets, one per domain.
        t0 = Clock::now();
        const auto tokenizer = Tokenizer::fromFile(modelDir);
        std::map<std::string, TokenDataset> data;
        for (std::size_t i = 0; i < domains.size(); ++i) {
            DatasetSpec spec;
            spec.paths = {files[i]};
            PackingOptions po;
            po.seqLen = s.model.seqLen;
            po.seed = s.model.seed;
            data.emplace(domains[i], TokenDataset::build(spec, tokenizer, po, control));
        }
        const TokenDataset& target = data.at(s.target);
        timings["datasets"] = since(t0);

        // 3. Identification: the target against the other domains.
        t0 = Clock::now();
        spdlog::info("demo: identifying experts for '{}'", s.target);
        const auto fingerprint = modelFingerprint(modelDir);
        ExpertSelection selection;
        {
            JobRecord rec("identify", nlohmann::json{{"model", modelDir.string()}, {"target", s.target}}.dump(),
                          work.string());
            MoeModelOptions opt;
            opt.computeDtype = torch::kFloat;
            auto model = MoeModel::load(modelDir, opt, &control);
            IdentifySettings is;
            is.batches = 8;
            auto stats = collectRoutingStats(*model, target, is, control);
            stats.modelFingerprint = fingerprint;
            stats.dataset = s.target;
            RoutingStats ref(config.moeLayers(), static_cast<int>(config.numExperts), static_cast<int>(config.topK));
            is.batches = 2;
            for (const auto& [name, d] : data)
                if (name != s.target)
                    ref.merge(collectRoutingStats(*model, d, is, control));
            ref.modelFingerprint = fingerprint;
            ref.dataset = "other demo domains";
            stats.save((work / "stats.json").string());
            ref.save((work / "stats.reference.json").string());
            SelectionPolicy p;
            p.kind = SelectionPolicy::Kind::TopKPerLayer;
            p.metric = RoutingMetric::ContrastLogRatio;
            p.k = s.expertsPerLayer;
            selection = selectExperts(stats, p, &ref);
            selection.save((work / "selection.json").string());
            rec.metric(0, "experts", selection.count());
            recordRoutingMetrics(rec, stats);
            recordRoutingMetrics(rec, ref, "reference.");
            rec.succeed();
        }
        const auto cost = selection.cost(config.paramsPerExpert(), config.bytesPerExpert(),
                                         static_cast<std::int64_t>(CheckpointFiles::open(modelDir).totalBytes()));
        report["selection"] = selection.toJson();
        report["selection_cost"] = {{"experts", cost.experts},
                                    {"total_experts", config.numExperts * static_cast<std::int64_t>(config.moeLayers().size())},
                                    {"trainable_parameters", cost.trainableParameters},
                                    {"model_bytes", CheckpointFiles::open(modelDir).totalBytes()},
                                    {"share_of_model", cost.shareOfModel}};
        timings["identify"] = since(t0);

        // 4. Keys of the miners, known to the validator.
        KnownMiners known;
        for (int i = 0; i < s.miners; ++i) {
            const auto key = MinerKey::loadOrCreate(work / "keys" / ("miner-" + std::to_string(i)),
                                                    "miner-" + std::to_string(i));
            known.add(key.publicKey());
        }
        known.save(work / "known_miners.json");

        // 5. Rounds.
        t0 = Clock::now();
        double minerSeconds = 0, validatorSeconds = 0;
        nlohmann::json rounds = nlohmann::json::array();
        const auto stateDir = work / "validator";
        std::uint64_t submissionBytes = 0;
        for (int r = 0; r < s.rounds; ++r) {
            const auto reportFile = work / ("round-" + std::to_string(r)) / "demo_round.json";
            if (ValidatorState::load(stateDir).round > r) {
                // The validator finished this round (its state moved on): reuse the round as it was.
                spdlog::info("demo: round {} already done, reusing it", r);
                const auto validatorReport = stateDir / ("round-" + std::to_string(r)) / "report.json";
                rounds.push_back(nlohmann::json::parse(readFile(fs::exists(reportFile) ? reportFile : validatorReport)));
                // The submission size as its miners reported it (a rerun printed 0 bytes).
                for (const auto& m : rounds.back().value("miners", nlohmann::json::array()))
                    if (m.contains("submission_bytes") && m["submission_bytes"].is_number_unsigned())
                        submissionBytes = m["submission_bytes"].get<std::uint64_t>();
                continue;
            }
            const auto state = ValidatorState::load(stateDir);
            const auto roundDir = work / ("round-" + std::to_string(r));
            nlohmann::json minerResults = nlohmann::json::array();
            for (int i = 0; i < s.miners; ++i) {
                control.checkpoint();
                const auto mt = Clock::now();
                spdlog::info("demo: round {} miner {}{}", r, i, i == s.badMiner ? " (bad on purpose)" : "");
                MinerSettings m;
                m.modelDir = modelDir;
                m.phiFile = state.phi;
                m.selection = selection;
                m.mode = ExpertMode::Full;
                m.computeDtype = torch::kFloat;
                m.shardIndex = i;
                m.shardCount = s.miners;
                m.train.innerSteps = s.innerSteps;
                m.train.batchSize = s.batchSize;
                m.train.lr = i == s.badMiner ? s.badLr : s.lr;
                m.train.warmupSteps = std::max<std::int64_t>(1, s.innerSteps / 10);
                m.train.checkpointEvery = 5;
                m.train.seed = static_cast<std::uint64_t>(1000 * r + i);
                m.round = r;
                m.minerId = "miner-" + std::to_string(i);
                m.keyDir = work / "keys" / m.minerId;
                m.outDir = roundDir / "miners" / m.minerId;
                m.submissionDir = roundDir / "submissions" / m.minerId;
                m.dataLabel = s.target;
                fs::remove_all(m.submissionDir);
                nlohmann::json j;
                try {
                    const auto res = runMiner(m, target, control);
                    submissionBytes = res.submissionBytes;
                    j = res.toJson();
                } catch (const Cancelled&) {
                    throw;
                } catch (const std::exception& e) {
                    // A miner that fails (e.g. stopped after too many non-finite steps) sends
                    // nothing; the round goes on without it.
                    spdlog::warn("demo: {} failed: {}", m.minerId, e.what());
                    j = {{"error", e.what()}};
                }
                j["miner"] = m.minerId;
                j["lr"] = m.train.lr;
                j["bad"] = i == s.badMiner;
                minerResults.push_back(j);
                minerSeconds += since(mt);
            }
            const auto vt = Clock::now();
            spdlog::info("demo: round {} validation", r);
            ValidatorSettings v;
            v.modelDir = modelDir;
            v.selection = selection;
            v.stateDir = stateDir;
            v.submissionsDir = roundDir / "submissions";
            v.round = r;
            v.eval = s.eval;
            v.timeoutSeconds = 120;
            v.aggregation = s.aggregation;
            v.outer = s.outer;
            v.knownMinersFile = work / "known_miners.json";
            const auto vr = runValidator(v, target, control);
            validatorSeconds += since(vt);
            auto rj = vr.report;
            rj["miners"] = minerResults;
            writeFileAtomically(reportFile, rj.dump(2) + "\n");
            rounds.push_back(rj);
        }
        report["rounds"] = rounds;
        report["submission_bytes"] = submissionBytes;
        timings["miners"] = minerSeconds;
        timings["validators"] = validatorSeconds;
        timings["rounds"] = since(t0);

        // 6. Merge, with losses before/after on every domain.
        t0 = Clock::now();
        spdlog::info("demo: merging Φ into the base model");
        const auto finalState = ValidatorState::load(stateDir);
        MergeSettings ms;
        ms.modelDir = modelDir;
        ms.phiFile = finalState.phi;
        ms.outDir = work / "merged";
        ms.eval = s.eval;
        std::vector<std::pair<std::string, const TokenDataset*>> ds;
        for (const auto& d : domains)
            ds.emplace_back(d, &data.at(d));
        const auto merged = runMerge(ms, ds, control);
        report["merge"] = merged.toJson();
        timings["merge"] = since(t0);

        // 7. Full fine-tuning of all parameters on the same data and number of steps.
        std::map<std::string, double> fullLoss;
        if (s.fullFineTune) {
            t0 = Clock::now();
            spdlog::info("demo: full fine-tuning baseline ({} steps, all parameters)", s.innerSteps * s.rounds);
            const auto fullDir = work / "full-ft";
            if (!fs::exists(fullDir / "model.safetensors")) {
                InnerTrainerSettings ts;
                ts.innerSteps = s.innerSteps * s.rounds;
                ts.batchSize = s.batchSize;
                ts.lr = s.lr;
                ts.warmupSteps = std::max<std::int64_t>(1, ts.innerSteps / 10);
                ts.seed = 77;
                ts.tokensPerRow = s.model.seqLen - 1;
                ts.checkpointEvery = 10;
                nlohmann::json cfg = ts.toJson();
                cfg["model"] = modelDir.string();
                cfg["kind"] = "full fine-tuning";
                JobRecord rec("train", cfg.dump(), fullDir.string());
                auto model = FullParameterModel::load(modelDir);
                std::vector<std::int64_t> rows;
                for (std::int64_t i = 0; i < target.numTrain(); ++i)
                    rows.push_back(i);
                InnerTrainer trainer(model->parameters(), rows, ts, work / "full-ft-checkpoint",
                                     sha256Hex(cfg.dump()));
                trainer.run([&](const std::vector<std::int64_t>& idx) { return model->loss(target.trainBatch(idx)); },
                            control, [&](const StepReport& rep) {
                                if (!rep.skipped)
                                    rec.metric(rep.step, "loss", rep.loss);
                            });
                fs::create_directories(fullDir);
                writeCheckpoint(fullDir, model->exportState(config.storageDtype()), 1ULL << 40);
                for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"})
                    if (fs::exists(modelDir / f))
                        writeFileAtomically(fullDir / f, readFile(modelDir / f));
                rec.succeed();
            }
            fullLoss = evalDomains(fullDir, data, s.eval, control);
            timings["full_fine_tune"] = since(t0);
        }

        // 8. The table.
        nlohmann::json losses = nlohmann::json::array();
        for (const auto& d : merged.losses) {
            nlohmann::json row{{"domain", d.name}, {"in_domain", d.name == s.target}, {"base", d.before},
                               {"teft", d.after}};
            if (fullLoss.count(d.name))
                row["full_ft"] = fullLoss.at(d.name);
            losses.push_back(row);
        }
        report["losses"] = losses;
        double totalSeconds = since(started);
        timings["total"] = totalSeconds;
        report["timings_s"] = timings;

        std::ostringstream t;
        t << "TEFT demo: target domain '" << s.target << "', foundation model " << modelDir.filename().string() << " ("
          << config.numLayers << " layers x " << config.numExperts << " experts, top-" << config.topK << ")"
          << (info.built ? ", pretrained now" : ", from the cache") << "\n";
        t << "Routing concentration (expert-usage entropy / ln E, lower = more concentrated; top-" << config.topK
          << " share):\n";
        for (std::size_t i = 0; i < info.trained.size() && i < info.random.size(); ++i)
            t << "  " << info.trained[i].domain
              << std::string(12 - std::min<std::size_t>(11, info.trained[i].domain.size()), ' ') << "pretrained "
              << fmt("%.3f", info.trained[i].entropy) << " / " << fmt("%.1f%%", 100 * info.trained[i].topShare)
              << "   random init " << fmt("%.3f", info.random[i].entropy) << " / "
              << fmt("%.1f%%", 100 * info.random[i].topShare) << "\n";
        const auto modelBytes = CheckpointFiles::open(modelDir).totalBytes();
        t << "Selected " << cost.experts << " of " << config.numExperts * static_cast<std::int64_t>(config.moeLayers().size())
          << " experts; a submission carries " << submissionBytes << " bytes (fp32 deltas) vs " << modelBytes
          << " bytes for the whole model (" << fmt("%.1f%%", 100.0 * static_cast<double>(submissionBytes) / static_cast<double>(modelBytes))
          << "); the selected experts are " << cost.submissionBytes << " bytes in the model's own dtype ("
          << fmt("%.1f%%", 100.0 * cost.shareOfModel) << " of the model)\n\n";
        for (const auto& rj : rounds) {
            t << "Round " << rj.value("round", 0) << ": held-out loss " << fmt("%.4f", rj.value("baseline_loss", 0.0))
              << " -> " << fmt("%.4f", rj.value("new_loss", 0.0)) << "\n";
            t << "  submission  lr        verdict    score      rank  weight  fate\n";
            for (const auto& sj : rj["submissions"]) {
                double lr = 0;
                if (rj.contains("miners"))
                    for (const auto& mj : rj["miners"])
                        if (mj.value("miner", "") == sj.value("name", ""))
                            lr = mj.value("lr", 0.0);
                char b[256];
                std::snprintf(b, sizeof b, "  %-10s  %-8g  %-9s  %9.5f  %4s  %6.3f  %s\n", sj.value("name", "").c_str(),
                              lr, sj.value("verdict", "").c_str(), sj.value("score", 0.0),
                              sj.contains("rank") ? std::to_string(sj["rank"].get<int>()).c_str() : "-",
                              sj.value("weight", 0.0), sj.value("fate", "").c_str());
                t << b;
            }
            if (rj.contains("miners"))
                for (const auto& mj : rj["miners"])
                    if (mj.contains("error"))
                        t << "  " << mj.value("miner", "") << "     " << mj.value("lr", 0.0)
                          << "  no submission: " << mj.value("error", "") << "\n";
        }
        t << "\nTEFT: " << cost.experts << " experts (" << cost.trainableParameters << " parameters) trained, " << s.rounds
          << " rounds x " << s.miners << " miners x " << s.innerSteps << " steps, lr " << s.lr << ".";
        if (s.fullFineTune)
            t << " Full fine-tuning: all " << config.paramsTotal() << " parameters, " << s.rounds * s.innerSteps
              << " steps on the same target rows, lr " << s.lr << ".";
        t << "\nHeld-out loss        base      TEFT (merged)         full fine-tuning\n";
        for (const auto& row : losses) {
            const double b = row["base"], te = row["teft"];
            char line[256];
            std::string name = row["domain"].get<std::string>() + (row["in_domain"].get<bool>() ? " (target)" : "");
            if (row.contains("full_ft")) {
                const double f = row["full_ft"];
                std::snprintf(line, sizeof line, "  %-18s %.4f    %.4f (%+.4f)     %.4f (%+.4f)\n", name.c_str(), b, te,
                              te - b, f, f - b);
            } else {
                std::snprintf(line, sizeof line, "  %-18s %.4f    %.4f (%+.4f)\n", name.c_str(), b, te, te - b);
            }
            t << line;
        }
        t << "Merged checkpoint: " << merged.outDir.string() << " (verified: " << merged.verification.mergedTensors
          << " expert tensors = Φ, " << merged.verification.identicalTensors << " tensors byte-identical to the base)\n";
        t << "Time: " << fmt("%.0f s", totalSeconds) << " (foundation model " << fmt("%.0f s", timings["foundation_model"].get<double>())
          << ", miners " << fmt("%.0f s", minerSeconds) << ", validators " << fmt("%.0f s", validatorSeconds) << ")\n";
        writeFileAtomically(work / "demo_report.json", report.dump(2) + "\n");
        demoRec.succeed();
        return {report, t.str()};
    } catch (const Cancelled&) {
        demoRec.cancelled();
        throw;
    } catch (const std::exception& e) {
        demoRec.fail(e.what());
        throw;
    }
}

} // namespace teft
