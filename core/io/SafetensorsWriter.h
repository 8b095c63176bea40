#pragma once

#include "core/util/AtomicFile.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class JobControl;

// One tensor of a safetensors file to write, described before its data exists.
struct SafetensorsEntry {
    std::string name;
    std::string dtype; // safetensors name: "BF16", "F32", ...
    std::vector<std::int64_t> shape;

    // Bytes of data its dtype and shape need (FormatError for an unknown dtype or a shape of a
    // fractional number of bytes).
    std::uint64_t byteSize() const;
};

// The bytes before the data of a safetensors file and the order the data follows, as every
// writer here lays them out: the JSON header (with "__metadata__", "format": "pt" always) padded
// with spaces to a multiple of 8 bytes; data by decreasing element size, then name.
struct SafetensorsLayout {
    std::string header;                 // the 8-byte little-endian length, then the padded JSON
    std::vector<std::size_t> order;     // indices into the entries, in data order
    std::vector<std::uint64_t> offsets; // per entry (entry index): its begin in the data buffer
    std::uint64_t dataBytes = 0;
};

// Throws teft::Error for an empty, reserved ("__metadata__") or duplicate name, an unknown
// dtype, or a name that is not valid UTF-8; `path` names the file in those messages.
SafetensorsLayout safetensorsLayout(const std::vector<SafetensorsEntry>& entries,
                                    const std::map<std::string, std::string>& metadata,
                                    const std::filesystem::path& path);

// Writes a safetensors file whose header is known before its data: the header goes out first,
// then the data tensor by tensor in layout().order, from memory or copied from another file in
// chunks of at most chunkBytes (the only buffer it allocates), so that writing a file never
// needs memory for more than one piece of it. Same bytes as SafetensorsWriter for the same
// tensors. Written through teft::AtomicFile: nothing is left under `path` (nor a temporary
// file) unless commit() succeeds; a full disk is a teft::StorageError naming the file.
class SafetensorsStreamWriter {
public:
    static constexpr std::size_t kDefaultChunkBytes = std::size_t{8} << 20;

    SafetensorsStreamWriter(std::filesystem::path path, std::vector<SafetensorsEntry> entries,
                            const std::map<std::string, std::string>& metadata = {},
                            std::size_t chunkBytes = kDefaultChunkBytes);
    ~SafetensorsStreamWriter();
    SafetensorsStreamWriter(const SafetensorsStreamWriter&) = delete;
    SafetensorsStreamWriter& operator=(const SafetensorsStreamWriter&) = delete;

    const std::vector<SafetensorsEntry>& entries() const { return m_entries; }
    const SafetensorsLayout& layout() const { return m_layout; }
    const std::filesystem::path& path() const { return m_path; }

    // Called after every piece of data written (bytes written to this file so far); may throw
    // (teft::Cancelled) to stop: the file is then discarded.
    void setProgress(std::function<void(std::uint64_t)> fn) { m_progress = std::move(fn); }

    // Creates the temporary file and writes the header (done by the first write otherwise).
    void begin();
    // The next bytes of data (of the current tensor in layout order; a piece may span tensors).
    void write(const void* data, std::size_t size);
    // A CPU tensor's bytes (made contiguous on the CPU first; its size must fit the data left).
    void writeTensor(const at::Tensor& tensor);
    // `size` bytes of `file` from byte `offset`, read in chunks of at most chunkBytes.
    void copyFrom(const std::filesystem::path& file, std::uint64_t offset, std::uint64_t size);
    // Bytes of data written so far.
    std::uint64_t written() const { return m_written; }
    // The name of the tensor the next byte belongs to ("" when all data is written).
    std::string currentTensor() const;
    // Refuses (teft::Error) unless exactly layout().dataBytes were written; then fsyncs and
    // renames the file into place.
    void commit();

    // The largest buffer this writer allocated (never above chunkBytes): for tests.
    std::size_t largestBuffer() const { return m_largestBuffer; }

private:
    void reserve(std::uint64_t size);
    void closeSource();

    std::filesystem::path m_path;
    std::vector<SafetensorsEntry> m_entries;
    SafetensorsLayout m_layout;
    std::size_t m_chunkBytes;
    std::unique_ptr<AtomicFile> m_file;
    std::uint64_t m_written = 0;
    std::function<void(std::uint64_t)> m_progress;
    std::unique_ptr<char[]> m_buffer;
    std::size_t m_bufferSize = 0;
    std::size_t m_largestBuffer = 0;
    std::filesystem::path m_sourcePath;
    int m_sourceFd = -1;
};

// Writes a safetensors file: collect tensors with add(), then write() once. The header carries
// {"__metadata__": {"format": "pt", ...}} and is padded with spaces to a multiple of 8 bytes;
// data is laid out by decreasing element size, then name (as huggingface/safetensors does), so
// every tensor is aligned for its type. The file is written through teft::AtomicFile (temporary
// file, fsync, rename), streaming one tensor at a time: tensors on another device or not
// contiguous are converted one by one while writing, never all at once.
class SafetensorsWriter {
public:
    explicit SafetensorsWriter(std::filesystem::path path);

    // Any dtype with a safetensors equivalent; throws teft::Error for a duplicate name, an
    // empty name, the reserved name "__metadata__" or an unsupported dtype.
    void add(const std::string& name, const at::Tensor& tensor);
    // "format" is always "pt" (transformers refuses other values).
    void setMetadata(const std::string& key, const std::string& value);

    std::size_t count() const { return m_tensors.size(); }
    std::uint64_t dataBytes() const { return m_dataBytes; }

    // Writes and commits the file; calls control->checkpoint() between tensors and reports
    // bytes written. When the file is part of a larger job, progress is reported as
    // progressBase + bytes written out of progressTotal.
    void write(JobControl* control = nullptr, std::uint64_t progressBase = 0, std::uint64_t progressTotal = 0);

private:
    std::filesystem::path m_path;
    std::vector<std::pair<std::string, at::Tensor>> m_tensors;
    std::set<std::string> m_names;
    std::map<std::string, std::string> m_metadata;
    std::uint64_t m_dataBytes = 0;
};

// Convenience: one call.
void writeSafetensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace teft
