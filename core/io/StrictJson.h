#pragma once

#include "core/util/AtomicFile.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace teft {

// The one way the engine reads JSON it did not just produce itself (files, file headers, text
// handed over by the user), so that every format reports a broken file the same way. Failures
// throw teft::FormatError with one of these messages:
//
//   "<what>: not valid JSON (line L, column C: <reason>)"   a syntax error or invalid UTF-8
//   "<what> lists the key \"<key>\" twice"                   a repeated key (DuplicateKeys::Refuse)
//
// where L and C are 1-based and point at the last character read, and <reason> is the parser's
// explanation (e.g. "syntax error while parsing value - invalid literal; last read: 'x'").
// Whether the document has the right shape (an object, the keys a format needs) is the format's
// business, not this reader's.

// What to do with a key repeated inside one object. nlohmann (like Python's json) silently keeps
// the last one; our own formats are maps, where a repeated key is a sign of a hand-edit gone wrong
// or of an attempt to make two readers see different values, so they refuse it. Files written by
// other tools (Hugging Face config.json, tokenizer.json) keep the permissive rule those tools use.
enum class DuplicateKeys {
    Refuse,
    LastWins,
};

// Parses JSON text; `what` names it in messages (a path, "tokenizer.json", "The header of x").
nlohmann::json parseJsonStrict(std::string_view text, const std::string& what,
                               DuplicateKeys duplicates = DuplicateKeys::Refuse);

// Reads and parses a whole (small) JSON file. `what` names it in messages; empty means the path.
// A file that is missing or unreadable throws teft::Error "Cannot open <path>: no such file" (or
// the system's reason), one that is not a regular file or is larger than maxBytes a FormatError,
// as util/AtomicFile's readFile() does.
nlohmann::json readJsonFile(const std::filesystem::path& path, const std::string& what = {},
                            DuplicateKeys duplicates = DuplicateKeys::Refuse,
                            std::uint64_t maxBytes = kMaxReadFileBytes);

} // namespace teft
