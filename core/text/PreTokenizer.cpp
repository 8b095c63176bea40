#include "core/text/PreTokenizer.h"

#include "core/text/JsonFields.h"
#include "core/text/Regex.h"
#include "core/text/Unicode.h"

#include <nlohmann/json.hpp>

namespace teft::text {

using Ranges = std::vector<std::pair<std::size_t, std::size_t>>;

void splitPiece(const PreToken& piece, const Ranges& matches, SplitBehavior behavior, bool invert,
                std::vector<PreToken>& out)
{
    struct Part {
        std::size_t begin, end;
        bool isMatch;
    };
    const std::size_t n = piece.text.size();
    // The whole piece as alternating match / non-match parts (as Pattern::find_matches does).
    std::vector<Part> parts;
    parts.reserve(matches.size() * 2 + 1);
    if (n == 0) {
        parts.push_back({0, 0, false});
    } else {
        std::size_t prev = 0;
        for (const auto& [b, e] : matches) {
            if (prev != b)
                parts.push_back({prev, b, false});
            parts.push_back({b, e, true});
            prev = e;
        }
        if (prev != n)
            parts.push_back({prev, n, false});
    }
    if (invert)
        for (auto& p : parts)
            p.isMatch = !p.isMatch;

    std::vector<Part> kept; // isMatch = "remove"
    kept.reserve(parts.size());
    switch (behavior) {
    case SplitBehavior::Removed: kept = parts; break;
    case SplitBehavior::Isolated:
        for (auto p : parts)
            kept.push_back({p.begin, p.end, false});
        break;
    case SplitBehavior::MergedWithPrevious: {
        bool previousMatch = false;
        for (const auto& p : parts) {
            if (p.isMatch && !previousMatch && !kept.empty())
                kept.back().end = p.end;
            else
                kept.push_back({p.begin, p.end, false});
            previousMatch = p.isMatch;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        bool previousMatch = false;
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
            if (it->isMatch && !previousMatch && !kept.empty())
                kept.back().begin = it->begin;
            else
                kept.push_back({it->begin, it->end, false});
            previousMatch = it->isMatch;
        }
        std::reverse(kept.begin(), kept.end());
        break;
    }
    case SplitBehavior::Contiguous: {
        bool previousMatch = false;
        for (const auto& p : parts) {
            if (p.isMatch == previousMatch && !kept.empty())
                kept.back().end = p.end;
            else
                kept.push_back({p.begin, p.end, false});
            previousMatch = p.isMatch;
        }
        break;
    }
    }
    for (const auto& k : kept) {
        if (k.isMatch || k.end == k.begin)
            continue;
        out.push_back({piece.text.substr(k.begin, k.end - k.begin), piece.atStart && k.begin == 0});
    }
}

namespace {

SplitBehavior parseBehavior(const std::string& s, const std::string& where)
{
    if (s == "Removed")
        return SplitBehavior::Removed;
    if (s == "Isolated")
        return SplitBehavior::Isolated;
    if (s == "MergedWithPrevious")
        return SplitBehavior::MergedWithPrevious;
    if (s == "MergedWithNext")
        return SplitBehavior::MergedWithNext;
    if (s == "Contiguous")
        return SplitBehavior::Contiguous;
    throw FormatError(where + ": split behavior '" + s + "' is not supported");
}

class SplitPreTokenizer final : public PreTokenizer {
public:
    SplitPreTokenizer(Pattern p, SplitBehavior b, bool invert)
        : m_pattern(std::move(p)), m_behavior(b), m_invert(invert)
    {
    }
    void split(std::vector<PreToken>& pieces) const override
    {
        std::vector<PreToken> out;
        out.reserve(pieces.size() * 4);
        Ranges matches;
        for (const auto& piece : pieces) {
            matches.clear();
            m_pattern.findAll(piece.text, matches);
            splitPiece(piece, matches, m_behavior, m_invert, out);
        }
        pieces.swap(out);
    }

private:
    Pattern m_pattern;
    SplitBehavior m_behavior;
    bool m_invert;
};

const char* kGpt2Pattern = R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevelPreTokenizer final : public PreTokenizer {
public:
    ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : m_addPrefixSpace(addPrefixSpace)
    {
        if (useRegex)
            m_regex = std::make_unique<Regex>(kGpt2Pattern, "ByteLevel pre-tokenizer");
        const auto& table = byteToCodePoint();
        for (int b = 0; b < 256; ++b)
            m_map[b] = utf8(table[b]);
    }
    void split(std::vector<PreToken>& pieces) const override
    {
        if (m_addPrefixSpace)
            for (auto& p : pieces)
                if (p.text.empty() || p.text[0] != ' ')
                    p.text.insert(0, 1, ' ');
        if (m_regex) {
            std::vector<PreToken> out;
            out.reserve(pieces.size() * 4);
            Ranges matches;
            for (const auto& piece : pieces) {
                matches.clear();
                m_regex->findAll(piece.text, matches);
                splitPiece(piece, matches, SplitBehavior::Isolated, false, out);
            }
            pieces.swap(out);
        }
        std::string mapped;
        for (auto& p : pieces) {
            mapped.clear();
            mapped.reserve(p.text.size() * 2);
            for (unsigned char c : p.text)
                mapped += m_map[c];
            p.text.swap(mapped);
        }
    }

private:
    bool m_addPrefixSpace;
    std::unique_ptr<Regex> m_regex;
    std::string m_map[256];
};

class DigitsPreTokenizer final : public PreTokenizer {
public:
    explicit DigitsPreTokenizer(bool individual) : m_individual(individual) {}
    void split(std::vector<PreToken>& pieces) const override
    {
        std::vector<PreToken> out;
        Ranges matches;
        for (const auto& piece : pieces) {
            matches.clear();
            for (std::size_t i = 0; i < piece.text.size(); ++i)
                if (piece.text[i] >= '0' && piece.text[i] <= '9')
                    matches.emplace_back(i, i + 1);
            splitPiece(piece, matches, m_individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous, false, out);
        }
        pieces.swap(out);
    }

private:
    bool m_individual;
};

class MetaspacePreTokenizer final : public PreTokenizer {
public:
    enum class Prepend { Always, First, Never };
    MetaspacePreTokenizer(std::string replacement, Prepend scheme, bool split)
        : m_replacement(std::move(replacement)), m_scheme(scheme), m_split(split)
    {
    }
    void split(std::vector<PreToken>& pieces) const override
    {
        std::vector<PreToken> out;
        Ranges matches;
        for (auto& piece : pieces) {
            std::string t;
            t.reserve(piece.text.size() + m_replacement.size());
            for (char c : piece.text) {
                if (c == ' ')
                    t += m_replacement;
                else
                    t.push_back(c);
            }
            const bool startsWithReplacement = t.compare(0, m_replacement.size(), m_replacement) == 0;
            if (!startsWithReplacement &&
                (m_scheme == Prepend::Always || (m_scheme == Prepend::First && piece.atStart)))
                t.insert(0, m_replacement);
            PreToken replaced{std::move(t), piece.atStart};
            if (!m_split) {
                out.push_back(std::move(replaced));
                continue;
            }
            matches.clear();
            std::size_t pos = 0;
            while ((pos = replaced.text.find(m_replacement, pos)) != std::string::npos) {
                matches.emplace_back(pos, pos + m_replacement.size());
                pos += m_replacement.size();
            }
            splitPiece(replaced, matches, SplitBehavior::MergedWithNext, false, out);
        }
        pieces.swap(out);
    }

private:
    std::string m_replacement;
    Prepend m_scheme;
    bool m_split;
};

class SequencePreTokenizer final : public PreTokenizer {
public:
    explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> items) : m_items(std::move(items)) {}
    void split(std::vector<PreToken>& pieces) const override
    {
        for (const auto& p : m_items)
            p->split(pieces);
    }

private:
    std::vector<std::unique_ptr<PreTokenizer>> m_items;
};

} // namespace

std::unique_ptr<PreTokenizer> PreTokenizer::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (j.is_null())
        return nullptr;
    const std::string type = componentType(j, where);
    if (type == "Sequence") {
        const auto& list = requiredArray(j, "pretokenizers", where);
        std::vector<std::unique_ptr<PreTokenizer>> items;
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto p = fromJson(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
            if (p)
                items.push_back(std::move(p));
        }
        return std::make_unique<SequencePreTokenizer>(std::move(items));
    }
    if (type == "Split")
        return std::make_unique<SplitPreTokenizer>(Pattern::fromJson(requiredField(j, "pattern", where), where),
                                                   parseBehavior(requiredString(j, "behavior", where), where),
                                                   optionalBool(j, "invert", false, where));
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelPreTokenizer>(optionalBool(j, "add_prefix_space", true, where),
                                                       optionalBool(j, "use_regex", true, where));
    if (type == "Digits")
        return std::make_unique<DigitsPreTokenizer>(optionalBool(j, "individual_digits", false, where));
    if (type == "Metaspace") {
        const std::string replacement = optionalString(j, "replacement", "\xE2\x96\x81", where);
        if (replacement.empty())
            throw FormatError(where + ": Metaspace 'replacement' must not be empty");
        MetaspacePreTokenizer::Prepend scheme = MetaspacePreTokenizer::Prepend::Always;
        if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null()) {
            const std::string s = requiredString(j, "prepend_scheme", where);
            if (s == "always")
                scheme = MetaspacePreTokenizer::Prepend::Always;
            else if (s == "first")
                scheme = MetaspacePreTokenizer::Prepend::First;
            else if (s == "never")
                scheme = MetaspacePreTokenizer::Prepend::Never;
            else
                throw FormatError(where + ": Metaspace prepend_scheme '" + s + "' is not supported");
        } else if (!optionalBool(j, "add_prefix_space", true, where)) {
            scheme = MetaspacePreTokenizer::Prepend::Never;
        }
        return std::make_unique<MetaspacePreTokenizer>(replacement, scheme, optionalBool(j, "split", true, where));
    }
    throw unsupported(where, "pre-tokenizer", type);
}

} // namespace teft::text
