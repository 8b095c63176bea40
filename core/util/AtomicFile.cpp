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

namespace {
const char* fileKind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe)";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISDIR(mode))
        return "a directory";
    return "not a regular file";
}
} // namespace

OpenedFile openRegularFile(const fs::path& path)
{
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT)
            throw Error("Cannot open " + path.string() + ": no such file");
        throw Error("Cannot open " + path.string() + ": " + errnoText(err));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw Error("Cannot stat " + path.string() + ": " + errnoText(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw FormatError(path.string() + " is " + fileKind(st.st_mode) + ", not a regular file");
    }
    // A regular file never blocks; clear the flag so later reads behave as usual.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return {fd, static_cast<std::uint64_t>(st.st_size)};
}

std::string readFile(const fs::path& path, std::uint64_t maxBytes)
{
    const OpenedFile f = openRegularFile(path);
    if (f.size > maxBytes) {
        ::close(f.fd);
        throw FormatError(path.string() + " is " + std::to_string(f.size) + " bytes, more than the " +
                          std::to_string(maxBytes) + " this file may have");
    }
    std::string out(static_cast<std::size_t>(f.size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(f.fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int err = n < 0 ? errno : 0;
            ::close(f.fd);
            throw Error("Cannot read " + path.string() + ": " +
                        (err ? errnoText(err) : std::string("the file shrank while it was read")));
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(f.fd);
    return out;
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
