#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace teft {

// Writes a file so that readers see either the old content or the complete new one, never a
// half-written file: data goes to "<path>.tmp-<pid>-<n>", is fsync'ed, then renamed over
// <path> and the directory is fsync'ed. If the writer is destroyed without commit() (an
// exception, a full disk), the temporary file is removed and <path> is untouched.
class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, std::size_t size);
    void write(std::string_view text) { write(text.data(), text.size()); }
    // Bytes written so far.
    std::size_t size() const { return m_written; }
    void commit();

    const std::filesystem::path& path() const { return m_path; }
    const std::filesystem::path& tempPath() const { return m_tempPath; }

private:
    std::filesystem::path m_path;
    std::filesystem::path m_tempPath;
    int m_fd = -1;
    std::size_t m_written = 0;
    bool m_committed = false;
};

// Convenience: the whole content at once.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

// Opens a file for reading without ever blocking: a FIFO, a device, a socket or a directory under
// the name is refused with a FormatError saying what it is (a FIFO would otherwise wait for a
// writer forever, /dev/zero would never end). Symbolic links are followed. The caller closes fd.
struct OpenedFile {
    int fd = -1;
    std::uint64_t size = 0;
};
OpenedFile openRegularFile(const std::filesystem::path& path);

// The size readFile() accepts unless told otherwise.
inline constexpr std::uint64_t kMaxReadFileBytes = std::uint64_t(1) << 30;

// Reads a whole (small) regular file of at most maxBytes; throws teft::Error naming the file when
// it cannot (FormatError when it is not a regular file or is larger than maxBytes).
std::string readFile(const std::filesystem::path& path, std::uint64_t maxBytes = kMaxReadFileBytes);

// fsync a directory so that a rename inside it is durable.
void syncDirectory(const std::filesystem::path& dir);

} // namespace teft
