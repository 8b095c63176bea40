#include "core/io/SafetensorsWriter.h"

#include "core/io/SafetensorsDtype.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace teft {

std::uint64_t SafetensorsEntry::byteSize() const
{
    const int bits = safetensorsDtypeBits(dtype);
    if (bits == 0)
        throw FormatError("Tensor \"" + name + "\" has the unknown safetensors dtype \"" + dtype + "\"");
    std::uint64_t n = 1;
    for (auto d : shape) {
        if (d < 0)
            throw FormatError("Tensor \"" + name + "\" has a negative dimension");
        n *= static_cast<std::uint64_t>(d);
    }
    if ((n * static_cast<std::uint64_t>(bits)) % 8 != 0)
        throw FormatError("Tensor \"" + name + "\" of " + dtype + " does not fill a whole number of bytes");
    return n * static_cast<std::uint64_t>(bits) / 8;
}

SafetensorsLayout safetensorsLayout(const std::vector<SafetensorsEntry>& entries,
                                    const std::map<std::string, std::string>& metadata,
                                    const std::filesystem::path& path)
{
    std::set<std::string> names;
    std::vector<int> bits(entries.size());
    std::vector<std::uint64_t> sizes(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const auto& e = entries[i];
        if (e.name.empty() || e.name == "__metadata__")
            throw Error("Cannot write a tensor named \"" + e.name + "\" to " + path.string());
        if (!names.insert(e.name).second)
            throw Error("Tensor \"" + e.name + "\" is added twice to " + path.string());
        bits[i] = safetensorsDtypeBits(e.dtype);
        sizes[i] = e.byteSize();
    }
    SafetensorsLayout layout;
    layout.order.resize(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i)
        layout.order[i] = i;
    std::sort(layout.order.begin(), layout.order.end(), [&](std::size_t a, std::size_t b) {
        return bits[a] != bits[b] ? bits[a] > bits[b] : entries[a].name < entries[b].name;
    });

    nlohmann::json header = nlohmann::json::object();
    std::map<std::string, std::string> meta = metadata;
    meta["format"] = "pt";
    header["__metadata__"] = meta;
    layout.offsets.resize(entries.size());
    std::uint64_t offset = 0;
    for (std::size_t i : layout.order) {
        const auto& e = entries[i];
        header[e.name] = {{"dtype", e.dtype}, {"shape", e.shape}, {"data_offsets", {offset, offset + sizes[i]}}};
        layout.offsets[i] = offset;
        offset += sizes[i];
    }
    layout.dataBytes = offset;
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {
        throw Error("Cannot write " + path.string() + ": a tensor name is not valid UTF-8 (" + e.what() + ")");
    }
    text.append((8 - text.size() % 8) % 8, ' ');
    layout.header.resize(8);
    for (int i = 0; i < 8; ++i)
        layout.header[static_cast<std::size_t>(i)] = static_cast<char>(
            (static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xff);
    layout.header += text;
    return layout;
}

SafetensorsWriter::SafetensorsWriter(std::filesystem::path path) : m_path(std::move(path))
{
    m_metadata["format"] = "pt";
}

void SafetensorsWriter::add(const std::string& name, const at::Tensor& tensor)
{
    if (name.empty() || name == "__metadata__")
        throw Error("Cannot write a tensor named \"" + name + "\" to " + m_path.string());
    safetensorsDtypeName(tensor.scalar_type()); // throws for an unsupported type
    if (!m_names.insert(name).second)
        throw Error("Tensor \"" + name + "\" is added twice to " + m_path.string());
    m_tensors.emplace_back(name, tensor);
    m_dataBytes += static_cast<std::uint64_t>(tensor.numel()) * tensor.element_size();
}

void SafetensorsWriter::setMetadata(const std::string& key, const std::string& value)
{
    if (key != "format")
        m_metadata[key] = value;
}

void SafetensorsWriter::write(JobControl* control, std::uint64_t progressBase, std::uint64_t progressTotal)
{
    std::vector<SafetensorsEntry> entries;
    entries.reserve(m_tensors.size());
    for (const auto& [name, t] : m_tensors)
        entries.push_back({name, safetensorsDtypeName(t.scalar_type()), t.sizes().vec()});
    const SafetensorsLayout layout = safetensorsLayout(entries, m_metadata, m_path);

    AtomicFile file(m_path);
    file.write(layout.header);
    std::uint64_t written = 0;
    for (std::size_t i : layout.order) {
        if (control)
            control->checkpoint();
        const at::Tensor t = m_tensors[i].second.to(at::kCPU).contiguous();
        const std::size_t size = static_cast<std::size_t>(t.numel()) * t.element_size();
        if (size > 0)
            file.write(t.data_ptr(), size);
        written += size;
        if (control)
            control->report(static_cast<std::int64_t>(progressBase + written),
                            static_cast<std::int64_t>(progressTotal ? progressTotal : m_dataBytes),
                            "writing " + m_path.filename().string());
    }
    file.commit();
}

SafetensorsStreamWriter::SafetensorsStreamWriter(std::filesystem::path path, std::vector<SafetensorsEntry> entries,
                                                 const std::map<std::string, std::string>& metadata,
                                                 std::size_t chunkBytes)
    : m_path(std::move(path)), m_entries(std::move(entries)), m_chunkBytes(std::max<std::size_t>(chunkBytes, 1))
{
    m_layout = safetensorsLayout(m_entries, metadata, m_path);
}

SafetensorsStreamWriter::~SafetensorsStreamWriter() { closeSource(); }

void SafetensorsStreamWriter::closeSource()
{
    if (m_sourceFd >= 0)
        ::close(m_sourceFd);
    m_sourceFd = -1;
    m_sourcePath.clear();
}

void SafetensorsStreamWriter::begin()
{
    if (m_file)
        return;
    m_file = std::make_unique<AtomicFile>(m_path);
    m_file->write(m_layout.header);
}

void SafetensorsStreamWriter::reserve(std::uint64_t size)
{
    if (size > m_layout.dataBytes - m_written)
        throw Error("Cannot write " + m_path.string() + ": " + std::to_string(size) + " more bytes of data than its " +
                    "header announces (" + std::to_string(m_layout.dataBytes - m_written) + " left, at tensor \"" +
                    currentTensor() + "\")");
    begin();
}

std::string SafetensorsStreamWriter::currentTensor() const
{
    for (std::size_t i : m_layout.order)
        if (m_written < m_layout.offsets[i] + m_entries[i].byteSize())
            return m_entries[i].name;
    return {};
}

void SafetensorsStreamWriter::write(const void* data, std::size_t size)
{
    reserve(size);
    if (size > 0)
        m_file->write(data, size);
    m_written += size;
    if (m_progress)
        m_progress(m_written);
}

void SafetensorsStreamWriter::writeTensor(const at::Tensor& tensor)
{
    const at::Tensor t = tensor.to(at::kCPU).contiguous();
    write(t.data_ptr(), static_cast<std::size_t>(t.numel()) * t.element_size());
}

void SafetensorsStreamWriter::copyFrom(const std::filesystem::path& file, std::uint64_t offset, std::uint64_t size)
{
    reserve(size);
    if (size == 0)
        return;
    if (m_sourceFd < 0 || m_sourcePath != file) {
        closeSource();
        m_sourceFd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (m_sourceFd < 0) {
            const int err = errno;
            throw Error("Cannot open " + file.string() + " to copy it into " + m_path.string() + ": " +
                        std::strerror(err));
        }
        m_sourcePath = file;
        ::posix_fadvise(m_sourceFd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, m_chunkBytes));
    if (m_bufferSize < want) {
        m_buffer.reset(); // never two buffers at once
        m_buffer = std::unique_ptr<char[]>(new char[want]);
        m_bufferSize = want;
        m_largestBuffer = std::max(m_largestBuffer, want);
    }
    while (size > 0) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, m_bufferSize));
        std::size_t got = 0;
        while (got < n) {
            const ssize_t r = ::pread(m_sourceFd, m_buffer.get() + got, n - got, static_cast<off_t>(offset + got));
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                const int err = errno;
                throw StorageError("Cannot read " + file.string() + " (copying it into " + m_path.string() +
                                   "): " + std::strerror(err));
            }
            if (r == 0)
                throw FormatError("Cannot copy from " + file.string() + ": the file ends before byte " +
                                  std::to_string(offset + n) + " (it was truncated while being read)");
            got += static_cast<std::size_t>(r);
        }
        m_file->write(m_buffer.get(), n);
        m_written += n;
        offset += n;
        size -= n;
        if (m_progress)
            m_progress(m_written);
    }
}

void SafetensorsStreamWriter::commit()
{
    if (m_written != m_layout.dataBytes)
        throw Error("Cannot finish " + m_path.string() + ": " + std::to_string(m_written) + " of the " +
                    std::to_string(m_layout.dataBytes) + " bytes of data its header announces were written");
    begin();
    closeSource();
    m_file->commit();
    m_file.reset();
    m_buffer.reset();
    m_bufferSize = 0;
}

void writeSafetensors(const std::filesystem::path& path, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    SafetensorsWriter writer(path);
    for (const auto& [k, v] : metadata)
        writer.setMetadata(k, v);
    for (const auto& [name, t] : tensors)
        writer.add(name, t);
    writer.write();
}

} // namespace teft
