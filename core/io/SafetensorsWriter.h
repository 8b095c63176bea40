#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace teft {

class JobControl;

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
