#pragma once

// The BPE model of tokenizer.json ("model": {"type": "BPE"}): vocabulary, ranked merges (both
// the "a b" and the ["a", "b"] form), unk_token / fuse_unk, byte_fallback (<0xNN> tokens),
// ignore_merges, continuing_subword_prefix and end_of_word_suffix. Encodes one pre-token
// ("word") at a time by repeatedly merging the adjacent pair of lowest rank, leftmost first.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace teft::text {

class BpeModel {
public:
    // Throws teft::FormatError for another model type, dropout, or a malformed vocab / merge.
    explicit BpeModel(const nlohmann::json& model, const std::string& where = "model");

    // Appends the ids of `word` to `out`.
    void encodeWord(std::string_view word, std::vector<int32_t>& out) const;

    std::optional<int32_t> tokenToId(std::string_view token) const;
    // The token of `id`, or nullptr when the vocabulary has no such id.
    const std::string* idToToken(int32_t id) const;
    int32_t idLimit() const { return static_cast<int32_t>(m_tokens.size()); } // max id + 1
    std::size_t mergeCount() const { return m_mergeCount; }

private:
    struct PairEntry {
        uint64_t key = ~0ULL;
        int32_t rank = 0;
        int32_t merged = 0;
    };
    const PairEntry* findPair(int32_t a, int32_t b) const;
    void insertPair(int32_t a, int32_t b, int32_t rank, int32_t merged);
    void initialSymbols(std::string_view word, std::vector<int32_t>& symbols) const;
    void mergeShort(std::vector<int32_t>& symbols) const;
    void mergeLong(std::vector<int32_t>& symbols) const;

    std::unordered_map<std::string, int32_t> m_vocab;
    std::vector<std::string> m_tokens; // id -> token ("" for holes)
    std::vector<bool> m_present;
    std::vector<PairEntry> m_pairs; // open addressing, power-of-two size
    std::size_t m_pairMask = 0;
    std::size_t m_mergeCount = 0;
    std::vector<int32_t> m_smallCharIds;             // code point < 0x800 -> id or -1
    std::unordered_map<char32_t, int32_t> m_charIds; // other single-character tokens
    int32_t m_byteFallbackIds[256];
    std::optional<int32_t> m_unkId;
    bool m_fuseUnk = false;
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;
    std::string m_prefix; // continuing_subword_prefix
    std::string m_suffix; // end_of_word_suffix
};

} // namespace teft::text
