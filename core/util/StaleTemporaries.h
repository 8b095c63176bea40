#pragma once

// Temporary files and folders that a writer killed mid-write leaves behind: AtomicFile's
// "<name>.tmp-<pid>-<n>" and a submission's ".<name>.tmp-<pid>". They are only ever renamed into
// place by the process that made them, so once that process is gone they are garbage (a
// training checkpoint's is optimizer-sized for a real model).

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace teft {

// The name a temporary stands for ("state-3.safetensors" for "state-3.safetensors.tmp-41-0"),
// when `name` is one whose writer is no longer running; nullopt otherwise (not a temporary, or
// its writer is this process or still alive).
std::optional<std::string> staleTemporaryTarget(const std::string& name);

// Removes the stale temporaries directly in `dir` whose target `keep` accepts (all when empty);
// returns how many were removed. Missing folders and entries that cannot be removed are skipped.
std::size_t removeStaleTemporaries(const std::filesystem::path& dir,
                                   const std::function<bool(const std::string& target)>& keep = {});

} // namespace teft
