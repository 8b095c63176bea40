#include "core/io/CheckpointFiles.h"

#include "core/io/SafetensorsDtype.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/StrictJson.h"
#include "core/util/AtomicFile.h"
#include "core/util/StaleTemporaries.h"
#include "core/util/Error.h"
#include "core/util/ErrorKind.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <unistd.h>

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

namespace {

// The shards of a shard that an interrupted write with the same key completed.
std::set<std::string> completedShards(const fs::path& dir, const std::string& key)
{
    std::set<std::string> done;
    const fs::path record = dir / kCheckpointProgressFile;
    if (key.empty() || !fs::is_regular_file(record))
        return done;
    try {
        const auto j = nlohmann::json::parse(readFile(record));
        if (j.value("key", std::string()) != key)
            return done;
        for (const auto& f : j.at("done"))
            done.insert(f.get<std::string>());
    } catch (const std::exception& e) {
        spdlog::warn("ignoring the unreadable write record {}: {}", record.string(), e.what());
    }
    return done;
}

// True when `path` is a complete file starting with exactly `header` and holding `dataBytes`
// bytes after it.
bool hasHeader(const fs::path& path, const std::string& header, std::uint64_t dataBytes)
{
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec || size != header.size() + dataBytes)
        return false;
    std::ifstream in(path, std::ios::binary);
    std::string head(header.size(), '\0');
    return in.read(head.data(), static_cast<std::streamsize>(head.size())) && head == header;
}

} // namespace

CheckpointWriteReport writeCheckpointStreamed(const fs::path& dir, const std::vector<StreamedTensor>& tensors,
                                              std::uint64_t maxShardBytes, JobControl* control,
                                              const CheckpointWriteOptions& options)
{
    if (maxShardBytes == 0)
        throw Error("The maximum shard size must be positive");
    std::set<std::string> seen;
    std::vector<std::vector<std::size_t>> shards;
    std::uint64_t current = 0, total = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        if (!seen.insert(tensors[i].entry.name).second)
            throw Error("Tensor " + inQuotes(tensors[i].entry.name) + " is given twice for the checkpoint in " +
                        dir.string());
        const std::uint64_t size = tensors[i].entry.byteSize();
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
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        const std::string message = "Cannot create the folder " + dir.string() + ": " + ec.message();
        if (isStorageErrno(ec.value()))
            throw StorageError(message);
        throw Error(message);
    }

    const int count = static_cast<int>(shards.size());
    const std::set<std::string> resumable = completedShards(dir, options.resumeKey);
    // Files of a checkpoint folder that a killed writer left half-written ("<name>.tmp-<pid>-<n>"):
    // the weights, the index, the progress file of a resumable write, and the config and tokenizer
    // files a merge copies after them (the crash soak found the progress file's left behind).
    removeStaleTemporaries(dir, [](const std::string& target) {
        static const std::regex owned(
            R"(model\.safetensors|model-\d{5}-of-\d{5}\.safetensors|model\.safetensors\.index\.json|)"
            R"(\.teft-write-progress\.json|config\.json|generation_config\.json|tokenizer\.json|)"
            R"(tokenizer_config\.json|special_tokens_map\.json|vocab\.json|merges\.txt|tokenizer\.model)");
        return std::regex_match(target, owned);
    });
    if (resumable.empty()) {
        fs::remove(dir / kCheckpointProgressFile, ec);
        if (count > 1) {
            fs::remove(dir / CheckpointFiles::kIndexFile, ec);
            fs::remove(dir / CheckpointFiles::kSingleFile, ec);
        }
    }

    CheckpointWriteReport report;
    report.dataBytes = total;
    std::uint64_t done = 0;
    std::vector<std::string> completed;
    nlohmann::json weightMap = nlohmann::json::object();
    for (int s = 0; s < count; ++s) {
        const std::string file = count == 1 ? CheckpointFiles::kSingleFile : shardFileName(s + 1, count);
        std::vector<SafetensorsEntry> entries;
        for (std::size_t i : shards[static_cast<std::size_t>(s)]) {
            entries.push_back(tensors[i].entry);
            weightMap[tensors[i].entry.name] = file;
        }
        SafetensorsStreamWriter writer(dir / file, std::move(entries), {}, options.chunkBytes);
        const std::uint64_t shardBytes = writer.layout().dataBytes;
        if (resumable.count(file) && hasHeader(dir / file, writer.layout().header, shardBytes)) {
            done += shardBytes;
            report.keptBytes += shardBytes;
            if (control)
                control->report(static_cast<std::int64_t>(done), static_cast<std::int64_t>(total), "writing " + file,
                                "kept from the interrupted write");
        } else {
            const std::string stage = "writing " + file;
            const std::uint64_t base = done;
            writer.setProgress([&](std::uint64_t written) {
                if (!control)
                    return;
                control->report(static_cast<std::int64_t>(base + written), static_cast<std::int64_t>(total), stage);
                control->checkpoint();
            });
            if (control)
                control->checkpoint();
            writer.begin();
            const auto& shard = shards[static_cast<std::size_t>(s)];
            for (std::size_t k : writer.layout().order) {
                const StreamedTensor& t = tensors[shard[k]];
                const std::uint64_t before = writer.written();
                t.write(writer);
                if (writer.written() - before != t.entry.byteSize())
                    throw Error("Writing " + (dir / file).string() + ": tensor " + inQuotes(t.entry.name) +
                                " produced " + std::to_string(writer.written() - before) + " bytes instead of " +
                                std::to_string(t.entry.byteSize()));
            }
            writer.commit();
            report.largestBuffer = std::max(report.largestBuffer, writer.largestBuffer());
            done += shardBytes;
        }
        completed.push_back(file);
        report.files.push_back(file);
        if (!options.resumeKey.empty() && count > 1 && s + 1 < count)
            writeFileAtomically(dir / kCheckpointProgressFile,
                                nlohmann::json{{"key", options.resumeKey}, {"done", completed}}.dump() + "\n");
    }
    if (count > 1) {
        nlohmann::json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weightMap}};
        writeFileAtomically(dir / CheckpointFiles::kIndexFile, index.dump(2) + "\n");
    }

    // Remove weights of an earlier write in the other layout (or with another shard count).
    const std::set<std::string> keep(report.files.begin(), report.files.end());
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        const bool stale = (name == CheckpointFiles::kSingleFile || isShardName(name) ||
                            (count == 1 && name == CheckpointFiles::kIndexFile)) &&
                           !keep.count(name);
        if (stale)
            fs::remove(entry.path(), ec);
    }
    fs::remove(dir / kCheckpointProgressFile, ec);
    return report;
}

void writeCheckpoint(const fs::path& dir, const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                     std::uint64_t maxShardBytes, JobControl* control)
{
    std::vector<StreamedTensor> streamed;
    streamed.reserve(tensors.size());
    for (const auto& [name, t] : tensors) {
        const at::Tensor* tensor = &t;
        streamed.push_back({{name, safetensorsDtypeName(t.scalar_type()), t.sizes().vec()},
                            [tensor](SafetensorsStreamWriter& w) { w.writeTensor(*tensor); }});
    }
    writeCheckpointStreamed(dir, streamed, maxShardBytes, control);
}

} // namespace teft
