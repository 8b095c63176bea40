#pragma once

#include <cstddef>
#include <filesystem>

namespace teft {

// A whole file mapped read-only into memory (POSIX mmap). Empty files map to no memory
// (data() is nullptr, size() 0). Throws teft::Error naming the file when it cannot be mapped.
class MappedFile {
public:
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const void* data() const { return m_data; }
    std::size_t size() const { return m_size; }
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
    void* m_data = nullptr;
    std::size_t m_size = 0;
};

} // namespace teft
