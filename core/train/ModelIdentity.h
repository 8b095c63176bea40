#pragma once

// Identities that tie selections, statistics and submissions to a model:
//  - configIdentity: SHA-256 of the model folder's config.json bytes;
//  - modelFingerprint: SHA-256 over "teft-model-v1", config.json and every router weight's
//    bytes (routing is what a selection depends on: a retrained model gets a new fingerprint,
//    a TEFT-merged one keeps it because routers are hub parameters and never change).

#include "core/teft/MoeLayout.h"
#include "core/teft/TensorMap.h"

#include <filesystem>
#include <string>
#include <vector>

namespace teft {

struct ModelConfig;
class ExpertSelection;

std::string configIdentity(const std::filesystem::path& modelDir);
std::string modelFingerprint(const std::filesystem::path& modelDir);
MoeLayout moeLayoutOf(const ModelConfig& config, const std::string& fingerprint);
// Every checkpoint tensor name of the selected experts (per-expert names), layer and expert order.
std::vector<std::string> selectedTensorNames(const ModelConfig& config, const ExpertSelection& selection);
// Reads a Φ file (safetensors of selected expert tensors) into fp32 CPU tensors.
TensorMap loadTensorFile(const std::filesystem::path& path);
// Writes named tensors as one safetensors file, atomically.
void saveTensorFile(const std::filesystem::path& path, const TensorMap& tensors);

} // namespace teft
