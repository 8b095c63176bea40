#include "core/train/ModelIdentity.h"

#include "core/io/CheckpointFiles.h"
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/model/ModelConfig.h"
#include "core/teft/ExpertSelection.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"

#include <torch/torch.h>

namespace teft {

std::string configIdentity(const std::filesystem::path& modelDir)
{
    return sha256Hex(readFile(modelDir / "config.json"));
}

std::string modelFingerprint(const std::filesystem::path& modelDir)
{
    const auto config = ModelConfig::load(modelDir);
    const auto files = CheckpointFiles::open(modelDir);
    Sha256 h;
    h.update("teft-model-v1\n");
    h.update(readFile(modelDir / "config.json"));
    for (int layer : config.moeLayers()) {
        const auto name = config.routerWeightName(layer);
        if (files.contains(name)) {
            h.update(name);
            h.update(files.fileOf(name).bytes(name));
        }
    }
    return h.hex();
}

MoeLayout moeLayoutOf(const ModelConfig& c, const std::string& fingerprint)
{
    MoeLayout l;
    l.numLayers = static_cast<int>(c.numLayers);
    l.moeLayers = c.moeLayers();
    l.numExperts = static_cast<int>(c.numExperts);
    l.topK = static_cast<int>(c.topK);
    l.fingerprint = fingerprint;
    return l;
}

std::vector<std::string> selectedTensorNames(const ModelConfig& config, const ExpertSelection& selection)
{
    std::vector<std::string> names;
    for (const auto& [layer, experts] : selection.layers())
        for (int e : experts)
            for (const auto& n : config.expertTensorNames(layer, e))
                names.push_back(n);
    return names;
}

TensorMap loadTensorFile(const std::filesystem::path& path)
{
    const auto file = SafetensorsFile::open(path);
    TensorMap out;
    for (const auto& info : file->tensors())
        out[info.name] = file->tensor(info.name).to(torch::kFloat, false, true);
    return out;
}

void saveTensorFile(const std::filesystem::path& path, const TensorMap& tensors)
{
    std::vector<std::pair<std::string, at::Tensor>> list;
    for (const auto& [name, t] : tensors)
        list.emplace_back(name, t.detach().to(torch::kCPU).contiguous());
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    writeSafetensors(path, list);
}

} // namespace teft
