// `teft encodings`: the bytes a submission takes per round in each update encoding, for the real
// dimensions of Qwen3-30B-A3B (one expert per layer: the figures of docs/protocol.md) and for a
// selection file.
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <fstream>

using teft::test::runProcess;

class TestCliEncodings : public QObject {
    Q_OBJECT
    std::string m_dataDir;

    teft::test::ProcessResult teft(std::vector<std::string> args)
    {
        args.push_back("--data-dir");
        args.push_back(m_dataDir);
        return runProcess(TEFT_CLI_PATH, args);
    }

private Q_SLOTS:
    void initTestCase() { m_dataDir = teft::test::freshDir("data").string(); }

    void qwen3OneExpertPerLayer()
    {
        auto r = teft({"encodings", "--preset", "qwen3-30b-a3b", "--experts-per-layer", "1", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto j = nlohmann::json::parse(r.out);
        // 48 layers × 3 × 2048 × 768 parameters.
        QCOMPARE(j.at("experts").get<std::int64_t>(), std::int64_t(48));
        QCOMPARE(j.at("f32").get<std::uint64_t>(), std::uint64_t(905969664));
        QCOMPARE(j.at("bf16").get<std::uint64_t>(), std::uint64_t(452984832));
        QCOMPARE(j.at("int8").get<std::uint64_t>(), std::uint64_t(227180544));
        QCOMPARE(j.at("int8_scales").get<std::uint64_t>(), std::uint64_t(688128)); // (768 + 768 + 2048) rows × 4 B × 48

        auto text = teft({"encodings", "--preset", "qwen3-30b-a3b", "--experts-per-layer", "2"});
        QVERIFY2(text.exitCode == 0, text.err.c_str());
        QVERIFY2(text.out.find("96 selected experts") != std::string::npos, text.out.c_str());
        QVERIFY2(text.out.find("bf16  905969664") != std::string::npos, text.out.c_str());
        QVERIFY2(text.out.find("int8  454361088 (of which 1376256 row scales)") != std::string::npos,
                 text.out.c_str());
    }

    void selectionFile()
    {
        const auto dir = teft::test::freshDir("selection");
        const auto file = dir / "selection.json";
        std::ofstream(file) << R"({"format": "teft-expert-selection", "version": 1, "layers": {"0": [1, 4], "1": [6]}})";
        auto one = teft({"encodings", "--preset", "tiny", "--experts-per-layer", "1", "--json"});
        QVERIFY2(one.exitCode == 0, one.err.c_str());
        const auto perLayer = nlohmann::json::parse(one.out);
        const auto perExpert = perLayer.at("bf16").get<std::uint64_t>() / perLayer.at("experts").get<std::uint64_t>();
        auto r = teft({"encodings", "--preset", "tiny", "--selection", file.string(), "--json"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto j = nlohmann::json::parse(r.out);
        QCOMPARE(j.at("experts").get<std::int64_t>(), std::int64_t(3));
        QCOMPARE(j.at("bf16").get<std::uint64_t>(), 3 * perExpert);
        QCOMPARE(j.at("f32").get<std::uint64_t>(), 6 * perExpert);

        // A selection naming an expert the model does not have: an error naming it.
        std::ofstream(dir / "bad.json") << R"({"format": "teft-expert-selection", "version": 1, "layers": {"0": [999]}})";
        auto bad = teft({"encodings", "--preset", "tiny", "--selection", (dir / "bad.json").string()});
        QVERIFY(bad.exitCode != 0);
        QVERIFY2(bad.err.find("999") != std::string::npos, bad.err.c_str());
    }

    void usageErrors()
    {
        auto none = teft({"encodings", "--experts-per-layer", "1"});
        QCOMPARE(none.exitCode, 2);
        QVERIFY2(none.err.find("--model DIR or --preset NAME") != std::string::npos, none.err.c_str());
        auto both = teft({"encodings", "--preset", "tiny"});
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.find("--experts-per-layer N or --selection FILE") != std::string::npos, both.err.c_str());
        auto zero = teft({"encodings", "--preset", "tiny", "--experts-per-layer", "0"});
        QCOMPARE(zero.exitCode, 2);
        QVERIFY2(zero.err.find("--experts-per-layer must be between 1 and") != std::string::npos, zero.err.c_str());
        auto preset = teft({"encodings", "--preset", "huge", "--experts-per-layer", "1"});
        QCOMPARE(preset.exitCode, 2);
        QVERIFY2(preset.err.find("huge") != std::string::npos, preset.err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestCliEncodings)
#include "test_cli_encodings.moc"
