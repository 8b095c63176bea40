#include "core/util/Hash.h"

#include "core/util/Error.h"

#include <fstream>
#include <sodium.h>
#include <vector>

namespace teft {

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "sha256 state buffer too small");

namespace {
void ensureSodium()
{
    static const int ok = sodium_init();
    if (ok < 0)
        throw Error("libsodium failed to initialise");
}
crypto_hash_sha256_state* state(unsigned char* raw) { return reinterpret_cast<crypto_hash_sha256_state*>(raw); }
} // namespace

Sha256::Sha256()
{
    ensureSodium();
    crypto_hash_sha256_init(state(m_state));
}

Sha256& Sha256::update(const void* data, std::size_t size)
{
    crypto_hash_sha256_update(state(m_state), static_cast<const unsigned char*>(data), size);
    return *this;
}

std::array<std::uint8_t, 32> Sha256::digest()
{
    std::array<std::uint8_t, 32> out{};
    if (m_done)
        throw Error("Sha256::digest called twice");
    crypto_hash_sha256_final(state(m_state), out.data());
    m_done = true;
    return out;
}

std::string Sha256::hex()
{
    const auto d = digest();
    return toHex(d.data(), d.size());
}

std::string sha256Hex(std::string_view data) { return Sha256().update(data).hex(); }

std::string sha256File(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("Cannot open " + path.string() + " to hash it");
    Sha256 h;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h.update(buf.data(), static_cast<std::size_t>(in.gcount()));
    }
    return h.hex();
}

std::string toHex(const std::uint8_t* data, std::size_t size)
{
    static const char* digits = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    return out;
}

std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed)
{
    std::uint64_t h = seed;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

} // namespace teft
