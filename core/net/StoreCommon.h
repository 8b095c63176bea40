#pragma once

// Pieces both stores share (internal to core/net).

#include "core/net/ObjectStore.h"

#include <functional>

namespace teft::net {

// Downloads bytes [start, end) of an object into `file` through "<file>.part": `fetch(fd, have)`
// appends the bytes from start + have to end to fd (retrying as it sees fit). "<file>.part.json"
// records which object (key, etag, range) the partial bytes belong to, so a later call resumes only
// the same object. When expectedSha256 is not empty the bytes are checked before the rename; a
// mismatch removes them and throws HashMismatch.
struct DownloadPlan {
    std::string key;
    std::string storeName; // describe()
    std::string etag;
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::string expectedSha256;
    bool resume = true;
};
void downloadVerified(const DownloadPlan& plan, const std::filesystem::path& file,
                      const std::function<void(int fd, std::uint64_t have)>& fetch);

// The [start, end) a GetOptions range selects in an object of `size` bytes; throws BadAddress when
// it lies outside.
std::pair<std::uint64_t, std::uint64_t> selectRange(const GetOptions& options, std::uint64_t size,
                                                    const std::string& key);

// Throws HashMismatch for key when actual != expected (expected empty: no check).
void checkSha256(const std::string& key, const std::string& storeName, const std::string& expected,
                 const std::string& actual);

std::string lowerHex(std::string s);

} // namespace teft::net
