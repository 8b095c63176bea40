#pragma once

// One HTTP exchange over libcurl (an easy handle per thread, reused for keep-alive). No retries
// and no signing here: S3Store does both around it.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teft::net {

struct HttpRequest {
    std::string method; // GET, HEAD, PUT, POST, DELETE
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    // The body: bytes, or bodyLength bytes of the open file bodyFd from bodyOffset.
    std::string_view bodyBytes;
    int bodyFd = -1;
    std::uint64_t bodyOffset = 0;
    std::uint64_t bodyLength = 0;
    // When >= 0, a 2xx response's body is written (appended) there instead of into response.body.
    int sinkFd = -1;
};

struct HttpLimits {
    int connectTimeoutSeconds = 10;
    int lowSpeedSeconds = 30;
    long lowSpeedBytesPerSecond = 1;
};

struct HttpResponse {
    long status = 0;
    std::map<std::string, std::string> headers; // names lower-cased
    std::string body;                           // error bodies always land here
    std::uint64_t sunkBytes = 0;                // written to sinkFd
};

struct HttpOutcome {
    enum class Result { Ok, TimedOut, Connection, Cancelled, LocalWrite };
    Result result = Result::Ok; // Ok: an HTTP response arrived (any status)
    std::string error;          // curl's explanation otherwise
    HttpResponse response;
};

// Called with (bytes done, bytes total) of the upload (PUT/POST with a body) or download; returning
// false cancels the transfer (Result::Cancelled).
using HttpProgress = std::function<bool(std::uint64_t done, std::uint64_t total)>;

HttpOutcome httpPerform(const HttpRequest& request, const HttpLimits& limits, const HttpProgress& progress);

} // namespace teft::net
