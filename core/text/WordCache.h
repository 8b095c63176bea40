#pragma once

// A cache of pre-token ("word") -> token ids, one per thread: a flat open-addressing table whose
// keys and values live in two arenas, so a hit costs one hash and usually one probe, and filling
// it allocates nothing per entry. When full it simply starts over.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace teft::text {

class WordCache {
public:
    explicit WordCache(std::size_t maxEntries = std::size_t(1) << 17);

    static uint64_t hash(std::string_view word);
    // Appends the cached ids of `word` to `out`; false when absent.
    bool find(std::string_view word, uint64_t hash, std::vector<int32_t>& out) const;
    void insert(std::string_view word, uint64_t hash, const int32_t* ids, std::size_t count);
    void clear();
    std::size_t size() const { return m_count; }

private:
    void grow();
    struct Slot {
        uint64_t hash = 0; // 0: empty
        uint32_t keyOffset = 0, keyLength = 0;
        uint32_t valueOffset = 0, valueLength = 0;
    };
    std::vector<Slot> m_slots;
    std::string m_keys;
    std::vector<int32_t> m_values;
    std::size_t m_count = 0;
    std::size_t m_maxEntries;
};

} // namespace teft::text
