#include "core/text/AddedVocabulary.h"

#include "core/text/JsonFields.h"
#include "core/text/Normalizer.h"
#include "core/text/Unicode.h"

#include <nlohmann/json.hpp>

namespace teft::text {

void AddedVocabulary::Trie::insert(std::string_view key, int token)
{
    if (nodes.empty())
        nodes.emplace_back();
    if (key.empty())
        return;
    firstByte[static_cast<unsigned char>(key[0])] = true;
    int node = 0;
    for (unsigned char c : key) {
        int child = -1;
        for (const auto& [byte, index] : nodes[node].children)
            if (byte == c)
                child = index;
        if (child < 0) {
            child = static_cast<int>(nodes.size());
            nodes[node].children.emplace_back(c, child);
            nodes.emplace_back();
        }
        node = child;
    }
    if (nodes[node].token < 0) // the first token with this content wins
        nodes[node].token = token;
}

int AddedVocabulary::Trie::longestAt(std::string_view text, std::size_t pos, std::size_t& length) const
{
    int node = 0, best = -1;
    for (std::size_t i = pos; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        int child = -1;
        for (const auto& [byte, index] : nodes[node].children)
            if (byte == c) {
                child = index;
                break;
            }
        if (child < 0)
            break;
        node = child;
        if (nodes[node].token >= 0) {
            best = nodes[node].token;
            length = i + 1 - pos;
        }
    }
    return best;
}

AddedVocabulary::AddedVocabulary(const nlohmann::json& addedTokens, const Normalizer* normalizer,
                                 const std::string& where)
{
    m_rawTrie.nodes.emplace_back();
    m_normalizedTrie.nodes.emplace_back();
    if (addedTokens.is_null())
        return;
    if (!addedTokens.is_array())
        throw FormatError(where + " must be an array");
    for (std::size_t i = 0; i < addedTokens.size(); ++i) {
        const auto& j = addedTokens[i];
        const std::string at = where + "[" + std::to_string(i) + "]";
        if (!j.is_object())
            throw FormatError(at + " must be an object");
        AddedToken t;
        const auto& id = requiredField(j, "id", at);
        if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
            throw FormatError(at + ": invalid id " + id.dump());
        t.id = id.get<int32_t>();
        t.content = requiredString(j, "content", at);
        if (t.content.empty())
            throw FormatError(at + ": empty 'content'");
        if (!isValidUtf8(t.content))
            throw FormatError(at + ": 'content' is not valid UTF-8");
        t.singleWord = optionalBool(j, "single_word", false, at);
        t.lstrip = optionalBool(j, "lstrip", false, at);
        t.rstrip = optionalBool(j, "rstrip", false, at);
        t.special = optionalBool(j, "special", false, at);
        t.normalized = optionalBool(j, "normalized", !t.special, at);
        m_byId[t.id] = m_tokens.size();
        m_byContent.emplace(t.content, m_tokens.size());
        m_tokens.push_back(std::move(t));
    }
    for (std::size_t i = 0; i < m_tokens.size(); ++i) {
        const AddedToken& t = m_tokens[i];
        if (t.normalized) {
            std::string key = t.content;
            if (normalizer)
                normalizer->normalize(key);
            m_normalizedTrie.insert(key, static_cast<int>(i));
        } else {
            m_rawTrie.insert(t.content, static_cast<int>(i));
        }
    }
}

const AddedToken* AddedVocabulary::byId(int32_t id) const
{
    auto it = m_byId.find(id);
    return it == m_byId.end() ? nullptr : &m_tokens[it->second];
}

const AddedToken* AddedVocabulary::byContent(std::string_view content) const
{
    auto it = m_byContent.find(std::string(content));
    return it == m_byContent.end() ? nullptr : &m_tokens[it->second];
}

namespace {
// The code point that ends just before `end` (end > 0).
char32_t lastCodePoint(std::string_view s, std::size_t end, std::size_t* start = nullptr)
{
    std::size_t b = end - 1;
    while (b > 0 && (static_cast<unsigned char>(s[b]) & 0xC0) == 0x80)
        --b;
    if (start)
        *start = b;
    std::size_t i = b;
    return decodeUtf8(s, i);
}
} // namespace

void AddedVocabulary::split(std::string_view text, bool normalizedTokens, std::vector<TextSegment>& out) const
{
    const Trie& trie = normalizedTokens ? m_normalizedTrie : m_rawTrie;
    std::size_t segmentStart = 0;
    if (!trie.empty()) {
        std::size_t pos = 0;
        while (pos < text.size()) {
            if (!trie.firstByte[static_cast<unsigned char>(text[pos])]) {
                ++pos;
                continue;
            }
            std::size_t length = 0;
            const int index = trie.longestAt(text, pos, length);
            if (index < 0) {
                ++pos;
                continue;
            }
            const AddedToken& t = m_tokens[index];
            std::size_t start = pos, stop = pos + length;
            pos = stop;
            if (t.singleWord) {
                const bool wordBefore = start > 0 && isWordChar(lastCodePoint(text, start));
                std::size_t k = stop;
                const bool wordAfter = stop < text.size() && isWordChar(decodeUtf8(text, k));
                if (wordBefore || wordAfter)
                    continue;
            }
            if (start < segmentStart)
                continue; // inside whitespace a previous token's rstrip swallowed
            if (t.lstrip) {
                while (start > segmentStart) {
                    std::size_t s = 0;
                    if (!isWhitespace(lastCodePoint(text, start, &s)))
                        break;
                    start = s;
                }
            }
            if (t.rstrip) {
                while (stop < text.size()) {
                    std::size_t k = stop;
                    if (!isWhitespace(decodeUtf8(text, k)))
                        break;
                    stop = k;
                }
                pos = stop;
            }
            if (segmentStart < start)
                out.push_back({segmentStart, start, -1});
            out.push_back({start, stop, t.id});
            segmentStart = stop;
        }
    }
    if (segmentStart < text.size() || text.empty())
        out.push_back({segmentStart, text.size(), -1});
}

} // namespace teft::text
