// `teft safetensors inspect`: what a safetensors file (or a model folder's weights) holds, after
// the same validation the engine applies when loading.
#include "app/cli/Cli.h"

#include "core/io/CheckpointFiles.h"
#include "core/io/SafetensorsFile.h"

#include <filesystem>
#include <sstream>

namespace teft::cli {
namespace {
namespace fs = std::filesystem;

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string humanBytes(std::uint64_t bytes)
{
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    std::ostringstream out;
    out.precision(u == 0 ? 0 : 1);
    out << std::fixed << v << " " << units[u];
    return out.str();
}

int runInspect(Invocation& inv)
{
    const fs::path path = inv.arg(0);
    std::vector<std::shared_ptr<const SafetensorsFile>> files;
    if (fs::is_directory(path))
        files = CheckpointFiles::open(path).files();
    else
        files.push_back(SafetensorsFile::open(path));

    nlohmann::json doc;
    doc["path"] = path.string();
    nlohmann::json fileDocs = nlohmann::json::array();
    std::ostringstream text;
    std::uint64_t totalBytes = 0, totalElements = 0, count = 0;
    for (const auto& f : files) {
        nlohmann::json tensors = nlohmann::json::array();
        text << f->path().string() << ": " << f->tensors().size() << " tensors, " << humanBytes(f->fileSize())
             << " (header " << f->headerSize() << " bytes)\n";
        for (const auto& [k, v] : f->metadata())
            text << "  metadata " << k << " = " << v << "\n";
        std::size_t width = 4, shapeWidth = 2;
        for (const auto& t : f->tensors()) {
            width = std::max(width, t.name.size());
            shapeWidth = std::max(shapeWidth, shapeText(t.shape).size());
        }
        for (const auto& t : f->tensors()) {
            tensors.push_back({{"name", t.name},
                               {"dtype", t.dtype},
                               {"shape", t.shape},
                               {"elements", t.numel()},
                               {"bytes", t.byteSize()},
                               {"data_offsets", {t.begin, t.end}}});
            text << "  " << t.name << std::string(width - t.name.size() + 2, ' ') << t.dtype
                 << std::string(t.dtype.size() < 8 ? 8 - t.dtype.size() : 1, ' ') << shapeText(t.shape)
                 << std::string(shapeWidth - shapeText(t.shape).size() + 2, ' ') << humanBytes(t.byteSize()) << "\n";
            totalBytes += t.byteSize();
            totalElements += static_cast<std::uint64_t>(t.numel());
            ++count;
        }
        fileDocs.push_back({{"path", f->path().string()},
                            {"file_size", f->fileSize()},
                            {"header_size", f->headerSize()},
                            {"metadata", f->metadata()},
                            {"tensors", tensors}});
    }
    doc["files"] = fileDocs;
    doc["tensor_count"] = count;
    doc["elements"] = totalElements;
    doc["data_bytes"] = totalBytes;
    text << count << " tensors, " << totalElements << " elements, " << humanBytes(totalBytes) << " of data\n";
    if (inv.json())
        inv.printJson(doc);
    else
        inv.printText(text.str());
    return 0;
}

} // namespace

TEFT_COMMAND({"safetensors inspect",
              "List the tensors of a safetensors file or a model folder",
              "Validates FILE as the engine does when loading (header, dtypes, offsets, no gaps or overlaps, "
              "no duplicate names) and lists each tensor's name, dtype, shape and size, and the metadata. "
              "FILE may also be a model folder (model.safetensors or model.safetensors.index.json with its "
              "shards). A malformed file is reported with the problem and exit code 1.",
              {"FILE"},
              {},
              runInspect});

} // namespace teft::cli
