// The whole TEFT loop through the main window as the application wires it (ui/PageFactory):
// open a project from the start page's signal, run identification on the Experts page, apply
// a policy and save the selection, train two runs of it on the Train page (shards 0 and 1 of 2,
// compared on one chart), score both runs' submissions from the Validate page's list of the
// project's submissions (no folder to choose; this installation's own miner key is trusted),
// take the outer step, merge on the Merge page (the target and every reference domain), and
// find every step in the Jobs view. Real engine, tiny generated model.
//
// With TEFT_FLOW_SCREENSHOTS=DIR the same loop runs on the built-in demo project instead (the
// demo model is pretrained on first use, minutes; set TEFT_DATA_DIR to a data directory that
// has it cached, e.g. after `teft demo`; QTEST_FUNCTION_TIMEOUT=3600000 lifts Qt Test's 5-minute
// limit for the first run), with a screenshot of the window after each page's
// step: that is how docs/screenshots/ shows real results.
#include "ui/engine/DemoProject.h"
#include "support/TestSupport.h"

#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/store/JobStore.h"
#include "core/train/ValidatorJob.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "ui/PageFactory.h"
#include "ui/engine/EngineTrainingSession.h"
#include "core/project/Project.h"
#include "ui/jobs/JobsPage.h"
#include "ui/jobs/JobsTableModel.h"
#include "ui/merge/MergeComparisonModel.h"
#include "ui/merge/MergePage.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/routing/PolicyPanel.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/routing/SelectionDocument.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/Confirm.h"
#include "ui/shell/LogSink.h"
#include "ui/shell/MainWindow.h"
#include "ui/validator/SubmissionTableModel.h"
#include "ui/validator/ValidatorPage.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {

template <typename T>
T* page(MainWindow& w, const char* id)
{
    for (const auto& p : w.pages())
        if (p.id == QLatin1String(id))
            return qobject_cast<T*>(p.widget);
    return nullptr;
}

} // namespace

class TestStudioFlow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // The outer step and the merge ask first (ui/shell/Confirm.h): answer yes.
        setConfirmHandler([](QWidget*, const QString&, const QString&) { return true; });
        configureThreads(2);
        LogBridge::install(); // the log dock shows the engine's log, as in the application
    }

    void identifySelectTrainValidateMerge()
    {
        const auto root = test::freshDir("flow");
        const QString shots = qEnvironmentVariable("TEFT_FLOW_SCREENSHOTS");
        const bool demo = !shots.isEmpty();
        setDataDir(demo && qEnvironmentVariableIsSet("TEFT_DATA_DIR")
                       ? fs::path(qEnvironmentVariable("TEFT_DATA_DIR").toStdString())
                       : root / "data");
        auto shoot = [&](MainWindow& w, const char* name) {
            if (!demo)
                return;
            QApplication::processEvents();
            QTest::qWait(300);
            QVERIFY(w.grab().save(shots + QLatin1Char('/') + QLatin1String(name) + QLatin1String(".png")));
        };
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 3;
        generateCheckpoint(root / "model", go);
        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.03;
        co.domains = {"code", "prose"};
        const auto files = writeDemoCorpus(root / "corpus", co, control);
        AppContext context(JobStore::open(JobStore::defaultPath()));
        auto* store = context.store();
        std::int64_t id = 0;
        if (demo) {
            id = ensureDemoProject(*store, control);
        } else {
            id = store->createProject("flow", (root / "model").string(),
                                      R"({"seq_len": 24, "held_out_fraction": 0.1, "device": "cpu"})");
            store->addDataset(id, "target", nlohmann::json{{"paths", {files[0].path.string()}}}.dump());
            store->addDataset(id, "reference", nlohmann::json{{"paths", {files[1].path.string()}}}.dump());
        }

        MainWindow window(&context);
        installPages(window);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        Q_EMIT window.openProjectRequested(id); // as the start page's recent list does
        QCOMPARE(context.currentProject().value_or(-1), id);
        QCOMPARE(window.currentPageId(), QStringLiteral("routing"));
        QVERIFY(window.windowTitle().startsWith(QString::fromStdString(store->project(id)->name)));

        const auto setup0 = Project::load(*store, id);

        // Experts: identification, a policy, save.
        auto* routing = page<RoutingPage>(window, "routing");
        QVERIFY(routing);
        QVERIFY(routing->isIdentifyEnabled());
        routing->requestIdentify();
        QVERIFY(!routing->isIdentifyEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(routing->isIdentifyEnabled(), 300000);
        QVERIFY(routing->model()->stats().tokens() > 0);
        QVERIFY(routing->model()->hasReference());
        if (routing->model()->hasReference()) // the experts hot on the target only
            routing->metricBox()->setCurrentIndex(
                routing->metricBox()->findData(static_cast<int>(RoutingMetric::ContrastDifference)));
        routing->policyPanel()->apply();
        QVERIFY(routing->document()->selection().count() > 0);
        routing->requestSave();
        shoot(window, "page-routing");
        const auto saved = Project::latestSelection(*store, id);
        QVERIFY(saved && saved->hash() == routing->document()->selection().hash());

        // Train: two runs of the project, each on its half of the target's rows (shards 0 and 1
        // of 2), in their own folders, as two miners would.
        QVERIFY(window.showPage("miner"));
        auto* miner = page<MinerDashboard>(window, "miner");
        std::vector<fs::path> runDirs;
        for (int shard = 0; shard < 2; ++shard) {
            TrainingSettings ts = miner->settings();
            QCOMPARE(ts.sequenceLength, demo ? 128 : 24); // from the project
            ts.runName = QStringLiteral("run %1").arg(shard + 1);
            ts.shardIndex = shard;
            ts.shardCount = 2;
            ts.innerSteps = demo ? 40 : 3;
            ts.batchSize = demo ? 8 : 4;
            ts.learningRate = demo ? 1e-3 : 3e-3;
            ts.precision = QStringLiteral("fp32");
            ts.validationInterval = demo ? 5 : 0;
            ts.maskedRouting = false;
            miner->setSettings(ts);
            QTest::mouseClick(miner->startButton(), Qt::LeftButton);
            QVERIFY(miner->session());
            QTRY_COMPARE_WITH_TIMEOUT(miner->session()->state(), TrainingSession::State::Finished, 300000);
            auto* session = qobject_cast<EngineTrainingSession*>(miner->session());
            QVERIFY(session);
            const fs::path runDir = session->settings().outDir;
            QCOMPARE(runDir, setup0.minerRunsDir() / ts.runName.toStdString());
            QVERIFY(fs::exists(runDir / "submission" / "manifest.json"));
            runDirs.push_back(runDir);
            if (shard == 0)
                shoot(window, "page-miner");
        }
        QTRY_COMPARE_WITH_TIMEOUT(int(miner->runs().size()), 2, 10000);
        miner->setCompared(QStringLiteral("run 1"), true);
        miner->setCompared(QStringLiteral("run 2"), true);
        QCOMPARE(int(miner->comparedRuns().size()), 2);
        miner->chartTabs()->setCurrentIndex(1);
        shoot(window, "page-miner-compare");
        miner->chartTabs()->setCurrentIndex(0);

        // Validate: the project's own runs are listed and ticked, without choosing a folder;
        // "Score selected" scores both.
        QVERIFY(window.showPage("validator"));
        auto* validator = page<ValidatorPage>(window, "validator");
        QTRY_COMPARE_WITH_TIMEOUT(int(validator->checkedCandidates().size()), 2, 10000);
        QStringList expected;
        for (const auto& dir : runDirs)
            expected << QString::fromStdString((dir / "submission").string());
        QStringList checked = validator->checkedCandidates();
        checked.sort();
        expected.sort();
        QCOMPARE(checked, expected);
        QVERIFY(validator->scoreSelectedButton()->isEnabled());
        QTest::mouseClick(validator->scoreSelectedButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(validator->model()->rowCount(), 2, 300000);
        QTRY_VERIFY_WITH_TIMEOUT(!validator->isBusy(), 300000);
        int accepted = 0;
        for (const SubmissionReview& review : validator->model()->submissions()) {
            QVERIFY2(review.verified, qPrintable(review.reasonCode + QLatin1String(": ") + review.reasonMessage));
            QVERIFY(std::isfinite(review.baseLoss));
            QVERIFY(std::isfinite(review.newLoss));
            accepted += review.accepted ? 1 : 0;
        }
        if (demo) {
            // The demo model learns: a run's update lowers the held-out loss and is accepted.
            QVERIFY2(accepted > 0, qPrintable(QString::number(validator->model()->submissions().at(0).score)));
            shoot(window, "page-validator");
        } else {
            // A random tiny model need not improve: accept both whatever their scores.
            validator->table()->selectAll();
            validator->acceptSelected();
        }
        QTRY_VERIFY_WITH_TIMEOUT(validator->outerStepButton()->isEnabled(), 10000);
        QTest::mouseClick(validator->outerStepButton(), Qt::LeftButton);
        const auto setup = Project::load(*store, id);
        QTRY_VERIFY_WITH_TIMEOUT(fs::exists(setup.workDir() / "validator" / "state.json"), 300000);
        QTRY_VERIFY_WITH_TIMEOUT(!ValidatorState::load(setup.workDir() / "validator").phi.empty(), 300000);

        // Merge the validator's Φ.
        QVERIFY(window.showPage("merge"));
        auto* merge = page<MergePage>(window, "merge");
        const fs::path out = root / "merged";
        merge->setOutputDir(QString::fromStdString(out.string()));
        QTRY_VERIFY_WITH_TIMEOUT(merge->mergeButton()->isEnabled(), 10000);
        QSignalSpy merged(merge, &MergePage::mergeFinished);
        QTest::mouseClick(merge->mergeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(merged.count(), 1, 300000);
        QCOMPARE(merged.at(0).at(0).toBool(), true);
        QVERIFY(fs::exists(out / "config.json"));
        // The target in-domain, then every reference domain out-of-domain (the demo has five).
        const int mergeRows = 1 + static_cast<int>(setup.references.size());
        QCOMPARE(mergeRows, demo ? 6 : 2);
        QCOMPARE(merge->model()->rowCount(), mergeRows);
        for (int r = 0; r < mergeRows; ++r)
            QVERIFY(std::isfinite(merge->model()->rows().at(static_cast<std::size_t>(r)).after));
        shoot(window, "page-merge");

        // The next training run starts from the validator's Φ(t+1), for round t+1.
        const auto state = ValidatorState::load(setup.workDir() / "validator");
        if (!demo)
            QCOMPARE(state.round, std::int64_t(1));
        const auto next = EngineTrainingSession::minerSettings(setup, *saved, miner->settings());
        QCOMPARE(next.phiFile, state.phi);
        QCOMPARE(next.round, state.round);

        // Jobs: every step is in the store and in the view.
        auto* jobs = page<JobsPage>(window, "jobs");
        context.pollStore();
        std::set<QString> kinds;
        QTRY_VERIFY_WITH_TIMEOUT(jobs->model()->rowCount() >= 4, 10000);
        for (int r = 0; r < jobs->model()->rowCount(); ++r)
            kinds.insert(jobs->model()->index(r, JobsTableModel::KindColumn).data().toString());
        for (const char* k : {"identify", "train", "validate", "merge"})
            QVERIFY2(kinds.count(QLatin1String(k)), k);
        if (demo) {
            window.showPage("jobs");
            shoot(window, "page-jobs");
            return;
        }

        // Resume from the Jobs view: an interrupted merge runs again with its recorded output
        // folder, an interrupted identification runs again for its project, and an
        // interrupted training run continues from its checkpoint.
        auto jobOf = [&](const char* kind) {
            for (const auto& j : store->jobs())
                if (j.kind == kind)
                    return j;
            return JobStore::Job{};
        };
        auto countOf = [&](const char* kind) {
            int n = 0;
            for (const auto& j : store->jobs())
                n += j.kind == kind ? 1 : 0;
            return n;
        };
        store->setJobState(jobOf("merge").id, JobStore::JobState::Interrupted);
        merge->setOutputDir(QString());
        QSignalSpy mergedAgain(merge, &MergePage::mergeFinished);
        Q_EMIT jobs->resumeRequested(jobOf("merge").id);
        QCOMPARE(window.currentPageId(), QStringLiteral("merge"));
        QCOMPARE(merge->outputDir(), QString::fromStdString(out.string()));
        QTRY_COMPARE_WITH_TIMEOUT(mergedAgain.count(), 1, 300000);
        QCOMPARE(mergedAgain.at(0).at(0).toBool(), true);
        QCOMPARE(countOf("merge"), 2);

        store->setJobState(jobOf("identify").id, JobStore::JobState::Interrupted);
        Q_EMIT jobs->resumeRequested(jobOf("identify").id);
        QCOMPARE(window.currentPageId(), QStringLiteral("routing"));
        QTRY_COMPARE_WITH_TIMEOUT(countOf("identify"), 2, 300000);
        QTRY_VERIFY_WITH_TIMEOUT(routing->isIdentifyEnabled(), 300000);

        const auto train = jobOf("train");
        store->setJobState(train.id, JobStore::JobState::Interrupted);
        Q_EMIT jobs->resumeRequested(train.id);
        QCOMPARE(window.currentPageId(), QStringLiteral("miner"));
        QTRY_COMPARE_WITH_TIMEOUT(miner->session()->state(), TrainingSession::State::Finished, 300000);
        QCOMPARE(qobject_cast<EngineTrainingSession*>(miner->session())->settings().outDir,
                 MinerSettings::fromJson(nlohmann::json::parse(train.config)).outDir);
    }
};

QTEST_MAIN(TestStudioFlow)
#include "test_studio_flow.moc"
