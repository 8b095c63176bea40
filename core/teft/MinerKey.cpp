#include "core/teft/MinerKey.h"

#include "core/io/StrictJson.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Paths.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

namespace teft {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
void ensureSodium()
{
    if (sodium_init() < 0)
        throw Error("libsodium failed to initialise");
}

template <std::size_t N>
bool fromHex(const std::string& hex, std::array<unsigned char, N>& out)
{
    if (hex.size() != 2 * N)
        return false;
    for (char c : hex)
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return false;
    std::size_t len = 0;
    return sodium_hex2bin(out.data(), N, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == N;
}

std::string defaultMinerId(const std::array<unsigned char, 32>& pk)
{
    return "miner-" + sha256Hex(std::string_view(reinterpret_cast<const char*>(pk.data()), pk.size())).substr(0, 8);
}
} // namespace

bool isPublicKeyHex(const std::string& hex)
{
    std::array<unsigned char, 32> pk{};
    return fromHex(hex, pk);
}

json MinerPublicKey::toJson() const
{
    return json{{"format", "teft-miner-public-key"},
                {"version", 1},
                {"miner_id", minerId},
                {"public_key", publicKeyHex}};
}

MinerPublicKey MinerPublicKey::fromJson(const json& j)
{
    if (!j.is_object() || !j.contains("public_key") || !j["public_key"].is_string())
        throw FormatError("Miner public key: \"public_key\" is missing or not a string");
    MinerPublicKey k;
    k.publicKeyHex = j["public_key"].get<std::string>();
    if (!isPublicKeyHex(k.publicKeyHex))
        throw FormatError("Miner public key: \"" + k.publicKeyHex + "\" is not an Ed25519 public key (64 hex digits)");
    if (j.contains("miner_id")) {
        if (!j["miner_id"].is_string())
            throw FormatError("Miner public key: \"miner_id\" must be a string");
        k.minerId = j["miner_id"].get<std::string>();
    }
    return k;
}

void MinerPublicKey::save(const fs::path& path) const { writeFileAtomically(path, toJson().dump(1) + "\n"); }

MinerPublicKey MinerPublicKey::load(const fs::path& path)
{
    const json j = readJsonFile(path);
    try {
        return fromJson(j);
    } catch (const json::exception& e) { // a field of the wrong type
        throw FormatError(path.string() + ": " + e.what());
    } catch (const FormatError& e) {
        throw FormatError(path.string() + ": " + e.what());
    }
}

MinerKey MinerKey::generate(std::string minerId)
{
    ensureSodium();
    MinerKey k;
    crypto_sign_keypair(k.m_public.data(), k.m_secret.data());
    k.m_minerId = minerId.empty() ? defaultMinerId(k.m_public) : std::move(minerId);
    return k;
}

fs::path MinerKey::defaultKeyDir() { return dataDir() / "keys"; }

bool MinerKey::exists(const fs::path& keyDir) { return fs::exists(keyDir / "miner.key"); }

MinerKey MinerKey::loadOrCreate(const fs::path& keyDir, const std::string& minerId)
{
    if (exists(keyDir))
        return load(keyDir);
    MinerKey k = generate(minerId);
    k.save(keyDir);
    spdlog::info("Created miner key {} ({}) in {}", k.minerId(), k.publicKeyHex(), keyDir.string());
    return k;
}

MinerKey MinerKey::loadOrCreate() { return loadOrCreate(defaultKeyDir()); }

void MinerKey::save(const fs::path& keyDir) const
{
    std::error_code ec;
    fs::create_directories(keyDir, ec);
    ::chmod(keyDir.c_str(), 0700);
    json secret{{"format", "teft-miner-secret-key"},
                {"version", 1},
                {"miner_id", m_minerId},
                {"secret_key", toHex(m_secret.data(), m_secret.size())}};
    AtomicFile f(keyDir / "miner.key");
    // Restrict before any secret byte is written.
    if (::chmod(f.tempPath().c_str(), 0600) != 0)
        throw Error("Cannot restrict the permissions of " + f.tempPath().string());
    f.write(secret.dump(1) + "\n");
    f.commit();
    publicKey().save(keyDir / "miner.pub");
}

MinerKey MinerKey::load(const fs::path& keyDir)
{
    ensureSodium();
    const fs::path path = keyDir / "miner.key";
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        spdlog::warn("{} was readable by others; restricting it to its owner (0600)", path.string());
        ::chmod(path.c_str(), 0600);
    }
    const json j = readJsonFile(path);
    MinerKey k;
    if (!j.is_object() || !j.contains("secret_key") || !j["secret_key"].is_string() ||
        !fromHex(j["secret_key"].get<std::string>(), k.m_secret))
        throw FormatError(path.string() + ": \"secret_key\" is missing or not 128 hex digits");
    if (crypto_sign_ed25519_sk_to_pk(k.m_public.data(), k.m_secret.data()) != 0)
        throw FormatError(path.string() + ": the secret key is not a valid Ed25519 key");
    k.m_minerId = j.value("miner_id", std::string());
    if (k.m_minerId.empty())
        k.m_minerId = defaultMinerId(k.m_public);
    // The embedded public half must be consistent: sign and verify once.
    const std::string probe = "teft-key-check";
    if (!verify(probe, k.sign(probe), k.publicKeyHex()))
        throw FormatError(path.string() + ": the secret key does not match its public key");
    return k;
}

std::string MinerKey::publicKeyHex() const { return toHex(m_public.data(), m_public.size()); }

std::string MinerKey::sign(std::string_view message) const
{
    ensureSodium();
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    unsigned long long len = 0;
    crypto_sign_detached(sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         m_secret.data());
    return toHex(sig.data(), static_cast<std::size_t>(len));
}

bool MinerKey::verify(std::string_view message, const std::string& signatureHex, const std::string& publicKeyHex)
{
    ensureSodium();
    std::array<unsigned char, crypto_sign_BYTES> sig{};
    std::array<unsigned char, 32> pk{};
    if (!fromHex(signatureHex, sig) || !fromHex(publicKeyHex, pk))
        return false;
    return crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                       message.size(), pk.data()) == 0;
}

} // namespace teft
