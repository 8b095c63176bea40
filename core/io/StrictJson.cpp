#include "core/io/StrictJson.h"

#include "core/util/Error.h"

#include <set>
#include <vector>

namespace teft {

nlohmann::json parseJsonStrict(std::string_view text, const std::string& what)
{
    using json = nlohmann::json;
    // One set of seen keys per open object; arrays do not open a set.
    std::vector<std::set<std::string>> open;
    std::string duplicate;
    auto callback = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
        case json::parse_event_t::object_start:
            open.emplace_back();
            break;
        case json::parse_event_t::object_end:
            if (!open.empty())
                open.pop_back();
            break;
        case json::parse_event_t::key:
            if (!open.empty() && !open.back().insert(parsed.get<std::string>()).second &&
                duplicate.empty())
                duplicate = parsed.get<std::string>();
            break;
        default:
            break;
        }
        return true;
    };
    json doc;
    try {
        doc = json::parse(text.begin(), text.end(), callback);
    } catch (const json::parse_error& e) {
        throw FormatError(what + " is not valid JSON: " + e.what());
    }
    if (!duplicate.empty())
        throw FormatError(what + " lists the key \"" + duplicate + "\" twice");
    return doc;
}

} // namespace teft
