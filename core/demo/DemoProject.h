#pragma once

// The built-in demo as a real project in the job store (the desktop's "Open the built-in
// demo"): the demo corpus (six generated domains) and the demo foundation model (a small
// qwen3_moe pretrained on them, cached in the data directory; the first time takes minutes on
// two cores), with "code" as the target and each of the other five domains as a reference
// dataset of its own. Nothing is simulated: identification, training, validation and merge then
// run the engine on it like on any other project.

#include <cstdint>

namespace teft {

class JobControl;
class JobStore;

// Builds what is missing (corpus, model: a "pretrain" job) and returns the id of the project
// named "Built-in demo" on that model, created the first time.
std::int64_t ensureDemoProject(JobStore& store, JobControl& control);

} // namespace teft
