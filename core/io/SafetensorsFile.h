#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace teft {

// One tensor's entry in a safetensors header. begin/end are byte offsets into the data buffer
// that follows the header (end exclusive).
struct TensorInfo {
    std::string name;
    std::string dtype; // safetensors name: "BF16", "F32", ...
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;

    std::uint64_t byteSize() const { return end - begin; }
    std::int64_t numel() const;
};

// A safetensors file (huggingface/safetensors), memory-mapped read-only and validated as a
// whole when opened: the 8-byte little-endian header length (at most 100,000,000 and inside
// the file), a UTF-8 JSON object, every entry's dtype, shape and offsets, the tensors covering
// the data buffer exactly (no gap, no overlap), no duplicate names, string-only metadata.
// Every refusal is a teft::FormatError naming the file, the problem and the tensor.
//
// Tensors returned by tensor() share the mapping (no copy) and keep it alive; the mapping is
// read-only, so callers that want to modify a tensor must clone() it first (writing into it
// crashes with SIGSEGV).
class SafetensorsFile : public std::enable_shared_from_this<SafetensorsFile> {
public:
    static constexpr std::uint64_t kMaxHeaderSize = 100'000'000;

    static std::shared_ptr<const SafetensorsFile> open(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    // In header order.
    const std::vector<TensorInfo>& tensors() const { return m_tensors; }
    bool contains(const std::string& name) const { return m_index.count(name) > 0; }
    // FormatError naming the file and the tensor when absent.
    const TensorInfo& info(const std::string& name) const;

    // A CPU tensor viewing the mapped bytes (read-only memory: clone() before writing). When
    // the bytes are not aligned for the element type the data is copied instead. Throws
    // teft::FormatError for a dtype LibTorch cannot represent as such (F6_E2M3, F6_E3M2, F4).
    at::Tensor tensor(const std::string& name) const;
    // The raw little-endian bytes of a tensor, valid while this object lives.
    std::string_view bytes(const std::string& name) const;

    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    const std::filesystem::path& path() const { return m_path; }
    std::uint64_t fileSize() const { return m_size; }
    std::uint64_t headerSize() const { return m_headerSize; }
    // Bytes of tensor data (the file minus the 8-byte length and the header).
    std::uint64_t dataSize() const { return m_size - 8 - m_headerSize; }
    // True when p points into this file's mapping (a zero-copy tensor of it).
    bool holds(const void* p) const
    {
        const auto* b = static_cast<const unsigned char*>(p);
        return m_data && b >= m_data && b < m_data + m_size;
    }
    // Tells the kernel that the mapped pages covering [p, p + bytes) are not needed now
    // (madvise MADV_DONTNEED): they leave this process's resident set and are read again from
    // the file (the page cache, or the disk) when touched. The range is widened to whole pages
    // and clipped to the mapping; safe because the mapping is read-only (no page differs from
    // the file). Returns the bytes released: 0 when the range is not in this file's mapping
    // (owned memory is never touched).
    std::uint64_t releasePages(const void* p, std::uint64_t bytes) const;
    // Bytes of this file's mapping resident in this process (/proc/self/smaps "Rss"; Linux
    // only, teft::Error elsewhere).
    std::uint64_t residentBytes() const;

private:
    struct Private {};

public:
    SafetensorsFile(Private, std::filesystem::path path);

private:
    void map();
    void parseHeader();
    [[noreturn]] void fail(const std::string& problem) const;
    const unsigned char* dataStart() const { return m_data + 8 + m_headerSize; }

    std::filesystem::path m_path;
    const unsigned char* m_data = nullptr;
    std::uint64_t m_size = 0;
    std::uint64_t m_headerSize = 0;
    std::vector<TensorInfo> m_tensors;
    std::unordered_map<std::string, std::size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

} // namespace teft
