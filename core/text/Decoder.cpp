#include "core/text/Decoder.h"

#include "core/text/JsonFields.h"
#include "core/text/Regex.h"
#include "core/text/Unicode.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace teft::text {
namespace {

// Byte-level alphabet back to bytes; a token with a character outside the alphabet keeps its
// own UTF-8 bytes. Invalid UTF-8 in the result becomes U+FFFD.
class ByteLevelDecoder final : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string bytes;
        for (const auto& t : tokens) {
            const std::size_t mark = bytes.size();
            bool ok = isValidUtf8(t);
            std::size_t i = 0;
            while (ok && i < t.size()) {
                const int b = codePointToByte(decodeUtf8(t, i));
                if (b < 0)
                    ok = false;
                else
                    bytes.push_back(static_cast<char>(b));
            }
            if (!ok) {
                bytes.resize(mark);
                bytes += t;
            }
        }
        tokens.assign(1, repairUtf8(bytes));
    }
};

class MetaspaceDecoder final : public Decoder {
public:
    MetaspaceDecoder(std::string replacement, bool stripFirstSpace)
        : m_replacement(std::move(replacement)), m_stripFirstSpace(stripFirstSpace)
    {
    }
    // Each replacement becomes a space, except in the first token where (unless the scheme is
    // "never") they are dropped: that is where the pre-tokenizer prepended one.
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            const bool drop = i == 0 && m_stripFirstSpace;
            std::string out;
            const std::string& t = tokens[i];
            std::size_t pos = 0;
            for (;;) {
                const std::size_t f = t.find(m_replacement, pos);
                out.append(t, pos, f == std::string::npos ? std::string::npos : f - pos);
                if (f == std::string::npos)
                    break;
                if (!drop)
                    out.push_back(' ');
                pos = f + m_replacement.size();
            }
            tokens[i] = std::move(out);
        }
    }

private:
    std::string m_replacement;
    bool m_stripFirstSpace;
};

// Runs of <0xNN> tokens become their bytes when those are valid UTF-8, else one U+FFFD per byte.
class ByteFallbackDecoder final : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::vector<std::string> out;
        out.reserve(tokens.size());
        std::string pending;
        auto flush = [&] {
            if (pending.empty())
                return;
            if (isValidUtf8(pending)) {
                out.push_back(pending);
            } else {
                for (std::size_t k = 0; k < pending.size(); ++k)
                    out.push_back(utf8(kReplacementChar));
            }
            pending.clear();
        };
        for (auto& t : tokens) {
            int byte = -1;
            if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' &&
                std::isxdigit(static_cast<unsigned char>(t[3])) && std::isxdigit(static_cast<unsigned char>(t[4])))
                byte = static_cast<int>(std::stoi(t.substr(3, 2), nullptr, 16));
            if (byte >= 0) {
                pending.push_back(static_cast<char>(byte));
            } else {
                flush();
                out.push_back(std::move(t));
            }
        }
        flush();
        tokens.swap(out);
    }
};

class FuseDecoder final : public Decoder {
public:
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        std::string all;
        for (const auto& t : tokens)
            all += t;
        tokens.assign(1, all);
    }
};

class StripDecoder final : public Decoder {
public:
    StripDecoder(std::string content, std::size_t start, std::size_t stop)
        : m_content(std::move(content)), m_start(start), m_stop(stop)
    {
    }
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (auto& t : tokens) {
            std::size_t begin = 0, end = t.size();
            const std::size_t n = m_content.size();
            for (std::size_t k = 0; k < m_start && begin + n <= end && t.compare(begin, n, m_content) == 0; ++k)
                begin += n;
            for (std::size_t k = 0; k < m_stop && end >= begin + n && t.compare(end - n, n, m_content) == 0; ++k)
                end -= n;
            t = t.substr(begin, end - begin);
        }
    }

private:
    std::string m_content;
    std::size_t m_start, m_stop;
};

class ReplaceDecoder final : public Decoder {
public:
    ReplaceDecoder(Pattern p, std::string content) : m_pattern(std::move(p)), m_content(std::move(content)) {}
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (auto& t : tokens)
            t = m_pattern.replaceAll(t, m_content);
    }

private:
    Pattern m_pattern;
    std::string m_content;
};

class SequenceDecoder final : public Decoder {
public:
    explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> items) : m_items(std::move(items)) {}
    void decodeChain(std::vector<std::string>& tokens) const override
    {
        for (const auto& d : m_items)
            d->decodeChain(tokens);
    }

private:
    std::vector<std::unique_ptr<Decoder>> m_items;
};

std::size_t count(const nlohmann::json& j, const char* key, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return 0;
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0))
        throw FormatError(where + ": field '" + key + "' must be a non-negative integer");
    return it->get<std::size_t>();
}

} // namespace

std::unique_ptr<Decoder> Decoder::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (j.is_null())
        return nullptr;
    const std::string type = componentType(j, where);
    if (type == "ByteLevel")
        return std::make_unique<ByteLevelDecoder>();
    if (type == "Metaspace") {
        const std::string replacement = optionalString(j, "replacement", "\xE2\x96\x81", where);
        bool strip = true;
        if (j.contains("prepend_scheme") && !j["prepend_scheme"].is_null())
            strip = requiredString(j, "prepend_scheme", where) != "never";
        else
            strip = optionalBool(j, "add_prefix_space", true, where);
        return std::make_unique<MetaspaceDecoder>(replacement, strip);
    }
    if (type == "ByteFallback")
        return std::make_unique<ByteFallbackDecoder>();
    if (type == "Fuse")
        return std::make_unique<FuseDecoder>();
    if (type == "Strip")
        return std::make_unique<StripDecoder>(requiredString(j, "content", where), count(j, "start", where),
                                              count(j, "stop", where));
    if (type == "Replace")
        return std::make_unique<ReplaceDecoder>(Pattern::fromJson(requiredField(j, "pattern", where), where),
                                                requiredString(j, "content", where));
    if (type == "Sequence") {
        const auto& list = requiredArray(j, "decoders", where);
        std::vector<std::unique_ptr<Decoder>> items;
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto d = fromJson(list[i], where + ".decoders[" + std::to_string(i) + "]");
            if (d)
                items.push_back(std::move(d));
        }
        return std::make_unique<SequenceDecoder>(std::move(items));
    }
    throw unsupported(where, "decoder", type);
}

} // namespace teft::text
