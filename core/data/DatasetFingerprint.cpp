#include "core/data/DatasetFingerprint.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/stat.h>

namespace teft {
namespace fs = std::filesystem;

namespace {

constexpr int kMemoVersion = 1;
constexpr std::size_t kMemoMaxEntries = 20000;
constexpr std::int64_t kRacyNs = 1'000'000'000; // 1 s

struct FileStamp {
    std::uint64_t dev = 0, ino = 0;
    std::int64_t size = 0, mtimeNs = 0, ctimeNs = 0;

    nlohmann::json toJson() const
    {
        return {{"dev", dev}, {"ino", ino}, {"size", size}, {"mtime_ns", mtimeNs}, {"ctime_ns", ctimeNs}};
    }
    bool matches(const nlohmann::json& j) const
    {
        return j.value("dev", std::uint64_t(~0ULL)) == dev && j.value("ino", std::uint64_t(~0ULL)) == ino &&
               j.value("size", std::int64_t(-1)) == size && j.value("mtime_ns", std::int64_t(-1)) == mtimeNs &&
               j.value("ctime_ns", std::int64_t(-1)) == ctimeNs;
    }
};

bool stampOf(const fs::path& p, FileStamp& s)
{
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
        return false;
    s.dev = static_cast<std::uint64_t>(st.st_dev);
    s.ino = static_cast<std::uint64_t>(st.st_ino);
    s.size = static_cast<std::int64_t>(st.st_size);
    s.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    s.ctimeNs = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
    return true;
}

std::int64_t nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

nlohmann::json loadMemo(const fs::path& memoFile)
{
    if (memoFile.empty() || !fs::exists(memoFile))
        return nlohmann::json::object();
    try {
        auto j = nlohmann::json::parse(readFile(memoFile));
        if (j.value("version", 0) == kMemoVersion && j.contains("files") && j["files"].is_object())
            return j["files"];
    } catch (const std::exception& e) {
        spdlog::warn("ignoring the damaged file-hash memo {}: {}", memoFile.string(), e.what());
    }
    return nlohmann::json::object();
}

} // namespace

std::string fileContentHash(const fs::path& file, JobControl& control, std::int64_t& done, std::int64_t total)
{
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!in)
        throw Error("Cannot open " + file.string() + " to hash it: " + std::strerror(errno));
    Sha256 h;
    std::vector<char> buf(1 << 20);
    for (;;) {
        const std::size_t n = std::fread(buf.data(), 1, buf.size(), in.get());
        if (n == 0)
            break;
        h.update(buf.data(), n);
        done += static_cast<std::int64_t>(n);
        control.checkpoint();
        control.report(done, total, "hashing");
    }
    if (std::ferror(in.get()))
        throw Error("Cannot read " + file.string() + ": " + std::strerror(errno));
    return h.hex();
}

std::string datasetContentHash(const std::vector<DatasetFile>& files, JobControl& control, const fs::path& memoFile)
{
    std::int64_t total = 0;
    for (const auto& f : files)
        total += f.size;
    nlohmann::json memo = loadMemo(memoFile);
    bool memoChanged = false;
    Sha256 all;
    std::int64_t done = 0;
    for (const auto& f : files) {
        std::error_code ec;
        const std::string key = fs::absolute(f.path, ec).lexically_normal().string();
        FileStamp before;
        if (!stampOf(f.path, before))
            throw Error("Cannot read " + f.path.string() + ": " + std::strerror(errno));
        std::string digest;
        if (!memoFile.empty()) {
            auto it = memo.find(key);
            if (it != memo.end() && it->is_object() && before.matches(*it) && it->contains("sha256"))
                digest = (*it)["sha256"].get<std::string>();
        }
        if (digest.empty()) {
            const std::int64_t started = nowNs();
            std::int64_t bytes = done;
            digest = fileContentHash(f.path, control, done, total);
            FileStamp after;
            if (!stampOf(f.path, after) || !(after.toJson() == before.toJson()) || done - bytes != before.size)
                throw Error("Dataset file " + f.path.string() + " changed while it was being read");
            if (!memoFile.empty() && before.ctimeNs < started - kRacyNs && before.mtimeNs < started - kRacyNs) {
                nlohmann::json entry = before.toJson();
                entry["sha256"] = digest;
                memo[key] = entry;
                memoChanged = true;
            }
        } else {
            done += f.size;
            control.report(done, total, "hashing");
        }
        if (before.size != f.size)
            throw Error("Dataset file " + f.path.string() + " changed while it was being read");
        const std::string header = f.path.filename().string() + '\0' + toString(f.format) + '\0' +
                                   std::to_string(f.size) + '\0' + digest + '\0';
        all.update(header);
    }
    if (memoChanged) {
        if (memo.size() > kMemoMaxEntries)
            memo = nlohmann::json::object(); // crude bound; the next runs re-hash what they need
        try {
            writeFileAtomically(memoFile, nlohmann::json{{"version", kMemoVersion}, {"files", memo}}.dump());
        } catch (const std::exception& e) {
            spdlog::warn("cannot save the file-hash memo {}: {}", memoFile.string(), e.what());
        }
    }
    return all.hex();
}

} // namespace teft
