#pragma once

// AWS Signature Version 4 for S3 requests (header authorisation), as
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html describes it.

#include "core/net/ObjectStore.h"

#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace teft::net {

// RFC 3986 percent-encoding as SigV4 wants it: A-Z a-z 0-9 - _ . ~ kept, everything else (UTF-8
// bytes) as %XX with upper-case hex; '/' kept when keepSlash (object key paths).
std::string uriEncode(std::string_view s, bool keepSlash);

struct SignedRequest {
    std::string method;
    std::string canonicalUri;                                 // already encoded, e.g. "/bucket/a%20b"
    std::vector<std::pair<std::string, std::string>> query;   // raw (unencoded) names and values
    std::vector<std::pair<std::string, std::string>> headers; // as sent; "host" must be among them
    std::string payloadSha256;                                // hex; also sent as x-amz-content-sha256
};

// Adds x-amz-date, x-amz-content-sha256, x-amz-security-token (with a session token) and
// Authorization to request.headers, signing every header in it. `now` is the signing time (UTC).
void signV4(SignedRequest& request, const AwsCredentials& credentials, const std::string& region,
            const std::string& service, std::time_t now);

// The canonical query string (sorted, encoded), also used for the request URL.
std::string canonicalQuery(const std::vector<std::pair<std::string, std::string>>& query);

// The pieces, exposed for tests against AWS's published examples.
std::string sigV4CanonicalRequest(const SignedRequest& request);
std::string hmacSha256(std::string_view key, std::string_view data);

} // namespace teft::net
