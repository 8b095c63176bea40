#include "core/text/BpeModel.h"

#include "core/text/JsonFields.h"
#include "core/text/Unicode.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <functional>

namespace teft::text {
namespace {
inline uint64_t pairKey(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }
inline std::size_t mixHash(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return static_cast<std::size_t>(k);
}
// Below this many symbols the quadratic scan of ranks beats the heap.
constexpr std::size_t kHeapThreshold = 24;
} // namespace

BpeModel::BpeModel(const nlohmann::json& model, const std::string& where)
{
    if (!model.is_object())
        throw FormatError(where + " must be an object");
    const std::string type = optionalString(model, "type", "BPE", where);
    if (type != "BPE")
        throw unsupported(where, "model", type);
    if (auto it = model.find("dropout"); it != model.end() && !it->is_null()) {
        if (!it->is_number() || it->get<double>() != 0.0)
            throw FormatError(where + ": BPE dropout " + it->dump() + " is not supported (only null or 0)");
    }
    m_prefix = optionalString(model, "continuing_subword_prefix", "", where);
    m_suffix = optionalString(model, "end_of_word_suffix", "", where);
    m_fuseUnk = optionalBool(model, "fuse_unk", false, where);
    m_byteFallback = optionalBool(model, "byte_fallback", false, where);
    m_ignoreMerges = optionalBool(model, "ignore_merges", false, where);

    const auto& vocab = requiredField(model, "vocab", where);
    if (!vocab.is_object())
        throw FormatError(where + ": 'vocab' must be an object {token: id}");
    m_vocab.reserve(vocab.size() * 2);
    int32_t maxId = -1;
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
        if (!it.value().is_number_integer() || it.value().get<int64_t>() < 0 || it.value().get<int64_t>() > INT32_MAX)
            throw FormatError(where + ": vocab entry '" + it.key() + "' has an invalid id " + it.value().dump());
        const auto id = static_cast<int32_t>(it.value().get<int64_t>());
        m_vocab.emplace(it.key(), id);
        maxId = std::max(maxId, id);
    }
    // Tokens are kept in a table indexed by id: real vocabularies are dense (ids 0..N-1), so an id
    // far beyond the number of entries is refused instead of sizing that table by it.
    if (static_cast<std::int64_t>(maxId) >= 2 * static_cast<std::int64_t>(m_vocab.size()) + 65536)
        throw FormatError(where + ": the vocabulary's largest id, " + std::to_string(maxId) + ", is far beyond its " +
                          std::to_string(m_vocab.size()) + " entries (ids must be dense, as 0..N-1)");
    m_tokens.assign(static_cast<std::size_t>(maxId) + 1, std::string());
    m_present.assign(static_cast<std::size_t>(maxId) + 1, false);
    for (const auto& [token, id] : m_vocab) {
        m_tokens[id] = token;
        m_present[id] = true;
    }

    m_smallCharIds.assign(0x800, -1);
    if (m_prefix.empty() && m_suffix.empty()) {
        for (const auto& [token, id] : m_vocab) {
            if (token.empty() || validSequenceLength(token, 0) != token.size())
                continue;
            std::size_t i = 0;
            const char32_t c = decodeUtf8(token, i);
            if (c < 0x800)
                m_smallCharIds[c] = id;
            else
                m_charIds.emplace(c, id);
        }
    }
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        auto it = m_vocab.find(name);
        m_byteFallbackIds[b] = it == m_vocab.end() ? -1 : it->second;
    }
    if (auto it = model.find("unk_token"); it != model.end() && !it->is_null()) {
        if (!it->is_string())
            throw FormatError(where + ": 'unk_token' must be a string or null");
        auto v = m_vocab.find(it->get<std::string>());
        if (v == m_vocab.end())
            throw FormatError(where + ": unk_token '" + it->get<std::string>() + "' is not in the vocabulary");
        m_unkId = v->second;
    }

    const nlohmann::json empty = nlohmann::json::array();
    auto mit = model.find("merges");
    const auto& merges = (mit == model.end() || mit->is_null()) ? empty : *mit;
    if (!merges.is_array())
        throw FormatError(where + ": 'merges' must be an array");
    std::size_t capacity = 16;
    while (capacity < merges.size() + merges.size() / 2 + 16) // load <= 2/3: a smaller table misses cache less
        capacity <<= 1;
    m_pairs.assign(capacity, PairEntry{});
    m_pairMask = capacity - 1;
    std::string a, b;
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const auto& m = merges[i];
        const std::string at = where + ".merges[" + std::to_string(i) + "]";
        if (m.is_string()) {
            const std::string& line = m.get_ref<const std::string&>();
            const std::size_t sp = line.find(' ');
            if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos)
                throw FormatError(at + ": merge '" + line + "' is not two tokens separated by one space");
            a = line.substr(0, sp);
            b = line.substr(sp + 1);
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            a = m[0].get<std::string>();
            b = m[1].get<std::string>();
        } else {
            throw FormatError(at + ": a merge must be \"a b\" or [\"a\", \"b\"], got " + m.dump().substr(0, 200));
        }
        auto ia = m_vocab.find(a), ib = m_vocab.find(b);
        if (ia == m_vocab.end() || ib == m_vocab.end())
            throw FormatError(at + ": merge token '" + (ia == m_vocab.end() ? a : b) + "' is not in the vocabulary");
        if (b.size() < m_prefix.size())
            throw FormatError(at + ": merge token '" + b + "' is shorter than continuing_subword_prefix");
        auto im = m_vocab.find(a + b.substr(m_prefix.size()));
        if (im == m_vocab.end())
            throw FormatError(at + ": merged token '" + a + b.substr(m_prefix.size()) + "' is not in the vocabulary");
        insertPair(ia->second, ib->second, static_cast<int32_t>(i), im->second);
    }
    m_mergeCount = merges.size();
}

void BpeModel::insertPair(int32_t a, int32_t b, int32_t rank, int32_t merged)
{
    const uint64_t key = pairKey(a, b);
    std::size_t i = mixHash(key) & m_pairMask;
    while (m_pairs[i].key != ~0ULL && m_pairs[i].key != key)
        i = (i + 1) & m_pairMask;
    m_pairs[i] = PairEntry{key, rank, merged}; // a repeated merge keeps its last rank, as HF does
}

const BpeModel::PairEntry* BpeModel::findPair(int32_t a, int32_t b) const
{
    const uint64_t key = pairKey(a, b);
    std::size_t i = mixHash(key) & m_pairMask;
    for (;;) {
        const PairEntry& e = m_pairs[i];
        if (e.key == key)
            return &e;
        if (e.key == ~0ULL)
            return nullptr;
        i = (i + 1) & m_pairMask;
    }
}

std::optional<int32_t> BpeModel::tokenToId(std::string_view token) const
{
    auto it = m_vocab.find(std::string(token));
    if (it == m_vocab.end())
        return std::nullopt;
    return it->second;
}

const std::string* BpeModel::idToToken(int32_t id) const
{
    if (id < 0 || id >= idLimit() || !m_present[id])
        return nullptr;
    return &m_tokens[id];
}

void BpeModel::initialSymbols(std::string_view word, std::vector<int32_t>& symbols) const
{
    const bool affixes = !m_prefix.empty() || !m_suffix.empty();
    bool lastWasUnk = false;
    std::size_t i = 0;
    std::string piece;
    while (i < word.size()) {
        const std::size_t begin = i;
        const char32_t c = decodeUtf8(word, i);
        int32_t id = -1;
        if (!affixes) {
            if (c < 0x800) {
                id = m_smallCharIds[c];
            } else {
                auto it = m_charIds.find(c);
                if (it != m_charIds.end())
                    id = it->second;
            }
        } else {
            piece.clear();
            if (begin > 0)
                piece += m_prefix;
            piece.append(word.data() + begin, i - begin);
            if (i == word.size())
                piece += m_suffix;
            auto it = m_vocab.find(piece);
            if (it != m_vocab.end())
                id = it->second;
        }
        if (id >= 0) {
            symbols.push_back(id);
            lastWasUnk = false;
            continue;
        }
        if (m_byteFallback) {
            bool all = true;
            for (std::size_t k = begin; k < i; ++k)
                all = all && m_byteFallbackIds[static_cast<unsigned char>(word[k])] >= 0;
            if (all) {
                for (std::size_t k = begin; k < i; ++k)
                    symbols.push_back(m_byteFallbackIds[static_cast<unsigned char>(word[k])]);
                lastWasUnk = false;
                continue;
            }
        }
        if (m_unkId) {
            if (!(m_fuseUnk && lastWasUnk))
                symbols.push_back(*m_unkId);
            lastWasUnk = true;
        }
        // Without an unk token the character is dropped, as Hugging Face does.
    }
}

void BpeModel::mergeShort(std::vector<int32_t>& s) const
{
    // rank[i] / merged[i]: the merge of s[i] and s[i + 1] (INT32_MAX: none). Each step merges the
    // lowest rank, leftmost first, and looks up only the two pairs it changed.
    thread_local std::vector<int32_t> rank, merged;
    const std::size_t n = s.size();
    if (n < 2)
        return;
    rank.resize(n);
    merged.resize(n);
    auto lookup = [&](std::size_t i) {
        const PairEntry* e = findPair(s[i], s[i + 1]);
        rank[i] = e ? e->rank : INT32_MAX;
        merged[i] = e ? e->merged : -1;
    };
    for (std::size_t i = 0; i + 1 < n; ++i)
        lookup(i);
    std::size_t size = n;
    for (;;) {
        int32_t best = INT32_MAX;
        std::size_t pos = 0;
        for (std::size_t i = 0; i + 1 < size; ++i)
            if (rank[i] < best) {
                best = rank[i];
                pos = i;
            }
        if (best == INT32_MAX)
            break;
        s[pos] = merged[pos];
        for (std::size_t i = pos + 1; i + 1 < size; ++i) {
            s[i] = s[i + 1];
            rank[i] = rank[i + 1];
            merged[i] = merged[i + 1];
        }
        --size;
        if (pos > 0)
            lookup(pos - 1);
        if (pos + 1 < size)
            lookup(pos);
    }
    s.resize(size);
}

void BpeModel::mergeLong(std::vector<int32_t>& s) const
{
    // Symbols in a linked list; candidate merges in a min-heap on (rank, position). A candidate
    // is stale once either side has changed, which comparing the two ids it was made from tells
    // without another table lookup.
    struct Candidate {
        int32_t rank;
        int32_t pos;
        int32_t left, right, merged;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    thread_local std::vector<int32_t> prev, next;
    thread_local std::vector<Candidate> heap;
    const int32_t n = static_cast<int32_t>(s.size());
    prev.resize(n);
    next.resize(n);
    heap.clear();
    for (int32_t i = 0; i < n; ++i) {
        prev[i] = i - 1;
        next[i] = i + 1 < n ? i + 1 : -1;
    }
    const std::greater<Candidate> later;
    auto push = [&](int32_t pos) {
        if (pos < 0 || next[pos] < 0)
            return;
        if (const PairEntry* e = findPair(s[pos], s[next[pos]])) {
            heap.push_back({e->rank, pos, s[pos], s[next[pos]], e->merged});
            std::push_heap(heap.begin(), heap.end(), later);
        }
    };
    for (int32_t i = 0; i + 1 < n; ++i)
        push(i);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        const Candidate top = heap.back();
        heap.pop_back();
        const int32_t right = next[top.pos];
        if (s[top.pos] != top.left || right < 0 || s[right] != top.right || s[top.pos] < 0)
            continue;
        s[top.pos] = top.merged;
        s[right] = -1; // gone
        next[top.pos] = next[right];
        if (next[right] >= 0)
            prev[next[right]] = top.pos;
        push(prev[top.pos]);
        push(top.pos);
    }
    std::size_t w = 0;
    for (int32_t i = 0; i >= 0; i = next[i])
        s[w++] = s[i];
    s.resize(w);
}

void BpeModel::encodeWord(std::string_view word, std::vector<int32_t>& out) const
{
    if (word.empty())
        return;
    if (m_ignoreMerges) {
        auto it = m_vocab.find(std::string(word));
        if (it != m_vocab.end()) {
            out.push_back(it->second);
            return;
        }
    }
    thread_local std::vector<int32_t> symbols;
    symbols.clear();
    initialSymbols(word, symbols);
    if (symbols.size() < kHeapThreshold)
        mergeShort(symbols);
    else
        mergeLong(symbols);
    out.insert(out.end(), symbols.begin(), symbols.end());
}

} // namespace teft::text
