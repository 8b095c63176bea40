#include "core/net/FileStore.h"

#include "core/net/StoreCommon.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace teft::net {
namespace fs = std::filesystem;

namespace {

constexpr const char* kTempPrefix = ".teft-tmp-";
std::atomic<unsigned> g_counter{0};

[[noreturn]] void throwLocal(const std::string& what, int err)
{
    throw ObjectStoreError(StoreFailure::Local, what + ": " + std::strerror(err));
}

// Copies [offset, offset + length) of `in` to `out`, reporting progress and honouring cancel.
void copyRange(int in, std::uint64_t offset, std::uint64_t length, int out, const std::string& what,
               const std::string& stage, JobControl* job, std::atomic<std::uint64_t>* counter)
{
    std::vector<char> buffer(1 << 20);
    std::uint64_t done = 0;
    while (done < length) {
        if (job)
            job->checkpoint();
        const std::size_t want = std::size_t(std::min<std::uint64_t>(buffer.size(), length - done));
        const ssize_t got = ::pread(in, buffer.data(), want, off_t(offset + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            throwLocal("Cannot read " + what, errno);
        if (got == 0)
            throw ObjectStoreError(StoreFailure::Local, "Cannot read " + what + ": it shrank while being copied");
        std::size_t written = 0;
        while (written < std::size_t(got)) {
            const ssize_t w = ::write(out, buffer.data() + written, std::size_t(got) - written);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                throwLocal("Cannot write while copying " + what, errno);
            written += std::size_t(w);
        }
        done += std::uint64_t(got);
        if (counter)
            *counter += std::uint64_t(got);
        if (job)
            job->report(std::int64_t(done), std::int64_t(length), stage, what);
    }
}

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

} // namespace

FileStore::FileStore(fs::path root, const ObjectStoreOptions&) : m_root(std::move(root))
{
    std::error_code ec;
    if (!fs::is_directory(m_root, ec))
        throw ObjectStoreError(StoreFailure::NotFound,
                               "The store folder " + m_root.string() + " does not exist (or is not a folder)");
}

std::string FileStore::describe() const { return "file://" + m_root.string(); }

fs::path FileStore::pathOf(const std::string& key) const
{
    validateKey(key);
    return m_root / fs::u8path(key);
}

TransferStats FileStore::stats() const
{
    TransferStats s;
    s.bytesSent = m_bytesSent.load();
    return s;
}

namespace {
std::string etagOf(const struct stat& st)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%llx-%llx-%llx", (unsigned long long)st.st_size,
                  (unsigned long long)st.st_mtim.tv_sec * 1000000000ull + (unsigned long long)st.st_mtim.tv_nsec,
                  (unsigned long long)st.st_ino);
    return buf;
}
} // namespace

std::string FileStore::publish(const std::string& key, const PutOptions& options,
                               const std::function<void(int fd)>& write)
{
    const fs::path target = pathOf(key);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
        throw ObjectStoreError(StoreFailure::Local,
                               "Cannot create " + target.parent_path().string() + ": " + ec.message());
    if (options.ifNoneMatch && fs::exists(target, ec))
        throw ObjectStoreError(StoreFailure::AlreadyExists,
                               "Object '" + key + "' already exists in " + describe() + ": not overwritten", 412);
    const fs::path temp = target.parent_path() /
                          (std::string(kTempPrefix) + std::to_string(::getpid()) + "-" + std::to_string(g_counter++));
    Fd out;
    out.fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out.fd < 0)
        throwLocal("Cannot create " + temp.string(), errno);
    struct Remover {
        fs::path path;
        ~Remover()
        {
            std::error_code e;
            fs::remove(path, e);
        }
    } remover{temp};
    write(out.fd);
    if (::fsync(out.fd) != 0)
        throwLocal("Cannot write " + temp.string(), errno);
    if (!options.contentSha256.empty()) {
        const std::string actual = sha256File(temp);
        if (actual != lowerHex(options.contentSha256))
            throw ObjectStoreError(StoreFailure::BadAddress, "Upload of '" + key + "' refused: its SHA-256 is " +
                                                                 actual + ", not the given " + options.contentSha256);
    }
    if (options.ifNoneMatch) {
        // link() fails with EEXIST when the name is taken, atomically, also on NFS: never overwrites.
        if (::link(temp.c_str(), target.c_str()) != 0) {
            const int err = errno;
            if (err == EEXIST)
                throw ObjectStoreError(StoreFailure::AlreadyExists,
                                       "Object '" + key + "' already exists in " + describe() + ": not overwritten",
                                       412);
            throwLocal("Cannot create " + target.string(), err);
        }
    } else if (::rename(temp.c_str(), target.c_str()) != 0) {
        throwLocal("Cannot rename " + temp.string() + " to " + target.string(), errno);
    }
    syncDirectory(target.parent_path());
    struct stat st {};
    ::stat(target.c_str(), &st);
    return etagOf(st);
}

std::string FileStore::putFile(const std::string& key, const fs::path& file, const PutOptions& options, JobControl* job)
{
    const OpenedFile in = openRegularFile(file);
    Fd closer;
    closer.fd = in.fd;
    return publish(key, options,
                   [&](int fd) { copyRange(in.fd, 0, in.size, fd, file.string(), "uploading", job, &m_bytesSent); });
}

std::string FileStore::putBytes(const std::string& key, std::string_view bytes, const PutOptions& options,
                                JobControl* job)
{
    return publish(key, options, [&](int fd) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                throwLocal("Cannot write object '" + key + "'", errno);
            done += std::size_t(w);
        }
        m_bytesSent += bytes.size();
        if (job)
            job->report(std::int64_t(bytes.size()), std::int64_t(bytes.size()), "uploading", key);
    });
}

std::optional<ObjectInfo> FileStore::head(const std::string& key, JobControl*)
{
    const fs::path path = pathOf(key);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return std::nullopt;
    ObjectInfo info;
    info.key = key;
    info.size = std::uint64_t(st.st_size);
    info.etag = etagOf(st);
    char buf[64];
    std::tm tm{};
    gmtime_r(&st.st_mtim.tv_sec, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    info.lastModified = buf;
    return info;
}

void FileStore::getFile(const std::string& key, const fs::path& file, const GetOptions& options, JobControl* job)
{
    const auto info = head(key, job);
    if (!info)
        throw ObjectStoreError(StoreFailure::NotFound, "No object '" + key + "' in " + describe(), 404);
    const auto [start, end] = selectRange(options, info->size, key);
    DownloadPlan plan;
    plan.key = key;
    plan.storeName = describe();
    plan.etag = info->etag;
    plan.start = start;
    plan.end = end;
    plan.expectedSha256 = options.expectedSha256;
    plan.resume = options.resume;
    downloadVerified(plan, file, [&](int fd, std::uint64_t have) {
        const OpenedFile in = openRegularFile(pathOf(key));
        Fd closer;
        closer.fd = in.fd;
        copyRange(in.fd, start + have, end - start - have, fd, key, "downloading", job, nullptr);
    });
}

std::string FileStore::getBytes(const std::string& key, const GetOptions& options, JobControl* job)
{
    const auto info = head(key, job);
    if (!info)
        throw ObjectStoreError(StoreFailure::NotFound, "No object '" + key + "' in " + describe(), 404);
    const auto [start, end] = selectRange(options, info->size, key);
    const OpenedFile in = openRegularFile(pathOf(key));
    Fd closer;
    closer.fd = in.fd;
    std::string out(end - start, '\0');
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t got = ::pread(in.fd, out.data() + done, out.size() - done, off_t(start + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            throwLocal("Cannot read object '" + key + "' in " + describe(), got < 0 ? errno : EIO);
        done += std::size_t(got);
    }
    if (job)
        job->report(std::int64_t(out.size()), std::int64_t(out.size()), "downloading", key);
    checkSha256(key, describe(), options.expectedSha256, sha256Hex(out));
    return out;
}

std::vector<ObjectInfo> FileStore::list(const std::string& prefix, JobControl* job)
{
    // Walk only the folder the prefix names (up to its last '/').
    const auto slash = prefix.rfind('/');
    fs::path dir = m_root;
    if (slash != std::string::npos) {
        const std::string folder = prefix.substr(0, slash);
        if (!folder.empty()) {
            validateKey(folder);
            dir /= fs::u8path(folder);
        }
    }
    std::vector<ObjectInfo> out;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return out;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (job)
            job->checkpoint();
        const std::string name = it->path().filename().string();
        if (name.rfind(kTempPrefix, 0) == 0 || !it->is_regular_file(ec))
            continue;
        const std::string key = fs::relative(it->path(), m_root, ec).generic_u8string();
        if (key.rfind(prefix, 0) != 0)
            continue;
        try {
            if (auto info = head(key, nullptr))
                out.push_back(*info);
        } catch (const ObjectStoreError&) {
            // A file whose name is no valid key (put there by hand) is not an object.
        }
    }
    if (ec)
        throw ObjectStoreError(StoreFailure::Local, "Cannot list " + dir.string() + ": " + ec.message());
    std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    if (job)
        job->report(std::int64_t(out.size()), std::int64_t(out.size()), "listing", prefix);
    return out;
}

} // namespace teft::net
