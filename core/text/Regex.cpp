#include "core/text/Regex.h"

#include "core/text/Unicode.h"
#include "core/util/Error.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdio>
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

struct RecentRange {
    const char* category;
    char32_t first, last;
};
#include "core/text/UnicodeRecent.inc"

using Ranges = std::vector<std::pair<char32_t, char32_t>>;

// Oniguruma's \s (the White_Space property). PCRE2's also holds U+180E, which left White_Space in
// Unicode 6.3.
const Ranges kWhiteSpace = {{0x09, 0x0D},     {0x20, 0x20},     {0x85, 0x85},     {0xA0, 0xA0},     {0x1680, 0x1680},
                            {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}};

bool inCategory(const char* category, const std::string& name)
{
    // "L" covers Lu, Ll, ...; "L&" the cased letters Lu, Ll, Lt; "Cn" is handled by the caller.
    if (name == "L&")
        return category[0] == 'L' && (category[1] == 'u' || category[1] == 'l' || category[1] == 't');
    return name.size() == 1 ? category[0] == name[0] : name == category;
}

bool isCategoryName(const std::string& n)
{
    static const char* const names[] = {"L",  "L&", "Lu", "Ll", "Lt", "Lm", "Lo", "M",  "Mn", "Mc", "Me", "N",  "Nd",
                                        "Nl", "No", "P",  "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S",  "Sm", "Sc",
                                        "Sk", "So", "Z",  "Zs", "Zl", "Zp", "C",  "Cc", "Cf", "Cs", "Co", "Cn"};
    for (const char* x : names)
        if (n == x)
            return true;
    return false;
}

// What general category `name` gained (added) and lost (removed) after Unicode 14.0.
void categoryDelta(const std::string& name, Ranges& added, Ranges& removed)
{
    auto covered = [](const Ranges& rs, char32_t c) {
        for (const auto& [a, b] : rs)
            if (a <= c && c <= b)
                return true;
        return false;
    };
    for (const auto& r : kRecentAdded)
        if (inCategory(r.category, name))
            added.emplace_back(r.first, r.last);
    for (const auto& r : kRecentRemoved)
        if (inCategory(r.category, name) && !covered(added, r.first))
            removed.emplace_back(r.first, r.last);
    // Characters assigned after Unicode 14.0 are no longer Cn (nor C, unless they are Cf).
    if (name == "Cn" || name == "C")
        for (const auto& r : kRecentAdded)
            if (name == "Cn" || r.category[0] != 'C')
                removed.emplace_back(r.first, r.last);
}

std::string classItems(const Ranges& rs)
{
    std::string out;
    char buf[40];
    for (const auto& [a, b] : rs) {
        if (a == b)
            std::snprintf(buf, sizeof buf, "\\x{%X}", static_cast<unsigned>(a));
        else
            std::snprintf(buf, sizeof buf, "\\x{%X}-\\x{%X}", static_cast<unsigned>(a), static_cast<unsigned>(b));
        out += buf;
    }
    return out;
}

} // namespace

// Hugging Face tokenizers compiles patterns with Oniguruma, whose Unicode tables (16.0 in tokenizers
// 0.23) are newer than PCRE2's (14.0 in PCRE2 10.42), and whose \s is the White_Space property. So
// that every character splits as it does there, \p{..} general categories (and \d = \p{Nd}) are
// widened by the characters they gained since Unicode 14.0 (narrowed where they lost some), and \s,
// \S become explicit White_Space classes. Inside a character class, additions are appended and \s is
// expanded; the few cases a class cannot express (\P{..} or \S inside a class, losses inside a
// class) keep PCRE2's meaning. \w, \b and POSIX classes are left alone.
std::string toOnigurumaClasses(const std::string& pattern)
{
    std::string out;
    out.reserve(pattern.size() + 64);
    bool inClass = false;
    std::size_t i = 0;
    const std::size_t n = pattern.size();
    while (i < n) {
        const char c = pattern[i];
        if (c != '\\') {
            if (!inClass && c == '[') {
                inClass = true;
                out += c;
                ++i;
                if (i < n && pattern[i] == '^')
                    out += pattern[i++];
                if (i < n && pattern[i] == ']') // a leading ']' is literal
                    out += pattern[i++];
                continue;
            }
            if (inClass && c == '[' && i + 1 < n && pattern[i + 1] == ':') { // POSIX [:name:]
                const std::size_t end = pattern.find(":]", i + 2);
                const std::size_t stop = end == std::string::npos ? n : end + 2;
                out.append(pattern, i, stop - i);
                i = stop;
                continue;
            }
            if (inClass && c == ']')
                inClass = false;
            out += c;
            ++i;
            continue;
        }
        if (i + 1 >= n) {
            out += c;
            ++i;
            continue;
        }
        const char e = pattern[i + 1];
        if (e == 'Q') { // \Q...\E: literal text
            const std::size_t end = pattern.find("\\E", i + 2);
            const std::size_t stop = end == std::string::npos ? n : end + 2;
            out.append(pattern, i, stop - i);
            i = stop;
            continue;
        }
        if (e == 's' || e == 'S') {
            const std::string items = classItems(kWhiteSpace);
            if (!inClass)
                out += (e == 's' ? "[" : "[^") + items + "]";
            else if (e == 's')
                out += items;
            else
                out.append(pattern, i, 2);
            i += 2;
            continue;
        }
        if (e == 'p' || e == 'P' || e == 'd' || e == 'D') {
            std::string name;
            std::size_t next = i + 2;
            bool negated = e == 'P' || e == 'D';
            if (e == 'd' || e == 'D') {
                name = "Nd";
            } else if (next < n && pattern[next] == '{') {
                const std::size_t close = pattern.find('}', next);
                if (close == std::string::npos) {
                    out.append(pattern, i, n - i); // let PCRE2 report it
                    break;
                }
                name = pattern.substr(next + 1, close - next - 1);
                next = close + 1;
                if (!name.empty() && name[0] == '^') {
                    negated = !negated;
                    name.erase(0, 1);
                }
            } else if (next < n) {
                name = pattern.substr(next, 1);
                ++next;
            }
            Ranges added, removed;
            if (isCategoryName(name))
                categoryDelta(name, added, removed);
            if (added.empty() && removed.empty()) {
                out.append(pattern, i, next - i);
                i = next;
                continue;
            }
            const std::string property = std::string(negated ? "\\P{" : "\\p{") + name + "}";
            if (inClass) {
                out += property;
                if (!negated)
                    out += classItems(added);
            } else if (!negated) {
                out += "(?:";
                if (!removed.empty())
                    out += "(?![" + classItems(removed) + "])";
                out += property;
                if (!added.empty())
                    out += "|[" + classItems(added) + "]";
                out += ")";
            } else {
                out += "(?:";
                if (!added.empty())
                    out += "(?![" + classItems(added) + "])";
                out += property;
                if (!removed.empty())
                    out += "|[" + classItems(removed) + "]";
                out += ")";
            }
            i = next;
            continue;
        }
        // Any other escape: copied as it is (its argument, e.g. \x{..}, follows as plain text).
        out.append(pattern, i, 2);
        i += 2;
    }
    return out;
}

namespace {

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
    const std::string rewritten = toOnigurumaClasses(pattern);
    code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rewritten.data()), rewritten.size(), PCRE2_UTF | PCRE2_UCP,
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
