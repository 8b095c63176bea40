// Tokenizer tests: the real Qwen3 tokenizer against the public vectors of formats.md and round
// trips over varied text; hand-built byte-level and SentencePiece-style tokenizers checked against
// ids derived by hand; added-token options; split behaviours; normalizers and decoders; and each
// unsupported component or malformed file refused with its name.
//
// The Qwen3 tests read the shared test data (teft::test::testDataDir() / "qwen3", never committed)
// and SKIP, naming the missing file, where it is absent. tests/core/test_tokenizer_reference.cpp
// compares the real tokenizers, and two that `tokenizers` trains in their layouts, with the Hugging
// Face libraries on thousands of strings.
#include "core/text/Decoder.h"
#include "core/text/Normalizer.h"
#include "core/text/PreTokenizer.h"
#include "core/text/Regex.h"
#include "core/text/Tokenizer.h"
#include "core/util/Error.h"
#include "support/TestSupport.h"

#include <QCryptographicHash>
#include <QFile>
#include <QString>
#include <QtTest>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>

using nlohmann::json;
using Ids = std::vector<int32_t>;

namespace {

// GPT-2's bytes_to_unicode, written out independently of the engine.
std::string byteLevelChar(int b)
{
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    int cp = b;
    if (!printable) {
        int n = 0;
        for (int k = 0; k < b; ++k) {
            const bool p = (k >= 33 && k <= 126) || (k >= 161 && k <= 172) || (k >= 174 && k <= 255);
            if (!p)
                ++n;
        }
        cp = 256 + n;
    }
    return QString(QChar(cp)).toStdString();
}

std::string nfc(const std::string& s)
{
    return QString::fromStdString(s).normalized(QString::NormalizationForm_C).toStdString();
}

// The message of the teft::FormatError `f` throws ("" when it throws nothing).
std::string formatErrorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const teft::FormatError& e) {
        return e.what();
    }
    return {};
}

std::filesystem::path qwen3Dir() { return teft::test::testDataDir() / "qwen3"; }

const char* const kNoQwen3 = "the Qwen3 tokenizer is missing from the shared test data (teft::test::testDataDir() / "
                             "\"qwen3\"; set TEFT_TESTDATA_DIR to the folder holding qwen3/tokenizer.json)";

// A byte-level BPE (GPT-2 style): ids 0..255 are the bytes, then a few merges:
//   256 "Ġt" (Ġ t)  257 "he" (h e)  258 "Ġthe" (Ġt he)  259 "ll" (l l)  260 "hell" (he ll)
//   261 "Ġhell" (Ġ hell)
json byteLevelTokenizer(bool pairMerges)
{
    json vocab = json::object();
    for (int b = 0; b < 256; ++b)
        vocab[byteLevelChar(b)] = b;
    const std::vector<std::pair<std::string, std::string>> merges = {{"Ġ", "t"}, {"h", "e"},   {"Ġt", "he"},
                                                                     {"l", "l"}, {"he", "ll"}, {"Ġ", "hell"}};
    json m = json::array();
    int id = 256;
    for (const auto& [a, b] : merges) {
        vocab[a + b] = id++;
        if (pairMerges)
            m.push_back(json::array({a, b}));
        else
            m.push_back(a + " " + b);
    }
    return {{"version", "1.0"},
            {"added_tokens", json::array()},
            {"normalizer", {{"type", "NFC"}}},
            {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
            {"post_processor", {{"type", "ByteLevel"}, {"trim_offsets", false}}},
            {"decoder", {{"type", "ByteLevel"}}},
            {"model",
             {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"vocab", vocab}, {"merges", m}}}};
}

json addedToken(int id, const std::string& content, bool special, bool normalized, bool lstrip = false,
                bool rstrip = false, bool singleWord = false)
{
    return {{"id", id},         {"content", content},       {"single_word", singleWord}, {"lstrip", lstrip},
            {"rstrip", rstrip}, {"normalized", normalized}, {"special", special}};
}

// A SentencePiece-style BPE (Llama / Mixtral): ▁ for spaces, <0xNN> byte fallback, <unk>.
// ids: 0 <unk>, 1 <s>, 2 </s>, 3 + b = <0xbb>, then the letters and merges below.
const std::string kSp = "\xE2\x96\x81"; // ▁
json sentencePieceTokenizer(bool byteFallback, bool fuseUnk)
{
    json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        vocab[name] = 3 + b;
    }
    int id = 259;
    for (const std::string& c : {kSp, std::string("h"), std::string("e"), std::string("l"), std::string("o"),
                                 std::string("w"), std::string("r"), std::string("d")})
        vocab[c] = id++; // 259 ▁, 260 h, 261 e, 262 l, 263 o, 264 w, 265 r, 266 d
    const std::vector<std::pair<std::string, std::string>> merges = {{kSp, "h"},          {"l", "l"},
                                                                     {kSp + "h", "e"},    {kSp + "he", "ll"},
                                                                     {kSp + "hell", "o"}, {kSp, "w"},
                                                                     {"o", "r"},          {kSp + "w", "or"},
                                                                     {"l", "d"},          {kSp + "wor", "ld"}};
    json m = json::array();
    for (const auto& [a, b] : merges) {
        vocab[a + b] =
            id++; // 267 ▁h, 268 ll, 269 ▁he, 270 ▁hell, 271 ▁hello, 272 ▁w, 273 or, 274 ▁wor, 275 ld, 276 ▁world
        m.push_back(json::array({a, b}));
    }
    return {{"version", "1.0"},
            {"added_tokens", json::array({addedToken(0, "<unk>", true, false), addedToken(1, "<s>", true, false),
                                          addedToken(2, "</s>", true, false)})},
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
              {"fuse_unk", fuseUnk},
              {"byte_fallback", byteFallback},
              {"vocab", vocab},
              {"merges", m}}}};
}

teft::Tokenizer load(const json& j, const json& config = nullptr)
{
    return teft::Tokenizer::fromJson(j.dump(), config.is_null() ? std::string() : config.dump());
}

std::vector<std::string> splitWith(const json& preTokenizer, const std::string& text)
{
    auto p = teft::text::PreTokenizer::fromJson(preTokenizer);
    std::vector<teft::text::PreToken> pieces{{text, true}};
    p->split(pieces);
    std::vector<std::string> out;
    for (const auto& piece : pieces)
        out.push_back(piece.text);
    return out;
}

std::string normalizeWith(const json& normalizer, std::string text)
{
    teft::text::Normalizer::fromJson(normalizer)->normalize(text);
    return text;
}

std::string decodeWith(const json& decoder, std::vector<std::string> tokens)
{
    teft::text::Decoder::fromJson(decoder)->decodeChain(tokens);
    std::string out;
    for (const auto& t : tokens)
        out += t;
    return out;
}

using Strings = std::vector<std::string>;

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

    std::optional<teft::Tokenizer> m_qwen;

    const teft::Tokenizer& qwen()
    {
        if (!m_qwen) {
            const auto dir = qwen3Dir();
            if (!std::filesystem::exists(dir / "tokenizer.json"))
                throw std::runtime_error("absent");
            m_qwen = teft::Tokenizer::fromFile(dir);
        }
        return *m_qwen;
    }
    bool haveQwen() { return std::filesystem::exists(qwen3Dir() / "tokenizer.json"); }

private slots:
    // ---- the real Qwen3 tokenizer --------------------------------------------------------
    void qwen3PublicVectors()
    {
        if (!haveQwen())
            QSKIP(kNoQwen3);
        const auto& t = qwen();
        QCOMPARE(t.encode("Hello, my dog is cute"), (Ids{9707, 11, 847, 5562, 374, 18838}));
        QCOMPARE(t.encode("Hello world!\n\n  123456 你好 <|im_start|>user"),
                 (Ids{9707, 1879, 2219, 220, 220, 16, 17, 18, 19, 20, 21, 220, 108386, 220, 151644, 872}));
        QCOMPARE(t.encode("def f(x):\n    return x**2  # ok"),
                 (Ids{750, 282, 2075, 982, 262, 470, 856, 334, 17, 220, 671, 5394}));
    }

    void qwen3Metadata()
    {
        if (!haveQwen())
            QSKIP(kNoQwen3);
        const auto& t = qwen();
        // formats.md: 151,643 vocabulary entries and 26 added tokens directly after them.
        QCOMPARE(t.vocabSize(), 151643 + 26);
        QCOMPARE(t.tokenToId("<|im_start|>"), std::optional<int32_t>(151644));
        QCOMPARE(t.idToToken(151644), std::string("<|im_start|>"));
        QCOMPARE(t.tokenToId("Hello"), std::optional<int32_t>(9707));
        QCOMPARE(t.idToToken(9707), std::string("Hello"));
        QCOMPARE(t.tokens({9707, 11}), (Strings{"Hello", ","}));
        QVERIFY(!t.tokenToId("no such token here"));
        QCOMPARE(t.idToToken(-1), std::string());
        QCOMPARE(t.idToToken(10'000'000), std::string());
        // tokenizer_config.json: eos <|im_end|>, pad <|endoftext|>, no bos; a chat template.
        QCOMPARE(t.eosId(), t.tokenToId("<|im_end|>"));
        QCOMPARE(t.padId(), t.tokenToId("<|endoftext|>"));
        QVERIFY(!t.bosId());
        QVERIFY(t.chatTemplate().find("<|im_start|>") != std::string::npos);
        // The fingerprint is the sha256 of the two files' bytes.
        QCryptographicHash h(QCryptographicHash::Sha256);
        for (const char* name : {"tokenizer.json", "tokenizer_config.json"}) {
            QFile f(QString::fromStdString((qwen3Dir() / name).string()));
            QVERIFY(f.open(QIODevice::ReadOnly));
            h.addData(f.readAll());
        }
        QCOMPARE(t.fingerprint(), h.result().toHex().toStdString());
        // Adding special tokens changes nothing for Qwen3 (its post-processor is ByteLevel).
        QCOMPARE(t.encode("Hello", true), t.encode("Hello", false));
    }

    void qwen3RoundTrip()
    {
        if (!haveQwen())
            QSKIP(kNoQwen3);
        const auto& t = qwen();
        std::vector<std::string> texts = {
            "",
            " ",
            "The quick brown fox jumps over the lazy dog. It's 3.14159; we'll see, they'd've...",
            "Ünïcödé façade — naïve café; Straße; ÆØÅ æøå; ĳ ŉ",
            "e\u0301 a\u0308 A\u030A (decomposed: NFC composes them)",
            "Привет, мир! Ελληνικά κείμενα. שלום עולם. مرحبا بالعالم. नमस्ते दुनिया. สวัสดีชาวโลก",
            "中文测试：你好，世界！日本語のテキスト、カタカナ。한국어 텍스트입니다.",
            "Emoji 👋🏽 👨‍👩‍👧 🇩🇪 ❤️ 🤖🧠 and symbols ∑∫√ ≤≥ ©®™ €£¥",
            "int main() {\n\tfor (int i = 0; i < 10; ++i) printf(\"%d\\n\", i);\n\treturn 0;\n}\n",
            "def f(x):\n    return {'a': [1, 2, 3], \"b\": None}  # comment\n\n\n",
            "Numbers: 0 7 42 1234567890 3.5e-10 -17 1,000,000 ١٢٣ １２３ ½ Ⅻ",
            "runs of spaces:    and   tabs\t\t\tand newlines\n\n\n\r\n\r\n  \n   end   ",
            "          leading and trailing          ",
            "\n\n\n\n",
            "special tokens <|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<|endoftext|>",
            "<|im_start|><|im_end|><|im_start|>",
            "almost special <|im_start <im_start|> <|unknown|>",
            "\u00A0non-breaking\u3000ideographic\u2028line separator\u200Bzero width",
            "ﬁ ligature and ＦＵＬＬＷＩＤＴＨ and 𝐌𝐚𝐭𝐡 bold",
            std::string(3000, 'a') + " " + std::string(500, ' ') + "x",
        };
        std::mt19937 rng(7);
        const std::vector<std::pair<char32_t, char32_t>> ranges = {
            {0x20, 0x7E},     {0xA0, 0x24F},      {0x300, 0x36F},     {0x370, 0x52F},   {0x590, 0x6FF},
            {0x900, 0x97F},   {0xE00, 0xE7F},     {0x3040, 0x30FF},   {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3},
            {0xFF00, 0xFFEF}, {0x1F300, 0x1FAFF}, {0x1D400, 0x1D7FF}, {0x09, 0x0D}};
        for (int n = 0; n < 200; ++n) {
            std::u32string s;
            const int len = 1 + static_cast<int>(rng() % 60);
            for (int k = 0; k < len; ++k) {
                const auto& [lo, hi] = ranges[rng() % ranges.size()];
                s.push_back(lo + static_cast<char32_t>(rng() % (hi - lo + 1)));
            }
            texts.push_back(QString::fromUcs4(s.data(), static_cast<qsizetype>(s.size())).toStdString());
        }
        for (const auto& text : texts) {
            const Ids ids = t.encode(text);
            const std::string back = t.decode(ids);
            if (back != nfc(text))
                QFAIL(qPrintable(QString("round trip differs for: ") + QString::fromStdString(text.substr(0, 200))));
        }
        // Batch encoding on several threads gives the same ids as one by one.
        const auto batch = t.encodeBatch(texts, 4);
        QCOMPARE(batch.size(), texts.size());
        for (std::size_t i = 0; i < texts.size(); ++i)
            QCOMPARE(batch[i], t.encode(texts[i]));
        // Special tokens are skipped on request.
        const Ids ids = t.encode("<|im_start|>user\nhi<|im_end|>");
        QCOMPARE(ids.front(), 151644);
        QCOMPARE(t.decode(ids, true), std::string("user\nhi"));
        // Invalid UTF-8 is encoded as U+FFFD per maximal invalid subpart.
        QCOMPARE(t.decode(t.encode("a\xFF"
                                   "b\xE4\xBD"
                                   "c")),
                 std::string("a\uFFFD"
                             "b\uFFFD"
                             "c"));
    }

    // ---- hand-built byte-level BPE ---------------------------------------------------------
    void byteLevelBpeHandDerived()
    {
        const auto t = load(byteLevelTokenizer(true));
        // "the hello the" -> pre-tokens "the", " hello", " the" (GPT-2 pattern), then merges:
        //   t h e      -> t he                      (h e, rank 1)
        //   Ġ h e l l o -> Ġ he l l o -> Ġ he ll o -> Ġ hell o -> Ġhell o
        //   Ġ t h e    -> Ġt h e -> Ġt he -> Ġthe
        QCOMPARE(t.encode("the hello the"), (Ids{'t', 257, 261, 'o', 258}));
        // Equal ranks merge leftmost first: "lll" -> ll l.
        QCOMPARE(t.encode("lll"), (Ids{259, 'l'}));
        // A long word (> 64 symbols, the heap path) merges like short ones.
        std::string longWord;
        Ids expected;
        for (int i = 0; i < 30; ++i) {
            longWord += "hello";
            expected.insert(expected.end(), {260, 'o'});
        }
        QCOMPARE(t.encode(longWord), expected);
        QCOMPARE(t.encode("hellohello"), (Ids{260, 'o', 260, 'o'}));
        // Bytes outside ASCII: é is C3 A9; a space before a newline run stays separate.
        QCOMPARE(t.encode("\xC3\xA9"), (Ids{0xC3, 0xA9}));
        QCOMPARE(t.encode("a \n"), (Ids{'a', ' ', '\n'}));
        QCOMPARE(t.decode({'t', 257, 261, 'o', 258}), std::string("the hello the"));
        QCOMPARE(t.decode({0xC3}), std::string("\uFFFD"));
        QCOMPARE(t.tokens({258}), (Strings{"Ġthe"}));
        QCOMPARE(t.vocabSize(), 262);
        // No tokenizer_config.json and no usual names: no bos/eos/pad, no template.
        QVERIFY(!t.eosId());
        QVERIFY(t.chatTemplate().empty());
    }

    void bothMergeFormsAgree()
    {
        const auto legacy = load(byteLevelTokenizer(false));
        const auto pairs = load(byteLevelTokenizer(true));
        for (const std::string text : {"the hello the", "hellohello lll", "Ġthe ĠĠ", "x"})
            QCOMPARE(legacy.encode(text), pairs.encode(text));
        QCOMPARE(legacy.encode("the"), (Ids{'t', 257}));
        QVERIFY(legacy.fingerprint() != pairs.fingerprint());
    }

    void wordCachesAreKeptApart()
    {
        // Two tokenizers that encode the same word differently, used in turn on one thread and
        // then from worker threads: each must see its own cached words.
        json j = byteLevelTokenizer(true);
        j["model"]["vocab"]["the"] = 262;
        j["model"]["merges"].push_back(json::array({"t", "he"}));
        std::vector<teft::Tokenizer> tokenizers;
        tokenizers.push_back(load(byteLevelTokenizer(true)));
        tokenizers.push_back(load(j));
        for (int round = 0; round < 3; ++round) {
            QCOMPARE(tokenizers[0].encode("the"), (Ids{'t', 257}));
            QCOMPARE(tokenizers[1].encode("the"), (Ids{262}));
            for (int k = 0; k < 6; ++k) { // more tokenizers than a thread keeps caches for
                tokenizers.push_back(load(byteLevelTokenizer(k % 2 == 0)));
                QCOMPARE(tokenizers.back().encode("the the"), (Ids{'t', 257, 258}));
            }
            QCOMPARE(tokenizers[1].encodeBatch(std::vector<std::string>(40, "the"), 3), std::vector<Ids>(40, Ids{262}));
            QCOMPARE(tokenizers[0].encodeBatch(std::vector<std::string>(40, "the"), 3),
                     std::vector<Ids>(40, Ids{'t', 257}));
        }
    }

    void byteLevelPrefixSpaceAndNoRegex()
    {
        json j = byteLevelTokenizer(true);
        j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"use_regex", true}};
        // "the" becomes " the" -> Ġthe.
        QCOMPARE(load(j).encode("the"), (Ids{258}));
        j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}};
        // One pre-token: merges may cross the space. "a the" -> a Ġ t h e -> a Ġt h e -> a Ġt he -> a Ġthe
        QCOMPARE(load(j).encode("a the"), (Ids{'a', 258}));
    }

    void addedTokenOptions()
    {
        json j = byteLevelTokenizer(true);
        j["added_tokens"] = json::array(
            {addedToken(300, "<sp>", true, false), addedToken(301, "[L]", false, false, true, false),
             addedToken(302, "[R]", false, false, false, true),
             addedToken(303, "word", false, false, false, false, true), addedToken(304, "<sp>x", true, false)});
        const auto t = load(j);
        QCOMPARE(t.vocabSize(), 305);
        // Matched before pre-tokenization; the text around is encoded on its own.
        QCOMPARE(t.encode("a <sp>b"), (Ids{'a', ' ', 300, 'b'}));
        // Leftmost-longest: "<sp>x" wins over "<sp>".
        QCOMPARE(t.encode("<sp>xy"), (Ids{304, 'y'}));
        // lstrip takes the whitespace before, rstrip the whitespace after.
        QCOMPARE(t.encode("x  [L]y"), (Ids{'x', 301, 'y'}));
        QCOMPARE(t.encode("x[R] \n y"), (Ids{'x', 302, 'y'}));
        QCOMPARE(t.encode("x [R]"), (Ids{'x', ' ', 302}));
        // single_word: only when not inside a word.
        QCOMPARE(t.encode("a word b"), (Ids{'a', ' ', 303, ' ', 'b'}));
        QCOMPARE(t.encode("awordb"), (Ids{'a', 'w', 'o', 'r', 'd', 'b'}));
        QCOMPARE(t.encode("word"), (Ids{303}));
        QCOMPARE(t.tokenToId("<sp>"), std::optional<int32_t>(300));
        QCOMPARE(t.decode({'a', 300, 'b'}), std::string("a<sp>b"));
        QCOMPARE(t.decode({'a', 300, 301, 'b'}, true), std::string("a[L]b"));
    }

    void normalizedAddedTokens()
    {
        json j = byteLevelTokenizer(true);
        j["normalizer"] = {{"type", "Lowercase"}};
        j["added_tokens"] = json::array({addedToken(300, "HI", false, true), addedToken(301, "OK", true, false)});
        const auto t = load(j);
        // normalized=true: matched in the lowercased text ("HI" normalizes to "hi").
        QCOMPARE(t.encode("Hi hI"), (Ids{300, ' ', 300}));
        // normalized=false: matched in the raw text only.
        QCOMPARE(t.encode("OK ok"), (Ids{301, ' ', 'o', 'k'}));
    }

    void spaceRunsAsAddedTokens()
    {
        // GPT-NeoX / OLMoE style: runs of spaces are normalized, non-special added tokens.
        json j = byteLevelTokenizer(true);
        j["added_tokens"] = json::array({addedToken(300, "  ", false, true), addedToken(301, "   ", false, true),
                                         addedToken(302, "<|endoftext|>", true, false)});
        const auto t = load(j);
        // Four spaces: the longest run token at the leftmost place ("   "), then " b" as Ġ b.
        QCOMPARE(t.encode("a    b"), (Ids{'a', 301, ' ', 'b'}));
        QCOMPARE(t.encode("a  b<|endoftext|>"), (Ids{'a', 300, 'b', 302}));
        QCOMPARE(t.decode({'a', 301, ' ', 'b'}), std::string("a    b"));
    }

    // ---- SentencePiece-style BPE -------------------------------------------------------------
    void sentencePieceStyle()
    {
        const auto t = load(sentencePieceTokenizer(true, true));
        // "hello world" -> "▁hello▁world" (Prepend, Replace), one word; merges by rank give
        // ▁hello ▁world.
        QCOMPARE(t.encode("hello world"), (Ids{271, 276}));
        QCOMPARE(t.encode("hello world", true), (Ids{1, 271, 276}));
        // é (C3 A9) is not in the vocabulary: byte fallback to <0xC3> <0xA9>.
        QCOMPARE(t.encode("hé"), (Ids{267, 3 + 0xC3, 3 + 0xA9}));
        QCOMPARE(t.decode({267, 3 + 0xC3, 3 + 0xA9}), std::string("hé"));
        QCOMPARE(t.decode({1, 271, 276}), std::string("<s> hello world"));
        QCOMPARE(t.decode({1, 271, 276}, true), std::string("hello world"));
        // A lone continuation byte decodes to U+FFFD.
        QCOMPARE(t.decode({271, 3 + 0xA9}), std::string("hello\uFFFD"));
        // Special tokens in the text; each piece around them gets its own ▁ (as HF does).
        QCOMPARE(t.encode("hello</s>world"), (Ids{271, 2, 276}));
        QCOMPARE(t.bosId(), std::optional<int32_t>(1));
        QCOMPARE(t.eosId(), std::optional<int32_t>(2));

        // Without byte fallback unknown characters become <unk>, fused when fuse_unk is set.
        QCOMPARE(load(sentencePieceTokenizer(false, true)).encode("h€€"), (Ids{267, 0}));
        QCOMPARE(load(sentencePieceTokenizer(false, false)).encode("h€€"), (Ids{267, 0, 0}));

        // tokenizer_config.json decides bos/eos/pad and the chat template.
        const json config = {{"bos_token", {{"content", "<s>"}}},
                             {"eos_token", "</s>"},
                             {"pad_token", nullptr},
                             {"chat_template", "{{ messages }}"}};
        const auto c = load(sentencePieceTokenizer(true, true), config);
        QCOMPARE(c.bosId(), std::optional<int32_t>(1));
        QCOMPARE(c.eosId(), std::optional<int32_t>(2));
        QVERIFY(!c.padId());
        QCOMPARE(c.chatTemplate(), std::string("{{ messages }}"));
        QVERIFY(c.fingerprint() != t.fingerprint());
    }

    void metaspacePreTokenizer()
    {
        json j = sentencePieceTokenizer(true, true);
        j["normalizer"] = nullptr;
        j["pre_tokenizer"] = {{"type", "Metaspace"},
                              {"replacement", kSp},
                              {"prepend_scheme", "first"},
                              {"split", false}};
        j["decoder"] = {{"type", "Metaspace"}, {"replacement", kSp}, {"prepend_scheme", "first"}, {"split", false}};
        const auto t = load(j);
        QCOMPARE(t.encode("hello world"), (Ids{271, 276}));
        // "first": only the piece at the start of the text gets ▁.
        QCOMPARE(t.encode("</s>hello"), (Ids{2, 260, 261, 268, 263}));
        QCOMPARE(t.decode({271, 276}), std::string("hello world"));
        QCOMPARE(splitWith({{"type", "Metaspace"}, {"replacement", kSp}, {"prepend_scheme", "always"}, {"split", true}},
                           "hey  you"),
                 (Strings{kSp + "hey", kSp, kSp + "you"}));
    }

    // ---- components one by one -------------------------------------------------------------
    void splitBehaviours()
    {
        auto split = [](const std::string& behavior, bool invert = false) {
            return splitWith(
                {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", behavior}, {"invert", invert}},
                "the-final--countdown");
        };
        QCOMPARE(split("Removed"), (Strings{"the", "final", "countdown"}));
        QCOMPARE(split("Isolated"), (Strings{"the", "-", "final", "-", "-", "countdown"}));
        QCOMPARE(split("MergedWithPrevious"), (Strings{"the-", "final-", "-", "countdown"}));
        QCOMPARE(split("MergedWithNext"), (Strings{"the", "-final", "-", "-countdown"}));
        QCOMPARE(split("Contiguous"), (Strings{"the", "-", "final", "--", "countdown"}));
        QCOMPARE(split("Removed", true), (Strings{"-", "-", "-"}));
        QCOMPARE(splitWith({{"type", "Split"}, {"pattern", {{"Regex", "\\p{N}+"}}}, {"behavior", "Isolated"}},
                           "ab12cd٣٤"),
                 (Strings{"ab", "12", "cd", "٣٤"}));
        QCOMPARE(splitWith({{"type", "Digits"}, {"individual_digits", true}}, "a12b"), (Strings{"a", "1", "2", "b"}));
        QCOMPARE(splitWith({{"type", "Digits"}, {"individual_digits", false}}, "a12b"), (Strings{"a", "12", "b"}));
        QCOMPARE(splitWith({{"type", "Sequence"},
                            {"pretokenizers",
                             json::array({{{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "Removed"}},
                                          {{"type", "Digits"}, {"individual_digits", true}}})}},
                           "x1 y22"),
                 (Strings{"x", "1", "y", "2", "2"}));
    }

    // Unicode data as Hugging Face tokenizers has it (tokenizers_reference checks thousands of
    // strings): regex classes from Oniguruma's Unicode 16.0 with \s = White_Space, normalization
    // with Unicode 9.0 data.
    void unicodeVersionsOfTokenizers()
    {
        auto isolated = [](const std::string& regex, const std::string& text) {
            return splitWith({{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}}, text);
        };
        // U+180E left White_Space in Unicode 6.3 (PCRE2's \s still holds it).
        QCOMPARE(isolated("\\s+", "a\u180Eb c"), (Strings{"a\u180Eb", " ", "c"}));
        QCOMPARE(isolated("\\S+", "a\u180Eb c"), (Strings{"a\u180Eb", " ", "c"}));
        // Letters and digits assigned in Unicode 15-16 (CJK Ext. I U+2EBF0, Kirat Rai U+16D40,
        // Garay digit U+10D40), inside and outside character classes.
        QCOMPARE(isolated("\\p{L}+", "x\U0002EBF0\U00016D40y 1"), (Strings{"x\U0002EBF0\U00016D40y", " 1"}));
        QCOMPARE(isolated("[^\\s\\p{L}]+", "x\U0002EBF0y.!"), (Strings{"x\U0002EBF0y", ".!"}));
        QCOMPARE(isolated("\\p{N}", "a\U00010D40b"), (Strings{"a", "\U00010D40", "b"}));
        QCOMPARE(isolated("\\P{L}+", "ab\U0002EBF0-"), (Strings{"ab\U0002EBF0", "-"}));
        // U+1171E moved from Mn to Mc.
        auto removed = [](const std::string& regex, const std::string& text) {
            return splitWith({{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Removed"}}, text);
        };
        QCOMPARE(removed("\\p{Mn}", "a\U0001171Eb"), (Strings{"a\U0001171Eb"}));
        QCOMPARE(removed("\\p{Mc}", "a\U0001171Eb"), (Strings{"a", "b"}));
        QCOMPARE(removed("\\p{M}", "a\U0001171Eb"), (Strings{"a", "b"}));
        // Patterns without Unicode classes are compiled as written.
        QCOMPARE(teft::text::toOnigurumaClasses("[\u4e00-\u9fa5]+|\\p{Han}|\\x{41}\\\\p"),
                 std::string("[\u4e00-\u9fa5]+|\\p{Han}|\\x{41}\\\\p"));
        // NFC with Unicode 9.0 data: U+1AC1 (a combining mark of Unicode 14) is neither reordered
        // nor a barrier-free mark; marks known in 9.0 still are.
        QCOMPARE(normalizeWith({{"type", "NFC"}}, "a\u1AC1\u0316"), std::string("a\u1AC1\u0316"));
        QCOMPARE(normalizeWith({{"type", "NFC"}}, "a\u0301\u0316"), std::string("\u00E1\u0316"));
        QCOMPARE(normalizeWith({{"type", "NFD"}}, "\U00011938"), std::string("\U00011938")); // Unicode 13.0
    }

    void normalizers()
    {
        QCOMPARE(normalizeWith({{"type", "NFC"}}, "e\u0301"), std::string("é"));
        QCOMPARE(normalizeWith({{"type", "NFD"}}, "é"), std::string("e\u0301"));
        QCOMPARE(normalizeWith({{"type", "NFKC"}}, "ﬁ ＡＢ ①"), std::string("fi AB 1"));
        QCOMPARE(normalizeWith({{"type", "NFKD"}}, "ﬁ"), std::string("fi"));
        QCOMPARE(normalizeWith({{"type", "Lowercase"}}, "ÀBC Σ"), std::string("àbc σ"));
        QCOMPARE(normalizeWith({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}}, " \u3000 a b \n"),
                 std::string("a b"));
        QCOMPARE(normalizeWith({{"type", "Strip"}, {"strip_left", false}, {"strip_right", true}}, "  a  "),
                 std::string("  a"));
        QCOMPARE(normalizeWith({{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", "_"}}, "a  b\tc"),
                 std::string("a_b_c"));
        QCOMPARE(normalizeWith({{"type", "Replace"}, {"pattern", {{"String", "."}}}, {"content", "!"}}, "a.b"),
                 std::string("a!b"));
        QCOMPARE(normalizeWith({{"type", "Prepend"}, {"prepend", "#"}}, "a"), std::string("#a"));
        QCOMPARE(normalizeWith({{"type", "Prepend"}, {"prepend", "#"}}, ""), std::string());
        QCOMPARE(normalizeWith({{"type", "Sequence"},
                                {"normalizers", json::array({{{"type", "NFKC"}}, {{"type", "Lowercase"}}})}},
                               "ＡＢ"),
                 std::string("ab"));
    }

    void decoders()
    {
        QCOMPARE(decodeWith({{"type", "ByteFallback"}}, {"a", "<0xE4>", "<0xBD>", "<0xA0>", "b"}), std::string("a你b"));
        QCOMPARE(decodeWith({{"type", "ByteFallback"}}, {"<0xE4>", "<0xBD>", "x"}), std::string("\uFFFD\uFFFDx"));
        QCOMPARE(decodeWith({{"type", "Strip"}, {"content", "_"}, {"start", 2}, {"stop", 1}}, {"___a__", "b"}),
                 std::string("_a_b"));
        QCOMPARE(decodeWith({{"type", "Replace"}, {"pattern", {{"String", "_"}}}, {"content", " "}}, {"_a_b"}),
                 std::string(" a b"));
        QCOMPARE(decodeWith({{"type", "Metaspace"}, {"replacement", kSp}, {"prepend_scheme", "always"}},
                            {kSp + "a", kSp + "b"}),
                 std::string("a b"));
        // In the first token every ▁ goes (the pre-tokenizer prepended one there).
        QCOMPARE(decodeWith({{"type", "Metaspace"}, {"replacement", kSp}, {"prepend_scheme", "first"}},
                            {kSp + kSp + "a", kSp + "b"}),
                 std::string("a b"));
        QCOMPARE(decodeWith({{"type", "Metaspace"}, {"replacement", kSp}, {"prepend_scheme", "never"}},
                            {kSp + "a", kSp + "b"}),
                 std::string(" a b"));
        QCOMPARE(decodeWith({{"type", "ByteLevel"}}, {"Ġhi", "Ċ", "<|x|>", "ä½ł"}), std::string(" hi\n<|x|>你"));
        QCOMPARE(decodeWith({{"type", "ByteLevel"}}, {"ä½"}), std::string("\uFFFD"));
    }

    void templateProcessing()
    {
        json j = sentencePieceTokenizer(true, true);
        j["post_processor"] = {{"type", "TemplateProcessing"},
                               {"single", json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                                       {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                                       {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}})},
                               {"special_tokens",
                                {{"<s>", {{"id", "<s>"}, {"ids", {1}}, {"tokens", {"<s>"}}}},
                                 {"</s>", {{"id", "</s>"}, {"ids", {2}}, {"tokens", {"</s>"}}}}}}};
        const auto t = load(j);
        QCOMPARE(t.encode("hello", true), (Ids{1, 271, 2}));
        QCOMPARE(t.encode("hello", false), (Ids{271}));
        QCOMPARE(t.encodeBatch({"hello", "world"}, 2, true), (std::vector<Ids>{{1, 271, 2}, {1, 276, 2}}));
    }

    // ---- refusals ------------------------------------------------------------------------------
    void unsupportedComponentsAreNamed()
    {
        auto refusal = [](const std::function<void(json&)>& edit) {
            json j = byteLevelTokenizer(true);
            edit(j);
            return formatErrorOf([&] { load(j); });
        };
        auto mentions = [](const std::string& message, const std::string& what) {
            if (message.find(what) == std::string::npos)
                qWarning("message: %s", message.c_str());
            return message.find(what) != std::string::npos;
        };
        QVERIFY(mentions(refusal([](json& j) { j["model"]["type"] = "Unigram"; }), "'Unigram'"));
        QVERIFY(mentions(refusal([](json& j) { j["model"]["type"] = "WordPiece"; }), "'WordPiece'"));
        QVERIFY(mentions(refusal([](json& j) { j["normalizer"] = {{"type", "BertNormalizer"}}; }), "'BertNormalizer'"));
        QVERIFY(mentions(
            refusal([](json& j) {
                j["normalizer"] = {{"type", "Sequence"}, {"normalizers", json::array({{{"type", "Precompiled"}}})}};
            }),
            "normalizer.normalizers[0]: normalizer type 'Precompiled'"));
        QVERIFY(mentions(refusal([](json& j) { j["pre_tokenizer"] = {{"type", "Whitespace"}}; }), "'Whitespace'"));
        QVERIFY(mentions(refusal([](json& j) { j["decoder"] = {{"type", "WordPiece"}}; }), "decoder type 'WordPiece'"));
        QVERIFY(mentions(refusal([](json& j) { j["post_processor"] = {{"type", "Frobnicate"}}; }), "'Frobnicate'"));
        QVERIFY(mentions(refusal([](json& j) { j["model"]["dropout"] = 0.1; }), "dropout"));
        QVERIFY(mentions(refusal([](json& j) {
                             j["pre_tokenizer"] = {{"type", "Split"},
                                                   {"pattern", {{"Regex", "(unclosed"}}},
                                                   {"behavior", "Isolated"}};
                         }),
                         "(unclosed"));
        QVERIFY(mentions(
            refusal([](json& j) {
                j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"String", "-"}}}, {"behavior", "Sideways"}};
            }),
            "'Sideways'"));
    }

    void malformedFilesAreRefused()
    {
        auto refusal = [](const std::function<void(json&)>& edit) {
            json j = byteLevelTokenizer(false);
            edit(j);
            return formatErrorOf([&] { load(j); });
        };
        QVERIFY(refusal([](json& j) {
                    j["model"]["merges"].push_back("Ġ zz");
                }).find("'zz' is not in the vocabulary") != std::string::npos);
        QVERIFY(refusal([](json& j) { j["model"]["merges"].push_back("nospace"); }).find("merges[6]") !=
                std::string::npos);
        QVERIFY(refusal([](json& j) { j["model"]["merges"].push_back(json::array({"a"})); }).find("merges[6]") !=
                std::string::npos);
        QVERIFY(refusal([](json& j) { j["model"]["merges"].push_back("x y"); }).find("merged token 'xy'") !=
                std::string::npos);
        QVERIFY(refusal([](json& j) { j["model"]["vocab"] = json::array(); }).find("'vocab'") != std::string::npos);
        QVERIFY(refusal([](json& j) { j["model"]["vocab"]["bad"] = "x"; }).find("'bad'") != std::string::npos);
        QVERIFY(refusal([](json& j) { j.erase("model"); }).find("'model'") != std::string::npos);
        // An id of 10^9 once sized a 10^9-entry table and ended in a bare std::bad_alloc.
        QVERIFY(refusal([](json& j) { j["model"]["vocab"]["far"] = 1000000000; }).find("far beyond") !=
                std::string::npos);
        QVERIFY(refusal([](json& j) {
                    j["added_tokens"] = json::array({{{"content", "x"}}});
                }).find("added_tokens[0]: missing field 'id'") != std::string::npos);
        // Found by tests/fuzz: an added token with id 2^31-1 overflowed vocabSize() (undefined
        // behaviour), and a TemplateProcessing id outside the vocabulary (or beyond 32 bits,
        // which wrapped) was handed out by encode().
        QVERIFY(refusal([](json& j) {
                    j["added_tokens"] = json::array({addedToken(2147483647, "<big>", true, false)});
                }).find("added token '<big>' has id 2147483647, far beyond") != std::string::npos);
        for (const json& id : {json(99999), json(4294967296LL + 5), json(-1)}) {
            const std::string m = refusal([&](json& j) {
                j["post_processor"] = {{"type", "TemplateProcessing"},
                                       {"single", json::array({{{"SpecialToken", {{"id", "<x>"}, {"type_id", 0}}}},
                                                               {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
                                       {"pair", json::array()},
                                       {"special_tokens",
                                        {{"<x>", {{"id", "<x>"}, {"ids", json::array({id})}, {"tokens", {"<x>"}}}}}}};
            });
            QVERIFY2(m.find(id == json(99999) ? "post_processor adds the token id 99999, which is not in the vocabulary"
                                              : "special token '<x>' has the id " + id.dump()) != std::string::npos,
                     m.c_str());
        }
        // A chat_template list whose entries have names or templates that are not strings is
        // skipped (it escaped as nlohmann's type_error).
        QVERIFY(teft::Tokenizer::fromJson(byteLevelTokenizer(true).dump(),
                                          R"({"chat_template": [{"name": 1, "template": 2}, {"template": 3}]})")
                    .chatTemplate()
                    .empty());
        QVERIFY(refusal([](json& j) { j["normalizer"] = {{"kind", "NFC"}}; }).find("normalizer") != std::string::npos);
        QVERIFY(formatErrorOf([] { teft::Tokenizer::fromJson("{not json"); }).find("not valid JSON") !=
                std::string::npos);
        QVERIFY(formatErrorOf([] {
                    teft::Tokenizer::fromJson(byteLevelTokenizer(true).dump(), "[1");
                }).find("tokenizer_config.json") != std::string::npos);

        // From a file: the message names the file; a missing file is an error naming the path.
        const auto dir = teft::test::freshDir("malformed");
        {
            std::ofstream(dir / "tokenizer.json") << R"({"model": {"type": "Unigram", "vocab": []}})";
        }
        const std::string m = formatErrorOf([&] { teft::Tokenizer::fromFile(dir); });
        QVERIFY(m.find((dir / "tokenizer.json").string()) != std::string::npos);
        QVERIFY(m.find("'Unigram'") != std::string::npos);
        bool refused = false;
        try {
            teft::Tokenizer::fromFile(dir / "nowhere");
        } catch (const teft::Error& e) {
            refused = std::string(e.what()).find("nowhere") != std::string::npos;
        }
        QVERIFY(refused);
    }

    void fromFileReadsTheFolder()
    {
        const auto dir = teft::test::freshDir("folder");
        std::ofstream(dir / "tokenizer.json") << sentencePieceTokenizer(true, true).dump();
        std::ofstream(dir / "tokenizer_config.json") << json{{"eos_token", "</s>"}}.dump();
        std::ofstream(dir / "chat_template.jinja") << "{% for m in messages %}{{ m.content }}{% endfor %}";
        const auto t = teft::Tokenizer::fromFile(dir);
        QCOMPARE(t.encode("hello world"), (Ids{271, 276}));
        QCOMPARE(t.eosId(), std::optional<int32_t>(2));
        QVERIFY(!t.bosId()); // a config that names no bos_token
        QCOMPARE(t.chatTemplate(), std::string("{% for m in messages %}{{ m.content }}{% endfor %}"));
        const auto viaFile = teft::Tokenizer::fromFile(dir / "tokenizer.json");
        QCOMPARE(viaFile.fingerprint(), t.fingerprint());
        // Copies share the loaded state and work from several threads.
        const teft::Tokenizer copy = t;
        QCOMPARE(copy.encodeBatch(std::vector<std::string>(64, "hello world hé"), 4),
                 std::vector<Ids>(64, Ids{271, 276, 267, 3 + 0xC3, 3 + 0xA9}));
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
