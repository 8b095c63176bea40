#pragma once

#include "core/teft/MinerKey.h"

#include <filesystem>
#include <optional>
#include <vector>

namespace teft {

// The validator's list of miners whose submissions it accepts, by public key.
// File: {"format": "teft-known-miners", "version": 1, "miners": [{"miner_id", "public_key"}]}.
class KnownMiners {
public:
    // Adds or renames; throws UsageError for a malformed key or an id already used by another key.
    void add(const MinerPublicKey& miner);
    bool remove(const std::string& publicKeyHex);
    std::optional<MinerPublicKey> findByKey(const std::string& publicKeyHex) const;
    std::optional<MinerPublicKey> findById(const std::string& minerId) const;
    const std::vector<MinerPublicKey>& miners() const { return m_miners; }
    std::size_t size() const { return m_miners.size(); }

    nlohmann::json toJson() const;
    static KnownMiners fromJson(const nlohmann::json& j);
    void save(const std::filesystem::path& path) const; // atomic
    // A missing file is an empty list.
    static KnownMiners load(const std::filesystem::path& path);

private:
    std::vector<MinerPublicKey> m_miners;
};

} // namespace teft
