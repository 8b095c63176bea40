// `teft validate` through the real binary: the table shows s_i ± its standard error and the
// tokens it rests on, the JSON report carries the statistics (the default 16 batches), a gain
// on one batch has no error and is not significant, and a bad --confidence is a usage error.
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/Submission.h"
#include "core/text/Tokenizer.h"
#include "core/train/MinerJob.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <algorithm>
#include <set>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

class TestCliValidate : public QObject {
    Q_OBJECT

    fs::path m_root, m_model, m_subs, m_selection, m_data;

    std::vector<std::string> validate(const std::string& state, std::vector<std::string> more)
    {
        std::vector<std::string> a{"validate",
                                   m_model.string(),
                                   "--selection",
                                   m_selection.string(),
                                   "--data",
                                   m_data.string(),
                                   "--submissions",
                                   m_subs.string(),
                                   "--state",
                                   (m_root / state).string(),
                                   "--allow-unsigned",
                                   "--seq-len",
                                   "24",
                                   "--held-out",
                                   "0.1",
                                   "--threads",
                                   "1",
                                   "--data-dir",
                                   (m_root / "data").string()};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    }

private Q_SLOTS:
    void initTestCase()
    {
        configureThreads(1);
        m_root = test::freshDir("validate");
        setDataDir(m_root / "data");
        m_model = m_root / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 5;
        generateCheckpoint(m_model, go);
        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.03;
        co.domains = {"code"};
        m_data = writeDemoCorpus(m_root / "corpus", co, control).front().path;
        ExpertSelection selection;
        selection.setLayer(0, {1, 4});
        selection.setLayer(2, {6});
        m_selection = m_root / "selection.json";
        selection.save(m_selection.string());

        // "good": a short honest run on the CLI's own split; "worse": its update reversed.
        DatasetSpec spec;
        spec.paths = {m_data};
        PackingOptions po;
        po.seqLen = 24;
        po.heldOutFraction = 0.1;
        po.useCache = false;
        const auto data = TokenDataset::build(spec, Tokenizer::fromFile(m_model), po, control);
        MinerSettings m;
        m.modelDir = m_model;
        m.selection = selection;
        m.computeDtype = torch::kFloat;
        m.train.innerSteps = 4;
        m.train.batchSize = 2;
        m.train.lr = 5e-3;
        m.train.warmupSteps = 1;
        m.train.seed = 3;
        m.sign = false;
        m.minerId = "good";
        m.outDir = m_root / "miner";
        m_subs = m_root / "subs";
        m.submissionDir = m_subs / "good";
        runMiner(m, data, control);
        const auto good = Submission::open(m.submissionDir);
        TensorMap reversed;
        for (const auto& n : good->tensorNames())
            reversed[n] = good->delta(n) * -1.0f;
        auto manifest = good->manifest();
        manifest.minerId = "worse";
        manifest.deltaSha256.clear();
        manifest.createdAt.clear();
        writeSubmission(m_subs / "worse", manifest, reversed, nullptr);
    }

    void jsonReportCarriesTheStatistics()
    {
        const auto r = test::runProcess(TEFT_CLI_PATH, validate("json", {"--json", "--quiet"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto report = nlohmann::json::parse(r.out);
        QCOMPARE(report["confidence"].get<double>(), 0.95);
        QCOMPARE(report["settings"]["eval_batches"].get<int>(), 16); // the default
        const auto& rows = report["submissions"];
        QCOMPARE(rows.size(), std::size_t(2));
        const auto& good = rows[0]["name"] == "good" ? rows[0] : rows[1];
        const auto& worse = rows[0]["name"] == "good" ? rows[1] : rows[0];
        QCOMPARE(good["batches"].get<int>(), 16);
        QVERIFY(good["tokens"].get<std::int64_t>() > 0);
        QVERIFY(good["std_error"].get<double>() > 0);
        QVERIFY(good["significant"].get<bool>());
        QCOMPARE(good["fate"].get<std::string>(), std::string("merged"));
        QVERIFY(good["lower_bound"].get<double>() > 0 &&
                good["lower_bound"].get<double>() < good["gain"].get<double>());
        QVERIFY(worse["gain"].get<double>() < 0);
        QCOMPARE(worse["fate"].get<std::string>(), std::string("no_improvement"));
        QVERIFY(good["tied_with"].empty());
    }

    void tableShowsScoresWithErrors()
    {
        const auto j = test::runProcess(TEFT_CLI_PATH, validate("text-json", {"--json", "--quiet"}));
        QVERIFY2(j.exitCode == 0, j.err.c_str());
        const auto report = nlohmann::json::parse(j.out);
        const auto r = test::runProcess(TEFT_CLI_PATH, validate("text", {"--quiet"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        QVERIFY2(r.out.find("S_I ± STD ERROR") != std::string::npos, r.out.c_str());
        QVERIFY(r.out.find("TOKENS") != std::string::npos);
        QVERIFY(r.out.find("one-sided 95 % lower bound") != std::string::npos);
        // The good row: its gain ± error and tokens exactly as the report (same batches, same Φ).
        for (const auto& row : report["submissions"]) {
            char gain[64];
            std::snprintf(gain, sizeof gain, "%+.5f ± %.5f", row["gain"].get<double>(), row["std_error"].get<double>());
            const auto line = r.out.find("  " + row["name"].get<std::string>() + " ");
            QVERIFY2(line != std::string::npos, r.out.c_str());
            const std::string text = r.out.substr(line, r.out.find('\n', line) - line);
            QVERIFY2(text.find(gain) != std::string::npos, text.c_str());
            QVERIFY2(text.find(" " + std::to_string(row["tokens"].get<std::int64_t>()) + " ") != std::string::npos,
                     text.c_str());
            QVERIFY2(text.find(row["fate"].get<std::string>()) != std::string::npos, text.c_str());
        }
    }

    void oneBatchHasNoErrorAndIsNotSignificant()
    {
        const auto r = test::runProcess(TEFT_CLI_PATH, validate("one", {"--eval-batches", "1", "--quiet"}));
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto line = r.out.find("  good ");
        QVERIFY2(line != std::string::npos, r.out.c_str());
        const std::string text = r.out.substr(line, r.out.find('\n', line) - line);
        QVERIFY2(text.find("± n/a") != std::string::npos, text.c_str());
        QVERIFY2(text.find("not_significant") != std::string::npos, text.c_str());
        QVERIFY(r.out.find("no submission improved the loss") != std::string::npos);
    }

    // Repeated --submission: exactly the named folders (one named twice, by another spelling,
    // counts once), none of the rest of their folder; with --submissions, both; a missing one is
    // an error naming it; neither option is a usage error; --help names the option.
    void repeatedSubmissionScoresExactlyTheList()
    {
        const fs::path goodTwice = m_subs / "." / "good";
        auto args = validate("list", {"--json", "--quiet", "--submission", (m_subs / "good").string(), "--submission",
                                      goodTwice.string()});
        // Without --submissions FOLDER.
        const auto folderArg = std::find(args.begin(), args.end(), "--submissions");
        QVERIFY(folderArg != args.end());
        args.erase(folderArg, folderArg + 2);
        const auto r = test::runProcess(TEFT_CLI_PATH, args);
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto report = nlohmann::json::parse(r.out);
        QCOMPARE(report["submissions"].size(), std::size_t(1));
        QCOMPARE(report["submissions"][0]["name"].get<std::string>(), std::string("good"));
        QCOMPARE(report["settings"]["submission_list"].size(), std::size_t(2)); // the job names the list

        // Both: the folder's and the extra one (a copy elsewhere), the folder's good only once.
        const fs::path extra = m_root / "elsewhere" / "worse-copy";
        fs::create_directories(extra.parent_path());
        fs::remove_all(extra);
        fs::copy(m_subs / "worse", extra, fs::copy_options::recursive);
        const auto both = test::runProcess(TEFT_CLI_PATH,
                                           validate("both", {"--json", "--quiet", "--submission", extra.string(),
                                                             "--submission", (m_subs / "good").string()}));
        QVERIFY2(both.exitCode == 0, both.err.c_str());
        std::multiset<std::string> names;
        const auto bothReport = nlohmann::json::parse(both.out);
        for (const auto& row : bothReport["submissions"])
            names.insert(row["name"].get<std::string>());
        std::string listed;
        for (const auto& n : names)
            listed += n + " ";
        QVERIFY2((names == std::multiset<std::string>{"good", "worse", "worse-copy"}), listed.c_str());

        const fs::path gone = m_root / "no-such-submission";
        auto missing = validate("missing", {"--quiet", "--submission", gone.string()});
        const auto at = std::find(missing.begin(), missing.end(), "--submissions");
        missing.erase(at, at + 2);
        const auto m = test::runProcess(TEFT_CLI_PATH, missing);
        QVERIFY(m.exitCode != 0);
        QVERIFY2(m.err.find(gone.string()) != std::string::npos, m.err.c_str());
        QVERIFY2(m.err.find("does not exist") != std::string::npos, m.err.c_str());

        auto none = validate("none", {"--quiet"});
        const auto noneAt = std::find(none.begin(), none.end(), "--submissions");
        none.erase(noneAt, noneAt + 2);
        const auto n = test::runProcess(TEFT_CLI_PATH, none);
        QCOMPARE(n.exitCode, 2);
        QVERIFY2(n.err.find("--submission PATH") != std::string::npos, n.err.c_str());

        const auto help = test::runProcess(TEFT_CLI_PATH, {"validate", "--help"});
        QCOMPARE(help.exitCode, 0);
        QVERIFY2(help.out.find("--submission PATH") != std::string::npos, help.out.c_str());
    }

    void badConfidenceIsAUsageError()
    {
        for (const char* c : {"1", "0.3", "nan"}) {
            const auto r = test::runProcess(TEFT_CLI_PATH, validate("bad", {"--confidence", c}));
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.err.find("--confidence") != std::string::npos, r.err.c_str());
        }
    }
};

QTEST_APPLESS_MAIN(TestCliValidate)
#include "test_cli_validate.moc"
