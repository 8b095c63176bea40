#include "core/text/WordCache.h"

#include <cstring>

namespace teft::text {

namespace {
inline uint64_t mix(uint64_t a, uint64_t b)
{
    const __uint128_t r = static_cast<__uint128_t>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
} // namespace

WordCache::WordCache(std::size_t maxEntries) : m_maxEntries(maxEntries)
{
    m_slots.resize(4096); // grows with use, up to twice maxEntries
}

void WordCache::grow()
{
    std::vector<Slot> old(m_slots.size() * 2);
    old.swap(m_slots);
    const std::size_t mask = m_slots.size() - 1;
    for (const Slot& s : old) {
        if (s.hash == 0)
            continue;
        std::size_t i = s.hash & mask;
        while (m_slots[i].hash != 0)
            i = (i + 1) & mask;
        m_slots[i] = s;
    }
}

uint64_t WordCache::hash(std::string_view word)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (word.size() * 0xA0761D6478BD642FULL);
    const char* p = word.data();
    std::size_t n = word.size();
    while (n >= 8) {
        uint64_t v;
        std::memcpy(&v, p, 8);
        h = mix(h ^ v, 0xE7037ED1A0B428DBULL);
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = 0;
        std::memcpy(&v, p, n);
        h = mix(h ^ v, 0x8EBC6AF09C88C6E3ULL);
    }
    h = mix(h, 0x589965CC75374CC3ULL);
    return h | 1; // never 0 (empty)
}

bool WordCache::find(std::string_view word, uint64_t h, std::vector<int32_t>& out) const
{
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        const Slot& s = m_slots[i];
        if (s.hash == 0)
            return false;
        if (s.hash == h && s.keyLength == word.size() &&
            std::memcmp(m_keys.data() + s.keyOffset, word.data(), word.size()) == 0) {
            out.insert(out.end(), m_values.begin() + s.valueOffset, m_values.begin() + s.valueOffset + s.valueLength);
            return true;
        }
    }
}

void WordCache::insert(std::string_view word, uint64_t h, const int32_t* ids, std::size_t count)
{
    if (m_count >= m_maxEntries)
        clear();
    else if (m_count * 2 >= m_slots.size())
        grow();
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = h & mask;
    while (m_slots[i].hash != 0)
        i = (i + 1) & mask;
    Slot& s = m_slots[i];
    s.hash = h;
    s.keyOffset = static_cast<uint32_t>(m_keys.size());
    s.keyLength = static_cast<uint32_t>(word.size());
    s.valueOffset = static_cast<uint32_t>(m_values.size());
    s.valueLength = static_cast<uint32_t>(count);
    m_keys.append(word);
    m_values.insert(m_values.end(), ids, ids + count);
    ++m_count;
}

void WordCache::clear()
{
    std::fill(m_slots.begin(), m_slots.end(), Slot{});
    m_keys.clear();
    m_values.clear();
    m_count = 0;
}

} // namespace teft::text
