#pragma once

// Field access for tokenizer.json components with errors that name the component and the field.

#include "core/util/Error.h"

#include <nlohmann/json.hpp>
#include <string>

namespace teft::text {

// The "type" of a component object.
inline std::string componentType(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw FormatError(where + " must be an object with a string \"type\", got " + j.dump().substr(0, 200));
    return j["type"].get<std::string>();
}

inline FormatError unsupported(const std::string& where, const std::string& kind, const std::string& type)
{
    return FormatError(where + ": " + kind + " type '" + type + "' is not supported");
}

inline const nlohmann::json& requiredField(const nlohmann::json& j, const char* key, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        throw FormatError(where + ": missing field '" + key + "'");
    return *it;
}

inline std::string requiredString(const nlohmann::json& j, const char* key, const std::string& where)
{
    const auto& v = requiredField(j, key, where);
    if (!v.is_string())
        throw FormatError(where + ": field '" + key + "' must be a string, got " + v.dump().substr(0, 200));
    return v.get<std::string>();
}

inline const nlohmann::json& requiredArray(const nlohmann::json& j, const char* key, const std::string& where)
{
    const auto& v = requiredField(j, key, where);
    if (!v.is_array())
        throw FormatError(where + ": field '" + key + "' must be an array");
    return v;
}

inline bool optionalBool(const nlohmann::json& j, const char* key, bool fallback, const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        throw FormatError(where + ": field '" + key + "' must be true or false, got " + it->dump());
    return it->get<bool>();
}

inline std::string optionalString(const nlohmann::json& j, const char* key, const std::string& fallback,
                                  const std::string& where)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    if (!it->is_string())
        throw FormatError(where + ": field '" + key + "' must be a string, got " + it->dump().substr(0, 200));
    return it->get<std::string>();
}

} // namespace teft::text
