#include "core/net/ObjectStore.h"

#include "core/net/FileStore.h"
#include "core/net/S3Store.h"
#include "core/net/StoreCommon.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

namespace teft::net {
namespace fs = std::filesystem;

const char* storeFailureName(StoreFailure failure)
{
    switch (failure) {
    case StoreFailure::AlreadyExists: return "already-exists";
    case StoreFailure::NotFound: return "not-found";
    case StoreFailure::HashMismatch: return "hash-mismatch";
    case StoreFailure::TimedOut: return "timed-out";
    case StoreFailure::Connection: return "connection";
    case StoreFailure::Server: return "server";
    case StoreFailure::Refused: return "refused";
    case StoreFailure::Credentials: return "credentials";
    case StoreFailure::BadAddress: return "bad-address";
    case StoreFailure::Local: return "local";
    }
    return "refused";
}

namespace {
ErrorKind kindOf(StoreFailure failure)
{
    switch (failure) {
    case StoreFailure::Credentials:
    case StoreFailure::BadAddress: return ErrorKind::BadInput;
    case StoreFailure::Local: return ErrorKind::Storage;
    default: return ErrorKind::Network;
    }
}
} // namespace

ObjectStoreError::ObjectStoreError(StoreFailure failure, const std::string& message, int httpStatus, std::string code)
    : Error(message, kindOf(failure)), m_failure(failure), m_httpStatus(httpStatus), m_code(std::move(code))
{
}

void validateKey(const std::string& key)
{
    auto bad = [&](const std::string& why) {
        throw ObjectStoreError(StoreFailure::BadAddress, "Invalid object key '" + key + "': " + why);
    };
    if (key.empty())
        bad("it is empty");
    if (key.size() > 1024)
        bad("longer than 1024 bytes");
    // UTF-8 well-formedness (S3 keys are UTF-8) and no control characters.
    for (std::size_t i = 0; i < key.size();) {
        const unsigned char c = static_cast<unsigned char>(key[i]);
        if (c < 0x20 || c == 0x7f)
            bad("it contains a control character");
        int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (extra < 0 || i + std::size_t(extra) >= key.size())
            bad("it is not valid UTF-8");
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(key[i + std::size_t(k)]) >> 6) != 2)
                bad("it is not valid UTF-8");
        i += std::size_t(extra) + 1;
    }
    if (key.front() == '/')
        bad("it starts with '/'");
    std::size_t start = 0;
    while (start <= key.size()) {
        const std::size_t slash = std::min(key.find('/', start), key.size());
        const std::string segment = key.substr(start, slash - start);
        if (segment.empty() && slash < key.size())
            bad("it contains an empty segment ('//')");
        if (segment == "." || segment == "..")
            bad("it contains a '" + segment + "' segment");
        start = slash + 1;
    }
    if (key.back() == '/')
        bad("it ends with '/'");
}

std::string lowerHex(std::string s)
{
    for (char& c : s)
        if (c >= 'A' && c <= 'F')
            c = char(c - 'A' + 'a');
    return s;
}

void checkSha256(const std::string& key, const std::string& storeName, const std::string& expected,
                 const std::string& actual)
{
    if (!expected.empty() && lowerHex(expected) != actual)
        throw ObjectStoreError(StoreFailure::HashMismatch, "Object '" + key + "' from " + storeName +
                                                               " refused: its SHA-256 is " + actual + ", expected " +
                                                               lowerHex(expected) + "; the bytes were discarded");
}

std::pair<std::uint64_t, std::uint64_t> selectRange(const GetOptions& options, std::uint64_t size,
                                                    const std::string& key)
{
    if (!options.range)
        return {0, size};
    const std::uint64_t start = options.range->offset;
    const std::uint64_t end = options.range->length ? start + options.range->length : size;
    if (start > size || end > size || end < start)
        throw ObjectStoreError(StoreFailure::BadAddress, "Range [" + std::to_string(start) + ", " +
                                                             std::to_string(end) + ") of object '" + key +
                                                             "' lies outside its " + std::to_string(size) + " bytes");
    return {start, end};
}

void downloadVerified(const DownloadPlan& plan, const fs::path& file,
                      const std::function<void(int fd, std::uint64_t have)>& fetch)
{
    fs::path part = file;
    part += ".part";
    fs::path meta = file;
    meta += ".part.json";
    const nlohmann::json identity = {{"key", plan.key},
                                     {"store", plan.storeName},
                                     {"etag", plan.etag},
                                     {"start", plan.start},
                                     {"end", plan.end}};
    std::error_code ec;
    if (file.has_parent_path())
        fs::create_directories(file.parent_path(), ec);
    bool resume = false;
    if (plan.resume && fs::exists(part, ec) && fs::exists(meta, ec)) {
        try {
            resume = nlohmann::json::parse(readFile(meta, 1 << 16)) == identity &&
                     fs::file_size(part) <= plan.end - plan.start;
        } catch (const std::exception&) {
            resume = false;
        }
    }
    if (!resume)
        writeFileAtomically(meta, identity.dump());
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0644);
    if (fd < 0) {
        const int err = errno;
        throw ObjectStoreError(StoreFailure::Local, "Cannot write " + part.string() + ": " + std::strerror(err));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    auto have = [&] {
        struct stat st {};
        ::fstat(fd, &st);
        return std::uint64_t(st.st_size);
    };
    if (have() < plan.end - plan.start)
        fetch(fd, have());
    if (have() != plan.end - plan.start)
        throw ObjectStoreError(StoreFailure::Connection, "Download of '" + plan.key + "' from " + plan.storeName +
                                                             " ended after " + std::to_string(have()) + " of " +
                                                             std::to_string(plan.end - plan.start) + " bytes");
    if (::fsync(fd) != 0) {
        const int err = errno;
        throw ObjectStoreError(StoreFailure::Local, "Cannot write " + part.string() + ": " + std::strerror(err));
    }
    const std::string actual = sha256File(part);
    if (!plan.expectedSha256.empty() && lowerHex(plan.expectedSha256) != actual) {
        fs::remove(part, ec);
        fs::remove(meta, ec);
        checkSha256(plan.key, plan.storeName, plan.expectedSha256, actual);
    }
    fs::rename(part, file, ec);
    if (ec)
        throw ObjectStoreError(StoreFailure::Local,
                               "Cannot rename " + part.string() + " to " + file.string() + ": " + ec.message());
    fs::remove(meta, ec);
    syncDirectory(file.has_parent_path() ? file.parent_path() : fs::path("."));
}

std::unique_ptr<ObjectStore> openObjectStore(const std::string& url, const ObjectStoreOptions& options)
{
    if (url.rfind("file://", 0) == 0) {
        const std::string path = url.substr(7);
        if (path.empty() || path[0] != '/')
            throw ObjectStoreError(StoreFailure::BadAddress,
                                   "Invalid store URL '" + url +
                                       "': a file store needs an absolute path (file:///path)");
        return std::make_unique<FileStore>(fs::path(path), options);
    }
    if (url.rfind("s3://", 0) == 0) {
        const std::string rest = url.substr(5);
        const auto slash = rest.find('/');
        const std::string bucket = rest.substr(0, slash);
        std::string prefix = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
        while (!prefix.empty() && prefix.back() == '/')
            prefix.pop_back();
        if (bucket.size() < 3 || bucket.size() > 63 ||
            bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos)
            throw ObjectStoreError(StoreFailure::BadAddress,
                                   "Invalid store URL '" + url + "': '" + bucket +
                                       "' is not a bucket name (3 to 63 lower-case letters, digits, '.' and '-')");
        if (!prefix.empty())
            validateKey(prefix);
        return std::make_unique<S3Store>(bucket, prefix, options);
    }
    throw ObjectStoreError(StoreFailure::BadAddress,
                           "Invalid store URL '" + url + "': expected s3://bucket/prefix or file:///path");
}

} // namespace teft::net
