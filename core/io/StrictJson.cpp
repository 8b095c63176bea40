#include "core/io/StrictJson.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <algorithm>
#include <set>
#include <vector>

namespace teft {

namespace {

// "<what>: not valid JSON (line L, column C: <reason>)". nlohmann reports the byte offset of the
// last character read (1-based) and a text "[json.exception.parse_error.101] parse error at line
// L, column C: <reason>"; the position is recomputed from the offset so that it does not depend
// on that text's layout, and only the reason is kept from it.
std::string syntaxErrorMessage(std::string_view text, const std::string& what, const nlohmann::json::parse_error& e)
{
    const std::size_t end = std::min<std::size_t>(e.byte, text.size());
    std::size_t line = 1, column = 0;
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 0;
        } else {
            ++column;
        }
    }
    std::string reason = e.what();
    const auto at = reason.find("parse error");
    const auto colon = at == std::string::npos ? std::string::npos : reason.find(": ", at);
    if (colon != std::string::npos)
        reason = reason.substr(colon + 2);
    return what + ": not valid JSON (line " + std::to_string(line) + ", column " + std::to_string(column) + ": " +
           reason + ")";
}

// "<what>: not valid JSON (number overflow parsing '1e999')": a number too large for a double
// (nlohmann throws out_of_range 406 for it while parsing, not a parse_error).
std::string rangeErrorMessage(const std::string& what, const nlohmann::json::exception& e)
{
    std::string reason = e.what();
    const auto bracket = reason.find("] ");
    if (reason.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos)
        reason = reason.substr(bracket + 2);
    return what + ": not valid JSON (" + reason + ")";
}

} // namespace

nlohmann::json parseJsonStrict(std::string_view text, const std::string& what, DuplicateKeys duplicates)
{
    using json = nlohmann::json;
    if (duplicates == DuplicateKeys::LastWins) {
        // No callback: the permissive reader costs nothing per key (tokenizer.json has 10^5 of them).
        try {
            return json::parse(text.begin(), text.end());
        } catch (const json::parse_error& e) {
            throw FormatError(syntaxErrorMessage(text, what, e));
        } catch (const json::out_of_range& e) {
            throw FormatError(rangeErrorMessage(what, e));
        }
    }
    // One set of seen keys per open object; arrays do not open a set.
    std::vector<std::set<std::string>> open;
    std::string duplicate;
    auto callback = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start: open.emplace_back(); break;
        case json::parse_event_t::object_end:
            if (!open.empty())
                open.pop_back();
            break;
        case json::parse_event_t::key:
            if (!open.empty() && !open.back().insert(parsed.get<std::string>()).second && duplicate.empty())
                duplicate = parsed.get<std::string>();
            break;
        default: break;
        }
        return true;
    };
    json doc;
    try {
        doc = json::parse(text.begin(), text.end(), callback);
    } catch (const json::parse_error& e) {
        throw FormatError(syntaxErrorMessage(text, what, e));
    } catch (const json::out_of_range& e) {
        throw FormatError(rangeErrorMessage(what, e));
    }
    if (!duplicate.empty())
        throw FormatError(what + " lists the key \"" + duplicate + "\" twice");
    return doc;
}

nlohmann::json readJsonFile(const std::filesystem::path& path, const std::string& what, DuplicateKeys duplicates,
                            std::uint64_t maxBytes)
{
    return parseJsonStrict(readFile(path, maxBytes), what.empty() ? path.string() : what, duplicates);
}

} // namespace teft
