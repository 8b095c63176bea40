// JSON Lines: one object per line; the text is a string field or a chat "messages" array.
#include "core/data/ChatTemplate.h"
#include "core/data/LineReader.h"
#include "core/data/RecordSource.h"
#include "core/data/Utf8.h"
#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace teft {
namespace {

class JsonlSource : public RecordSource {
public:
    JsonlSource(const DatasetFile& file, const DatasetSpec& spec, DataQualityReport& report)
        : RecordSource(spec, report), m_file(file.path.string()), m_lines(file.path)
    {
        renderChat({}, spec.chatTemplate); // refuse an unknown template before reading
        if (!spec.field.empty()) {
            std::size_t start = 0;
            for (;;) {
                const auto dot = spec.field.find('.', start);
                m_path.push_back(spec.field.substr(start, dot - start));
                if (dot == std::string::npos)
                    break;
                start = dot + 1;
            }
        }
    }

    bool next(TextRecord& out) override
    {
        std::string line;
        bool tooLong = false;
        while (m_lines.next(line, m_spec.maxDocumentBytes, tooLong)) {
            const std::int64_t n = m_lines.lineNumber();
            if (tooLong) {
                reject(BadDataKind::TooLarge, m_file, n,
                       "line longer than " + std::to_string(m_spec.maxDocumentBytes) + " bytes");
                continue;
            }
            if (isBlank(line))
                continue; // blank lines between records are not records
            if (!isValidUtf8(line)) {
                reject(BadDataKind::InvalidUtf8, m_file, n, describeInvalidUtf8(line));
                continue;
            }
            nlohmann::json doc = nlohmann::json::parse(line, nullptr, false);
            const bool first = !m_sawRecord;
            m_sawRecord = true;
            if (doc.is_discarded() && first && line[line.find_first_not_of(" \t")] == '[')
                throw FormatError(m_file + " holds one JSON array, not JSON Lines (one object per line); "
                                           "convert it, e.g. jq -c '.[]' IN.json > OUT.jsonl");
            if (doc.is_discarded()) {
                reject(BadDataKind::InvalidJson, m_file, n, "line is not valid JSON");
                continue;
            }
            if (!doc.is_object()) {
                reject(BadDataKind::InvalidJson, m_file, n,
                       "line is a JSON " + std::string(doc.type_name()) + ", not an object");
                continue;
            }
            if (!extract(doc, n, out.text))
                continue;
            if (isBlank(out.text)) {
                reject(BadDataKind::Empty, m_file, n, "the text is empty");
                continue;
            }
            out.file = m_file;
            out.line = n;
            return true;
        }
        return false;
    }

    std::int64_t bytesRead() const override { return m_lines.bytesRead(); }

private:
    bool extract(const nlohmann::json& doc, std::int64_t n, std::string& text)
    {
        const nlohmann::json* value = nullptr;
        std::string name = m_spec.field;
        if (m_path.empty()) {
            if (auto it = doc.find("text"); it != doc.end()) {
                value = &*it;
                name = "text";
            } else if (auto m = doc.find("messages"); m != doc.end()) {
                value = &*m;
                name = "messages";
            } else {
                reject(BadDataKind::MissingField, m_file, n, "no field 'text' (nor 'messages')");
                return false;
            }
        } else {
            value = &doc;
            for (const auto& key : m_path) {
                auto it = value->is_object() ? value->find(key) : value->end();
                if (!value->is_object() || it == value->end()) {
                    reject(BadDataKind::MissingField, m_file, n, "no field '" + m_spec.field + "'");
                    return false;
                }
                value = &*it;
            }
        }
        if (value->is_string()) {
            text = value->get<std::string>();
            return true;
        }
        if (value->is_array()) {
            std::string why;
            if (!parseChatMessages(*value, m_messages, why)) {
                reject(BadDataKind::WrongType, m_file, n, "field '" + name + "': " + why);
                return false;
            }
            text = renderChat(m_messages, m_spec.chatTemplate);
            return true;
        }
        reject(BadDataKind::WrongType, m_file, n,
               "field '" + name + "' is " + std::string(value->type_name()) + ", not a string");
        return false;
    }

    std::string m_file;
    LineReader m_lines;
    std::vector<std::string> m_path;
    std::vector<ChatMessage> m_messages;
    bool m_sawRecord = false;
};

} // namespace

std::unique_ptr<RecordSource> makeJsonlSource(const DatasetFile& file, const DatasetSpec& spec,
                                              DataQualityReport& report)
{
    return std::make_unique<JsonlSource>(file, spec, report);
}

} // namespace teft
