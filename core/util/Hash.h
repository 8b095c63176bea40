#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace teft {

// Incremental SHA-256 (libsodium). hex() gives the lowercase hex digest.
class Sha256 {
public:
    Sha256();
    Sha256& update(const void* data, std::size_t size);
    Sha256& update(std::string_view s) { return update(s.data(), s.size()); }
    std::array<std::uint8_t, 32> digest();
    std::string hex();

private:
    alignas(64) unsigned char m_state[128];
    bool m_done = false;
};

std::string sha256Hex(std::string_view data);
std::string sha256File(const std::filesystem::path& path);
std::string toHex(const std::uint8_t* data, std::size_t size);

// Fast non-cryptographic 64-bit hash (FNV-1a), for cache keys and splits.
std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed = 0xcbf29ce484222325ULL);

} // namespace teft
