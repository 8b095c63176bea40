#pragma once

#include <filesystem>

namespace teft {

// The data directory holds the job store, logs, the miner key, caches and the demo model.
// Default: $TEFT_DATA_DIR, else $XDG_DATA_HOME/teft-studio, else ~/.local/share/teft-studio.
// The CLI's --data-dir and the GUI's settings override it.
std::filesystem::path defaultDataDir();

// The data directory in use by this process (set once at start-up by the app).
std::filesystem::path dataDir();
void setDataDir(const std::filesystem::path& dir);

// Sub-folders, created on demand.
std::filesystem::path cacheDir();  // <data>/cache
std::filesystem::path logDir();    // <data>/logs
std::filesystem::path modelsDir(); // <data>/models

// Refuses (UsageError naming the option) an output path that is inside `inputDir` (the folder is
// resolved through links): a command must never overwrite the model or data it reads.
void refuseOutputInside(const std::filesystem::path& out, const std::filesystem::path& inputDir, const char* option,
                        const char* inputWhat);

} // namespace teft
