#include "core/io/CheckpointFiles.h"

#include "core/io/SafetensorsWriter.h"
#include "core/io/StrictJson.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <regex>
#include <set>

namespace teft {
namespace fs = std::filesystem;

namespace {
std::string inQuotes(const std::string& s) { return "\"" + s + "\""; }

bool isShardName(const std::string& name)
{
    static const std::regex pattern(R"(model-\d{5}-of-\d{5}\.safetensors)");
    return std::regex_match(name, pattern);
}
} // namespace

std::string shardFileName(int index, int count)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "model-%05d-of-%05d.safetensors", index, count);
    return buf;
}

void CheckpointFiles::addFile(std::shared_ptr<const SafetensorsFile> file)
{
    const std::size_t index = m_files.size();
    for (const auto& t : file->tensors()) {
        const auto [it, inserted] = m_location.emplace(t.name, index);
        if (!inserted)
            throw FormatError("Checkpoint " + m_dir.string() + ": tensor " + inQuotes(t.name) +
                              " is stored in two shards, " + m_files[it->second]->path().filename().string() + " and " +
                              file->path().filename().string());
        m_names.push_back(t.name);
        m_totalBytes += t.byteSize();
    }
    m_files.push_back(std::move(file));
}

CheckpointFiles CheckpointFiles::open(const fs::path& dir)
{
    CheckpointFiles ckpt;
    ckpt.m_dir = dir;
    if (fs::is_regular_file(dir / kSingleFile)) {
        ckpt.addFile(SafetensorsFile::open(dir / kSingleFile));
        return ckpt;
    }
    const fs::path indexPath = dir / kIndexFile;
    if (!fs::is_regular_file(indexPath))
        throw Error("No weights in " + dir.string() + ": neither " + kSingleFile + " nor " + kIndexFile + " is there");
    ckpt.m_sharded = true;
    const nlohmann::json index = readJsonFile(indexPath);
    const auto map = index.is_object() ? index.find("weight_map") : index.end();
    if (map == index.end() || !map->is_object())
        throw FormatError(indexPath.string() + " has no \"weight_map\" object");

    // Open each shard once, in the order of its name (model-00001 first).
    std::map<std::string, std::vector<std::string>> byShard;
    for (const auto& [tensor, shard] : map->items()) {
        if (!shard.is_string())
            throw FormatError(indexPath.string() + ": the weight_map entry for tensor " + inQuotes(tensor) +
                              " is not a file name");
        const std::string file = shard.get<std::string>();
        if (file.empty() || file.find('/') != std::string::npos || file.find('\\') != std::string::npos ||
            file == "." || file == "..")
            throw FormatError(indexPath.string() + ": tensor " + inQuotes(tensor) + " is mapped to " + inQuotes(file) +
                              ", which is not a file in the model folder");
        byShard[file].push_back(tensor);
    }
    for (const auto& [file, tensors] : byShard) {
        const fs::path shardPath = dir / file;
        if (!fs::is_regular_file(shardPath))
            throw FormatError(indexPath.string() + " maps tensor " + inQuotes(tensors.front()) + " to the shard " +
                              file + ", which does not exist");
        auto shard = SafetensorsFile::open(shardPath);
        for (const auto& t : tensors)
            if (!shard->contains(t))
                throw FormatError(indexPath.string() + " maps tensor " + inQuotes(t) + " to " + file +
                                  ", which does not contain it");
        if (shard->tensors().size() != tensors.size())
            spdlog::warn("{} holds {} tensors that {} does not list; they are loaded anyway", shardPath.string(),
                         shard->tensors().size() - tensors.size(), kIndexFile);
        ckpt.addFile(std::move(shard));
    }
    return ckpt;
}

const SafetensorsFile& CheckpointFiles::fileOf(const std::string& name) const
{
    const auto it = m_location.find(name);
    if (it == m_location.end())
        throw FormatError("Checkpoint " + m_dir.string() + " has no tensor " + inQuotes(name));
    return *m_files[it->second];
}

const TensorInfo& CheckpointFiles::info(const std::string& name) const { return fileOf(name).info(name); }

at::Tensor CheckpointFiles::tensor(const std::string& name) const { return fileOf(name).tensor(name); }

void writeCheckpoint(const fs::path& dir, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                     std::uint64_t maxShardBytes, JobControl* control)
{
    if (maxShardBytes == 0)
        throw Error("The maximum shard size must be positive");
    std::set<std::string> seen;
    std::vector<std::vector<std::size_t>> shards;
    std::uint64_t current = 0, total = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        if (!seen.insert(tensors[i].first).second)
            throw Error("Tensor " + inQuotes(tensors[i].first) + " is given twice for the checkpoint in " +
                        dir.string());
        const auto& t = tensors[i].second;
        const std::uint64_t size = static_cast<std::uint64_t>(t.numel()) * t.element_size();
        if (shards.empty() || (current > 0 && current + size > maxShardBytes)) {
            shards.emplace_back();
            current = 0;
        }
        shards.back().push_back(i);
        current += size;
        total += size;
    }
    if (shards.empty())
        shards.emplace_back();
    fs::create_directories(dir);

    std::uint64_t done = 0;
    std::vector<std::string> written;
    nlohmann::json weightMap = nlohmann::json::object();
    const int count = static_cast<int>(shards.size());
    for (int s = 0; s < count; ++s) {
        const std::string file = count == 1 ? CheckpointFiles::kSingleFile : shardFileName(s + 1, count);
        SafetensorsWriter writer(dir / file);
        for (std::size_t i : shards[s]) {
            writer.add(tensors[i].first, tensors[i].second);
            weightMap[tensors[i].first] = file;
        }
        const std::uint64_t shardBytes = writer.dataBytes();
        writer.write(control, done, total);
        done += shardBytes;
        written.push_back(file);
    }
    if (count > 1) {
        nlohmann::json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weightMap}};
        writeFileAtomically(dir / CheckpointFiles::kIndexFile, index.dump(2) + "\n");
    }

    // Remove weights of an earlier write in the other layout (or with another shard count).
    const std::set<std::string> keep(written.begin(), written.end());
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        const bool stale = (name == CheckpointFiles::kSingleFile || isShardName(name) ||
                            (count == 1 && name == CheckpointFiles::kIndexFile)) &&
                           !keep.count(name);
        if (stale)
            fs::remove(entry.path(), ec);
    }
}

} // namespace teft
