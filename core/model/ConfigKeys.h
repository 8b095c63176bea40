#pragma once

// Reading config.json keys with errors that name the file, the key and the family.

#include "core/util/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <string>

namespace teft {

class ConfigKeys {
public:
    ConfigKeys(const nlohmann::json& doc, std::string source, std::string modelType)
        : m_doc(doc), m_source(std::move(source)), m_type(std::move(modelType))
    {
    }

    bool has(const std::string& key) const { return m_doc.contains(key) && !m_doc.at(key).is_null(); }
    const nlohmann::json& raw(const std::string& key) const { return m_doc.at(key); }

    std::int64_t integer(const std::string& key) const
    {
        const auto& v = require(key);
        if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
            throw FormatError(m_source + ": key '" + key + "' is out of range, got " + v.dump());
        if (v.is_number_integer())
            return v.get<std::int64_t>();
        // 2.0 is an integer too; the range is checked before converting (a cast of 1e300 is undefined).
        const double d = v.is_number_float() ? v.get<double>() : 0.5;
        if (d != std::trunc(d))
            throw wrongType(key, "an integer");
        if (!(std::fabs(d) < 9.2e18))
            throw FormatError(m_source + ": key '" + key + "' is out of range, got " + v.dump());
        return static_cast<std::int64_t>(d);
    }
    std::int64_t positive(const std::string& key) const
    {
        const auto n = integer(key);
        if (n <= 0)
            throw FormatError(m_source + ": key '" + key + "' must be a positive integer, got " + std::to_string(n));
        return n;
    }
    std::int64_t integer(const std::string& key, std::int64_t fallback) const
    {
        return has(key) ? integer(key) : fallback;
    }
    std::int64_t positive(const std::string& key, std::int64_t fallback) const
    {
        return has(key) ? positive(key) : fallback;
    }
    double number(const std::string& key) const
    {
        const auto& v = require(key);
        if (!v.is_number())
            throw wrongType(key, "a number");
        return v.get<double>();
    }
    double number(const std::string& key, double fallback) const { return has(key) ? number(key) : fallback; }
    bool boolean(const std::string& key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        const auto& v = m_doc.at(key);
        if (!v.is_boolean())
            throw wrongType(key, "true or false");
        return v.get<bool>();
    }
    std::string string(const std::string& key, const std::string& fallback) const
    {
        if (!has(key))
            return fallback;
        const auto& v = m_doc.at(key);
        if (!v.is_string())
            throw wrongType(key, "a string");
        return v.get<std::string>();
    }

    [[noreturn]] void unsupported(const std::string& key, const std::string& value, const std::string& why) const
    {
        throw FormatError(m_source + ": unsupported option " + key + " = " + value + " for model_type '" + m_type +
                          "' (" + why + ")");
    }
    const std::string& source() const { return m_source; }

private:
    const nlohmann::json& require(const std::string& key) const
    {
        if (!m_doc.contains(key) || m_doc.at(key).is_null())
            throw FormatError(m_source + ": missing key '" + key + "' (required for model_type '" + m_type + "')");
        return m_doc.at(key);
    }
    FormatError wrongType(const std::string& key, const std::string& what) const
    {
        return FormatError(m_source + ": key '" + key + "' must be " + what + ", got " + m_doc.at(key).dump());
    }

    const nlohmann::json& m_doc;
    std::string m_source;
    std::string m_type;
};

} // namespace teft
