#include "core/io/SafetensorsFile.h"

#include "core/io/SafetensorsDtype.h"
#include "core/io/StrictJson.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <ATen/Functions.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace teft {
namespace fs = std::filesystem;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors data is little-endian; the zero-copy reader assumes a little-endian host");

namespace {

std::string inQuotes(const std::string& name) { return "\"" + name + "\""; }

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// A JSON number that is a non-negative integer fitting in 64 bits.
bool asUnsigned(const nlohmann::json& v, std::uint64_t& out)
{
    if (v.is_number_unsigned()) {
        out = v.get<std::uint64_t>();
        return true;
    }
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
        out = static_cast<std::uint64_t>(v.get<std::int64_t>());
        return true;
    }
    return false;
}

} // namespace

std::int64_t TensorInfo::numel() const
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

SafetensorsFile::SafetensorsFile(Private, fs::path path) : m_path(std::move(path)) {}

SafetensorsFile::~SafetensorsFile()
{
    if (m_data)
        ::munmap(const_cast<unsigned char*>(m_data), m_size);
}

std::uint64_t SafetensorsFile::releasePages(const void* p, std::uint64_t bytes) const
{
    if (!m_data || bytes == 0 || !holds(p))
        return 0;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto base = reinterpret_cast<std::uintptr_t>(m_data); // mmap returns a page-aligned address
    const auto begin = reinterpret_cast<std::uintptr_t>(p);
    const auto end = std::min<std::uintptr_t>(begin + bytes, base + m_size);
    const std::uintptr_t first = begin / page * page;
    const std::uintptr_t last = std::min<std::uintptr_t>((end + page - 1) / page * page,
                                                         base + (m_size + page - 1) / page * page);
    if (::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED) != 0)
        throw Error("Cannot release the mapped pages of " + m_path.string() + ": " + std::strerror(errno));
    return last - first;
}

std::uint64_t SafetensorsFile::residentBytes() const
{
#ifdef __linux__
    if (!m_data)
        return 0;
    std::ifstream smaps("/proc/self/smaps");
    if (!smaps)
        throw Error("Cannot read /proc/self/smaps");
    const auto start = reinterpret_cast<std::uintptr_t>(m_data);
    std::string line;
    bool inMapping = false;
    while (std::getline(smaps, line)) {
        // A mapping's first line: "start-end perms offset dev inode path"; then "Key: value kB" lines.
        const auto dash = line.find('-');
        const auto colon = line.find(':');
        if (dash != std::string::npos && (colon == std::string::npos || dash < colon) &&
            line.find_first_not_of("0123456789abcdef") == dash) {
            inMapping = std::stoull(line.substr(0, dash), nullptr, 16) == start;
            continue;
        }
        if (inMapping && line.rfind("Rss:", 0) == 0)
            return std::stoull(line.substr(4)) * 1024; // "Rss:   1234 kB"
    }
    throw Error("The mapping of " + m_path.string() + " is not listed in /proc/self/smaps");
#else
    throw Error("The resident bytes of a mapping are only known on Linux (/proc/self/smaps)");
#endif
}

std::shared_ptr<const SafetensorsFile> SafetensorsFile::open(const fs::path& path)
{
    auto file = std::make_shared<SafetensorsFile>(Private{}, path);
    file->map();
    file->parseHeader();
    return file;
}

void SafetensorsFile::fail(const std::string& problem) const
{
    throw FormatError("Invalid safetensors file " + m_path.string() + ": " + problem);
}

void SafetensorsFile::map()
{
    const auto [fd, size] = openRegularFile(m_path); // a FIFO or a device is refused, never waited on
    m_size = size;
    if (m_size < 8) {
        ::close(fd);
        fail("the file is truncated: it has " + std::to_string(m_size) +
             " bytes, fewer than the 8-byte header length it must start with");
    }
    void* p = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int err = errno;
    ::close(fd); // the mapping keeps the file open
    if (p == MAP_FAILED)
        throw Error("Cannot map " + m_path.string() + " into memory: " + std::strerror(err));
    m_data = static_cast<const unsigned char*>(p);
}

void SafetensorsFile::parseHeader()
{
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | m_data[i];
    if (n > kMaxHeaderSize)
        fail("the header length " + std::to_string(n) + " exceeds the limit of " + std::to_string(kMaxHeaderSize) +
             " bytes");
    if (n > m_size - 8)
        fail("the file is truncated: the header length " + std::to_string(n) + " exceeds the " +
             std::to_string(m_size - 8) + " bytes that follow it");
    m_headerSize = n;
    const std::string_view text(reinterpret_cast<const char*>(m_data + 8), n);
    if (text.empty() || text.front() != '{')
        fail("the header is not a JSON object (it does not start with '{')");
    const nlohmann::json header = parseJsonStrict(text, "The header of " + m_path.string());
    if (!header.is_object())
        fail("the header is not a JSON object");

    const std::uint64_t bufferSize = dataSize();
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            if (entry.is_null())
                continue; // an absent map, as huggingface/safetensors accepts
            if (!entry.is_object())
                fail("__metadata__ is not an object of strings");
            for (const auto& [key, value] : entry.items()) {
                if (!value.is_string())
                    fail("the __metadata__ value of " + inQuotes(key) + " is not a string");
                m_metadata[key] = value.get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor " + inQuotes(name);
        if (!entry.is_object())
            fail(where + " is not described by a JSON object");
        TensorInfo info;
        info.name = name;

        const auto dtype = entry.find("dtype");
        if (dtype == entry.end() || !dtype->is_string())
            fail(where + " has no dtype string");
        info.dtype = dtype->get<std::string>();
        const int bits = safetensorsDtypeBits(info.dtype);
        if (bits == 0)
            fail(where + " has unknown dtype " + inQuotes(info.dtype));

        const auto shape = entry.find("shape");
        if (shape == entry.end() || !shape->is_array())
            fail(where + " has no shape array");
        // numel with overflow checks: a hostile header must not wrap around the size check.
        std::uint64_t numel = 1;
        bool overflow = false;
        for (const auto& d : *shape) {
            std::uint64_t dim = 0;
            if (!asUnsigned(d, dim) || dim > static_cast<std::uint64_t>(INT64_MAX))
                fail(where + " has a shape entry that is not a non-negative integer: " + d.dump());
            info.shape.push_back(static_cast<std::int64_t>(dim));
            overflow = overflow || __builtin_mul_overflow(numel, dim, &numel);
        }

        const auto offsets = entry.find("data_offsets");
        if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
            !asUnsigned((*offsets)[0], info.begin) || !asUnsigned((*offsets)[1], info.end))
            fail(where + " needs data_offsets [begin, end] of two non-negative integers");
        if (info.end < info.begin)
            fail(where + " has data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
                 "]: the end is before the begin");
        if (info.end > bufferSize)
            fail(where + " has data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) +
                 "] out of range: the data buffer holds only " + std::to_string(bufferSize) + " bytes");

        std::uint64_t totalBits = 0;
        overflow = overflow || __builtin_mul_overflow(numel, static_cast<std::uint64_t>(bits), &totalBits);
        if (overflow || totalBits % 8 != 0 || totalBits / 8 != info.byteSize())
            fail(where + " has " + std::to_string(info.byteSize()) + " bytes but its shape " + shapeText(info.shape) +
                 " of " + info.dtype + " needs " +
                 (overflow        ? std::string("more than 2^64")
                  : totalBits % 8 ? "a whole number of bytes, not " + std::to_string(totalBits) + " bits"
                                  : std::to_string(totalBits / 8)));
        m_index.emplace(name, m_tensors.size());
        m_tensors.push_back(std::move(info));
    }

    // Sorted by offset the tensors must tile the buffer: start at 0, no gaps, no overlaps, and
    // end exactly at its end.
    std::vector<const TensorInfo*> order;
    for (const auto& t : m_tensors)
        order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t expected = 0;
    const TensorInfo* previous = nullptr;
    for (const TensorInfo* t : order) {
        if (t->begin < expected)
            fail("tensors " + inQuotes(previous->name) + " (bytes " + std::to_string(previous->begin) + "-" +
                 std::to_string(previous->end) + ") and " + inQuotes(t->name) + " (bytes " + std::to_string(t->begin) +
                 "-" + std::to_string(t->end) + ") overlap");
        if (t->begin > expected)
            fail("a gap of " + std::to_string(t->begin - expected) + " bytes in the data buffer " +
                 (previous ? "between tensors " + inQuotes(previous->name) + " and " + inQuotes(t->name)
                           : "before the first tensor " + inQuotes(t->name)));
        expected = t->end;
        previous = t;
    }
    if (expected != bufferSize)
        fail("the last " + std::to_string(bufferSize - expected) + " bytes of the data buffer belong to no tensor");
}

const TensorInfo& SafetensorsFile::info(const std::string& name) const
{
    const auto it = m_index.find(name);
    if (it == m_index.end())
        throw FormatError("Safetensors file " + m_path.string() + " has no tensor " + inQuotes(name));
    return m_tensors[it->second];
}

std::string_view SafetensorsFile::bytes(const std::string& name) const
{
    const TensorInfo& t = info(name);
    return {reinterpret_cast<const char*>(dataStart() + t.begin), static_cast<std::size_t>(t.byteSize())};
}

at::Tensor SafetensorsFile::tensor(const std::string& name) const
{
    const TensorInfo& t = info(name);
    const auto type = torchDtypeFor(t.dtype);
    if (!type)
        throw FormatError("Tensor " + inQuotes(name) + " in " + m_path.string() + " has dtype " + t.dtype +
                          ", which LibTorch cannot represent");
    const auto options = at::TensorOptions().dtype(*type).device(at::kCPU);
    if (t.byteSize() == 0)
        return at::empty(t.shape, options);
    void* p = const_cast<unsigned char*>(dataStart() + t.begin);
    const std::size_t elementSize = c10::elementSize(*type);
    if (reinterpret_cast<std::uintptr_t>(p) % elementSize != 0)
        return at::from_blob(p, t.shape, options).clone(); // misaligned: torch kernels need aligned data
    auto keepAlive = shared_from_this();
    return at::from_blob(
        p, t.shape, [keepAlive](void*) {}, options);
}

} // namespace teft
