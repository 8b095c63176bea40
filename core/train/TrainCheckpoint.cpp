#include "core/train/TrainCheckpoint.h"

#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/StaleTemporaries.h"

#include <torch/torch.h>

namespace teft {

namespace fs = std::filesystem;

void saveTrainCheckpoint(const fs::path& dir, const TrainProgressState& s, const TensorMap& params,
                         const TensorMap& optimizer)
{
    fs::create_directories(dir);
    const std::string tensorsName = "state-" + std::to_string(s.step) + ".safetensors";
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& [name, t] : params)
        tensors.emplace_back("param/" + name, t.detach().to(torch::kCPU).contiguous());
    for (const auto& [name, t] : optimizer)
        tensors.emplace_back(name, t.detach().to(torch::kCPU).contiguous());
    writeSafetensors(dir / tensorsName, tensors, {{"format", "teft-train-checkpoint"}});
    nlohmann::json j{{"format", "teft-train-checkpoint"},
                     {"version", 1},
                     {"tensors", tensorsName},
                     {"step", s.step},
                     {"data_position", s.dataPosition},
                     {"seed", std::to_string(s.seed)},
                     {"tokens_seen", s.tokensSeen},
                     {"skipped_steps", s.skippedSteps},
                     {"non_finite_in_a_row", s.nonFiniteInARow},
                     {"identity", s.identity},
                     {"extra", s.extra}};
    writeFileAtomically(dir / "checkpoint.json", j.dump(2) + "\n");
    removeSupersededTrainStates(dir, tensorsName);
}

void removeSupersededTrainStates(const fs::path& dir, const std::string& current)
{
    // A write killed before its rename leaves an optimizer-sized temporary: never renamed, so gone.
    removeStaleTemporaries(dir);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto name = entry.path().filename().string();
        if (name.rfind("state-", 0) == 0 && name != current && entry.path().extension() == ".safetensors")
            fs::remove(entry.path(), ec);
    }
}

bool hasTrainCheckpoint(const fs::path& dir) { return fs::exists(dir / "checkpoint.json"); }

std::optional<TrainCheckpointData> loadTrainCheckpoint(const fs::path& dir)
{
    const auto jsonPath = dir / "checkpoint.json";
    if (!fs::exists(jsonPath))
        return std::nullopt;
    const auto j = nlohmann::json::parse(readFile(jsonPath), nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("format", "") != "teft-train-checkpoint")
        throw FormatError("Training checkpoint " + jsonPath.string() + " is not a teft-train-checkpoint JSON file");
    TrainCheckpointData d;
    try {
        d.state.step = j.at("step").get<std::int64_t>();
        d.state.dataPosition = j.at("data_position").get<std::int64_t>();
        d.state.seed = std::stoull(j.at("seed").get<std::string>());
        d.state.tokensSeen = j.at("tokens_seen").get<std::int64_t>();
        d.state.skippedSteps = j.at("skipped_steps").get<std::int64_t>();
        d.state.nonFiniteInARow = j.at("non_finite_in_a_row").get<std::int64_t>();
        d.state.identity = j.at("identity").get<std::string>();
        d.state.extra = j.value("extra", nlohmann::json::object());
    } catch (const nlohmann::json::exception& e) {
        throw FormatError("Training checkpoint " + jsonPath.string() + ": " + e.what());
    }
    d.tensorsFile = j.value("tensors", "");
    const auto tensorsPath = dir / d.tensorsFile;
    if (!fs::exists(tensorsPath))
        throw FormatError("Training checkpoint " + jsonPath.string() + " names " + tensorsPath.string() +
                          ", which does not exist");
    const auto file = SafetensorsFile::open(tensorsPath);
    for (const auto& info : file->tensors()) {
        const std::string& name = info.name;
        auto t = file->tensor(name).clone();
        if (name.rfind("param/", 0) == 0)
            d.params[name.substr(6)] = t;
        else
            d.optimizer[name] = t;
    }
    return d;
}

} // namespace teft
