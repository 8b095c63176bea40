#include "core/teft/ModelBinding.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/ModelConfig.h"
#include "core/model/MoeModel.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"

#include <algorithm>
#include <torch/torch.h>

namespace teft {
namespace fs = std::filesystem;

std::string configIdentity(const fs::path& modelDir) { return sha256Hex(readFile(modelDir / "config.json")); }

std::string modelFingerprint(const fs::path& modelDir)
{
    Sha256 h;
    h.update("teft-model-v1\n");
    h.update(readFile(modelDir / "config.json"));
    const CheckpointFiles files = CheckpointFiles::open(modelDir);
    std::vector<std::string> names = files.names();
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        const TensorInfo& info = files.info(name);
        std::string line = name + " " + info.dtype;
        for (auto d : info.shape)
            line += " " + std::to_string(d);
        h.update(line + "\n");
    }
    return h.hex();
}

MoeLayout moeLayout(const ModelConfig& config, std::string fingerprint)
{
    MoeLayout m;
    m.numLayers = static_cast<int>(config.numLayers);
    m.moeLayers = config.moeLayers();
    m.numExperts = static_cast<int>(config.numExperts);
    m.topK = static_cast<int>(config.topK);
    m.fingerprint = std::move(fingerprint);
    return m;
}

std::map<int, std::vector<int>> engineSelection(const ExpertSelection& selection) { return selection.layers(); }

std::vector<std::string> selectedTensorNames(const ModelConfig& config, const ExpertSelection& selection)
{
    std::vector<std::string> names;
    for (const auto& [layer, experts] : selection.layers())
        for (int e : experts)
            for (auto& n : config.expertTensorNames(layer, e))
                names.push_back(std::move(n));
    return names;
}

std::vector<ExpectedTensor> expectedTensors(const ModelConfig& config, const ExpertSelection& selection)
{
    selection.validateOrThrow(moeLayout(config));
    const std::int64_t H = config.hiddenSize, I = config.expertIntermediate;
    std::vector<ExpectedTensor> out;
    for (const auto& [layer, experts] : selection.layers())
        for (int e : experts) {
            const auto names = config.expertTensorNames(layer, e);
            out.push_back({names[0], {I, H}, "F32"});
            out.push_back({names[1], {I, H}, "F32"});
            out.push_back({names[2], {H, I}, "F32"});
        }
    return out;
}

TensorMap selectedExperts(const MoeModel& model, const ExpertSelection& selection)
{
    TensorMap out;
    for (const auto& name : selectedTensorNames(model.config(), selection))
        out[name] = model.tensor(name).to(torch::kCPU, torch::kFloat).contiguous();
    return out;
}

SelectionCost selectionCost(const ExpertSelection& selection, const ModelConfig& config,
                            std::int64_t modelTotalBytes)
{
    return selection.cost(config.paramsPerExpert(), config.paramsPerExpert() * 4, modelTotalBytes);
}

} // namespace teft
