// The TEFT pipeline through the command line, on the tiny demo model: `teft demo --tiny`
// end to end (rounds, the bad miner filtered out, a verified merge, losses per domain, jobs
// recorded), then the same steps one command at a time: identify, select, train, validate,
// merge, eval. Also the demo's report table from a report written here, and a demo cancelled
// in the middle of a step (its jobs recorded as cancelled, a rerun finishing the work).
#include "support/TestSupport.h"

#include "core/demo/DemoPipeline.h"
#include "core/demo/DemoReportTable.h"
#include "core/store/JobStore.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <set>

using nlohmann::json;
using teft::test::runProcess;
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

    // The jobs recorded after job `afterId`, oldest first.
    static std::vector<teft::JobStore::Job> jobsAfter(std::int64_t afterId)
    {
        std::vector<teft::JobStore::Job> out;
        for (const auto& j : teft::JobStore::open(teft::JobStore::defaultPath())->jobs(1000))
            if (j.id > afterId)
                out.insert(out.begin(), j);
        return out;
    }

    static std::int64_t lastJobId()
    {
        const auto jobs = teft::JobStore::open(teft::JobStore::defaultPath())->jobs(1);
        return jobs.empty() ? 0 : jobs.front().id;
    }

    // Runs the demo in this process, cancelled at its first progress report of `stage` (of
    // `total` units when total > 0). Returns whether it stopped with teft::Cancelled.
    static bool runCancelledAt(const teft::DemoSettings& s, const std::string& stage, std::int64_t total)
    {
        teft::JobControl control;
        control.setProgressCallback([&](const teft::JobControl::Progress& p) {
            if (p.stage == stage && (total <= 0 || p.total == total))
                control.requestCancel();
        });
        try {
            teft::runDemo(s, control);
        } catch (const teft::Cancelled&) {
            return true;
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase() { m_dataDir = teft::test::freshDir("data").string(); }

    void reportTable()
    {
        json report = {{"target", "code"},
                       {"settings",
                        {{"rounds", 2}, {"miners", 3}, {"inner_steps", 3}, {"lr", 0.001}, {"full_fine_tune", true}}},
                       {"foundation_model",
                        {{"dir", "/data/models/demo-abc"},
                         {"built", false},
                         {"layers", 2},
                         {"experts", 8},
                         {"top_k", 2},
                         {"parameters", 56032},
                         {"concentration_trained", {{{"domain", "code"}, {"entropy", 0.844}, {"top_share", 0.595}}}},
                         {"concentration_random", {{{"domain", "code"}, {"entropy", 0.882}, {"top_share", 0.562}}}}}},
                       {"selection_cost",
                        {{"experts", 2},
                         {"total_experts", 16},
                         {"trainable_parameters", 3072},
                         {"model_bytes", 112064},
                         {"share_of_model", 0.0548},
                         {"selected_bytes", 6144}}},
                       {"submission_bytes", 12288},
                       {"rounds",
                        {{{"round", 0},
                          {"baseline_loss", 4.6208},
                          {"new_loss", 4.6051},
                          {"submissions",
                           {{{"name", "miner-0"},
                             {"verdict", "accepted"},
                             {"gain", 0.01171},
                             {"std_error", 0.0021},
                             {"tokens", 496},
                             {"tied_with", {"miner-3"}},
                             {"score", 0.01171},
                             {"rank", 1},
                             {"weight", 0.5},
                             {"fate", "merged"}},
                            {{"name", "miner-2"},
                             {"verdict", "accepted"},
                             {"gain", -0.5},
                             {"std_error", nullptr},
                             {"tokens", 31},
                             {"score", 0.0},
                             {"rank", 2},
                             {"weight", 0.0},
                             {"fate", "no_improvement"}}}},
                          {"miners",
                           {{{"miner", "miner-0"}, {"lr", 0.001}},
                            {{"miner", "miner-1"}, {"lr", 0.001}, {"error", "non-finite loss"}},
                            {{"miner", "miner-2"}, {"lr", 30.0}}}}}}},
                       {"full_fine_tune",
                        {{"steps", 6},
                         {"sweep", {{{"lr", 0.0003}}, {{"lr", 0.001}}}},
                         {"same_steps", {{"lr", 0.001}, {"steps", 6}}},
                         {"matched_gain", {{"lr", 0.0003}, {"step", 4}}}}},
                       {"losses",
                        {{{"domain", "code"},
                          {"in_domain", true},
                          {"base", 4.5},
                          {"teft", 4.25},
                          {"full_ft", 4.0},
                          {"full_ft_matched", 4.2}},
                         {{"domain", "dna"}, {"in_domain", false}, {"base", 5.5}, {"teft", 5.5}}}},
                       {"merge", {{"out", "/work/merged"}, {"merged_tensors", 6}, {"identical_tensors", 63}}},
                       {"timings_s",
                        {{"total", 12.4}, {"foundation_model", 3.2}, {"miners", 5.0}, {"validators", 2.6}}}};
        const std::string table = teft::demoReportTable(report);
        const auto has = [&](const std::string& line) {
            if (table.find(line + "\n") == std::string::npos)
                qWarning("missing line: %s\nin:\n%s", line.c_str(), table.c_str());
            return table.find(line + "\n") != std::string::npos;
        };
        QVERIFY(has("TEFT demo: target domain 'code', foundation model demo-abc (2 layers x 8 experts, top-2), "
                    "from the cache"));
        QVERIFY(has("  code        pretrained 0.844 / 59.5%   random init 0.882 / 56.2%"));
        QVERIFY(has("Selected 2 of 16 experts; a submission carries 12288 bytes (fp32 deltas) vs 112064 bytes for "
                    "the whole model (11.0%); the selected experts are 6144 bytes in the model's own dtype (5.5% of "
                    "the model)"));
        QVERIFY(has("Round 0: held-out loss 4.6208 -> 4.6051 (the validator's scoring rows)"));
        QVERIFY(has("  miner-0     0.001     accepted        +0.01171 +- 0.00210      496     1   0.500  merged "
                    "(tied with miner-3)"));
        QVERIFY(has("  miner-2     30        accepted        -0.50000 +- n/a           31     2   0.000  "
                    "no_improvement"));
        QVERIFY(has("  miner-1     0.001  no submission: non-finite loss"));
        QVERIFY(has("TEFT: 2 experts (3072 parameters) trained, 2 rounds x 3 miners x 3 steps, lr 0.001."));
        QVERIFY(has("Full fine-tuning: all 56032 parameters on the same target rows, learning rates 0.0003 0.001; at "
                    "the same steps (6), the rate with the lowest in-domain loss: lr 0.001; at TEFT's in-domain "
                    "gain, the rate with the least out-of-domain drift: lr 0.0003, step 4."));
        QVERIFY(has("Held-out loss (report rows, written checkpoints)"));
        QVERIFY(has("  code (target)      4.5000    4.2500 (-0.2500)    4.0000 (-0.5000)    4.2000 (-0.3000)"));
        QVERIFY(has("  dna                5.5000    5.5000 (+0.0000)"));
        QVERIFY(has("Merged checkpoint: /work/merged (verified: 6 expert tensors = Φ, 63 tensors byte-identical to "
                    "the base)"));
        QVERIFY(has("Time: 12 s (foundation model 3 s, miners 5 s, validators 3 s)"));

        // Without the baseline, no word of it; a freshly built model says so.
        report["settings"]["full_fine_tune"] = false;
        report["foundation_model"]["built"] = true;
        const std::string noBaseline = teft::demoReportTable(report);
        QVERIFY(noBaseline.find("Full fine-tuning:") == std::string::npos);
        QVERIFY(noBaseline.find("top-2), pretrained now\n") != std::string::npos);
    }

    void demoRunsEndToEnd()
    {
        m_demo = teftJson({"demo", "--tiny", "--pretrain-steps", "20", "--steps", "3"});
        QVERIFY(m_demo.is_object());
        QCOMPARE(m_demo["rounds"].size(), std::size_t(2));
        for (const auto& round : m_demo["rounds"]) {
            QCOMPARE(round["submissions"].size(), std::size_t(3));
            for (const auto& s : round["submissions"]) {
                // The bad one (learning rate 30) is refused by the relative norm bound, on by
                // default, before it is scored: never merged.
                QCOMPARE(s["verdict"].get<std::string>(),
                         std::string(s["name"] == "miner-2" ? "norm_too_large" : "accepted"));
                QCOMPARE(s.value("weight", 0.0) > 0.0, s["name"] != "miner-2");
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
        QVERIFY(m_demo["submission_bytes"].get<std::uint64_t>() <
                m_demo["selection_cost"]["model_bytes"].get<std::uint64_t>());
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
        const auto conv = teftJson(
            {"select", "--import", (work / "assignment.json").string(), "--out", (work / "selection.json").string()});
        QCOMPARE(conv["hash"], sel["hash"]);

        const auto tr = teftJson(with({"train", model, "--selection", (work / "selection.json").string(), "--data",
                                       code, "--steps", "3", "--batch-size", "2", "--lr", "1e-3", "--unsigned",
                                       "--compute-dtype", "f32", "--out", (work / "miner").string()}));
        QCOMPARE(tr["steps"].get<int>(), 3);
        fs::create_directories(work / "subs");
        fs::rename(work / "miner" / "submission", work / "subs" / "m0");

        const auto va = teftJson(
            with({"validate", model, "--selection", (work / "selection.json").string(), "--data", code, "--submissions",
                  (work / "subs").string(), "--state", (work / "state").string(), "--allow-unsigned", "--eval-batches",
                  "2", "--eval-batch-size", "2"}));
        QCOMPARE(va["round"].get<int>(), 0);
        QCOMPARE(va["submissions"][0]["verdict"].get<std::string>(), std::string("accepted"));
        const std::string phi = va["phi"];

        // Unsigned submissions are refused unless allowed.
        const auto strict = teftJson(
            with({"validate", model, "--selection", (work / "selection.json").string(), "--data", code, "--submissions",
                  (work / "subs").string(), "--state", (work / "state2").string(), "--eval-batches", "1"}));
        QCOMPARE(strict["submissions"][0]["verdict"].get<std::string>(), std::string("unsigned"));

        const auto me = teftJson(with({"merge", model, "--phi", phi, "--out", (work / "merged").string(), "--data",
                                       code, "--reference", prose, "--eval-batches", "2"}));
        QVERIFY(me["verified"].get<bool>());
        QCOMPARE(me["losses"].size(), std::size_t(2));

        const auto ev = teftJson(with({"eval", model, "--data", code, "--phi", phi, "--eval-batches", "2"}));
        const auto evMerged = teftJson(
            with({"eval", (work / "merged").string(), "--data", code, "--eval-batches", "2"}));
        const double a = ev["results"][0]["loss"], b = evMerged["results"][0]["loss"];
        QVERIFY(std::abs(a - b) < 0.05); // bf16 rounding of Φ in the merged checkpoint only

        // Usage errors name the problem and exit 2.
        const auto bad = teft({"train", model, "--data", code, "--out", (work / "x").string()});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.find("selection") != std::string::npos);
    }

    // Ctrl-C in the middle of a step: every job that was running is recorded as cancelled (not
    // failed, not interrupted), and the next run resumes and finishes. In this process, on the
    // model demoRunsEndToEnd cached (the same settings as `teft demo --tiny`).
    void cancelledDemoRecordsCancelledJobs()
    {
        QVERIFY(m_demo.is_object());
        teft::setDataDir(m_dataDir);
        teft::configureThreads(1);
        teft::DemoSettings s;
        s.makeTiny();
        s.model.steps = 20;
        s.innerSteps = 3;
        s.workDir = teft::test::freshDir("cancelled");
        const auto states = [](const std::vector<teft::JobStore::Job>& jobs) {
            std::multimap<std::string, std::string> out; // kind -> state
            for (const auto& j : jobs)
                out.emplace(j.kind, teft::JobStore::toString(j.state));
            return out;
        };

        // During identification (the model is cached: "routing" is the identification's).
        auto before = lastJobId();
        QVERIFY(runCancelledAt(s, "routing", 0));
        auto jobs = jobsAfter(before);
        QCOMPARE(states(jobs),
                 (std::multimap<std::string, std::string>{{"demo", "cancelled"}, {"identify", "cancelled"}}));

        // During the full fine-tuning baseline (its 6 steps; a miner makes 3): the miners,
        // validations and the merge finished, the baseline's "train" job and the demo cancelled.
        before = lastJobId();
        QVERIFY(runCancelledAt(s, "training", s.innerSteps * s.rounds));
        jobs = jobsAfter(before);
        QVERIFY(jobs.size() > 2);
        QCOMPARE(jobs.front().kind, std::string("demo"));
        QCOMPARE(teft::JobStore::toString(jobs.front().state), std::string("cancelled"));
        QCOMPARE(jobs.back().kind, std::string("train"));
        QVERIFY(nlohmann::json::parse(jobs.back().config).value("kind", "") == "full fine-tuning");
        QCOMPARE(teft::JobStore::toString(jobs.back().state), std::string("cancelled"));
        for (std::size_t i = 1; i + 1 < jobs.size(); ++i)
            QCOMPARE(teft::JobStore::toString(jobs[i].state), std::string("succeeded"));
        QVERIFY(states(jobs).count("identify") == 1 && states(jobs).count("merge") == 1);
        QVERIFY(states(jobs).count("pretrain") == 0); // the cached model

        // The rerun reuses the finished rounds and completes the baseline.
        before = lastJobId();
        teft::JobControl control;
        const auto report = teft::runDemo(s, control).json;
        for (const auto& j : jobsAfter(before))
            QCOMPARE(teft::JobStore::toString(j.state), std::string("succeeded"));
        QCOMPARE(report["losses"].size(), std::size_t(6));
        for (std::size_t i = 0; i < report["losses"].size(); ++i) {
            QVERIFY(report["losses"][i]["full_ft"].is_number());
            // The same model, data and seeds as the uninterrupted run.
            QCOMPARE(report["losses"][i]["base"], m_demo["losses"][i]["base"]);
            QCOMPARE(report["losses"][i]["teft"], m_demo["losses"][i]["teft"]);
        }
    }
};

QTEST_GUILESS_MAIN(TestDemoPipeline)
#include "test_demo_pipeline.moc"
