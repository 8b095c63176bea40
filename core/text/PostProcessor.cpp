#include "core/text/PostProcessor.h"

#include "core/text/JsonFields.h"

#include <nlohmann/json.hpp>

namespace teft::text {
namespace {

// The single-sequence template as ids before ($A = -1 marks where the sequence goes) and after.
class TemplatePostProcessor final : public PostProcessor {
public:
    TemplatePostProcessor(std::vector<int32_t> before, std::vector<int32_t> after)
        : m_before(std::move(before)), m_after(std::move(after))
    {
    }
    void process(std::vector<int32_t>& ids, bool addSpecialTokens) const override
    {
        if (!addSpecialTokens)
            return;
        ids.insert(ids.begin(), m_before.begin(), m_before.end());
        ids.insert(ids.end(), m_after.begin(), m_after.end());
    }

private:
    std::vector<int32_t> m_before, m_after;
};

class NoOpPostProcessor final : public PostProcessor {
public:
    void process(std::vector<int32_t>&, bool) const override {}
};

class SequencePostProcessor final : public PostProcessor {
public:
    explicit SequencePostProcessor(std::vector<std::unique_ptr<PostProcessor>> items) : m_items(std::move(items)) {}
    void process(std::vector<int32_t>& ids, bool addSpecialTokens) const override
    {
        for (const auto& p : m_items)
            p->process(ids, addSpecialTokens);
    }

private:
    std::vector<std::unique_ptr<PostProcessor>> m_items;
};

std::unique_ptr<PostProcessor> templateFromJson(const nlohmann::json& j, const std::string& where)
{
    const auto& single = requiredField(j, "single", where);
    if (!single.is_array())
        throw FormatError(where + ": TemplateProcessing 'single' must be an array of pieces");
    const auto specials = j.contains("special_tokens") ? j["special_tokens"] : nlohmann::json::object();
    std::vector<int32_t> before, after;
    bool seenSequence = false;
    for (const auto& item : single) {
        if (item.is_object() && item.contains("Sequence")) {
            const std::string id = optionalString(item["Sequence"], "id", "A", where);
            if (id != "A")
                throw FormatError(where + ": TemplateProcessing 'single' refers to sequence '" + id + "'");
            if (seenSequence)
                throw FormatError(where + ": TemplateProcessing 'single' holds the sequence twice");
            seenSequence = true;
        } else if (item.is_object() && item.contains("SpecialToken")) {
            const std::string name = requiredString(item["SpecialToken"], "id", where);
            if (!specials.is_object() || !specials.contains(name))
                throw FormatError(where + ": TemplateProcessing special token '" + name +
                                  "' is missing from 'special_tokens'");
            const auto& ids = requiredArray(specials[name], "ids", where + ".special_tokens." + name);
            for (const auto& v : ids) {
                if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX)
                    throw FormatError(where + ": special token '" + name + "' has the id " + v.dump() +
                                      ", not an integer in 0..2^31-1");
                (seenSequence ? after : before).push_back(v.get<int32_t>());
            }
        } else {
            throw FormatError(where + ": TemplateProcessing piece " + item.dump().substr(0, 200) +
                              " is neither Sequence nor SpecialToken");
        }
    }
    if (!seenSequence)
        throw FormatError(where + ": TemplateProcessing 'single' has no $A sequence");
    return std::make_unique<TemplatePostProcessor>(std::move(before), std::move(after));
}

int32_t tokenPairId(const nlohmann::json& j, const char* key, const std::string& where)
{
    const auto& v = requiredField(j, key, where);
    if (!v.is_array() || v.size() != 2 || !v[1].is_number_integer() || v[1].get<int64_t>() < 0 ||
        v[1].get<int64_t>() > INT32_MAX)
        throw FormatError(where + ": field '" + key + "' must be [token, id] with an id in 0..2^31-1");
    return v[1].get<int32_t>();
}

} // namespace

std::unique_ptr<PostProcessor> PostProcessor::fromJson(const nlohmann::json& j, const std::string& where)
{
    if (j.is_null())
        return nullptr;
    const std::string type = componentType(j, where);
    if (type == "TemplateProcessing")
        return templateFromJson(j, where);
    if (type == "ByteLevel")
        return std::make_unique<NoOpPostProcessor>(); // only trims offsets, which are not tracked
    if (type == "BertProcessing" || type == "RobertaProcessing")
        return std::make_unique<TemplatePostProcessor>(std::vector<int32_t>{tokenPairId(j, "cls", where)},
                                                       std::vector<int32_t>{tokenPairId(j, "sep", where)});
    if (type == "Sequence") {
        const auto& list = requiredArray(j, "processors", where);
        std::vector<std::unique_ptr<PostProcessor>> items;
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto p = fromJson(list[i], where + ".processors[" + std::to_string(i) + "]");
            if (p)
                items.push_back(std::move(p));
        }
        return std::make_unique<SequencePostProcessor>(std::move(items));
    }
    throw unsupported(where, "post-processor", type);
}

} // namespace teft::text
