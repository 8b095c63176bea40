// The whole TEFT loop through the main window as the application wires it (ui/PageFactory):
// open a project from the start page's signal, run identification on the Experts page, apply
// a policy and save the selection, train it on the Train page, score the training run's
// submission on the Validate page (this installation's own miner key is trusted), take the
// outer step, merge on the Merge page, and find every step in the Jobs view. Real engine, tiny
// generated model.
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

        // Train.
        QVERIFY(window.showPage("miner"));
        auto* miner = page<MinerDashboard>(window, "miner");
        TrainingSettings ts = miner->settings();
        QCOMPARE(ts.sequenceLength, demo ? 128 : 24); // from the project
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
        QVERIFY(fs::exists(runDir / "submission" / "manifest.json"));
        shoot(window, "page-miner");

        // Validate: the run folder holds the submission (and its checkpoint folder).
        QVERIFY(window.showPage("validator"));
        auto* validator = page<ValidatorPage>(window, "validator");
        QVERIFY(validator->openFolderButton()->isVisible());
        Q_EMIT validator->submissionsFolderRequested(QString::fromStdString(runDir.string()));
        QTRY_COMPARE_WITH_TIMEOUT(validator->model()->rowCount(), 1, 300000);
        const SubmissionReview& review = validator->model()->submissions().at(0);
        QVERIFY2(review.verified, qPrintable(review.reasonCode + QLatin1String(": ") + review.reasonMessage));
        QVERIFY(std::isfinite(review.baseLoss));
        QVERIFY(std::isfinite(review.newLoss));
        if (demo) {
            // The demo model learns: the run's update lowers the held-out loss and is accepted.
            QVERIFY2(review.accepted && review.score > 0, qPrintable(QString::number(review.score)));
            shoot(window, "page-validator");
        } else {
            // A random tiny model need not improve: accept it whatever its score.
            validator->table()->selectRow(0);
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
        QCOMPARE(merge->model()->rowCount(), 2); // target in-domain, reference out-of-domain
        for (int r = 0; r < 2; ++r)
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
