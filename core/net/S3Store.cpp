#include "core/net/S3Store.h"

#include "core/net/SigV4.h"
#include "core/net/StoreCommon.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace teft::net {
namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMaxParts = 10000;

// --- a little XML: S3's answers are flat enough for tag extraction --------------------------
std::string xmlDecode(const std::string& s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out.push_back(s[i]);
            continue;
        }
        const auto semi = s.find(';', i);
        if (semi == std::string::npos) {
            out.push_back(s[i]);
            continue;
        }
        const std::string entity = s.substr(i + 1, semi - i - 1);
        std::uint32_t cp = 0;
        bool known = true;
        if (entity == "amp")
            cp = '&';
        else if (entity == "lt")
            cp = '<';
        else if (entity == "gt")
            cp = '>';
        else if (entity == "quot")
            cp = '"';
        else if (entity == "apos")
            cp = '\'';
        else if (entity.size() > 1 && entity[0] == '#')
            cp = std::uint32_t(entity[1] == 'x' ? std::stoul(entity.substr(2), nullptr, 16)
                                                : std::stoul(entity.substr(1), nullptr, 10));
        else
            known = false;
        if (!known) {
            out.push_back(s[i]);
            continue;
        }
        if (cp < 0x80) {
            out.push_back(char(cp));
        } else if (cp < 0x800) {
            out.push_back(char(0xC0 | (cp >> 6)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(char(0xE0 | (cp >> 12)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(char(0xF0 | (cp >> 18)));
            out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(char(0x80 | (cp & 0x3F)));
        }
        i = semi;
    }
    return out;
}

std::string xmlEncode(const std::string& s)
{
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

// The raw inner text of every <tag>...</tag> (also <tag attr="...">), in order.
std::vector<std::string> xmlBlocks(const std::string& xml, const std::string& tag)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    const std::string close = "</" + tag + ">";
    while ((pos = xml.find("<" + tag, pos)) != std::string::npos) {
        const std::size_t after = pos + tag.size() + 1;
        if (after >= xml.size() || (xml[after] != '>' && xml[after] != ' ')) {
            pos = after;
            continue;
        }
        const auto open = xml.find('>', after);
        if (open == std::string::npos)
            break;
        if (xml[open - 1] == '/') { // <tag/>
            out.emplace_back();
            pos = open + 1;
            continue;
        }
        const auto end = xml.find(close, open);
        if (end == std::string::npos)
            break;
        out.push_back(xml.substr(open + 1, end - open - 1));
        pos = end + close.size();
    }
    return out;
}

std::string xmlValue(const std::string& xml, const std::string& tag)
{
    const auto blocks = xmlBlocks(xml, tag);
    return blocks.empty() ? std::string() : xmlDecode(blocks.front());
}

std::string unquote(std::string etag)
{
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
        etag = etag.substr(1, etag.size() - 2);
    return etag;
}

std::string header(const HttpResponse& r, const std::string& name)
{
    const auto it = r.headers.find(name);
    return it == r.headers.end() ? std::string() : it->second;
}

const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string shaOfRange(int fd, std::uint64_t offset, std::uint64_t length, const std::string& what)
{
    Sha256 h;
    std::vector<char> buffer(1 << 20);
    std::uint64_t done = 0;
    while (done < length) {
        const std::size_t want = std::size_t(std::min<std::uint64_t>(buffer.size(), length - done));
        const ssize_t got = ::pread(fd, buffer.data(), want, off_t(offset + done));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            throw ObjectStoreError(StoreFailure::Local,
                                   "Cannot read " + what + ": " + (got < 0 ? std::strerror(errno) : "it shrank"));
        h.update(buffer.data(), std::size_t(got));
        done += std::uint64_t(got);
    }
    return h.hex();
}

} // namespace

S3Store::S3Store(std::string bucket, std::string prefix, const ObjectStoreOptions& options)
    : m_bucket(std::move(bucket)), m_prefix(prefix.empty() ? prefix : prefix + "/"), m_options(options),
      m_settings(resolveAwsSettings(options))
{
    const std::string& e = m_settings.endpoint;
    const auto scheme = e.find("://");
    if (scheme == std::string::npos || (e.substr(0, scheme) != "http" && e.substr(0, scheme) != "https"))
        throw ObjectStoreError(StoreFailure::BadAddress,
                               "Invalid S3 endpoint '" + e + "': expected http://host[:port] or https://host[:port]");
    std::string hostPort = e.substr(scheme + 3);
    if (hostPort.empty() || hostPort.find('/') != std::string::npos)
        throw ObjectStoreError(StoreFailure::BadAddress,
                               "Invalid S3 endpoint '" + e + "': it must name a host without a path");
    // The Host header omits the scheme's default port, as curl does.
    const std::string defaultPort = e.substr(0, scheme) == "https" ? ":443" : ":80";
    if (hostPort.size() > defaultPort.size() &&
        hostPort.compare(hostPort.size() - defaultPort.size(), defaultPort.size(), defaultPort) == 0)
        hostPort.resize(hostPort.size() - defaultPort.size());
    m_host = hostPort;
}

std::string S3Store::describe() const
{
    return "s3://" + m_bucket + (m_prefix.empty() ? "" : "/" + m_prefix.substr(0, m_prefix.size() - 1)) + " at " +
           m_settings.endpoint;
}

TransferStats S3Store::stats() const
{
    TransferStats s;
    s.requests = m_requests.load();
    s.retries = m_retries.load();
    s.bytesSent = m_bytesSent.load();
    s.partsUploaded = m_partsUploaded.load();
    return s;
}

std::string S3Store::fullKey(const std::string& key) const
{
    validateKey(key);
    return m_prefix + key;
}

void S3Store::sleepBackoff(int attempt, JobControl* job)
{
    // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter").
    const double cap = std::min<double>(m_options.backoffMaxMs,
                                        double(m_options.backoffBaseMs) * double(1u << std::min(attempt, 20)));
    thread_local std::mt19937_64 rng{std::random_device{}()};
    const auto ms = std::int64_t(std::uniform_real_distribution<double>(0.0, std::max(cap, 0.0))(rng));
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        if (job)
            job->checkpoint();
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(50),
                                                          until - std::chrono::steady_clock::now()));
    }
}

HttpResponse S3Store::send(Call& call, JobControl* job)
{
    const std::string what = call.method + " " + (call.displayKey.empty() ? m_bucket : call.displayKey) + " (" +
                             describe() + ")";
    const int attempts = std::max(1, m_options.maxAttempts);
    HttpLimits limits;
    limits.connectTimeoutSeconds = m_options.connectTimeoutSeconds;
    limits.lowSpeedSeconds = m_options.lowSpeedSeconds;
    limits.lowSpeedBytesPerSecond = m_options.lowSpeedBytesPerSecond;
    std::string lastError;
    StoreFailure lastFailure = StoreFailure::Connection;
    int lastStatus = 0;
    std::string lastCode;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        if (job)
            job->checkpoint();
        if (call.beforeAttempt)
            call.beforeAttempt(call);
        SignedRequest s;
        s.method = call.method;
        s.canonicalUri = "/" + uriEncode(m_bucket, false) +
                         (call.objectKey.empty() ? "" : "/" + uriEncode(call.objectKey, true));
        s.query = call.query;
        s.headers = call.headers;
        s.headers.emplace_back("host", m_host);
        s.payloadSha256 = !call.payloadSha256.empty() ? call.payloadSha256
                          : call.bodyBytes.empty()    ? kEmptySha256
                                                      : sha256Hex(call.bodyBytes);
        signV4(s, m_settings.credentials, m_settings.region, "s3", std::time(nullptr));

        HttpRequest request;
        request.method = call.method;
        const std::string query = canonicalQuery(call.query);
        request.url = m_settings.endpoint + s.canonicalUri + (query.empty() ? "" : "?" + query);
        request.headers = s.headers;
        request.bodyBytes = call.bodyBytes;
        request.bodyFd = call.bodyFd;
        request.bodyOffset = call.bodyOffset;
        request.bodyLength = call.bodyLength;
        request.sinkFd = call.sinkFd;
        HttpProgress progress = [&](std::uint64_t done, std::uint64_t total) {
            if (job && job->cancelRequested())
                return false;
            return call.progress ? call.progress(done, total) : true;
        };
        ++m_requests;
        HttpOutcome outcome = httpPerform(request, limits, progress);
        switch (outcome.result) {
        case HttpOutcome::Result::Cancelled: throw Cancelled();
        case HttpOutcome::Result::LocalWrite: throw ObjectStoreError(StoreFailure::Local, what + ": " + outcome.error);
        case HttpOutcome::Result::TimedOut:
            lastFailure = StoreFailure::TimedOut;
            lastError = "timed out talking to " + m_settings.endpoint + " (" + outcome.error + "; connect time-out " +
                        std::to_string(m_options.connectTimeoutSeconds) + " s, no data for " +
                        std::to_string(m_options.lowSpeedSeconds) + " s)";
            break;
        case HttpOutcome::Result::Connection:
            lastFailure = StoreFailure::Connection;
            lastError = "connection to " + m_settings.endpoint + " failed: " + outcome.error;
            break;
        case HttpOutcome::Result::Ok: {
            const long status = outcome.response.status;
            if (status >= 200 && status < 300) {
                if (call.bodyFd >= 0)
                    m_bytesSent += call.bodyLength;
                else
                    m_bytesSent += call.bodyBytes.size();
                return std::move(outcome.response);
            }
            if (std::find(call.accept.begin(), call.accept.end(), status) != call.accept.end())
                return std::move(outcome.response);
            const std::string code = xmlValue(outcome.response.body, "Code");
            const std::string message = xmlValue(outcome.response.body, "Message");
            std::string detail = "HTTP " + std::to_string(status);
            if (!code.empty())
                detail += " " + code;
            if (!message.empty())
                detail += ": " + message;
            if (status >= 500 || status == 429) {
                lastFailure = StoreFailure::Server;
                lastError = "the server answered " + detail;
                lastStatus = int(status);
                lastCode = code;
                break;
            }
            StoreFailure failure = StoreFailure::Refused;
            if (status == 412) // If-None-Match on a write; If-Match on a read: the object changed meanwhile
                failure = call.method == "GET" ? StoreFailure::Refused : StoreFailure::AlreadyExists;
            else if (status == 404)
                failure = StoreFailure::NotFound;
            std::string advice;
            if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || code == "AccessDenied" ||
                code == "ExpiredToken" || code == "InvalidToken")
                advice = " (credentials from " + m_settings.credentials.source + ", access key " +
                         m_settings.credentials.accessKeyId + ", region " + m_settings.region + ")";
            throw ObjectStoreError(failure, what + " refused: " + detail + advice, int(status), code);
        }
        }
        if (attempt < attempts) {
            ++m_retries;
            sleepBackoff(attempt - 1, job);
        }
    }
    throw ObjectStoreError(lastFailure,
                           what + ": " + lastError + " (gave up after " + std::to_string(attempts) + " attempts)",
                           lastStatus, lastCode);
}

std::optional<ObjectInfo> S3Store::head(const std::string& key, JobControl* job)
{
    Call call;
    call.method = "HEAD";
    call.objectKey = fullKey(key);
    call.displayKey = key;
    call.accept = {404};
    const HttpResponse r = send(call, job);
    if (r.status == 404)
        return std::nullopt;
    ObjectInfo info;
    info.key = key;
    try {
        info.size = std::stoull(header(r, "content-length"));
    } catch (const std::exception&) {
        throw ObjectStoreError(StoreFailure::Server, "HEAD " + key + " (" + describe() + "): no Content-Length");
    }
    info.etag = unquote(header(r, "etag"));
    info.lastModified = header(r, "last-modified");
    info.sha256 = header(r, "x-amz-meta-sha256");
    return info;
}

std::vector<ObjectInfo> S3Store::list(const std::string& prefix, JobControl* job)
{
    std::vector<ObjectInfo> out;
    std::string token;
    for (;;) {
        Call call;
        call.method = "GET";
        call.displayKey = prefix + "*";
        call.query = {{"list-type", "2"},
                      {"prefix", m_prefix + prefix},
                      {"max-keys", std::to_string(std::max(1, m_options.listPageSize))}};
        if (!token.empty())
            call.query.emplace_back("continuation-token", token);
        const HttpResponse r = send(call, job);
        for (const std::string& block : xmlBlocks(r.body, "Contents")) {
            ObjectInfo info;
            const std::string key = xmlValue(block, "Key");
            if (key.compare(0, m_prefix.size(), m_prefix) != 0)
                continue;
            info.key = key.substr(m_prefix.size());
            const std::string size = xmlValue(block, "Size");
            info.size = size.empty() ? 0 : std::stoull(size);
            info.etag = unquote(xmlValue(block, "ETag"));
            info.lastModified = xmlValue(block, "LastModified");
            out.push_back(std::move(info));
        }
        if (job)
            job->report(std::int64_t(out.size()), 0, "listing", prefix);
        if (xmlValue(r.body, "IsTruncated") != "true")
            break;
        token = xmlValue(r.body, "NextContinuationToken");
        if (token.empty())
            throw ObjectStoreError(StoreFailure::Server, "List of '" + prefix + "' in " + describe() +
                                                             ": the page is truncated but has no continuation token");
    }
    std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
}

std::string S3Store::putBytes(const std::string& key, std::string_view bytes, const PutOptions& options,
                              JobControl* job)
{
    const std::string sha = sha256Hex(bytes);
    if (!options.contentSha256.empty() && lowerHex(options.contentSha256) != sha)
        throw ObjectStoreError(StoreFailure::BadAddress, "Upload of '" + key + "' refused: its SHA-256 is " + sha +
                                                             ", not the given " + options.contentSha256);
    Call call;
    call.method = "PUT";
    call.objectKey = fullKey(key);
    call.displayKey = key;
    call.bodyBytes = bytes;
    call.payloadSha256 = sha;
    call.headers.emplace_back("x-amz-meta-sha256", sha);
    if (options.ifNoneMatch)
        call.headers.emplace_back("If-None-Match", "*");
    call.progress = [&](std::uint64_t done, std::uint64_t total) {
        if (job)
            job->report(std::int64_t(done), std::int64_t(total), "uploading", key);
        return true;
    };
    try {
        return unquote(header(send(call, job), "etag"));
    } catch (const ObjectStoreError& e) {
        if (e.failure() == StoreFailure::AlreadyExists)
            throw ObjectStoreError(StoreFailure::AlreadyExists,
                                   "Object '" + key + "' already exists in " + describe() + ": not overwritten", 412,
                                   e.code());
        throw;
    }
}

std::string S3Store::putFile(const std::string& key, const fs::path& file, const PutOptions& options, JobControl* job)
{
    fullKey(key);
    const OpenedFile in = openRegularFile(file);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{in.fd};
    if (job)
        job->report(0, std::int64_t(in.size), "hashing", file.string());
    const std::string sha = shaOfRange(in.fd, 0, in.size, file.string());
    if (!options.contentSha256.empty() && lowerHex(options.contentSha256) != sha)
        throw ObjectStoreError(StoreFailure::BadAddress, "Upload of " + file.string() + " refused: its SHA-256 is " +
                                                             sha + ", not the given " + options.contentSha256);
    if (in.size > m_options.multipartThreshold)
        return multipartPut(key, file, in.fd, in.size, sha, options, job);
    Call call;
    call.method = "PUT";
    call.objectKey = fullKey(key);
    call.displayKey = key;
    call.bodyFd = in.fd;
    call.bodyLength = in.size;
    call.payloadSha256 = sha;
    call.headers.emplace_back("x-amz-meta-sha256", sha);
    if (options.ifNoneMatch)
        call.headers.emplace_back("If-None-Match", "*");
    call.progress = [&](std::uint64_t done, std::uint64_t total) {
        if (job)
            job->report(std::int64_t(done), std::int64_t(total), "uploading", key);
        return true;
    };
    try {
        return unquote(header(send(call, job), "etag"));
    } catch (const ObjectStoreError& e) {
        if (e.failure() == StoreFailure::AlreadyExists)
            throw ObjectStoreError(StoreFailure::AlreadyExists,
                                   "Object '" + key + "' already exists in " + describe() + ": not overwritten", 412,
                                   e.code());
        throw;
    }
}

std::string S3Store::multipartPut(const std::string& key, const fs::path& file, int fd, std::uint64_t size,
                                  const std::string& sha, const PutOptions& options, JobControl* job)
{
    const std::string objectKey = fullKey(key);
    if (options.ifNoneMatch && head(key, job))
        throw ObjectStoreError(StoreFailure::AlreadyExists,
                               "Object '" + key + "' already exists in " + describe() + ": not overwritten", 412);
    std::uint64_t partSize = std::max<std::uint64_t>(m_options.partSize, 1);
    partSize = std::max(partSize, (size + kMaxParts - 1) / kMaxParts);
    const std::uint64_t partCount = (size + partSize - 1) / partSize;
    auto partLength = [&](std::uint64_t n) { return std::min(partSize, size - (n - 1) * partSize); };

    fs::path statePath = options.resumeStatePath;
    if (statePath.empty()) {
        statePath = file;
        statePath += ".teft-upload.json";
    }
    nlohmann::json state = {{"version", 1},
                            {"endpoint", m_settings.endpoint},
                            {"bucket", m_bucket},
                            {"key", objectKey},
                            {"size", size},
                            {"sha256", sha},
                            {"partSize", partSize},
                            {"uploadId", ""},
                            {"parts", nlohmann::json::object()}};
    std::map<std::uint64_t, std::string> done; // part number -> ETag
    std::error_code ec;
    if (fs::exists(statePath, ec)) {
        try {
            const nlohmann::json old = nlohmann::json::parse(readFile(statePath, 1 << 24));
            bool same = true;
            for (const char* field : {"endpoint", "bucket", "key", "size", "sha256", "partSize"})
                same = same && old.value(field, nlohmann::json()) == state[field];
            if (same && old.value("uploadId", std::string()) != "")
                state["uploadId"] = old["uploadId"];
        } catch (const std::exception&) {
            // An unreadable state file: start over.
        }
    }
    std::string uploadId = state["uploadId"];
    if (!uploadId.empty()) {
        // The server's list of parts is the truth (the state file may lag behind a crash).
        std::string marker;
        for (;;) {
            Call call;
            call.method = "GET";
            call.objectKey = objectKey;
            call.displayKey = key;
            call.query = {{"uploadId", uploadId}};
            if (!marker.empty())
                call.query.emplace_back("part-number-marker", marker);
            call.accept = {404};
            const HttpResponse r = send(call, job);
            if (r.status == 404) { // NoSuchUpload: expired or aborted
                uploadId.clear();
                done.clear();
                break;
            }
            for (const std::string& block : xmlBlocks(r.body, "Part")) {
                const std::uint64_t n = std::stoull(xmlValue(block, "PartNumber"));
                const std::uint64_t length = std::stoull(xmlValue(block, "Size"));
                if (n >= 1 && n <= partCount && length == partLength(n))
                    done[n] = unquote(xmlValue(block, "ETag"));
            }
            if (xmlValue(r.body, "IsTruncated") != "true")
                break;
            marker = xmlValue(r.body, "NextPartNumberMarker");
            if (marker.empty())
                break;
        }
    }
    if (uploadId.empty()) {
        Call call;
        call.method = "POST";
        call.objectKey = objectKey;
        call.displayKey = key;
        call.query = {{"uploads", ""}};
        call.headers.emplace_back("x-amz-meta-sha256", sha);
        const HttpResponse r = send(call, job);
        uploadId = xmlValue(r.body, "UploadId");
        if (uploadId.empty())
            throw ObjectStoreError(StoreFailure::Server, "Starting the upload of '" + key + "' to " + describe() +
                                                             ": no UploadId in the answer");
        state["uploadId"] = uploadId;
    }
    std::mutex mutex;
    auto saveState = [&] {
        nlohmann::json parts = nlohmann::json::object();
        for (const auto& [n, etag] : done)
            parts[std::to_string(n)] = etag;
        state["parts"] = parts;
        writeFileAtomically(statePath, state.dump(1));
    };
    saveState();

    std::vector<std::uint64_t> missing;
    std::uint64_t doneBytes = 0;
    for (std::uint64_t n = 1; n <= partCount; ++n) {
        if (done.count(n))
            doneBytes += partLength(n);
        else
            missing.push_back(n);
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr firstError;
    const int threads = int(
        std::min<std::size_t>(std::max(1, m_options.parallelParts), std::max<std::size_t>(missing.size(), 1)));
    std::vector<std::uint64_t> inFlight(std::size_t(threads), 0);
    auto report = [&] {
        if (!job)
            return;
        std::uint64_t total = doneBytes;
        for (std::uint64_t b : inFlight)
            total += b;
        job->report(std::int64_t(total), std::int64_t(size), "uploading", key);
    };
    auto worker = [&](int index) {
        try {
            for (;;) {
                if (failed.load())
                    return;
                const std::size_t i = next++;
                if (i >= missing.size())
                    return;
                const std::uint64_t n = missing[i];
                const std::uint64_t offset = (n - 1) * partSize;
                const std::uint64_t length = partLength(n);
                Call call;
                call.method = "PUT";
                call.objectKey = objectKey;
                call.displayKey = key + " part " + std::to_string(n) + "/" + std::to_string(partCount);
                call.query = {{"partNumber", std::to_string(n)}, {"uploadId", uploadId}};
                call.bodyFd = fd;
                call.bodyOffset = offset;
                call.bodyLength = length;
                call.payloadSha256 = shaOfRange(fd, offset, length, file.string());
                call.progress = [&](std::uint64_t sent, std::uint64_t) {
                    std::lock_guard<std::mutex> lock(mutex);
                    inFlight[std::size_t(index)] = sent;
                    report();
                    return !failed.load();
                };
                const HttpResponse r = send(call, job);
                ++m_partsUploaded;
                std::lock_guard<std::mutex> lock(mutex);
                inFlight[std::size_t(index)] = 0;
                done[n] = unquote(header(r, "etag"));
                doneBytes += length;
                saveState();
                report();
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!firstError)
                firstError = std::current_exception();
            failed = true;
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker, t);
    worker(0);
    for (auto& t : pool)
        t.join();
    if (firstError)
        std::rethrow_exception(firstError); // the state file stays: the next put resumes

    std::string body = "<CompleteMultipartUpload>";
    for (const auto& [n, etag] : done)
        body += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>\"" + xmlEncode(etag) +
                "\"</ETag></Part>";
    body += "</CompleteMultipartUpload>";
    Call call;
    call.method = "POST";
    call.objectKey = objectKey;
    call.displayKey = key;
    call.query = {{"uploadId", uploadId}};
    call.bodyBytes = body;
    call.headers.emplace_back("Content-Type", "application/xml");
    if (options.ifNoneMatch)
        call.headers.emplace_back("If-None-Match", "*");
    HttpResponse r;
    try {
        r = send(call, job);
    } catch (const ObjectStoreError& e) {
        if (e.failure() != StoreFailure::AlreadyExists)
            throw;
        // Someone else created the key meanwhile: give the parts back and keep theirs.
        Call abort;
        abort.method = "DELETE";
        abort.objectKey = objectKey;
        abort.displayKey = key;
        abort.query = {{"uploadId", uploadId}};
        abort.accept = {404};
        try {
            send(abort, job);
        } catch (const std::exception&) {
        }
        fs::remove(statePath, ec);
        throw ObjectStoreError(StoreFailure::AlreadyExists,
                               "Object '" + key + "' already exists in " + describe() + ": not overwritten", 412,
                               e.code());
    }
    // S3 may answer 200 and still fail the completion (the error is in the body).
    if (!xmlBlocks(r.body, "Error").empty())
        throw ObjectStoreError(StoreFailure::Server, "Completing the upload of '" + key + "' to " + describe() +
                                                         " failed: " + xmlValue(r.body, "Code") + ": " +
                                                         xmlValue(r.body, "Message"));
    fs::remove(statePath, ec);
    std::string etag = unquote(xmlValue(r.body, "ETag"));
    return etag.empty() ? unquote(header(r, "etag")) : etag;
}

void S3Store::getFile(const std::string& key, const fs::path& file, const GetOptions& options, JobControl* job)
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
    plan.expectedSha256 = !options.expectedSha256.empty() ? options.expectedSha256
                          : options.range                 ? std::string()
                                                          : info->sha256;
    plan.resume = options.resume;
    downloadVerified(plan, file, [&](int fd, std::uint64_t) {
        Call call;
        call.method = "GET";
        call.objectKey = fullKey(key);
        call.displayKey = key;
        call.sinkFd = fd;
        std::uint64_t from = 0;
        // Every attempt continues where the bytes on disk end, for the same object version only.
        call.beforeAttempt = [&](Call& c) {
            struct stat st {};
            ::fstat(fd, &st);
            from = start + std::uint64_t(st.st_size);
            c.headers = {{"Range", "bytes=" + std::to_string(from) + "-" + std::to_string(end - 1)},
                         {"If-Match", "\"" + info->etag + "\""}};
        };
        call.progress = [&](std::uint64_t got, std::uint64_t) {
            if (job)
                job->report(std::int64_t(from - start + got), std::int64_t(end - start), "downloading", key);
            return true;
        };
        const HttpResponse r = send(call, job);
        if (r.status == 200 && from > 0)
            throw ObjectStoreError(StoreFailure::Server,
                                   "GET " + key + " (" + describe() + "): the server ignored the byte range");
    });
}

std::string S3Store::getBytes(const std::string& key, const GetOptions& options, JobControl* job)
{
    Call call;
    call.method = "GET";
    call.objectKey = fullKey(key);
    call.displayKey = key;
    std::uint64_t rangeEnd = 0;
    if (options.range) {
        rangeEnd = options.range->length ? options.range->offset + options.range->length : 0;
        call.headers.emplace_back("Range", "bytes=" + std::to_string(options.range->offset) + "-" +
                                               (rangeEnd ? std::to_string(rangeEnd - 1) : std::string()));
    }
    call.progress = [&](std::uint64_t got, std::uint64_t total) {
        if (job)
            job->report(std::int64_t(got), std::int64_t(total), "downloading", key);
        return true;
    };
    call.accept = {416};
    HttpResponse r = send(call, job);
    if (r.status == 416)
        throw ObjectStoreError(StoreFailure::BadAddress,
                               "Range starting at " + std::to_string(options.range ? options.range->offset : 0) +
                                   " of object '" + key + "' lies outside it",
                               416);
    const std::string expected = !options.expectedSha256.empty() ? options.expectedSha256
                                 : options.range                 ? std::string()
                                                                 : header(r, "x-amz-meta-sha256");
    checkSha256(key, describe(), expected, sha256Hex(r.body));
    return std::move(r.body);
}

} // namespace teft::net
