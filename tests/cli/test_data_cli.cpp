// `teft data demo-corpus | preview | pack` end to end, through the real binary.
#include "core/util/AtomicFile.h"
#include "support/ByteTokenizerJson.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <fstream>

namespace fs = std::filesystem;
using teft::test::ProcessResult;

namespace {

ProcessResult teftRun(const fs::path& dataDir, const std::vector<std::string>& args)
{
    std::vector<std::string> all = args;
    all.push_back("--quiet");
    return teft::test::runProcess(TEFT_CLI_PATH, all, 120000, {{"TEFT_DATA_DIR", dataDir.string()}});
}

nlohmann::json jsonOf(const ProcessResult& r)
{
    try {
        return nlohmann::json::parse(r.out);
    } catch (const std::exception&) {
        return {};
    }
}

void writeBytes(const fs::path& p, const std::string& bytes)
{
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << bytes;
}

} // namespace

class TestDataCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void demoCorpusPreviewAndPack()
    {
        const auto dir = teft::test::freshDir("flow");
        const auto data = dir / "data";
        auto r = teftRun(data, {"data", "demo-corpus", "--out", (dir / "corpus").string(), "--seed", "5",
                                "--mb-per-domain", "0.1", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto files = jsonOf(r).at("files");
        QVERIFY(files.size() >= 5);
        for (const auto& f : files) {
            QVERIFY(fs::file_size(f.at("path").get<std::string>()) >= 0.1 * 1024 * 1024);
            QCOMPARE(f.at("bytes").get<std::int64_t>(),
                     static_cast<std::int64_t>(fs::file_size(f.at("path").get<std::string>())));
        }

        r = teftRun(data, {"data", "preview", (dir / "corpus").string(), "-n", "4", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        auto doc = jsonOf(r);
        QCOMPARE(doc.at("records").size(), std::size_t(4));
        QCOMPARE(doc.at("files").size(), files.size());
        QCOMPARE(doc.at("records")[2].at("line").get<int>(), 3);
        QVERIFY(doc.at("records")[0].at("file").get<std::string>().find("arithmetic.jsonl") != std::string::npos);

        // Text output names file:line.
        r = teftRun(data, {"data", "preview", (dir / "corpus" / "dna.jsonl").string(), "-n", "2"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        QVERIFY2(r.out.find("dna.jsonl:2: >seq") != std::string::npos, r.out.c_str());

        // Pack with a byte-level tokenizer: every byte is a token, plus one EOS per document.
        const auto tok = dir / "tok";
        writeBytes(tok / "tokenizer.json", teft::test::byteTokenizerJson({"<|endoftext|>"}));
        const std::vector<std::string> pack{"data",        "pack",       (dir / "corpus" / "prose.jsonl").string(),
                                            "--tokenizer", tok.string(), "--seq-len",
                                            "64",          "--held-out", "0.1",
                                            "--json"};
        r = teftRun(data, pack);
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        doc = jsonOf(r);
        QCOMPARE(doc.at("from_cache").get<bool>(), false);
        const std::int64_t docs = doc.at("documents");
        QCOMPARE(docs, files[4].at("documents").get<std::int64_t>()); // prose is the fifth domain
        // Independent count of the tokens: the bytes of every text, plus one EOS each.
        std::int64_t textBytes = 0;
        std::ifstream in(dir / "corpus" / "prose.jsonl");
        std::string line;
        while (std::getline(in, line))
            textBytes += static_cast<std::int64_t>(nlohmann::json::parse(line).at("text").get<std::string>().size());
        QCOMPARE(doc.at("tokens").get<std::int64_t>(), textBytes + docs);
        QCOMPARE(doc.at("train_sequences").get<std::int64_t>() + doc.at("held_out_sequences").get<std::int64_t>(),
                 (doc.at("tokens").get<std::int64_t>() - doc.at("dropped_tokens").get<std::int64_t>()) / 64);
        QVERIFY(doc.at("held_out_documents").get<std::int64_t>() > 0);
        QVERIFY(fs::exists(data / "cache" / "datasets" / (doc.at("cache_key").get<std::string>() + ".train.bin")));

        r = teftRun(data, pack);
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        QCOMPARE(jsonOf(r).at("from_cache").get<bool>(), true);
        QCOMPARE(jsonOf(r).at("tokens"), doc.at("tokens"));
    }

    void badInputAndUsage()
    {
        const auto dir = teft::test::freshDir("bad");
        const auto data = dir / "data";
        writeBytes(dir / "none.jsonl", "{\"title\": 1}\n{\"title\": 2}\n");
        writeBytes(dir / "tok" / "tokenizer.json", teft::test::byteTokenizerJson({"<|endoftext|>"}));
        auto r = teftRun(data, {"data", "pack", (dir / "none.jsonl").string(), "--tokenizer", (dir / "tok").string(),
                                "--seq-len", "8"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("2 records had no field 'text'") != std::string::npos, r.err.c_str());

        writeBytes(dir / "mixed.jsonl", "{\"text\": \"fine\"}\nnot json\n");
        r = teftRun(data, {"data", "preview", (dir / "mixed.jsonl").string(), "--strict"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("mixed.jsonl:2: invalid JSON") != std::string::npos, r.err.c_str());
        r = teftRun(data, {"data", "preview", (dir / "mixed.jsonl").string()});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.find("1 record skipped (invalid JSON)") != std::string::npos, r.out.c_str());

        r = teftRun(data, {"data", "preview", (dir / "mixed.jsonl").string(), "--format", "parquet"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("unknown data format 'parquet'") != std::string::npos, r.err.c_str());
        r = teftRun(data, {"data", "pack", (dir / "mixed.jsonl").string(), "--tokenizer", (dir / "tok").string()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("--seq-len") != std::string::npos, r.err.c_str());
        r = teftRun(data, {"data", "demo-corpus"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("--out") != std::string::npos, r.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestDataCli)
#include "test_data_cli.moc"
