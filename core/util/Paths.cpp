#include "core/util/Paths.h"

#include "core/util/Error.h"
#include "core/util/ErrorKind.h"

#include <cstdlib>
#include <mutex>

namespace teft {
namespace fs = std::filesystem;

namespace {
std::mutex g_mutex;
fs::path g_dataDir;

fs::path ensure(const fs::path& p)
{
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec && isStorageErrno(ec.value())) // the disk refuses (read-only, full, no permission)
        throw StorageError("Cannot create directory " + p.string() + ": " + ec.message());
    if (ec)
        throw Error("Cannot create directory " + p.string() + ": " + ec.message());
    return p;
}
} // namespace

fs::path defaultDataDir()
{
    if (const char* d = std::getenv("TEFT_DATA_DIR"); d && *d)
        return fs::path(d);
    if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        return fs::path(x) / "teft-studio";
    if (const char* h = std::getenv("HOME"); h && *h)
        return fs::path(h) / ".local" / "share" / "teft-studio";
    return fs::current_path() / ".teft-studio";
}

fs::path dataDir()
{
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_dataDir.empty())
        g_dataDir = defaultDataDir();
    return ensure(g_dataDir);
}

void setDataDir(const fs::path& dir)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    g_dataDir = fs::absolute(dir);
}

fs::path cacheDir() { return ensure(dataDir() / "cache"); }
fs::path logDir() { return ensure(dataDir() / "logs"); }
fs::path modelsDir() { return ensure(dataDir() / "models"); }

void refuseOutputInside(const std::filesystem::path& out, const std::filesystem::path& inputDir, const char* option,
                        const char* inputWhat)
{
    std::error_code ec;
    const auto dir = std::filesystem::weakly_canonical(inputDir, ec);
    const auto target = std::filesystem::weakly_canonical(std::filesystem::absolute(out, ec), ec);
    if (dir.empty() || target.empty())
        return;
    const auto rel = target.lexically_relative(dir);
    if (!rel.empty() && *rel.begin() != "..") // the folder itself or a path below it
        throw UsageError(std::string("--") + option + " " + out.string() + " is inside the " + inputWhat + " " +
                         inputDir.string() + ", which this command reads: write it elsewhere");
}

} // namespace teft
