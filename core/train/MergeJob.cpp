#include "core/train/MergeJob.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRun.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cstring>
#include <map>

namespace teft {

namespace fs = std::filesystem;

nlohmann::json MergeResult::toJson() const
{
    nlohmann::json l = nlohmann::json::array();
    for (const auto& d : losses)
        l.push_back({{"dataset", d.name}, {"loss_before", d.before}, {"loss_after", d.after}});
    return {{"out", outDir.string()},
            {"tensors", verification.tensors},
            {"merged_tensors", verification.mergedTensors},
            {"identical_tensors", verification.identicalTensors},
            {"verified", verification.ok()},
            {"problems", verification.problems},
            {"losses", l},
            {"job_id", jobId}};
}

MergeVerification verifyMerged(const fs::path& baseDir, const fs::path& mergedDir, const TensorMap& phi)
{
    MergeVerification v;
    const auto base = CheckpointFiles::open(baseDir);
    const auto merged = CheckpointFiles::open(mergedDir);
    const auto config = ModelConfig::load(mergedDir);
    // Φ is per-expert; a fused checkpoint holds experts inside [E, ...] tensors.
    std::map<std::string, std::vector<std::pair<std::string, int>>> fusedParts; // fused name -> (phi name, part)
    for (const auto& name : merged.names()) {
        ++v.tensors;
        if (!base.contains(name)) {
            v.problems.push_back("merged tensor '" + name + "' is not in the base model");
            continue;
        }
        const auto& bi = base.info(name);
        const auto& mi = merged.info(name);
        if (bi.dtype != mi.dtype || bi.shape != mi.shape) {
            v.problems.push_back("tensor '" + name + "' changed dtype or shape");
            continue;
        }
        const auto it = phi.find(name);
        if (it != phi.end()) {
            const auto expect = it->second.to(merged.tensor(name).scalar_type());
            if (!torch::equal(expect, merged.tensor(name)))
                v.problems.push_back("merged expert tensor '" + name + "' differs from Φ");
            else
                ++v.mergedTensors;
            continue;
        }
        const auto a = base.fileOf(name).bytes(name), b = merged.fileOf(name).bytes(name);
        bool touchedFused = false;
        for (const auto& [pn, t] : phi) {
            int layer = 0, expert = 0, part = 0;
            if (config.parseExpertTensorName(pn, layer, expert, part) &&
                name.rfind(config.expertPrefix(layer), 0) == 0 && !base.contains(pn))
                touchedFused = true;
        }
        if (touchedFused) {
            ++v.mergedTensors; // fused expert tensors holding Φ: checked through the reloaded model
            continue;
        }
        if (a.size() != b.size() || std::memcmp(a.data(), b.data(), a.size()) != 0)
            v.problems.push_back("tensor '" + name + "' is not byte-identical to the base");
        else
            ++v.identicalTensors;
    }
    for (const auto& name : base.names())
        if (!merged.contains(name))
            v.problems.push_back("tensor '" + name + "' of the base is missing from the merged checkpoint");
    return v;
}

MergeResult runMerge(const MergeSettings& s, const std::vector<std::pair<std::string, const TokenDataset*>>& datasets,
                     JobControl& control)
{
    nlohmann::json cfg{{"model", s.modelDir.string()}, {"phi", s.phiFile.string()}, {"out", s.outDir.string()}};
    JobRecord rec("merge", cfg.dump(), s.outDir.string(), s.projectId);
    MergeResult result;
    result.jobId = rec.id();
    result.outDir = s.outDir;
    return recordJob(rec, [&] {
        if (fs::exists(s.outDir) && fs::equivalent(s.outDir, s.modelDir))
            throw UsageError("The merge output folder must differ from the base model folder " + s.modelDir.string());
        const TensorMap phi = loadTensorFile(s.phiFile);
        const auto config = ModelConfig::load(s.modelDir);
        std::map<int, std::vector<int>> selection;
        for (const auto& [name, t] : phi) {
            int layer = 0, expert = 0, part = 0;
            if (!config.parseExpertTensorName(name, layer, expert, part))
                throw FormatError("Φ file " + s.phiFile.string() + " holds '" + name +
                                  "', which is not an expert tensor of " + s.modelDir.string());
            auto& v = selection[layer];
            if (v.empty() || v.back() != expert)
                v.push_back(expert);
        }
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.selection = selection;
        auto model = MoeModel::load(s.modelDir, opt, &control);
        for (const auto& [name, data] : datasets)
            result.losses.push_back({name, evaluateLoss(*model, *data, s.eval, control).loss, 0});
        applyExperts(*model, phi, s.phiFile.string());
        for (std::size_t i = 0; i < datasets.size(); ++i)
            result.losses[i].after = evaluateLoss(*model, *datasets[i].second, s.eval, control).loss;

        control.report(0, 1, "writing");
        const auto base = CheckpointFiles::open(s.modelDir);
        std::uint64_t shard = s.maxShardBytes;
        if (shard == 0) {
            shard = base.sharded() ? 0 : base.totalBytes() + 1;
            for (const auto& f : base.files())
                shard = std::max<std::uint64_t>(shard, f->dataSize());
        }
        fs::create_directories(s.outDir);
        writeCheckpoint(s.outDir, model->exportState(), shard, &control);
        for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                              "special_tokens_map.json", "vocab.json", "merges.txt", "tokenizer.model"}) {
            if (fs::exists(s.modelDir / f))
                writeFileAtomically(s.outDir / f, readFile(s.modelDir / f));
        }
        result.verification = verifyMerged(s.modelDir, s.outDir, phi);
        // Reload through the model engine as a final check.
        MoeModelOptions reload;
        reload.computeDtype = torch::kFloat;
        reload.selection = selection;
        auto merged = MoeModel::load(s.outDir, reload, &control);
        for (const auto& [name, t] : phi)
            if (!torch::equal(merged->tensor(name), t.to(config.storageDtype()).to(torch::kFloat)))
                result.verification.problems.push_back("reloaded expert tensor '" + name + "' differs from Φ");
        if (!result.verification.ok())
            throw Error("The merged checkpoint in " + s.outDir.string() +
                        " failed verification: " + result.verification.problems.front());
        if (auto* store = rec.store()) {
            try {
                JobStore::Merge m;
                m.jobId = rec.id();
                m.projectId = s.projectId;
                m.outputPath = s.outDir.string();
                m.report = result.toJson().dump();
                store->addMerge(m);
            } catch (const std::exception& e) {
                spdlog::warn("merge not recorded in the job store: {}", e.what());
            }
        }
        return result;
    });
}

} // namespace teft
