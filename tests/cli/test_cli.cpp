// The teft command line: --version, --help everywhere, usage errors exit 2 naming the problem,
// runtime errors exit 1, --json output parses.
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <fstream>

using teft::test::runProcess;

class TestCli : public QObject {
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

    void version()
    {
        auto r = runProcess(TEFT_CLI_PATH, {"--version"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QString::fromStdString(r.out).startsWith("teft "));
    }

    void helpListsCommands()
    {
        auto r = runProcess(TEFT_CLI_PATH, {"--help"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.find("Commands:") != std::string::npos);
        QVERIFY(r.out.find("jobs list") != std::string::npos);
        QVERIFY(r.out.find("Exit codes") != std::string::npos);
    }

    void everyCommandHasHelp()
    {
        auto r = runProcess(TEFT_CLI_PATH, {"--help"});
        std::istringstream lines(r.out.substr(r.out.find("Commands:")));
        std::string line;
        std::getline(lines, line);
        int checked = 0;
        while (std::getline(lines, line) && !line.empty()) {
            // "  model create          summary" -> words until the double space
            const auto start = line.find_first_not_of(' ');
            const auto end = line.find("  ", start);
            std::istringstream words(line.substr(start, end - start));
            std::vector<std::string> args;
            for (std::string w; words >> w;)
                args.push_back(w);
            args.push_back("--help");
            auto h = runProcess(TEFT_CLI_PATH, args);
            QVERIFY2(h.exitCode == 0, line.c_str());
            QVERIFY2(h.out.find("Usage: teft") != std::string::npos, line.c_str());
            ++checked;
        }
        QVERIFY(checked >= 3);
    }

    void noArgumentsIsUsageError()
    {
        auto r = runProcess(TEFT_CLI_PATH, {});
        QCOMPARE(r.exitCode, 2);
    }

    void unknownCommandIsUsageError()
    {
        auto r = teft({"frobnicate"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("unknown command 'frobnicate'") != std::string::npos);
    }

    void unknownOptionIsUsageError()
    {
        auto r = teft({"system", "--bogus"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("--bogus") != std::string::npos, r.err.c_str());
    }

    void missingValueIsUsageError()
    {
        auto r = runProcess(TEFT_CLI_PATH, {"jobs", "list", "--limit"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("--limit needs a value") != std::string::npos);
    }

    void badNumberIsUsageError()
    {
        auto r = teft({"jobs", "list", "--limit", "many"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("expects an integer") != std::string::npos);
    }

    void missingPositionalIsUsageError()
    {
        auto r = teft({"jobs", "show"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("missing ID") != std::string::npos);
    }

    void runtimeErrorExitsOne()
    {
        auto r = teft({"jobs", "show", "999999"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.find("No job 999999") != std::string::npos);
    }

    void groupWithoutSubcommandListsIt()
    {
        auto r = runProcess(TEFT_CLI_PATH, {"jobs"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("jobs list") != std::string::npos);
    }

    void jsonOutputParses()
    {
        auto r = teft({"system", "--json"});
        QCOMPARE(r.exitCode, 0);
        auto doc = nlohmann::json::parse(r.out);
        QVERIFY(doc.contains("threads"));
        QVERIFY(doc["devices"].size() >= 1);
        QCOMPARE(doc["data_dir"].get<std::string>(), m_dataDir);
        auto j = teft({"jobs", "list", "--json"});
        QCOMPARE(j.exitCode, 0);
        QVERIFY(nlohmann::json::parse(j.out).is_array());
    }

    void threadsOptionIsApplied()
    {
        auto r = teft({"system", "--json", "--threads", "1"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(nlohmann::json::parse(r.out)["threads"].get<int>(), 1);
    }

    // `teft identify` has no project: its token budget is --tokens (or --batches), and the help
    // says what the default reads.
    void identifyTokenBudget()
    {
        auto h = runProcess(TEFT_CLI_PATH, {"identify", "--help"});
        QCOMPARE(h.exitCode, 0);
        QVERIFY2(h.out.find("--tokens") != std::string::npos, h.out.c_str());
        QVERIFY2(h.out.find("16384 tokens") != std::string::npos, h.out.c_str());

        const auto dir = teft::test::freshDir("cli-identify-tokens");
        const auto model = (dir / "model").string();
        auto r = teft({"model", "create", "--arch", "qwen3_moe", "--seed", "2", "--out", model});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto data = dir / "data.txt";
        {
            std::ofstream text(data);
            for (int i = 0; i < 400; ++i)
                text << "line " << i << ": the quick brown fox jumps over the lazy dog " << i * 7 << "\n";
        }
        auto identify = [&](std::vector<std::string> more) {
            std::vector<std::string> a = {"identify",     model,
                                          "--data",       data.string(),
                                          "--seq-len",    "32",
                                          "--batch-size", "2",
                                          "--out",        (dir / "stats.json").string(),
                                          "--json"};
            a.insert(a.end(), more.begin(), more.end());
            return teft(a);
        };
        // 100 tokens: whole batches of 2 rows × 32 tokens, rounded up: 2 batches, 128 tokens.
        r = identify({"--tokens", "100"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        QCOMPARE(nlohmann::json::parse(r.out).at("tokens").get<long long>(), 128LL);
        r = identify({"--batches", "3"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        QCOMPARE(nlohmann::json::parse(r.out).at("tokens").get<long long>(), 192LL);
        r = identify({"--tokens", "100", "--batches", "3"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("--tokens and --batches") != std::string::npos, r.err.c_str());
        r = identify({"--tokens", "0"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("--tokens must be at least 1") != std::string::npos, r.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
