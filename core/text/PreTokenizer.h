#pragma once

// Pre-tokenizers of tokenizer.json ("pre_tokenizer"): Sequence, Split (String or Regex pattern,
// every split behaviour, invert), ByteLevel (add_prefix_space, use_regex with the GPT-2 pattern,
// mapping to the byte-level alphabet), Digits and Metaspace. Each splits a list of pieces into
// smaller pieces (in order, empty pieces dropped) that the model then encodes one by one.

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft::text {

struct PreToken {
    std::string text;
    bool atStart = false; // begins at offset 0 of the encoded text (Metaspace prepend_scheme "first")
};

class PreTokenizer {
public:
    virtual ~PreTokenizer() = default;
    virtual void split(std::vector<PreToken>& pieces) const = 0;

    // null gives nullptr; an unsupported type or malformed field is a teft::FormatError naming it.
    static std::unique_ptr<PreTokenizer> fromJson(const nlohmann::json& j, const std::string& where = "pre_tokenizer");
};

// How a Split keeps the delimiters it finds (Hugging Face's SplitDelimiterBehavior).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// Splits `piece` at the given match ranges (sorted, non-overlapping) and appends the non-empty
// results to `out`.
void splitPiece(const PreToken& piece, const std::vector<std::pair<std::size_t, std::size_t>>& matches,
                SplitBehavior behavior, bool invert, std::vector<PreToken>& out);

} // namespace teft::text
