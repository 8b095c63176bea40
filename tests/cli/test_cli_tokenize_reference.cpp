// `teft tokenize` against the Hugging Face `tokenizers` library on the real Qwen3 and DeepSeek-V3
// tokenizers (their rows SKIP, naming the missing file, where the shared test data is absent) and
// on the two that tests/reference/make_tokenizers.py trains in their layouts: a few hundred of tests/reference/tokenizer_cases.py's strings (Unicode from all planes,
// whitespace, code, added tokens, invalid UTF-8) through the command line. One process per input,
// so most go in as documents of 60 strings (--file, raw bytes) whose ids are also decoded back
// (--decode --file, --skip-special), and a few single strings as --text; with and without
// --add-special. The full set runs in-process in tests/core/test_tokenizer_reference.cpp.
//
// Needs the project's Python environment (scripts/python-env.sh); fails when it is missing.
#include "support/TestSupport.h"

#include <QString>
#include <QtTest>

#include <fstream>
#include <nlohmann/json.hpp>

using nlohmann::json;
using Ids = std::vector<int32_t>;
namespace fs = std::filesystem;

namespace {

std::string unhex(const std::string& h)
{
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}

std::string show(const std::string& s, std::size_t max = 160)
{
    std::string out = json(s.substr(0, max)).dump(-1, ' ', true, json::error_handler_t::replace);
    return s.size() > max ? out + "...(" + std::to_string(s.size()) + " bytes)" : out;
}

std::string idList(const Ids& ids)
{
    std::string s;
    for (std::size_t i = 0; i < ids.size(); ++i)
        s += (i ? " " : "") + std::to_string(ids[i]);
    return s;
}

} // namespace

class TestCliTokenizeReference : public QObject {
    Q_OBJECT

    fs::path m_out;
    teft::test::ReferenceTokenizers m_available;

private slots:
    void initTestCase()
    {
        try {
            m_available = teft::test::referenceTokenizers(teft::test::freshDir("tokenizers"));
            m_out = teft::test::freshDir("reference");
            teft::test::writeTokenizerCases(m_available, m_out, 1000, false);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void matchesTokenizers_data()
    {
        QTest::addColumn<QString>("name");
        for (const char* n : {"qwen3_style", "deepseek_v3_style", "qwen3", "deepseek_v3"})
            QTest::newRow(n) << QString(n);
    }
    void matchesTokenizers()
    {
        QFETCH(QString, name);
        if (!m_available.has(name.toStdString()))
            QSKIP(qPrintable(QString::fromStdString(m_available.missing)));
        const std::string tokDir = m_available.folder(name.toStdString()).string();
        const fs::path work = teft::test::freshDir("cli_" + name.toStdString());
        std::ifstream in(m_out / (name.toStdString() + ".jsonl"), std::ios::binary);
        QVERIFY(in.good());
        int checked = 0, failed = 0, files = 0, invalid = 0;
        std::vector<std::string> examples;
        auto fail = [&](const json& c, const std::string& what, const std::string& got, const std::string& want) {
            ++failed;
            if (examples.size() < 5)
                examples.push_back("  #" + std::to_string(c["i"].get<int>()) + " [" + c["kind"].get<std::string>() +
                                   "] " + what + " text " + show(c.value("text", "")) + "\n    teft: " + got +
                                   "\n    want: " + want);
        };
        std::string line;
        int strings = 0;
        while (std::getline(in, line)) {
            const json c = json::parse(line);
            if (c.contains("header") || !c.contains("cli"))
                continue;
            const int i = c["i"].get<int>();
            const bool viaFile = c["cli"] == "file"; // a document of many strings, as raw bytes
            const std::string input = c.contains("bytes_hex") ? unhex(c["bytes_hex"].get<std::string>())
                                                              : c["text"].get<std::string>();
            std::vector<std::string> args = {"tokenize", "--tokenizer", tokDir, "--json"};
            if (viaFile) {
                const fs::path f = work / ("input" + std::to_string(i) + ".txt");
                std::ofstream(f, std::ios::binary) << input;
                args.insert(args.end(), {"--file", f.string()});
                ++files;
                strings += c.value("strings", 0);
            } else {
                args.insert(args.end(), {"--text", input});
                ++strings;
            }
            invalid += c.contains("bytes_hex") && input != c["text"].get<std::string>();
            const bool special = i % 2 == 0;
            if (special)
                args.push_back("--add-special");
            const Ids want = c[special ? "ids_special" : "ids"].get<Ids>();
            auto r = teft::test::runProcess(TEFT_CLI_PATH, args);
            ++checked;
            if (r.exitCode != 0) {
                fail(c, "encode", "exit " + std::to_string(r.exitCode) + ": " + r.err, idList(want));
                continue;
            }
            const Ids got = json::parse(r.out)["ids"].get<Ids>();
            if (got != want)
                fail(c, special ? "encode --add-special" : "encode", idList(got), idList(want));
            if (!viaFile)
                continue;

            // The document's ids back to text (from a file; skipping special tokens every other time).
            const bool skip = i % 4 < 2;
            const std::string wantText = c[skip ? "decoded_skip" : "decoded"].get<std::string>();
            const fs::path idFile = work / ("ids" + std::to_string(i) + ".txt");
            std::ofstream(idFile) << idList(c[skip ? "ids_special" : "ids"].get<Ids>());
            std::vector<std::string> dargs = {"tokenize", "--tokenizer", tokDir,         "--json",
                                              "--decode", "--file",      idFile.string()};
            if (skip)
                dargs.push_back("--skip-special");
            r = teft::test::runProcess(TEFT_CLI_PATH, dargs);
            ++checked;
            if (r.exitCode != 0) {
                fail(c, "decode", "exit " + std::to_string(r.exitCode) + ": " + r.err, show(wantText));
                continue;
            }
            const std::string gotText = json::parse(r.out)["text"].get<std::string>();
            if (gotText != wantText)
                fail(c, skip ? "decode --skip-special" : "decode", show(gotText), show(wantText));
        }
        std::string report = std::to_string(failed) + " of " + std::to_string(checked) + " command lines differ";
        for (const auto& e : examples)
            report += "\n" + e;
        QVERIFY2(failed == 0, report.c_str());
        QVERIFY(files >= 5 && checked > files);
        QVERIFY(strings >= 300); // a few hundred strings went through the command line
        QVERIFY(invalid > 0);
    }
};

QTEST_GUILESS_MAIN(TestCliTokenizeReference)
#include "test_cli_tokenize_reference.moc"
