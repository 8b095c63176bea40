// `teft tokenize`: encoding (text and JSON output), decoding ids back, and usage errors, on a
// small hand-built byte-level tokenizer, and on the real Qwen3 tokenizer of the shared test data
// (tests/cli/test_cli_tokenize_reference.cpp compares it with the Hugging Face libraries).
#include "support/TestSupport.h"

#include <QString>
#include <QtTest>
#include <fstream>
#include <nlohmann/json.hpp>

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Byte-level BPE over ASCII only: byte b has id b; merges "h e" -> 128 "he", "he y" -> 129 "hey".
// Space and newline are U+0120 'Ġ' and U+010A 'Ċ' in the byte-level alphabet.
fs::path writeTokenizer(const fs::path& dir)
{
    json vocab = json::object();
    for (int b = 33; b < 127; ++b)
        vocab[std::string(1, static_cast<char>(b))] = b;
    vocab["\xC4\xA0"] = 32; // Ġ
    vocab["\xC4\x8A"] = 10; // Ċ (newline)
    vocab["he"] = 128;
    vocab["hey"] = 129;
    const json j = {{"added_tokens",
                     json::array({{{"id", 130}, {"content", "<eos>"}, {"special", true}, {"normalized", false}}})},
                    {"normalizer", nullptr},
                    {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
                    {"decoder", {{"type", "ByteLevel"}}},
                    {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array({"h e", "he y"})}}}};
    std::ofstream(dir / "tokenizer.json") << j.dump();
    return dir;
}

fs::path qwen3Dir() { return teft::test::testDataDir() / "qwen3"; }

} // namespace

class TestCliTokenize : public QObject {
    Q_OBJECT

private slots:
    void encodes()
    {
        const auto dir = writeTokenizer(teft::test::freshDir("encode"));
        // "hey hi<eos>" -> "hey" (h e -> he, he y -> hey), " " + "hi" as Ġ h i, then <eos>.
        auto r = teft::test::runProcess(TEFT_CLI_PATH,
                                        {"tokenize", "--tokenizer", dir.string(), "--text", "hey hi<eos>"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, std::string("129 32 104 105 130\n"));

        r = teft::test::runProcess(TEFT_CLI_PATH,
                                   {"tokenize", "--tokenizer", dir.string(), "--text", "hey hi<eos>", "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto doc = json::parse(r.out);
        QCOMPARE(doc["ids"].get<std::vector<int>>(), (std::vector<int>{129, 32, 104, 105, 130}));
        QCOMPARE(doc["tokens"].get<std::vector<std::string>>(),
                 (std::vector<std::string>{"hey", "\xC4\xA0", "h", "i", "<eos>"}));

        std::ofstream(dir / "input.txt") << "hey\nhey";
        r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--tokenizer", (dir / "tokenizer.json").string(),
                                                   "--file", (dir / "input.txt").string()});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, std::string("129 10 129\n"));
    }

    void decodes()
    {
        const auto dir = writeTokenizer(teft::test::freshDir("decode"));
        auto r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--tokenizer", dir.string(), "--decode", "--text",
                                                        "[129, 32, 104, 105]"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, std::string("hey hi\n"));
        r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--tokenizer", dir.string(), "--decode", "--text",
                                                   "129 32\n104 105 130", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(json::parse(r.out)["text"].get<std::string>(), std::string("hey hi<eos>"));
        r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--tokenizer", dir.string(), "--decode",
                                                   "--skip-special", "--text", "129 130"});
        QCOMPARE(r.out, std::string("hey\n"));
    }

    void usageErrors()
    {
        const auto dir = writeTokenizer(teft::test::freshDir("usage"));
        auto r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--text", "x"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("--tokenizer") != std::string::npos);
        r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--tokenizer", dir.string()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("--text") != std::string::npos);
        r = teft::test::runProcess(TEFT_CLI_PATH,
                                   {"tokenize", "--tokenizer", dir.string(), "--decode", "--text", "1 two"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("'two'") != std::string::npos);

        std::ofstream(dir / "tokenizer.json") << R"({"model": {"type": "WordLevel", "vocab": {}}})";
        r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--tokenizer", dir.string(), "--text", "x"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.find("'WordLevel'") != std::string::npos);
    }

    void qwen3()
    {
        if (!fs::exists(qwen3Dir() / "tokenizer.json"))
            QSKIP("the Qwen3 tokenizer is missing from the shared test data (teft::test::testDataDir() / \"qwen3\"; "
                  "set TEFT_TESTDATA_DIR to the folder holding qwen3/tokenizer.json)");
        const auto r = teft::test::runProcess(TEFT_CLI_PATH, {"tokenize", "--tokenizer", qwen3Dir().string(), "--text",
                                                              "Hello, my dog is cute", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(json::parse(r.out)["ids"].get<std::vector<int>>(),
                 (std::vector<int>{9707, 11, 847, 5562, 374, 18838}));
    }
};

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
