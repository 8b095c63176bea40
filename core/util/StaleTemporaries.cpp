#include "core/util/StaleTemporaries.h"

#include <cerrno>
#include <regex>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace teft {

namespace fs = std::filesystem;

std::optional<std::string> staleTemporaryTarget(const std::string& name)
{
    // "<target>.tmp-<pid>-<n>" (AtomicFile) or ".<target>.tmp-<pid>" (a submission folder).
    static const std::regex file(R"((.+)\.tmp-(\d+)-\d+)");
    static const std::regex folder(R"(\.(.+)\.tmp-(\d+))");
    std::smatch m;
    if (!std::regex_match(name, m, file) && !std::regex_match(name, m, folder))
        return std::nullopt;
    const long pid = std::stol(m[2].str());
    if (pid <= 0 || pid == static_cast<long>(::getpid()))
        return std::nullopt;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
        return std::nullopt; // alive (or not ours to signal: still running)
    return m[1].str();
}

std::size_t removeStaleTemporaries(const fs::path& dir, const std::function<bool(const std::string&)>& keep)
{
    std::size_t removed = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const auto target = staleTemporaryTarget(entry.path().filename().string());
        if (!target || (keep && !keep(*target)))
            continue;
        std::error_code rm;
        fs::remove_all(entry.path(), rm);
        if (!rm) {
            ++removed;
            spdlog::info("removed {}, left by a writer that was stopped mid-write", entry.path().string());
        }
    }
    return removed;
}

} // namespace teft
