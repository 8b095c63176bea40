#include "core/teft/KnownMiners.h"

#include "core/io/StrictJson.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace teft {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}
} // namespace

void KnownMiners::add(const MinerPublicKey& miner)
{
    if (!isPublicKeyHex(miner.publicKeyHex))
        throw UsageError("\"" + miner.publicKeyHex + "\" is not an Ed25519 public key (64 hex digits)");
    const std::string key = lower(miner.publicKeyHex);
    for (const auto& m : m_miners)
        if (!miner.minerId.empty() && m.minerId == miner.minerId && m.publicKeyHex != key)
            throw UsageError("Miner id \"" + miner.minerId + "\" already belongs to another key (" + m.publicKeyHex +
                             ")");
    for (auto& m : m_miners)
        if (m.publicKeyHex == key) {
            m.minerId = miner.minerId;
            return;
        }
    m_miners.push_back({miner.minerId, key});
}

bool KnownMiners::remove(const std::string& publicKeyHex)
{
    const std::string key = lower(publicKeyHex);
    const auto it = std::remove_if(m_miners.begin(), m_miners.end(),
                                   [&](const MinerPublicKey& m) { return m.publicKeyHex == key; });
    const bool removed = it != m_miners.end();
    m_miners.erase(it, m_miners.end());
    return removed;
}

std::optional<MinerPublicKey> KnownMiners::findByKey(const std::string& publicKeyHex) const
{
    const std::string key = lower(publicKeyHex);
    for (const auto& m : m_miners)
        if (m.publicKeyHex == key)
            return m;
    return std::nullopt;
}

std::optional<MinerPublicKey> KnownMiners::findById(const std::string& minerId) const
{
    for (const auto& m : m_miners)
        if (m.minerId == minerId)
            return m;
    return std::nullopt;
}

json KnownMiners::toJson() const
{
    json list = json::array();
    for (const auto& m : m_miners)
        list.push_back({{"miner_id", m.minerId}, {"public_key", m.publicKeyHex}});
    return json{{"format", "teft-known-miners"}, {"version", 1}, {"miners", list}};
}

KnownMiners KnownMiners::fromJson(const json& j)
{
    if (!j.is_object() || j.value("format", std::string()) != "teft-known-miners")
        throw FormatError("Not a known-miners list: \"format\" is not \"teft-known-miners\"");
    if (!j.contains("miners") || !j["miners"].is_array())
        throw FormatError("Known miners: \"miners\" must be a list");
    KnownMiners k;
    for (const auto& m : j["miners"]) {
        const MinerPublicKey key = MinerPublicKey::fromJson(m);
        try {
            k.add(key);
        } catch (const UsageError& e) {
            throw FormatError(std::string("Known miners: ") + e.what());
        }
    }
    return k;
}

void KnownMiners::save(const fs::path& path) const { writeFileAtomically(path, toJson().dump(1) + "\n"); }

KnownMiners KnownMiners::load(const fs::path& path)
{
    if (!fs::exists(path))
        return {};
    const json j = readJsonFile(path);
    try {
        return fromJson(j);
    } catch (const json::exception& e) { // a field of the wrong type
        throw FormatError(path.string() + ": " + e.what());
    } catch (const FormatError& e) {
        throw FormatError(path.string() + ": " + e.what());
    }
}

} // namespace teft
