#include "core/net/SigV4.h"

#include "core/util/Hash.h"

#include <algorithm>
#include <sodium.h>

namespace teft::net {

std::string uriEncode(std::string_view s, bool keepSlash)
{
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~' || (keepSlash && c == '/')) {
            out.push_back(char(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string hmacSha256(std::string_view key, std::string_view data)
{
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&state, mac);
    return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Header values: leading/trailing spaces removed, inner runs of spaces collapsed to one.
std::string trimValue(const std::string& v)
{
    std::string out;
    bool space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space)
            out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> canonicalHeaders(const SignedRequest& r)
{
    std::vector<std::pair<std::string, std::string>> h;
    for (const auto& [name, value] : r.headers)
        h.emplace_back(lower(name), trimValue(value));
    std::sort(h.begin(), h.end());
    return h;
}

std::string signedHeaderList(const std::vector<std::pair<std::string, std::string>>& headers)
{
    std::string out;
    for (const auto& [name, value] : headers)
        out += (out.empty() ? "" : ";") + name;
    return out;
}

} // namespace

std::string canonicalQuery(const std::vector<std::pair<std::string, std::string>>& query)
{
    std::vector<std::pair<std::string, std::string>> q;
    for (const auto& [name, value] : query)
        q.emplace_back(uriEncode(name, false), uriEncode(value, false));
    std::sort(q.begin(), q.end());
    std::string out;
    for (const auto& [name, value] : q)
        out += (out.empty() ? "" : "&") + name + "=" + value;
    return out;
}

std::string sigV4CanonicalRequest(const SignedRequest& r)
{
    const auto headers = canonicalHeaders(r);
    std::string out = r.method + "\n" + r.canonicalUri + "\n" + canonicalQuery(r.query) + "\n";
    for (const auto& [name, value] : headers)
        out += name + ":" + value + "\n";
    out += "\n" + signedHeaderList(headers) + "\n" + r.payloadSha256;
    return out;
}

void signV4(SignedRequest& r, const AwsCredentials& credentials, const std::string& region, const std::string& service,
            std::time_t now)
{
    std::tm tm{};
    gmtime_r(&now, &tm);
    char stamp[32], day[16];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    std::strftime(day, sizeof day, "%Y%m%d", &tm);
    r.headers.emplace_back("x-amz-date", stamp);
    r.headers.emplace_back("x-amz-content-sha256", r.payloadSha256);
    if (!credentials.sessionToken.empty())
        r.headers.emplace_back("x-amz-security-token", credentials.sessionToken);

    const std::string scope = std::string(day) + "/" + region + "/" + service + "/aws4_request";
    const std::string stringToSign = "AWS4-HMAC-SHA256\n" + std::string(stamp) + "\n" + scope + "\n" +
                                     sha256Hex(sigV4CanonicalRequest(r));
    const std::string kDate = hmacSha256("AWS4" + credentials.secretAccessKey, day);
    const std::string kRegion = hmacSha256(kDate, region);
    const std::string kService = hmacSha256(kRegion, service);
    const std::string kSigning = hmacSha256(kService, "aws4_request");
    const std::string signature = hmacSha256(kSigning, stringToSign);
    r.headers.emplace_back("Authorization",
                           "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + "/" + scope +
                               ", SignedHeaders=" + signedHeaderList(canonicalHeaders(r)) + ", Signature=" +
                               toHex(reinterpret_cast<const std::uint8_t*>(signature.data()), signature.size()));
}

} // namespace teft::net
