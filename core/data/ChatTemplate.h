#pragma once

// Renders chat "messages" ([{role, content}, ...]) into training text.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace teft {

struct ChatMessage {
    std::string role;
    std::string content;
};

// Names accepted by renderChat: "chatml", "plain".
const std::vector<std::string>& chatTemplateNames();

// "chatml": "<|im_start|>{role}\n{content}<|im_end|>\n" per message (Qwen, OLMoE chat);
// "plain":  "{role}: {content}\n" per message.
// Throws teft::UsageError for an unknown template name.
std::string renderChat(const std::vector<ChatMessage>& messages, const std::string& templateName);

// Parses a JSON "messages" value: an array of objects with a string "role" and a "content"
// that is a string, null (empty) or an array of parts whose "text" strings are concatenated.
// Returns false with `why` set when the value has another shape.
bool parseChatMessages(const nlohmann::json& value, std::vector<ChatMessage>& out, std::string& why);

} // namespace teft
