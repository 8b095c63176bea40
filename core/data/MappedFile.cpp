#include "core/data/MappedFile.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace teft {

MappedFile::MappedFile(const std::filesystem::path& path) : m_path(path)
{
    const auto [fd, size] = openRegularFile(path); // a FIFO or a device is refused, never waited on
    m_size = static_cast<std::size_t>(size);
    if (m_size > 0) {
        void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            const int err = errno;
            ::close(fd);
            throw Error("Cannot map " + path.string() + " into memory: " + std::strerror(err));
        }
        m_data = p;
    }
    ::close(fd); // the mapping keeps the file alive
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(m_data, m_size);
}

} // namespace teft
