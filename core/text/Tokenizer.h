#pragma once

// A tokenizer loaded from a Hugging Face `tokenizer.json` (+ optional `tokenizer_config.json`):
// BPE with byte-level pre-tokenization (Qwen2/Qwen3, OLMoE/GPT-NeoX, DeepSeek) and
// SentencePiece-style BPE with `▁` and byte fallback (Mixtral, Llama). Components it does not
// support are refused with a teft::FormatError naming them.
//
// Copies are cheap (shared immutable state); all const methods are safe to call from several
// threads at once. Each thread caches pre-token -> ids for the last few tokenizers it used
// (bounded, about 10 MB at most per tokenizer); encodeBatch runs on long-lived worker threads so
// their caches stay warm from one batch to the next.
//
// Semantics follow Hugging Face tokenizers: added tokens are matched before normalization and
// pre-tokenization; invalid UTF-8 in the input is encoded as U+FFFD (per maximal invalid
// subpart); decode skips ids that are in no vocabulary. bos/eos/pad come from
// tokenizer_config.json; without one, the usual token names (<s>, </s>, <|endoftext|>, ...) are
// looked up. add_bos_token / add_eos_token of the config are not applied: special tokens come
// from the tokenizer.json post-processor (TemplateProcessing) only.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teft {

struct TokenizerImpl;

class Tokenizer {
public:
    // tokenizer.json path, or a model folder holding tokenizer.json (+ tokenizer_config.json).
    static Tokenizer fromFile(const std::filesystem::path& pathOrDir);
    static Tokenizer fromJson(const std::string& tokenizerJson, const std::string& tokenizerConfigJson = {});

    std::vector<int32_t> encode(std::string_view text, bool addSpecialTokens = false) const;
    // threads <= 0: all hardware threads.
    std::vector<std::vector<int32_t>> encodeBatch(const std::vector<std::string>& texts, int threads = 0,
                                                  bool addSpecialTokens = false) const;
    std::string decode(const std::vector<int32_t>& ids, bool skipSpecialTokens = false) const;

    int32_t vocabSize() const; // including added tokens: the largest id + 1
    std::optional<int32_t> tokenToId(std::string_view token) const;
    std::string idToToken(int32_t id) const;
    std::vector<std::string> tokens(const std::vector<int32_t>& ids) const;

    std::optional<int32_t> bosId() const;
    std::optional<int32_t> eosId() const;
    std::optional<int32_t> padId() const;
    std::string chatTemplate() const; // from tokenizer_config.json, may be empty
    std::string fingerprint() const;  // sha256 of tokenizer.json (+config) bytes, for cache keys

private:
    explicit Tokenizer(std::shared_ptr<const TokenizerImpl> impl) : m_impl(std::move(impl)) {}
    std::shared_ptr<const TokenizerImpl> m_impl; // cheap to copy, thread-safe const use
};

} // namespace teft
