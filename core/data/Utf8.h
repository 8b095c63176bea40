#pragma once

#include <cstddef>
#include <string_view>

namespace teft {

// Offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or std::string_view::npos when all is valid.
std::size_t findInvalidUtf8(std::string_view text);

inline bool isValidUtf8(std::string_view text) { return findInvalidUtf8(text) == std::string_view::npos; }

// True when the text has nothing but ASCII white space.
bool isBlank(std::string_view text);

} // namespace teft
