#pragma once

// A compiled PCRE2 pattern for the tokenizer's Split / Replace components and the GPT-2 pattern:
// UTF + UCP (\p{L}, \s, \w are Unicode-aware, like Oniguruma in Hugging Face tokenizers), with
// \p{..} and \s rewritten to Oniguruma's Unicode tables (toOnigurumaClasses), JIT compiled when
// the platform allows it. Immutable after construction; matching is thread-safe.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <vector>

namespace teft::text {

class Regex {
public:
    // Throws teft::FormatError naming `where` and the pattern when it does not compile.
    Regex(const std::string& pattern, const std::string& where);
    // All non-overlapping matches, left to right, as [begin, end) byte ranges. The subject must
    // be valid UTF-8. After an empty match the search resumes one character further on.
    void findAll(std::string_view subject, std::vector<std::pair<std::size_t, std::size_t>>& out) const;
    const std::string& pattern() const { return m_pattern; }

private:
    struct Code;
    std::shared_ptr<const Code> m_code;
    std::string m_pattern;
};

// The pattern as PCRE2 compiles it so that it matches as Oniguruma does in Hugging Face tokenizers
// (tokenizers 0.23: Unicode 16.0 general categories, \s = White_Space); see Regex.cpp.
std::string toOnigurumaClasses(const std::string& pattern);

// The `pattern` of tokenizer.json components: {"String": literal} or {"Regex": pattern}.
class Pattern {
public:
    static Pattern fromJson(const nlohmann::json& j, const std::string& where);
    void findAll(std::string_view subject, std::vector<std::pair<std::size_t, std::size_t>>& out) const;
    std::string replaceAll(std::string_view subject, std::string_view replacement) const;

private:
    std::string m_literal;
    std::optional<Regex> m_regex;
};

} // namespace teft::text
