// Fuzz target: the tokenizer itself (core/text/Tokenizer) on arbitrary bytes, with two fixed,
// valid tokenizers built here: a byte-level BPE in the Qwen2 layout (its split regex, merges,
// special tokens, no normalizer) and a SentencePiece-style BPE with byte fallback (Mixtral/Llama
// layout). Every id must be in the vocabulary; the byte-level one must give back exactly the text
// it was given when that text is valid UTF-8 (an independent check: core/data/Utf8), and valid
// UTF-8 in any case.

#include "core/data/Utf8.h"
#include "core/text/Tokenizer.h"
#include "tests/fuzz/FuzzSupport.h"
#include "tests/support/ByteTokenizerJson.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

const teft::Tokenizer& byteLevel()
{
    static const teft::Tokenizer tok = [] {
        json j = json::parse(teft::test::byteTokenizerJson({"<|endoftext|>", "<|im_start|>", "<|im_end|>"}));
        j["normalizer"] = nullptr;
        const std::string sp = teft::test::byteToken(' ');
        const std::vector<std::pair<std::string, std::string>> merges = {
            {"h", "e"},      {"l", "l"},       {"he", "ll"}, {"hell", "o"},      {sp, "w"},
            {"o", "r"},      {sp + "w", "or"}, {"l", "d"},   {sp + "wor", "ld"}, {sp, "t"},
            {sp + "t", "h"}, {sp + "th", "e"}, {"1", "2"},   {"12", "3"}};
        int id = 300;
        for (const auto& [a, b] : merges) {
            j["model"]["vocab"][a + b] = id++;
            j["model"]["merges"].push_back(json::array({a, b}));
        }
        return teft::Tokenizer::fromJson(j.dump());
    }();
    return tok;
}

json addedToken(int id, const std::string& content)
{
    return {{"id", id},        {"content", content},  {"single_word", false}, {"lstrip", false},
            {"rstrip", false}, {"normalized", false}, {"special", true}};
}

const teft::Tokenizer& sentencePiece()
{
    static const teft::Tokenizer tok = [] {
        const std::string kSp = "\xe2\x96\x81"; // ▁
        json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
        for (int b = 0; b < 256; ++b) {
            char name[8];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            vocab[name] = 3 + b;
        }
        int id = 259;
        for (const std::string& c : {kSp, std::string("h"), std::string("e"), std::string("l"), std::string("o"),
                                     std::string("w"), std::string("r"), std::string("d")})
            vocab[c] = id++;
        const std::vector<std::pair<std::string, std::string>> merges = {{kSp, "h"},          {"l", "l"},
                                                                         {kSp + "h", "e"},    {kSp + "he", "ll"},
                                                                         {kSp + "hell", "o"}, {kSp, "w"},
                                                                         {"o", "r"},          {kSp + "w", "or"},
                                                                         {"l", "d"},          {kSp + "wor", "ld"}};
        json m = json::array();
        for (const auto& [a, b] : merges) {
            vocab[a + b] = id++;
            m.push_back(json::array({a, b}));
        }
        const json j = {
            {"version", "1.0"},
            {"added_tokens", json::array({addedToken(0, "<unk>"), addedToken(1, "<s>"), addedToken(2, "</s>")})},
            {"normalizer",
             {{"type", "Sequence"},
              {"normalizers", json::array({{{"type", "Prepend"}, {"prepend", kSp}},
                                           {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSp}}})}}},
            {"pre_tokenizer", nullptr},
            {"post_processor",
             {{"type", "TemplateProcessing"},
              {"single", json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                      {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
              {"pair", json::array()},
              {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}}}}}},
            {"decoder",
             {{"type", "Sequence"},
              {"decoders", json::array({{{"type", "Replace"}, {"pattern", {{"String", kSp}}}, {"content", " "}},
                                        {{"type", "ByteFallback"}},
                                        {{"type", "Fuse"}},
                                        {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}})}}},
            {"model",
             {{"type", "BPE"},
              {"dropout", nullptr},
              {"unk_token", "<unk>"},
              {"continuing_subword_prefix", nullptr},
              {"end_of_word_suffix", nullptr},
              {"fuse_unk", false},
              {"byte_fallback", true},
              {"vocab", vocab},
              {"merges", m}}}};
        return teft::Tokenizer::fromJson(j.dump());
    }();
    return tok;
}

void checkIds(const teft::Tokenizer& tok, const std::vector<std::int32_t>& ids)
{
    for (std::int32_t id : ids)
        TEFT_FUZZ_CHECK(id >= 0 && id < tok.vocabSize());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const bool valid = teft::isValidUtf8(text);
    return teft::fuzz::acceptTeftErrors([&] {
        const auto& bl = byteLevel();
        const auto ids = bl.encode(text);
        checkIds(bl, ids);
        const std::string back = bl.decode(ids);
        if (valid)
            TEFT_FUZZ_CHECK(back == text);
        TEFT_FUZZ_CHECK(teft::isValidUtf8(back));
        checkIds(bl, bl.encode(text, true));
        (void)bl.decode(ids, true);

        const auto& sp = sentencePiece();
        const auto spIds = sp.encode(text, true);
        checkIds(sp, spIds);
        TEFT_FUZZ_CHECK(teft::isValidUtf8(sp.decode(spIds)));
        (void)sp.decode(spIds, true);
    });
}
