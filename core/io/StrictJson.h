#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace teft {

// Parses JSON text that a file format defines as a map, refusing what nlohmann would silently
// accept: a key repeated inside one object (nlohmann keeps the last one). Throws
// teft::FormatError "<what>: ..." for a syntax error, invalid UTF-8 or a duplicate key, naming
// the key.
nlohmann::json parseJsonStrict(std::string_view text, const std::string& what);

} // namespace teft
