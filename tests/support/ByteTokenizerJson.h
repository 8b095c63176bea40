#pragma once

// A tiny but real tokenizer.json for tests of the data path: byte-level BPE in the Qwen2 layout
// with no merges, so every byte is its own token and the expected ids of any text are its bytes.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace teft::test {

// The GPT-2 byte-to-unicode map: printable Latin-1 bytes map to themselves, the others to
// U+0100 upwards, in byte order.
inline std::string byteToken(int b)
{
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    int cp = b;
    if (!printable) {
        int n = 0;
        for (int k = 0; k < b; ++k)
            n += !((k >= '!' && k <= '~') || (k >= 0xA1 && k <= 0xAC) || (k >= 0xAE && k <= 0xFF));
        cp = 256 + n;
    }
    std::string out;
    if (cp < 0x80)
        out += static_cast<char>(cp);
    else {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return out;
}

// A byte-level tokenizer.json in the Qwen2 layout: 256 byte tokens (id = byte value), no
// merges, and added special tokens from id 256.
inline std::string byteTokenizerJson(const std::vector<std::string>& specials)
{
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b)
        vocab[byteToken(b)] = b;
    nlohmann::json added = nlohmann::json::array();
    for (std::size_t i = 0; i < specials.size(); ++i)
        added.push_back({{"id", 256 + static_cast<int>(i)},
                         {"content", specials[i]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    const std::string regex = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
                              "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    nlohmann::json j = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", {{"type", "NFC"}}},
        {"pre_tokenizer",
         {{"type", "Sequence"},
          {"pretokenizers",
           {{{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}},
            {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}}}}},
        {"post_processor", nullptr},
        {"decoder",
         {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", ""},
          {"end_of_word_suffix", ""},
          {"fuse_unk", false},
          {"byte_fallback", false},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", nlohmann::json::array()}}}};
    return j.dump();
}

} // namespace teft::test
