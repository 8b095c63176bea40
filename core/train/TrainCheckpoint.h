#pragma once

// A resumable training checkpoint in a folder:
//   state-<step>.safetensors  "param/<name>" (fp32 trainable weights) and the optimizer's
//                             "exp_avg/<name>", "exp_avg_sq/<name>";
//   checkpoint.json           {"format": "teft-train-checkpoint", "version": 1, "tensors":
//                             "state-<step>.safetensors", "step", "data_position", "seed",
//                             "tokens_seen", "skipped_steps", "non_finite_in_a_row",
//                             "identity", "extra"}.
// Both are written atomically, the tensors first and the JSON last, so a kill at any moment
// leaves either the previous checkpoint or the new one; older tensor files are removed after
// the JSON names the new one. No pickles.

#include "core/teft/TensorMap.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace teft {

struct TrainProgressState {
    std::int64_t step = 0;         // optimizer steps taken (skipped ones included)
    std::int64_t dataPosition = 0; // rows consumed from the BatchOrder
    std::uint64_t seed = 0;        // the BatchOrder seed (the run's only randomness)
    std::int64_t tokensSeen = 0;
    std::int64_t skippedSteps = 0;
    std::int64_t nonFiniteInARow = 0;
    std::string identity; // what run this belongs to (settings + base); checked on resume
    nlohmann::json extra = nlohmann::json::object();
};

struct TrainCheckpointData {
    TrainProgressState state;
    TensorMap params;        // by parameter name
    TensorMap optimizer;     // "exp_avg/..", "exp_avg_sq/.."
    std::string tensorsFile; // the state-<step>.safetensors checkpoint.json names
};

void saveTrainCheckpoint(const std::filesystem::path& dir, const TrainProgressState& state, const TensorMap& params,
                         const TensorMap& optimizer);
// Removes the tensor files of earlier checkpoints (every state-*.safetensors but `current`, the
// one checkpoint.json names) and the temporaries of killed writes. saveTrainCheckpoint does it
// after each save; a resume does it too, since a kill between the JSON's rename and the removal
// leaves the previous optimizer-sized state behind, and a run resumed after its last periodic
// checkpoint never saves again.
void removeSupersededTrainStates(const std::filesystem::path& dir, const std::string& current);
// nullopt when the folder holds no checkpoint.json. FormatError naming the file when it is
// malformed or its tensors file is missing.
std::optional<TrainCheckpointData> loadTrainCheckpoint(const std::filesystem::path& dir);
bool hasTrainCheckpoint(const std::filesystem::path& dir);

} // namespace teft
