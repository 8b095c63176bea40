#include "core/text/Normalizer.h"

#include "core/text/JsonFields.h"
#include "core/text/Regex.h"
#include "core/text/Unicode.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace teft::text {
namespace {

class FormNormalizer final : public Normalizer {
public:
    explicit FormNormalizer(NormalForm f) : m_form(f) {}
    void normalize(std::string& text) const override { normalizeInPlace(text, m_form); }

private:
    NormalForm m_form;
};

class LowercaseNormalizer final : public Normalizer {
public:
    void normalize(std::string& text) const override { text = lowercase(text); }
};

class StripNormalizer final : public Normalizer {
public:
    StripNormalizer(bool left, bool right) : m_left(left), m_right(right) {}
    void normalize(std::string& text) const override
    {
        std::size_t begin = 0, end = text.size();
        if (m_left) {
            while (begin < end) {
                std::size_t i = begin;
                if (!isWhitespace(decodeUtf8(text, i)))
                    break;
                begin = i;
            }
        }
        if (m_right) {
            while (end > begin) {
                std::size_t s = end - 1;
                while (s > begin && (static_cast<unsigned char>(text[s]) & 0xC0) == 0x80)
                    --s;
                std::size_t i = s;
                if (!isWhitespace(decodeUtf8(text, i)))
                    break;
                end = s;
            }
        }
        text = text.substr(begin, end - begin);
    }

private:
    bool m_left, m_right;
};

class ReplaceNormalizer final : public Normalizer {
public:
    ReplaceNormalizer(Pattern p, std::string content) : m_pattern(std::move(p)), m_content(std::move(content)) {}
    void normalize(std::string& text) const override { text = m_pattern.replaceAll(text, m_content); }

private:
    Pattern m_pattern;
    std::string m_content;
};

class PrependNormalizer final : public Normalizer {
public:
    explicit PrependNormalizer(std::string p) : m_prepend(std::move(p)) {}
    void normalize(std::string& text) const override
    {
        if (!text.empty())
            text.insert(0, m_prepend);
    }

private:
    std::string m_prepend;
};

class SequenceNormalizer final : public Normalizer {
public:
    explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> items) : m_items(std::move(items)) {}
    void normalize(std::string& text) const override
    {
        for (const auto& n : m_items)
            n->normalize(text);
    }

private:
    std::vector<std::unique_ptr<Normalizer>> m_items;
};

} // namespace

std::unique_ptr<Normalizer> Normalizer::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (j.is_null())
        return nullptr;
    const std::string type = componentType(j, where);
    if (type == "NFC")
        return std::make_unique<FormNormalizer>(NormalForm::NFC);
    if (type == "NFD")
        return std::make_unique<FormNormalizer>(NormalForm::NFD);
    if (type == "NFKC")
        return std::make_unique<FormNormalizer>(NormalForm::NFKC);
    if (type == "NFKD")
        return std::make_unique<FormNormalizer>(NormalForm::NFKD);
    if (type == "Lowercase")
        return std::make_unique<LowercaseNormalizer>();
    if (type == "Strip")
        return std::make_unique<StripNormalizer>(optionalBool(j, "strip_left", true, where),
                                                 optionalBool(j, "strip_right", true, where));
    if (type == "Replace")
        return std::make_unique<ReplaceNormalizer>(Pattern::fromJson(requiredField(j, "pattern", where), where),
                                                   requiredString(j, "content", where));
    if (type == "Prepend")
        return std::make_unique<PrependNormalizer>(requiredString(j, "prepend", where));
    if (type == "Sequence") {
        const auto& list = requiredArray(j, "normalizers", where);
        std::vector<std::unique_ptr<Normalizer>> items;
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto n = fromJson(list[i], where + ".normalizers[" + std::to_string(i) + "]");
            if (n)
                items.push_back(std::move(n));
        }
        return std::make_unique<SequenceNormalizer>(std::move(items));
    }
    throw unsupported(where, "normalizer", type);
}

} // namespace teft::text
