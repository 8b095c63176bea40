#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace teft {

// A miner's public identity: a name chosen by the miner and its Ed25519 public key (hex).
// Exported as {"format": "teft-miner-public-key", "version": 1, "miner_id": "...",
// "public_key": "<64 hex>"} so validators can add it to their known-miners list.
struct MinerPublicKey {
    std::string minerId;
    std::string publicKeyHex;

    nlohmann::json toJson() const;
    static MinerPublicKey fromJson(const nlohmann::json& j); // FormatError naming the key
    void save(const std::filesystem::path& path) const;
    static MinerPublicKey load(const std::filesystem::path& path);
};

// Whether `hex` is a well-formed Ed25519 public key (64 lowercase/uppercase hex digits).
bool isPublicKeyHex(const std::string& hex);

// The miner's Ed25519 signing key (libsodium crypto_sign). Kept in <dataDir>/keys/ as
// miner.key (the 64-byte secret key in hex, file mode 0600) and miner.pub (the exported
// public identity). Created on first use by loadOrCreate().
class MinerKey {
public:
    static MinerKey generate(std::string minerId = {});
    // Loads the key in `keyDir`, or creates and saves a new one when there is none.
    static MinerKey loadOrCreate(const std::filesystem::path& keyDir, const std::string& minerId = {});
    static MinerKey loadOrCreate(); // in <dataDir>/keys
    static MinerKey load(const std::filesystem::path& keyDir);
    static std::filesystem::path defaultKeyDir();
    static bool exists(const std::filesystem::path& keyDir);
    void save(const std::filesystem::path& keyDir) const;

    const std::string& minerId() const { return m_minerId; }
    std::string publicKeyHex() const;
    MinerPublicKey publicKey() const { return {m_minerId, publicKeyHex()}; }

    // Detached signature of `message`, 128 hex digits.
    std::string sign(std::string_view message) const;
    // Verifies a detached hex signature; false (never a throw) for malformed hex.
    static bool verify(std::string_view message, const std::string& signatureHex, const std::string& publicKeyHex);

private:
    std::string m_minerId;
    std::array<unsigned char, 64> m_secret{};
    std::array<unsigned char, 32> m_public{};
};

} // namespace teft
