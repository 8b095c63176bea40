// Fuzz target: loading a tokenizer (core/text/Tokenizer): the input is tokenizer.json's text,
// optionally followed by a NUL byte and tokenizer_config.json's text. A tokenizer that loads then
// encodes and decodes a fixed text mixing words, digits, spaces, multi-byte characters, invalid
// UTF-8 and special-token names; every id it produces must be inside its vocabulary.

#include "core/text/Tokenizer.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto nul = input.find('\0');
    const std::string tokenizerJson = input.substr(0, nul);
    const std::string configJson = nul == std::string::npos ? std::string() : input.substr(nul + 1);
    return teft::fuzz::acceptTeftErrors([&] {
        const auto tok = teft::Tokenizer::fromJson(tokenizerJson, configJson);
        static const std::string text =
            "Hello, world! 12345  tabs\tand\nnewlines \xe4\xbd\xa0\xe5\xa5\xbd \xff\xfe <s></s><|endoftext|>";
        const std::int32_t vocab = tok.vocabSize();
        TEFT_FUZZ_CHECK(vocab >= 0);
        for (bool special : {false, true}) {
            const auto ids = tok.encode(text, special);
            for (std::int32_t id : ids)
                TEFT_FUZZ_CHECK(id >= 0 && id < vocab);
            (void)tok.tokens(ids);
            (void)tok.decode(ids, false);
            (void)tok.decode(ids, true);
        }
        for (auto id : {tok.bosId(), tok.eosId(), tok.padId()})
            if (id)
                (void)tok.idToToken(*id);
        (void)tok.decode({0, 1, 2, -1, vocab, 2147483647}, false);
    });
}
