#pragma once

// "s3://bucket/prefix": an S3-compatible bucket over HTTP(S), path-style addressing
// (<endpoint>/<bucket>/<key>), AWS Signature V4, libcurl. docs/protocol.md ("Transport").

#include "core/net/AwsConfig.h"
#include "core/net/Http.h"
#include "core/net/ObjectStore.h"

#include <atomic>
#include <functional>

namespace teft::net {

class S3Store : public ObjectStore {
public:
    S3Store(std::string bucket, std::string prefix, const ObjectStoreOptions& options);

    std::string describe() const override;
    std::string putFile(const std::string& key, const std::filesystem::path& file, const PutOptions& options,
                        JobControl* job) override;
    std::string putBytes(const std::string& key, std::string_view bytes, const PutOptions& options,
                         JobControl* job) override;
    void getFile(const std::string& key, const std::filesystem::path& file, const GetOptions& options,
                 JobControl* job) override;
    std::string getBytes(const std::string& key, const GetOptions& options, JobControl* job) override;
    std::optional<ObjectInfo> head(const std::string& key, JobControl* job) override;
    std::vector<ObjectInfo> list(const std::string& prefix, JobControl* job) override;
    TransferStats stats() const override;

    const AwsSettings& settings() const { return m_settings; }

    // One S3 request, signed and retried (public for the multipart worker and tests).
    struct Call {
        std::string method;
        std::string objectKey; // full key in the bucket; empty for a bucket request
        std::vector<std::pair<std::string, std::string>> query;
        std::vector<std::pair<std::string, std::string>> headers;
        std::string_view bodyBytes;
        int bodyFd = -1;
        std::uint64_t bodyOffset = 0;
        std::uint64_t bodyLength = 0;
        std::string payloadSha256; // empty: SHA-256 of bodyBytes
        int sinkFd = -1;
        std::vector<long> accept;                 // non-2xx statuses returned instead of thrown (e.g. 404)
        std::function<void(Call&)> beforeAttempt; // e.g. recompute a Range
        std::function<bool(std::uint64_t, std::uint64_t)> progress;
        std::string displayKey; // for messages
    };
    HttpResponse send(Call& call, JobControl* job);

private:
    std::string fullKey(const std::string& key) const;
    std::string multipartPut(const std::string& key, const std::filesystem::path& file, int fd, std::uint64_t size,
                             const std::string& sha256, const PutOptions& options, JobControl* job);
    void sleepBackoff(int attempt, JobControl* job);

    std::string m_bucket;
    std::string m_prefix; // "" or "p/q/" (with the slash)
    ObjectStoreOptions m_options;
    AwsSettings m_settings;
    std::string m_host; // host[:port] as the Host header carries it

    std::atomic<std::uint64_t> m_requests{0};
    std::atomic<std::uint64_t> m_retries{0};
    std::atomic<std::uint64_t> m_bytesSent{0};
    std::atomic<std::uint64_t> m_partsUploaded{0};
};

} // namespace teft::net
