#pragma once

// The `added_tokens` of tokenizer.json: tokens (special or not) that are found in the text
// before pre-tokenization and map straight to their ids. Tokens with normalized=false are
// matched in the raw text, those with normalized=true in the normalized text (their content
// normalized the same way). Matching is leftmost-longest; single_word, lstrip and rstrip apply
// as in Hugging Face tokenizers.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace teft::text {

class Normalizer;

struct AddedToken {
    int32_t id = 0;
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = false;
    bool special = false;
};

// A piece of text: either a token found (id >= 0) or text to encode further (id < 0).
struct TextSegment {
    std::size_t begin = 0, end = 0;
    int32_t id = -1;
};

class AddedVocabulary {
public:
    AddedVocabulary() = default;
    AddedVocabulary(const nlohmann::json& addedTokens, const Normalizer* normalizer,
                    const std::string& where = "added_tokens");

    // Splits `text` at the tokens of one kind (normalized or not). Always covers all of text.
    void split(std::string_view text, bool normalizedTokens, std::vector<TextSegment>& out) const;
    bool hasNormalizedTokens() const { return !m_normalizedTrie.empty(); }

    const AddedToken* byId(int32_t id) const;
    const AddedToken* byContent(std::string_view content) const;
    const std::vector<AddedToken>& tokens() const { return m_tokens; }

private:
    // A byte trie; node 0 is the root.
    struct Trie {
        struct Node {
            std::vector<std::pair<unsigned char, int>> children;
            int token = -1; // index into m_tokens
        };
        std::vector<Node> nodes;
        bool firstByte[256] = {};
        bool empty() const { return nodes.size() <= 1; }
        void insert(std::string_view key, int token);
        // Longest token starting at text[pos]: its index and length, or -1.
        int longestAt(std::string_view text, std::size_t pos, std::size_t& length) const;
    };

    std::vector<AddedToken> m_tokens;
    std::unordered_map<int32_t, std::size_t> m_byId;
    std::unordered_map<std::string, std::size_t> m_byContent;
    Trie m_rawTrie, m_normalizedTrie;
};

} // namespace teft::text
