#include "core/io/SafetensorsWriter.h"

#include "core/io/SafetensorsDtype.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace teft {

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
    std::vector<std::size_t> order(m_tensors.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto sa = m_tensors[a].second.element_size(), sb = m_tensors[b].second.element_size();
        return sa != sb ? sa > sb : m_tensors[a].first < m_tensors[b].first;
    });

    nlohmann::json header = nlohmann::json::object();
    header["__metadata__"] = m_metadata;
    std::uint64_t offset = 0;
    for (std::size_t i : order) {
        const auto& [name, t] = m_tensors[i];
        const std::uint64_t size = static_cast<std::uint64_t>(t.numel()) * t.element_size();
        header[name] = {{"dtype", safetensorsDtypeName(t.scalar_type())},
                        {"shape", t.sizes().vec()},
                        {"data_offsets", {offset, offset + size}}};
        offset += size;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {
        throw Error("Cannot write " + m_path.string() + ": a tensor name is not valid UTF-8 (" + e.what() + ")");
    }
    text.append((8 - text.size() % 8) % 8, ' ');

    AtomicFile file(m_path);
    unsigned char length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<unsigned char>((static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xff);
    file.write(length, 8);
    file.write(text);
    std::uint64_t written = 0;
    for (std::size_t i : order) {
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
