#pragma once

// The TEFT network's transport: a flat store of named objects (keys like "rounds/3/commit/abc"),
// either an S3-compatible bucket ("s3://bucket/prefix", AWS S3, R2, MinIO, Ceph RGW, moto...) or
// a shared folder ("file:///mnt/share/teft") that behaves the same way. docs/protocol.md
// ("Transport") describes the semantics every store keeps: conditional creation that never
// overwrites, downloads verified against their SHA-256 before they appear under their final name,
// resumable transfers, retries with back-off.
//
// Every call takes an optional JobControl (core/util/Progress.h): progress is reported as bytes
// done / total with the stage "uploading", "downloading" or "listing", and a cancel request stops
// the transfer (teft::Cancelled) leaving what is needed to resume.

#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teft::net {

// Why a store call failed, for code (the message is for the user).
enum class StoreFailure {
    AlreadyExists, // a conditional create found the key taken (HTTP 412 to If-None-Match: *)
    NotFound,      // no such key, bucket or upload
    HashMismatch,  // downloaded bytes do not have the expected SHA-256
    TimedOut,      // no connection or no data within the configured time
    Connection,    // the connection could not be made or was dropped
    Server,        // the server kept answering 5xx / 429
    Refused,       // another 4xx: access denied, bad signature, bad request...
    Credentials,   // no usable credentials found
    BadAddress,    // a malformed store URL, endpoint or key
    Local,         // the local file could not be read or written
};

const char* storeFailureName(StoreFailure failure);

class ObjectStoreError : public Error {
public:
    ObjectStoreError(StoreFailure failure, const std::string& message, int httpStatus = 0, std::string code = {});
    StoreFailure failure() const noexcept { return m_failure; }
    int httpStatus() const noexcept { return m_httpStatus; }
    // The S3 error code (e.g. "SignatureDoesNotMatch"), when the server sent one.
    const std::string& code() const noexcept { return m_code; }

private:
    StoreFailure m_failure;
    int m_httpStatus;
    std::string m_code;
};

struct ObjectInfo {
    std::string key; // relative to the store's prefix
    std::uint64_t size = 0;
    std::string etag;         // without quotes
    std::string lastModified; // as the server writes it (S3: RFC 1123 for HEAD, ISO 8601 for lists)
    std::string sha256;       // from the object's x-amz-meta-sha256 (S3 objects TEFT wrote); may be empty
};

struct PutOptions {
    // Create only: fail with StoreFailure::AlreadyExists when the key exists (never overwrite).
    bool ifNoneMatch = false;
    // The content's lowercase hex SHA-256 when the caller knows it (saves hashing the file again);
    // S3 refuses the upload if it is wrong.
    std::string contentSha256;
    // Where a multipart upload keeps its resume state; default "<file>.teft-upload.json".
    std::filesystem::path resumeStatePath;
};

struct GetOptions {
    // Bytes [offset, offset + length) only; length 0 = to the end. Without it, the whole object.
    struct Range {
        std::uint64_t offset = 0;
        std::uint64_t length = 0;
    };
    std::optional<Range> range;
    // Lowercase hex SHA-256 the bytes must have (of the range when a range is given). Empty: the
    // whole object is checked against the hash the uploader recorded (x-amz-meta-sha256), if any.
    std::string expectedSha256;
    // Continue a download interrupted earlier from "<file>.part" (when the object is unchanged).
    bool resume = true;
};

// Counts since the store was opened, for diagnostics and tests.
struct TransferStats {
    std::uint64_t requests = 0; // HTTP requests sent (every attempt counts)
    std::uint64_t retries = 0;  // attempts that were retried after a failure
    std::uint64_t bytesSent = 0;
    std::uint64_t partsUploaded = 0; // multipart parts sent by this store
};

class ObjectStore {
public:
    virtual ~ObjectStore() = default;

    // "s3://bucket/prefix at https://endpoint" or "file:///path", for messages and the GUI.
    virtual std::string describe() const = 0;

    // Uploads a local file / bytes under key; returns the new object's ETag.
    virtual std::string putFile(const std::string& key, const std::filesystem::path& file,
                                const PutOptions& options = {}, JobControl* job = nullptr) = 0;
    virtual std::string putBytes(const std::string& key, std::string_view bytes, const PutOptions& options = {},
                                 JobControl* job = nullptr) = 0;

    // Downloads key into file: bytes go to "<file>.part" and are renamed to file only after the
    // SHA-256 check passed; a mismatch removes them and throws StoreFailure::HashMismatch.
    virtual void getFile(const std::string& key, const std::filesystem::path& file, const GetOptions& options = {},
                         JobControl* job = nullptr) = 0;
    virtual std::string getBytes(const std::string& key, const GetOptions& options = {}, JobControl* job = nullptr) = 0;

    // The object's size and ETag, or nullopt when there is no such key.
    virtual std::optional<ObjectInfo> head(const std::string& key, JobControl* job = nullptr) = 0;

    // Every key starting with prefix (relative to the store's prefix), in key order.
    virtual std::vector<ObjectInfo> list(const std::string& prefix, JobControl* job = nullptr) = 0;

    virtual TransferStats stats() const = 0;
};

struct AwsCredentials {
    std::string accessKeyId;
    std::string secretAccessKey;
    std::string sessionToken;
    std::string source; // where they were found, e.g. "environment" or "profile dev in ~/.aws/credentials"
};

struct ObjectStoreOptions {
    // S3: the endpoint URL ("http://127.0.0.1:9000"); empty: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
    // the profile's endpoint_url, else https://s3.<region>.amazonaws.com.
    std::string endpoint;
    // Empty: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1.
    std::string region;
    // Empty: AWS_PROFILE, else "default".
    std::string profile;
    // Given explicitly instead of looked up (environment, then the profile's files).
    std::optional<AwsCredentials> credentials;

    int connectTimeoutSeconds = 10;
    // A transfer slower than lowSpeedBytesPerSecond for lowSpeedSeconds is abandoned (timed out).
    int lowSpeedSeconds = 30;
    long lowSpeedBytesPerSecond = 1;
    // Attempts per request (first try included) on 5xx, 429, time-outs and dropped connections.
    int maxAttempts = 6;
    // Full-jitter exponential back-off: sleep uniform(0, min(backoffMaxMs, backoffBaseMs * 2^n)).
    int backoffBaseMs = 250;
    int backoffMaxMs = 20000;

    // Files larger than this go up in parts of partSize bytes (S3: at least 5 MiB, but the last).
    std::uint64_t multipartThreshold = 64ull << 20;
    std::uint64_t partSize = 16ull << 20;
    int parallelParts = 4;
    // Keys per ListObjectsV2 page (S3 sends at most 1000).
    int listPageSize = 1000;
};

// Opens "s3://bucket[/prefix]" or "file:///absolute/path". Throws ObjectStoreError (BadAddress,
// Credentials) naming what is wrong or missing; the S3 store makes no request until first used.
std::unique_ptr<ObjectStore> openObjectStore(const std::string& url, const ObjectStoreOptions& options = {});

// Checks a key: non-empty, at most 1024 bytes of valid UTF-8, no control characters, no leading
// or doubled '/', no "." or ".." segment. Throws ObjectStoreError(BadAddress) naming the problem.
void validateKey(const std::string& key);

} // namespace teft::net
