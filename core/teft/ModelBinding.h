#pragma once

// Bridges from the model engine (core/model) to the TEFT algorithm types, so that the rest of
// core/teft stays independent of how a model is loaded.

#include "core/teft/ExpertSelection.h"
#include "core/teft/MoeLayout.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/teft/TensorMap.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace teft {

class MoeModel;
struct ModelConfig;

// SHA-256 of the model folder's config.json bytes (part of every base fingerprint).
std::string configIdentity(const std::filesystem::path& modelDir);
// A cheap identity of a model folder: SHA-256 over config.json and every tensor's name, dtype
// and shape (not the weights: the selected experts' bytes are covered by baseFingerprint()).
std::string modelFingerprint(const std::filesystem::path& modelDir);

MoeLayout moeLayout(const ModelConfig& config, std::string fingerprint = {});
// The selection as the model engine takes it (MoeModelOptions::selection).
std::map<int, std::vector<int>> engineSelection(const ExpertSelection& selection);
// The checkpoint tensor names of the selected experts, in layer/expert/part order.
std::vector<std::string> selectedTensorNames(const ModelConfig& config, const ExpertSelection& selection);
// What a submission for this selection must hold: those names, per-expert shapes
// (gate/up [I, H], down [H, I]), fp32 deltas.
std::vector<ExpectedTensor> expectedTensors(const ModelConfig& config, const ExpertSelection& selection);
// Current values of the selected experts (fp32 CPU copies), e.g. Φ(t) for a base fingerprint.
TensorMap selectedExperts(const MoeModel& model, const ExpertSelection& selection);
// The selection's size against the whole model (Δ is shipped in fp32: 4 bytes per parameter).
SelectionCost selectionCost(const ExpertSelection& selection, const ModelConfig& config,
                            std::int64_t modelTotalBytes);

} // namespace teft
