#pragma once

// Normalizers of tokenizer.json ("normalizer"): NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace,
// Prepend and Sequence. They rewrite a text segment in place (offsets are not tracked: the
// engine needs ids, not alignments).

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace teft::text {

class Normalizer {
public:
    virtual ~Normalizer() = default;
    virtual void normalize(std::string& text) const = 0;

    // Builds the normalizer described by `j` (null gives nullptr). Throws teft::FormatError
    // naming an unsupported type or a malformed field; `where` locates it in the file.
    static std::unique_ptr<Normalizer> fromJson(const nlohmann::json& j, const std::string& where = "normalizer");
};

} // namespace teft::text
