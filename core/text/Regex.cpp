#include "core/text/Regex.h"

#include "core/text/Unicode.h"
#include "core/util/Error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <nlohmann/json.hpp>

namespace teft::text {

struct Regex::Code {
    pcre2_code* code = nullptr;
    ~Code() { pcre2_code_free(code); }
};

namespace {
// Per-thread match state: one match block and a JIT stack large enough for long runs of
// whitespace under patterns like \s+(?!\S).
struct ThreadMatchState {
    pcre2_match_data* data = nullptr;
    pcre2_match_context* context = nullptr;
    pcre2_jit_stack* stack = nullptr;
    ThreadMatchState()
    {
        data = pcre2_match_data_create(8, nullptr);
        context = pcre2_match_context_create(nullptr);
        stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
        if (context && stack)
            pcre2_jit_stack_assign(context, nullptr, stack);
    }
    ~ThreadMatchState()
    {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
        pcre2_jit_stack_free(stack);
    }
};
ThreadMatchState& threadState()
{
    thread_local ThreadMatchState s;
    return s;
}

std::string pcreMessage(int code)
{
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof buf);
    return reinterpret_cast<const char*>(buf);
}
} // namespace

Regex::Regex(const std::string& pattern, const std::string& where) : m_pattern(pattern)
{
    int err = 0;
    PCRE2_SIZE offset = 0;
    auto code = std::make_shared<Code>();
    code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                               &err, &offset, nullptr);
    if (!code->code)
        throw FormatError(where + ": regular expression '" + pattern + "' does not compile at offset " +
                          std::to_string(offset) + ": " + pcreMessage(err));
    pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE); // falls back to the interpreter if unavailable
    m_code = std::move(code);
}

void Regex::findAll(std::string_view subject, std::vector<std::pair<std::size_t, std::size_t>>& out) const
{
    ThreadMatchState& st = threadState();
    const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
    std::size_t start = 0;
    while (start <= subject.size()) {
        const int rc = pcre2_match(m_code->code, s, subject.size(), start, PCRE2_NO_UTF_CHECK, st.data, st.context);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw Error("regular expression '" + m_pattern + "' failed: " + pcreMessage(rc));
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.data);
        out.emplace_back(ov[0], ov[1]);
        if (ov[1] > ov[0]) {
            start = ov[1];
        } else {
            if (ov[1] >= subject.size())
                break;
            std::size_t next = ov[1];
            decodeUtf8(subject, next);
            start = next;
        }
    }
}

Pattern Pattern::fromJson(const nlohmann::json& j, const std::string& where)
{
    Pattern p;
    if (j.is_object() && j.contains("String") && j["String"].is_string()) {
        p.m_literal = j["String"].get<std::string>();
    } else if (j.is_object() && j.contains("Regex") && j["Regex"].is_string()) {
        p.m_regex.emplace(j["Regex"].get<std::string>(), where);
    } else {
        throw FormatError(where + ": 'pattern' must be {\"String\": ...} or {\"Regex\": ...}, got " + j.dump());
    }
    return p;
}

void Pattern::findAll(std::string_view subject, std::vector<std::pair<std::size_t, std::size_t>>& out) const
{
    if (m_regex) {
        m_regex->findAll(subject, out);
        return;
    }
    if (m_literal.empty())
        return;
    std::size_t pos = 0;
    while ((pos = subject.find(m_literal, pos)) != std::string_view::npos) {
        out.emplace_back(pos, pos + m_literal.size());
        pos += m_literal.size();
    }
}

std::string Pattern::replaceAll(std::string_view subject, std::string_view replacement) const
{
    std::vector<std::pair<std::size_t, std::size_t>> matches;
    findAll(subject, matches);
    std::string out;
    out.reserve(subject.size());
    std::size_t prev = 0;
    for (const auto& [b, e] : matches) {
        out.append(subject.data() + prev, b - prev);
        out.append(replacement);
        prev = e;
    }
    out.append(subject.data() + prev, subject.size() - prev);
    return out;
}

} // namespace teft::text
