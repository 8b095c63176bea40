#pragma once

// TEFT step 4 as a workflow: publish a merged checkpoint (runMerge; its "merge" job record is
// kept with recordJob), with held-out losses before and after on named datasets.

#include "core/project/Datasets.h"
#include "core/train/MergeJob.h"

#include <filesystem>
#include <string>
#include <vector>

namespace teft {

class JobControl;
struct Project;

// Tokenizes every dataset with the model's tokenizer (tokenizeDataset), then
// runMerge(settings, {name, rows}..., control). Losses come back in the datasets' order.
MergeResult mergeModel(const MergeSettings& settings, const std::vector<NamedDataset>& datasets, JobControl& control);

// A project's merge settings: its model, Φ of its validator state, outDir, projectId.
// teft::Error "No validator round has been applied yet: …" when the state has no Φ.
MergeSettings mergeSettingsFor(const Project& project, const std::filesystem::path& outDir);

// The desktop Merge page's merge: mergeSettingsFor, then mergeModel with the project's held-out
// target rows named `targetName` and each of its references, named by `referenceNames` (one per
// reference, in the project's order; UsageError otherwise), with the project's packing. Losses
// come back in that order: the target, then every reference domain.
MergeResult mergeProject(const Project& project, const std::filesystem::path& outDir, const std::string& targetName,
                         const std::vector<std::string>& referenceNames, JobControl& control);

} // namespace teft
