#include "core/data/ChatTemplate.h"

#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace teft {

const std::vector<std::string>& chatTemplateNames()
{
    static const std::vector<std::string> names{"chatml", "plain"};
    return names;
}

std::string renderChat(const std::vector<ChatMessage>& messages, const std::string& templateName)
{
    std::string out;
    if (templateName == "chatml" || templateName.empty()) {
        for (const auto& m : messages)
            out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
    } else if (templateName == "plain") {
        for (const auto& m : messages)
            out += m.role + ": " + m.content + "\n";
    } else {
        throw UsageError("unknown chat template '" + templateName + "' (expected chatml or plain)");
    }
    return out;
}

bool parseChatMessages(const nlohmann::json& value, std::vector<ChatMessage>& out, std::string& why)
{
    out.clear();
    if (!value.is_array()) {
        why = "messages is " + std::string(value.type_name()) + ", not an array";
        return false;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto& m = value[i];
        const std::string at = "message " + std::to_string(i);
        if (!m.is_object()) {
            why = at + " is " + std::string(m.type_name()) + ", not an object";
            return false;
        }
        auto role = m.find("role");
        if (role == m.end() || !role->is_string()) {
            why = at + " has no string 'role'";
            return false;
        }
        ChatMessage msg{role->get<std::string>(), {}};
        auto content = m.find("content");
        if (content == m.end() || content->is_null()) {
            // tool calls and the like: no text
        } else if (content->is_string()) {
            msg.content = content->get<std::string>();
        } else if (content->is_array()) {
            for (const auto& part : *content) {
                auto text = part.is_object() ? part.find("text") : part.end();
                if (!part.is_object() || text == part.end() || !text->is_string()) {
                    why = at + " has a content part without a string 'text'";
                    return false;
                }
                msg.content += text->get<std::string>();
            }
        } else {
            why = at + " content is " + std::string(content->type_name()) + ", not a string";
            return false;
        }
        out.push_back(std::move(msg));
    }
    if (out.empty()) {
        why = "messages is an empty array";
        return false;
    }
    return true;
}

} // namespace teft
