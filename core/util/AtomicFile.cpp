#include "core/util/AtomicFile.h"

#include "core/util/Error.h"
#include "core/util/ErrorKind.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace teft {
namespace fs = std::filesystem;

namespace {
std::string errnoText(int err) { return std::strerror(err); }
// Creating or renaming can fail because the path is wrong (a missing folder, a file in the way:
// an ordinary Error) or because the disk refuses (full, read-only, no permission: StorageError).
[[noreturn]] void throwPathError(const std::string& message, int err)
{
    if (isStorageErrno(err))
        throw StorageError(message + ": " + errnoText(err));
    throw Error(message + ": " + errnoText(err));
}
std::atomic<unsigned> g_tempCounter{0};
} // namespace

AtomicFile::AtomicFile(fs::path path) : m_path(std::move(path))
{
    const fs::path dir = m_path.has_parent_path() ? m_path.parent_path() : fs::path(".");
    std::error_code ec;
    fs::create_directories(dir, ec);
    m_tempPath = m_path;
    m_tempPath += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_tempCounter++);
    m_fd = ::open(m_tempPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        const int err = errno; // before the message's allocations can change it
        throwPathError("Cannot create " + m_tempPath.string(), err);
    }
}

AtomicFile::~AtomicFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed) {
        std::error_code ec;
        fs::remove(m_tempPath, ec);
    }
}

void AtomicFile::write(const void* data, std::size_t size)
{
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(m_fd, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw StorageError("Cannot write " + m_path.string() + ": " + errnoText(errno));
        }
        p += n;
        size -= static_cast<std::size_t>(n);
        m_written += static_cast<std::size_t>(n);
    }
}

void AtomicFile::commit()
{
    if (::fsync(m_fd) != 0)
        throw StorageError("Cannot flush " + m_path.string() + " to disk: " + errnoText(errno));
    if (::close(m_fd) != 0) {
        m_fd = -1;
        throw StorageError("Cannot close " + m_path.string() + ": " + errnoText(errno));
    }
    m_fd = -1;
    if (::rename(m_tempPath.c_str(), m_path.c_str()) != 0) {
        const int err = errno;
        throwPathError("Cannot rename " + m_tempPath.string() + " to " + m_path.string(), err);
    }
    m_committed = true;
    syncDirectory(m_path.has_parent_path() ? m_path.parent_path() : fs::path("."));
}

void writeFileAtomically(const fs::path& path, std::string_view content)
{
    AtomicFile file(path);
    file.write(content);
    file.commit();
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("Cannot open " + path.string() + ": " +
                    (fs::exists(path) ? std::string("permission denied or unreadable") : std::string("no such file")));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        throw Error("Cannot read " + path.string());
    return ss.str();
}

void syncDirectory(const fs::path& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return; // best effort: some filesystems do not allow opening directories
    ::fsync(fd);
    ::close(fd);
}

} // namespace teft
