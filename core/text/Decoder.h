#pragma once

// Decoders of tokenizer.json ("decoder"): ByteLevel, Metaspace, ByteFallback, Fuse, Strip,
// Replace and Sequence. Each rewrites the list of token strings; the decoded text is their
// concatenation.

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace teft::text {

class Decoder {
public:
    virtual ~Decoder() = default;
    virtual void decodeChain(std::vector<std::string>& tokens) const = 0;

    // null gives nullptr; an unsupported type or malformed field is a teft::FormatError naming it.
    static std::unique_ptr<Decoder> fromJson(const nlohmann::json& j, const std::string& where = "decoder");
};

} // namespace teft::text
