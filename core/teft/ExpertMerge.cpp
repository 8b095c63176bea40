#include "core/teft/ExpertMerge.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/ModelConfig.h"
#include "core/model/MoeModel.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <algorithm>
#include <map>
#include <set>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

namespace teft {
namespace fs = std::filesystem;
using nlohmann::json;

json MergeResult::toJson() const
{
    return json{{"out_dir", outDir.string()},     {"experts_merged", expertsMerged},
                {"tensors_written", tensorsWritten}, {"weight_bytes", weightBytes},
                {"shards", shards},                 {"verified", verified}};
}

MergeResult mergeExperts(const fs::path& baseDir, const TensorMap& phi, const fs::path& outDir,
                         const json& provenance, JobControl* control)
{
    std::error_code ec;
    if (fs::exists(outDir) && fs::equivalent(baseDir, outDir, ec))
        throw Error("The merged checkpoint must go to another folder than the base model (" +
                    baseDir.string() + ")");
    if (phi.empty())
        throw Error("Nothing to merge: Φ holds no expert tensor");
    const ModelConfig cfg = ModelConfig::load(baseDir);
    std::map<int, std::set<int>> slots;
    for (const auto& [name, t] : phi) {
        int layer = 0, expert = 0, part = 0;
        if (!cfg.parseExpertTensorName(name, layer, expert, part))
            throw Error("Cannot merge " + name + ": it is not a per-expert tensor name of this " +
                        cfg.modelType + " model");
        slots[layer].insert(expert);
    }
    MoeModelOptions opt;
    opt.computeDtype = torch::kFloat;
    opt.mode = ExpertMode::Full;
    for (const auto& [layer, experts] : slots)
        opt.selection[layer] = std::vector<int>(experts.begin(), experts.end());
    if (control)
        control->report(0, 3, "merging", "loading the base model");
    auto model = MoeModel::load(baseDir, opt, control);
    for (const auto& [name, t] : phi)
        model->setTensor(name, t);

    MergeResult result;
    result.outDir = outDir;
    for (const auto& [layer, experts] : slots)
        result.expertsMerged += static_cast<std::int64_t>(experts.size());
    const auto state = model->exportState();
    result.tensorsWritten = static_cast<std::int64_t>(state.size());
    const CheckpointFiles base = CheckpointFiles::open(baseDir);
    std::uint64_t maxShard = base.totalBytes() + 1;
    if (base.sharded()) {
        maxShard = 0;
        for (const auto& f : base.files())
            maxShard = std::max<std::uint64_t>(maxShard, f->dataSize());
    }
    if (control)
        control->report(1, 3, "merging", "writing " + outDir.string());
    fs::create_directories(outDir);
    writeCheckpoint(outDir, state, maxShard, control);
    for (const auto& entry : fs::directory_iterator(baseDir)) {
        if (!entry.is_regular_file())
            continue;
        const std::string fname = entry.path().filename().string();
        if (fname.size() > 12 && fname.compare(fname.size() - 12, 12, ".safetensors") == 0)
            continue;
        if (fname == CheckpointFiles::kIndexFile || fname == "teft_merge.json")
            continue;
        writeFileAtomically(outDir / fname, readFile(entry.path()));
    }
    json prov = provenance.is_object() ? provenance : json::object();
    prov["format"] = "teft-merge";
    prov["version"] = 1;
    prov["base_model"] = fs::absolute(baseDir).string();
    json merged = json::object();
    for (const auto& [layer, experts] : slots)
        merged[std::to_string(layer)] = std::vector<int>(experts.begin(), experts.end());
    prov["merged_experts"] = merged;
    writeFileAtomically(outDir / "teft_merge.json", prov.dump(1) + "\n");

    // Verify: reopen the files, compare with what was meant to be written and with the base.
    if (control)
        control->report(2, 3, "merging", "verifying");
    const CheckpointFiles out = CheckpointFiles::open(outDir);
    result.shards = static_cast<int>(out.files().size());
    result.weightBytes = out.totalBytes();
    for (const auto& [name, t] : state) {
        if (control)
            control->checkpoint();
        if (!out.contains(name))
            throw Error("Verification of " + outDir.string() + " failed: tensor " + name + " is missing");
        const TensorInfo& a = out.info(name);
        const TensorInfo& b = base.info(name);
        if (a.dtype != b.dtype || a.shape != b.shape)
            throw Error("Verification of " + outDir.string() + " failed: " + name + " is " + a.dtype +
                        " instead of the base's " + b.dtype + " (or another shape)");
        if (!torch::equal(out.tensor(name), t))
            throw Error("Verification of " + outDir.string() + " failed: " + name +
                        " differs from the merged state");
        const at::Tensor written = out.tensor(name);
        auto fail = [&](const std::string& why) {
            throw Error("Verification of " + outDir.string() + " failed: " + name + " " + why);
        };
        int layer = 0, expert = 0, part = 0;
        if (cfg.parseExpertTensorName(name, layer, expert, part)) {
            const bool touched = phi.count(name) > 0;
            if (touched && !torch::equal(written, phi.at(name).to(torch::kCPU, written.scalar_type())))
                fail("does not hold Φ");
            if (!touched && !torch::equal(written, base.tensor(name)))
                fail("is not the base's (only selected experts may change)");
            continue;
        }
        int fusedLayer = -1;
        for (int l : cfg.moeLayers())
            if (name == cfg.expertPrefix(l) + "gate_up_proj" || name == cfg.expertPrefix(l) + "down_proj")
                fusedLayer = l;
        if (fusedLayer >= 0) { // fused experts [E, ...]: the untouched slices must be the base's
            const at::Tensor b = base.tensor(name);
            for (std::int64_t e = 0; e < cfg.numExperts; ++e)
                if (!(slots.count(fusedLayer) && slots.at(fusedLayer).count(static_cast<int>(e))) &&
                    !torch::equal(written[e], b[e]))
                    fail("expert " + std::to_string(e) + " is not the base's");
            continue;
        }
        if (!torch::equal(written, base.tensor(name)))
            fail("is not the base's (only selected experts may change)");
    }
    if (out.names().size() != base.names().size())
        throw Error("Verification of " + outDir.string() + " failed: " + std::to_string(out.names().size()) +
                    " tensors instead of the base's " + std::to_string(base.names().size()));
    // And the engine loads it.
    MoeModelOptions check;
    check.computeDtype = torch::kFloat;
    (void)MoeModel::load(outDir, check, control);
    result.verified = true;
    if (control)
        control->report(3, 3, "merging", "done");
    spdlog::info("Merged {} experts into {} ({} tensors, {} shard(s))", result.expertsMerged, outDir.string(),
                 result.tensorsWritten, result.shards);
    return result;
}

} // namespace teft
