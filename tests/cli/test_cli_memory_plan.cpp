// `teft train --plan` and the refusal of a job that does not fit: the plan as text and JSON
// (exit 0 when it fits, 1 when not), a run over --memory-limit refused before anything is
// loaded with the figures, the suggestions and the override flag, and --ignore-memory-plan
// starting it anyway; --recompute counted in the plan and training to the same submission.
#include "core/teft/ExpertSelection.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace teft;
namespace fs = std::filesystem;

class TestCliMemoryPlan : public QObject {
    Q_OBJECT

    fs::path m_dir, m_model, m_data, m_selection;

    test::ProcessResult teft(std::vector<std::string> args)
    {
        args.push_back("--data-dir");
        args.push_back((m_dir / "data").string());
        return test::runProcess(TEFT_CLI_PATH, args);
    }

    std::vector<std::string> train(const std::string& out, std::vector<std::string> more)
    {
        std::vector<std::string> a = {"train",        m_model.string(),
                                      "--data",       m_data.string(),
                                      "--selection",  m_selection.string(),
                                      "--out",        (m_dir / out).string(),
                                      "--seq-len",    "32",
                                      "--batch-size", "2",
                                      "--steps",      "2",
                                      "--unsigned"};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = test::freshDir("cli-memory-plan");
        m_model = m_dir / "model";
        const auto r = teft({"model", "create", "--arch", "qwen3_moe", "--seed", "2", "--out", m_model.string()});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        m_data = m_dir / "data.txt";
        std::ofstream text(m_data);
        for (int i = 0; i < 400; ++i)
            text << "line " << i << ": the quick brown fox jumps over the lazy dog " << i * 7 << "\n";
        text.close();
        ExpertSelection sel;
        sel.setLayer(0, {1, 4});
        sel.setLayer(2, {6});
        m_selection = m_dir / "selection.json";
        sel.save(m_selection.string());
    }

    void planFits()
    {
        auto r = teft(train("fits", {"--plan", "--json"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto plan = nlohmann::json::parse(r.out);
        QCOMPARE(plan.at("fits").get<bool>(), true);
        QCOMPARE(plan.at("device").get<std::string>(), std::string("cpu"));
        QVERIFY(plan.at("weights_bytes").get<std::int64_t>() > 0);
        QCOMPARE(plan.at("trainable_experts").get<int>(), 3);
        QVERIFY(plan.at("available_bytes").get<std::int64_t>() > 0);
        QCOMPARE(plan.at("total_bytes").get<std::int64_t>(),
                 plan.at("weights_bytes").get<std::int64_t>() + plan.at("trainable_state_bytes").get<std::int64_t>() +
                     plan.at("activation_bytes").get<std::int64_t>() + plan.at("logits_bytes").get<std::int64_t>() +
                     plan.at("runtime_bytes").get<std::int64_t>());
        QVERIFY(!fs::exists(m_dir / "fits")); // a plan runs nothing

        r = teft(train("fits", {"--plan"}));
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.find("Memory plan on cpu") != std::string::npos, r.out.c_str());
        QVERIFY(r.out.find("fits") != std::string::npos);
    }

    void planDoesNotFit()
    {
        auto r = teft(train("small", {"--plan", "--json", "--memory-limit", "1M"}));
        QCOMPARE(r.exitCode, 1);
        const auto plan = nlohmann::json::parse(r.out);
        QCOMPARE(plan.at("fits").get<bool>(), false);
        QCOMPARE(plan.at("available_bytes").get<std::int64_t>(), std::int64_t{1} << 20);
        QVERIFY(plan.at("available_is_limit").get<bool>());
        QVERIFY(!plan.at("suggestions").empty());

        r = teft(train("small", {"--plan", "--memory-limit", "1M"}));
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.find("does NOT fit") != std::string::npos);
        QVERIFY(r.out.find("masked routing") != std::string::npos);
    }

    void refusedBeforeLoadingAndForced()
    {
        auto r = teft(train("refused", {"--memory-limit", "1M"}));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("needs about") != std::string::npos, r.err.c_str());
        QVERIFY(r.err.find("1.00 MiB is the memory limit") != std::string::npos);
        QVERIFY(r.err.find("--ignore-memory-plan") != std::string::npos);
        QVERIFY(!fs::exists(m_dir / "refused" / "checkpoint"));
        QVERIFY(!fs::exists(m_dir / "refused" / "submission"));
        // Still a job: failed, with the refusal (`teft jobs list` shows it).
        {
            const auto jobs = teft({"jobs", "list", "--json"});
            QVERIFY2(jobs.exitCode == 0, jobs.err.c_str());
            const auto list = nlohmann::json::parse(jobs.out);
            const nlohmann::json* refused = nullptr;
            for (const auto& j : list)
                if (j.at("kind") == "train" && j.at("output_dir") == (m_dir / "refused").string())
                    refused = &j;
            QVERIFY2(refused, jobs.out.c_str());
            QCOMPARE(refused->at("state").get<std::string>(), std::string("failed"));
            QVERIFY(refused->at("error").get<std::string>().find("1.00 MiB is the memory limit") != std::string::npos);
        }

        r = teft(train("forced", {"--memory-limit", "1M", "--ignore-memory-plan", "--json"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        QCOMPARE(nlohmann::json::parse(r.out).at("steps").get<int>(), 2);

        r = teft(train("badlimit", {"--memory-limit", "lots"}));
        QCOMPARE(r.exitCode, 2);
    }

    // A run folder named with spaces: trained, listed by `teft jobs list`, and resumed by the same
    // command from its checkpoint.
    void aRunFolderWithSpacesTrainsAndResumes()
    {
        // 2 steps, a checkpoint after the first (the last step writes none): the rerun resumes it.
        auto r = teft(train("runs/my run 2", {"--json", "--checkpoint-every", "1"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto first = nlohmann::json::parse(r.out);
        QCOMPARE(fs::path(first.at("submission").get<std::string>()), m_dir / "runs" / "my run 2" / "submission");
        QVERIFY(fs::exists(m_dir / "runs" / "my run 2" / "submission" / "manifest.json"));
        QVERIFY(fs::exists(m_dir / "runs" / "my run 2" / "checkpoint" / "checkpoint.json"));
        r = teft(train("runs/my run 2", {"--json", "--checkpoint-every", "1"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto again = nlohmann::json::parse(r.out);
        QCOMPARE(again.at("resumed_from_step").get<int>(), 1);
        QCOMPARE(again.at("steps").get<int>(), 2);
        const auto jobs = teft({"jobs", "list", "--json"});
        QVERIFY2(jobs.exitCode == 0, jobs.err.c_str());
        int listed = 0;
        for (const auto& j : nlohmann::json::parse(jobs.out))
            if (j.at("kind") == "train" && j.at("output_dir") == (m_dir / "runs" / "my run 2").string()) {
                QCOMPARE(j.at("state").get<std::string>(), std::string("succeeded"));
                ++listed;
            }
        QCOMPARE(listed, 2);
    }

    // --recompute: the plan counts it (fewer activation bytes, nothing else changes) and the run
    // trains to the very same submission as without it.
    void recompute()
    {
        auto r = teft(train("plan", {"--plan", "--json"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto plain = nlohmann::json::parse(r.out);
        r = teft(train("plan", {"--plan", "--json", "--recompute"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto recomputed = nlohmann::json::parse(r.out);
        QVERIFY(recomputed.at("activation_bytes").get<std::int64_t>() <
                plain.at("activation_bytes").get<std::int64_t>());
        QCOMPARE(recomputed.at("weights_bytes"), plain.at("weights_bytes"));
        QCOMPARE(recomputed.at("logits_bytes"), plain.at("logits_bytes"));

        r = teft(train("plain", {"--json"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        r = teft(train("recomputed", {"--json", "--recompute"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        QCOMPARE(nlohmann::json::parse(r.out).at("steps").get<int>(), 2);
        const auto experts = [&](const std::string& run) {
            std::ifstream in(m_dir / run / "submission" / "experts.safetensors", std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        QVERIFY(!experts("plain").empty());
        QVERIFY2(experts("recomputed") == experts("plain"), "the submissions differ");
    }
};

QTEST_GUILESS_MAIN(TestCliMemoryPlan)
#include "test_cli_memory_plan.moc"
