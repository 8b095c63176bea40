// The TEFT pipeline through the command line, on the tiny demo model: `teft demo --tiny`
// end to end (rounds, the bad miner filtered out, a verified merge, losses per domain, jobs
// recorded), then the same steps one command at a time: identify, select, train, validate,
// merge, eval.
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

using teft::test::runProcess;
using nlohmann::json;
namespace fs = std::filesystem;

class TestDemoPipeline : public QObject {
    Q_OBJECT
    std::string m_dataDir;
    json m_demo;

    teft::test::ProcessResult teft(std::vector<std::string> args)
    {
        args.push_back("--data-dir");
        args.push_back(m_dataDir);
        args.push_back("--threads");
        args.push_back("1");
        return runProcess(TEFT_CLI_PATH, args);
    }

    json teftJson(std::vector<std::string> args)
    {
        args.push_back("--json");
        args.push_back("--quiet");
        const auto r = teft(args);
        if (r.exitCode != 0)
            qWarning("teft %s failed: %s", args.front().c_str(), r.err.c_str());
        if (r.exitCode != 0)
            return json();
        return json::parse(r.out);
    }

private Q_SLOTS:
    void initTestCase() { m_dataDir = teft::test::freshDir("data").string(); }

    void demoRunsEndToEnd()
    {
        m_demo = teftJson({"demo", "--tiny", "--pretrain-steps", "20", "--steps", "3"});
        QVERIFY(m_demo.is_object());
        QCOMPARE(m_demo["rounds"].size(), std::size_t(2));
        for (const auto& round : m_demo["rounds"]) {
            QCOMPARE(round["submissions"].size(), std::size_t(3));
            for (const auto& s : round["submissions"]) {
                QCOMPARE(s["verdict"].get<std::string>(), std::string("accepted"));
                if (s["name"] == "miner-2") // the bad one (learning rate 30)
                    QCOMPARE(s["weight"].get<double>(), 0.0);
            }
        }
        QVERIFY(m_demo["merge"]["verified"].get<bool>());
        QCOMPARE(m_demo["losses"].size(), std::size_t(6));
        int inDomain = 0;
        for (const auto& l : m_demo["losses"]) {
            QVERIFY(l["base"].is_number() && l["teft"].is_number() && l["full_ft"].is_number());
            inDomain += l["in_domain"].get<bool>() ? 1 : 0;
        }
        QCOMPARE(inDomain, 1);
        QVERIFY(m_demo["submission_bytes"].get<std::uint64_t>() < m_demo["selection_cost"]["model_bytes"].get<std::uint64_t>());
        QVERIFY(m_demo["submission_bytes"].get<std::uint64_t>() > 0);

        const auto jobs = teftJson({"jobs", "list"});
        std::set<std::string> kinds;
        for (const auto& j : jobs) {
            kinds.insert(j["kind"].get<std::string>());
            QCOMPARE(j["state"].get<std::string>(), std::string("succeeded"));
        }
        for (const char* k : {"demo", "pretrain", "identify", "train", "validate", "merge"})
            QVERIFY2(kinds.count(k), k);

        // A second run finds everything done and gives the same table.
        const auto again = teftJson({"demo", "--tiny", "--pretrain-steps", "20", "--steps", "3"});
        QCOMPARE(again["losses"], m_demo["losses"]);
        QVERIFY(!again["foundation_model"]["built"].get<bool>());
        // It reuses the finished rounds and still reports their submissions' size.
        QCOMPARE(again["submission_bytes"].get<std::uint64_t>(), m_demo["submission_bytes"].get<std::uint64_t>());
    }

    void stepByStep()
    {
        QVERIFY(m_demo.is_object());
        const std::string model = m_demo["foundation_model"]["dir"];
        const auto corpus = fs::path(model).parent_path().parent_path() / "demo" / "corpus-1-0.05";
        const std::string code = (corpus / "code.jsonl").string(), prose = (corpus / "prose.jsonl").string();
        const auto work = teft::test::freshDir("steps");
        const std::vector<std::string> data = {"--seq-len", "32"};
        auto with = [&](std::vector<std::string> a) {
            a.insert(a.end(), data.begin(), data.end());
            return a;
        };

        const auto id = teftJson(with({"identify", model, "--data", code, "--reference", prose, "--batches", "2",
                                       "--out", (work / "stats.json").string()}));
        QVERIFY(id["tokens"].get<std::int64_t>() > 0);
        QVERIFY(fs::exists(work / "stats.reference.json"));
        // The statistics are in the job store too: one token share per expert of each MoE layer.
        const auto job = teftJson({"jobs", "show", std::to_string(id["job_id"].get<long long>())});
        QCOMPARE(job["kind"].get<std::string>(), std::string("identify"));
        QCOMPARE(job["metrics"]["token_share.layer0"].size(), std::size_t(8));
        double share = 0;
        for (const auto& point : job["metrics"]["token_share.layer0"])
            share += point[1].get<double>();
        QVERIFY(std::abs(share - 1.0) < 1e-9); // token shares of a layer sum to 1

        const auto sel = teftJson({"select", "--stats", (work / "stats.json").string(), "--reference-stats",
                                   (work / "stats.reference.json").string(), "--policy", "topk", "--k", "1", "--format",
                                   "connito", "--out", (work / "assignment.json").string()});
        QCOMPARE(sel["experts"].get<int>(), 2); // 2 MoE layers x 1
        const auto conv = teftJson({"select", "--import", (work / "assignment.json").string(), "--out",
                                    (work / "selection.json").string()});
        QCOMPARE(conv["hash"], sel["hash"]);

        const auto tr = teftJson(with({"train", model, "--selection", (work / "selection.json").string(), "--data", code,
                                       "--steps", "3", "--batch-size", "2", "--lr", "1e-3", "--unsigned",
                                       "--compute-dtype", "f32", "--out", (work / "miner").string()}));
        QCOMPARE(tr["steps"].get<int>(), 3);
        fs::create_directories(work / "subs");
        fs::rename(work / "miner" / "submission", work / "subs" / "m0");

        const auto va = teftJson(with({"validate", model, "--selection", (work / "selection.json").string(), "--data",
                                       code, "--submissions", (work / "subs").string(), "--state",
                                       (work / "state").string(), "--allow-unsigned", "--eval-batches", "2",
                                       "--eval-batch-size", "2"}));
        QCOMPARE(va["round"].get<int>(), 0);
        QCOMPARE(va["submissions"][0]["verdict"].get<std::string>(), std::string("accepted"));
        const std::string phi = va["phi"];

        // Unsigned submissions are refused unless allowed.
        const auto strict = teftJson(with({"validate", model, "--selection", (work / "selection.json").string(), "--data",
                                           code, "--submissions", (work / "subs").string(), "--state",
                                           (work / "state2").string(), "--eval-batches", "1"}));
        QCOMPARE(strict["submissions"][0]["verdict"].get<std::string>(), std::string("unsigned"));

        const auto me = teftJson(with({"merge", model, "--phi", phi, "--out", (work / "merged").string(), "--data", code,
                                       "--reference", prose, "--eval-batches", "2"}));
        QVERIFY(me["verified"].get<bool>());
        QCOMPARE(me["losses"].size(), std::size_t(2));

        const auto ev = teftJson(with({"eval", model, "--data", code, "--phi", phi, "--eval-batches", "2"}));
        const auto evMerged = teftJson(with({"eval", (work / "merged").string(), "--data", code, "--eval-batches", "2"}));
        const double a = ev["results"][0]["loss"], b = evMerged["results"][0]["loss"];
        QVERIFY(std::abs(a - b) < 0.05); // bf16 rounding of Φ in the merged checkpoint only

        // Usage errors name the problem and exit 2.
        const auto bad = teft({"train", model, "--data", code, "--out", (work / "x").string()});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.find("selection") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestDemoPipeline)
#include "test_demo_pipeline.moc"
