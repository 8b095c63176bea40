// The desktop pages on the real engine, for a project in the job store (a tiny generated
// qwen3_moe and a generated corpus): identification from the Experts page matches a direct
// engine run on the same data; the edited selection is saved to the project; Start on the
// Train page trains it for real (losses, held-out losses, a submission on disk, a job in the
// store); a cancelled run resumed from its recorded job continues from its checkpoint.
#include "support/TestSupport.h"

#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/store/JobStore.h"
#include "core/teft/Submission.h"
#include "core/train/MemoryPlan.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/train/RoutingIdentification.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/EngineTrainingSession.h"
#include "ui/engine/MinerController.h"
#include "core/project/Project.h"
#include "ui/engine/RoutingController.h"
#include "ui/miner/LiveChart.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/routing/SelectionDocument.h"
#include "ui/shell/AppContext.h"

#include <QAction>
#include <QLabel>
#include <QMessageBox>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTreeWidget>
#include <QTest>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {

struct Project {
    fs::path root;
    fs::path modelDir;
    std::vector<fs::path> corpus; // code, prose
    std::unique_ptr<AppContext> context;
    std::int64_t id = 0;
};

Project makeProject(const std::string& name)
{
    Project p;
    p.root = test::freshDir(name);
    setDataDir(p.root / "data");
    p.modelDir = p.root / "model";
    GenerateOptions go;
    go.arch = "qwen3_moe";
    go.preset = "tiny";
    go.seed = 11;
    generateCheckpoint(p.modelDir, go);
    JobControl control;
    DemoCorpusOptions co;
    co.mbPerDomain = 0.03;
    co.domains = {"code", "prose"};
    for (const auto& f : writeDemoCorpus(p.root / "corpus", co, control))
        p.corpus.push_back(f.path);
    p.context = std::make_unique<AppContext>(JobStore::open(JobStore::defaultPath()));
    auto* store = p.context->store();
    nlohmann::json settings{{"device", "cpu"}, {"seq_len", 24}, {"held_out_fraction", 0.1}};
    p.id = store->createProject(name, p.modelDir.string(), settings.dump());
    store->addDataset(p.id, "target", nlohmann::json{{"paths", {p.corpus[0].string()}}, {"format", "jsonl"}}.dump());
    store->addDataset(p.id, "reference", nlohmann::json{{"paths", {p.corpus[1].string()}}, {"format", "jsonl"}}.dump());
    return p;
}

std::string readBytes(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TrainingSettings quickSettings(int steps)
{
    TrainingSettings s;
    s.innerSteps = steps;
    s.learningRate = 5e-3;
    s.batchSize = 2;
    s.sequenceLength = 24;
    s.precision = QStringLiteral("fp32");
    s.checkpointInterval = 1;
    s.validationInterval = 2;
    s.maskedRouting = false;
    return s;
}

} // namespace

class TestEnginePages : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { configureThreads(2); }

    void identificationShowsTheEnginesStatisticsAndSavesTheSelection()
    {
        auto p = makeProject("engine-routing");
        RoutingPage page;
        RoutingController controller(&page, p.context.get());
        QVERIFY(!page.isIdentifyEnabled()); // no project yet
        QVERIFY(!page.isSaveEnabled());
        p.context->setCurrentProject(p.id);
        QVERIFY(page.isIdentifyEnabled());
        QVERIFY(!page.isSaveEnabled()); // no statistics yet: an empty heatmap has nothing to save

        QSignalSpy done(controller.task(), &BackgroundTask::succeeded);
        QSignalSpy failed(controller.task(), &BackgroundTask::failed);
        page.requestIdentify();
        QVERIFY(controller.task()->isRunning());
        QVERIFY(!page.isIdentifyEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!controller.task()->isRunning(), 300000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(done.count(), 1);
        QVERIFY(page.isIdentifyEnabled());
        QVERIFY(page.isSaveEnabled());

        // The same statistics computed directly with the engine on the project's data.
        const auto setup = teft::Project::load(*p.context->store(), p.id);
        JobControl control;
        MoeModelOptions opt;
        auto model = MoeModel::load(p.modelDir, opt);
        const auto data = setup.loadDataset(setup.target, control);
        const auto expected = collectRoutingStats(*model, data, IdentifySettings{}, control);
        const RoutingStats& shown = page.model()->stats();
        QCOMPARE(shown.rows(), expected.rows());
        QCOMPARE(shown.numExperts(), expected.numExperts());
        QCOMPARE(shown.tokens(), expected.tokens());
        QVERIFY(shown.tokens() > 0);
        for (int r = 0; r < shown.rows(); ++r)
            for (int e = 0; e < shown.numExperts(); ++e)
                QCOMPARE(shown.count(r, e), expected.count(r, e));
        QVERIFY(page.model()->hasReference()); // the project has reference data
        QVERIFY(fs::exists(setup.targetStatsFile()));
        QVERIFY(fs::exists(setup.referenceStatsFile()));
        const auto jobs = p.context->store()->jobs();
        QVERIFY(std::any_of(jobs.begin(), jobs.end(), [](const JobStore::Job& j) {
            return j.kind == "identify" && j.state == JobStore::JobState::Succeeded;
        }));

        // Select two experts by hand and save them to the project.
        page.document()->toggle(0, 1);
        page.document()->toggle(1, 3);
        QCOMPARE(page.document()->selection().count(), 2);
        QSignalSpy saved(&controller, &RoutingController::selectionSaved);
        page.requestSave();
        QCOMPARE(saved.count(), 1);
        const auto stored = teft::Project::latestSelection(*p.context->store(), p.id);
        QVERIFY(stored.has_value());
        QCOMPARE(stored->hash(), page.document()->selection().hash());

        // Reopening the project shows the saved statistics and selection.
        RoutingPage reopened;
        RoutingController again(&reopened, p.context.get());
        QCOMPARE(reopened.model()->stats().tokens(), shown.tokens());
        QCOMPARE(reopened.document()->selection().hash(), stored->hash());
    }

    void trainingRunsTheEngineAndResumesFromTheJobStore()
    {
        auto p = makeProject("engine-train");
        ExpertSelection selection(modelFingerprint(p.modelDir));
        selection.setLayer(0, {2});
        selection.setLayer(1, {0, 5});
        p.context->store()->saveSelection(p.id, "test", selection.hash(), selection.toJson().dump());

        MinerDashboard dash;
        MinerController controller(&dash, p.context.get());
        p.context->setCurrentProject(p.id);
        dash.setSettings(quickSettings(4));
        dash.resize(1100, 700);
        dash.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dash));
        QTest::mouseClick(dash.startButton(), Qt::LeftButton);
        QVERIFY(dash.session());
        QTRY_COMPARE_WITH_TIMEOUT(dash.session()->state(), TrainingSession::State::Finished, 300000);
        dash.flush();
        QCOMPARE(dash.lossChart()->series(0)->count(), 4);
        QCOMPARE(dash.validationChart()->series(0)->count(), 3); // before the first step (0), steps 2 and 4
        QCOMPARE(dash.validationChart()->series(0)->at(0).x(), 0.0);
        for (int i = 0; i < 3; ++i)
            QVERIFY(std::isfinite(dash.validationChart()->series(0)->at(i).y()));
        auto* session = qobject_cast<EngineTrainingSession*>(dash.session());
        QVERIFY(session);
        const fs::path submission = session->settings().outDir / "submission";
        QVERIFY(fs::exists(submission));
        const auto sub = Submission::open(submission);
        QCOMPARE(sub->manifest().selectionHash, selection.hash());
        QCOMPARE(sub->manifest().innerSteps, std::int64_t(4));
        QVERIFY(dash.resultLabel()->text().contains(QString::fromStdString(submission.string())));

        // A longer run, cancelled after its first steps, then resumed from its recorded job.
        dash.setSettings(quickSettings(12));
        QTest::mouseClick(dash.startButton(), Qt::LeftButton);
        QSignalSpy steps(dash.session(), &TrainingSession::step);
        QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= 2, 300000);
        dash.session()->cancel();
        QTRY_COMPARE_WITH_TIMEOUT(dash.session()->state(), TrainingSession::State::Cancelled, 300000);
        const auto jobs = p.context->store()->jobs();
        const auto cancelled = std::find_if(jobs.begin(), jobs.end(), [](const JobStore::Job& j) {
            return j.kind == "train" && j.state == JobStore::JobState::Cancelled;
        });
        QVERIFY(cancelled != jobs.end());
        const auto recorded = MinerSettings::fromJson(nlohmann::json::parse(cancelled->config));
        QCOMPARE(recorded.train.innerSteps, std::int64_t(12));
        QVERIFY(fs::exists(recorded.outDir / "checkpoint"));

        controller.resumeJob(recorded);
        QSignalSpy resumedSteps(dash.session(), &TrainingSession::step);
        QTRY_COMPARE_WITH_TIMEOUT(dash.session()->state(), TrainingSession::State::Finished, 300000);
        QVERIFY(resumedSteps.count() > 0);
        QVERIFY(resumedSteps.count() > 1);
        // The held-out loss before training comes first (step 0, nothing else), then the steps.
        QCOMPARE(resumedSteps.at(0).at(0).value<TrainingMetrics>().step, std::int64_t(0));
        QVERIFY(std::isfinite(resumedSteps.at(0).at(0).value<TrainingMetrics>().validationLoss));
        const auto first = resumedSteps.at(1).at(0).value<TrainingMetrics>();
        QCOMPARE(first.stepsThisRun, std::int64_t(1)); // the ETA counts this session's steps
        QVERIFY2(first.step > 1, "the resumed run starts after the checkpointed steps");
        QCOMPARE(Submission::open(recorded.outDir / "submission")->manifest().innerSteps, std::int64_t(12));
    }

    // The run manager on the engine: Start new run twice with the same settings makes two runs
    // with two folders and two submissions (the first left as it was); a run stopped early
    // continues from its checkpoint with Continue run, in its own folder, with its shard; the
    // summary gives the held-out loss before and after; selecting a run restores its settings;
    // ticked runs are overlaid.
    void newRunsNeverOverwriteAndStoppedRunsContinue()
    {
        auto p = makeProject("engine-runs");
        ExpertSelection selection(modelFingerprint(p.modelDir));
        selection.setLayer(0, {2});
        selection.setLayer(1, {0, 5});
        p.context->store()->saveSelection(p.id, "test", selection.hash(), selection.toJson().dump());
        const auto project = teft::Project::load(*p.context->store(), p.id);

        MinerDashboard dash;
        MinerController controller(&dash, p.context.get());
        p.context->setCurrentProject(p.id);
        QCOMPARE(dash.settings().runName, QStringLiteral("run 1"));
        QCOMPARE(dash.runsView()->topLevelItemCount(), 0);
        dash.setSettings(quickSettings(4));
        auto runToEnd = [&] {
            if (!QTest::qWaitFor(
                    [&] { return dash.session() && dash.session()->state() != TrainingSession::State::Running; },
                    300000))
                qWarning("the run did not end in time");
            return dash.session() ? dash.session()->state() : TrainingSession::State::Idle;
        };
        dash.startButton()->click();
        QCOMPARE(runToEnd(), TrainingSession::State::Finished);
        auto* session = qobject_cast<EngineTrainingSession*>(dash.session());
        QVERIFY(session);
        QCOMPARE(session->settings().outDir, project.minerRunsDir() / "run 1");
        const QString summary = dash.statusLabel()->text();
        QVERIFY2(summary.contains(QLatin1String("before")) && summary.contains(QLatin1String("after")),
                 qPrintable(summary));
        const fs::path firstManifest = project.minerRunsDir() / "run 1" / "submission" / "manifest.json";
        QVERIFY(fs::exists(firstManifest));
        const std::string firstBytes = readBytes(firstManifest);
        QCOMPARE(dash.runs().size(), qsizetype(1));
        QCOMPARE(dash.settings().runName, QStringLiteral("run 2")); // the next run's name
        QCOMPARE(dash.settings().innerSteps, 4);                    // the rest as it was

        // The same settings again: a new run, never the first one's folder or submission.
        dash.startButton()->click();
        QCOMPARE(runToEnd(), TrainingSession::State::Finished);
        session = qobject_cast<EngineTrainingSession*>(dash.session());
        QCOMPARE(session->settings().outDir, project.minerRunsDir() / "run 2");
        QVERIFY(fs::exists(project.minerRunsDir() / "run 2" / "submission" / "manifest.json"));
        QCOMPARE(readBytes(firstManifest), firstBytes);

        // A longer run on shard 1 of 2, stopped after its first steps, then continued.
        TrainingSettings longer = quickSettings(10);
        longer.shardIndex = 1;
        longer.shardCount = 2;
        dash.setSettings(longer);
        dash.startButton()->click();
        QSignalSpy steps(dash.session(), &TrainingSession::step);
        QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= 3, 300000);
        dash.cancelButton()->click();
        QCOMPARE(runToEnd(), TrainingSession::State::Cancelled);
        QCOMPARE(dash.runs().size(), qsizetype(3));
        QCOMPARE(dash.runs().front().name, QStringLiteral("run 3"));
        QVERIFY(dash.runs().front().canContinue);
        QCOMPARE(dash.runs().front().shardIndex, 1);
        QCOMPARE(dash.runs().front().shardCount, 2);

        // Selecting a run restores its settings and curves.
        QVERIFY(dash.selectRun(QStringLiteral("run 1")));
        QCOMPARE(dash.settings().innerSteps, 4);
        QCOMPARE(dash.settings().shardCount, 1);
        QCOMPARE(dash.lossChart()->series(0)->count(), 4);
        QVERIFY(!dash.continueRunButton()->isEnabled());
        QVERIFY(dash.selectRun(QStringLiteral("run 3")));
        QCOMPARE(dash.settings().innerSteps, 10);
        QCOMPARE(dash.settings().shardIndex, 1);
        QCOMPARE(dash.settings().shardCount, 2);
        QCOMPARE(dash.settings().runName, QStringLiteral("run 4"));
        QVERIFY(dash.continueRunButton()->isEnabled());
        dash.continueRunButton()->click();
        QVERIFY(dash.session());
        QSignalSpy continued(dash.session(), &TrainingSession::step);
        QCOMPARE(runToEnd(), TrainingSession::State::Finished);
        session = qobject_cast<EngineTrainingSession*>(dash.session());
        QCOMPARE(session->settings().outDir, project.minerRunsDir() / "run 3");
        QVERIFY(continued.count() > 0);
        QVERIFY(continued.count() > 1);
        QVERIFY2(continued.at(1).at(0).value<TrainingMetrics>().step > 1, "it continues from its checkpoint");
        const auto third = Submission::open(project.minerRunsDir() / "run 3" / "submission");
        QCOMPARE(third->manifest().innerSteps, std::int64_t(10));
        QVERIFY(third->manifest().dataShard.find("shard 1/2") != std::string::npos);
        QCOMPARE(readBytes(firstManifest), firstBytes);
        QCOMPARE(dash.runs().size(), qsizetype(3));
        QCOMPARE(dash.runs().front().name, QStringLiteral("run 3"));
        QCOMPARE(dash.runs().front().stepsDone, std::int64_t(10));

        // Runs compared: one curve each, the continued run's over both of its starts.
        dash.setCompared(QStringLiteral("run 1"), true);
        dash.setCompared(QStringLiteral("run 3"), true);
        QCOMPARE(dash.compareLossChart()->seriesCount(), 2);
        QCOMPARE(dash.compareLossChart()->series(0)->name(), QStringLiteral("run 3"));
        QCOMPARE(dash.compareLossChart()->series(0)->count(), 10);
        QCOMPARE(dash.compareLossChart()->series(1)->count(), 4);
        // Held-out loss at step 0 (before), 2 and 4.
        QCOMPARE(dash.compareValidationChart()->series(1)->count(), 3);
        dash.resize(1280, 800);
        const auto shots = test::freshDir("engine-runs-shots");
        QVERIFY(dash.grab().save(QString::fromStdString((shots / "train-runs.png").string())));
        dash.chartTabs()->setCurrentIndex(1);
        QVERIFY(dash.grab().save(QString::fromStdString((shots / "train-compare.png").string())));
    }

    // Switching the project resets the Train page to that project's state: no curves, result,
    // runs or progress of the other one; a running run of the other project is stopped (and
    // recorded as cancelled: it can be continued there).
    void switchingTheProjectResetsThePage()
    {
        auto p = makeProject("engine-switch");
        ExpertSelection selection(modelFingerprint(p.modelDir));
        selection.setLayer(0, {2});
        auto* store = p.context->store();
        store->saveSelection(p.id, "test", selection.hash(), selection.toJson().dump());
        nlohmann::json settings{{"device", "cpu"}, {"seq_len", 24}, {"held_out_fraction", 0.1}};
        const auto other = store->createProject("second project", p.modelDir.string(), settings.dump());
        store->addDataset(other, "target",
                          nlohmann::json{{"paths", {p.corpus[1].string()}}, {"format", "jsonl"}}.dump());

        MinerDashboard dash;
        MinerController controller(&dash, p.context.get());
        QVERIFY(dash.statusLabel()->text().contains(QLatin1String("Open or create a project")));
        p.context->setCurrentProject(p.id);
        dash.setSettings(quickSettings(3));
        dash.startButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(dash.session()->state(), TrainingSession::State::Finished, 300000);
        QVERIFY(!dash.resultLabel()->text().isEmpty());
        QCOMPARE(dash.lossChart()->series(0)->count(), 3);

        p.context->setCurrentProject(other);
        QVERIFY(!dash.session());
        QCOMPARE(dash.lossChart()->series(0)->count(), 0);
        QCOMPARE(dash.validationChart()->series(0)->count(), 0);
        QVERIFY(dash.resultLabel()->text().isEmpty());
        QVERIFY(dash.etaLabel()->text().isEmpty());
        QCOMPARE(dash.progressBar()->value(), 0);
        QCOMPARE(dash.runsView()->topLevelItemCount(), 0);
        QCOMPARE(dash.settings().runName, QStringLiteral("run 1"));
        QVERIFY2(dash.statusLabel()->text().contains(QLatin1String("no saved expert selection")),
                 qPrintable(dash.statusLabel()->text()));

        // Back: the first project's run, with its settings in the form.
        p.context->setCurrentProject(p.id);
        QCOMPARE(dash.runsView()->topLevelItemCount(), 1);
        QCOMPARE(dash.settings().innerSteps, 3);
        QCOMPARE(dash.settings().runName, QStringLiteral("run 2"));

        // A run still training when the project changes is stopped, its job recorded as cancelled.
        dash.setSettings(quickSettings(100000));
        dash.startButton()->click();
        QSignalSpy steps(dash.session(), &TrainingSession::step);
        QTRY_VERIFY_WITH_TIMEOUT(steps.count() >= 1, 300000);
        p.context->setCurrentProject(other);
        QVERIFY(!dash.session());
        QCOMPARE(dash.lossChart()->series(0)->count(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const auto& j : store->jobs())
                    if (j.kind == "train" && j.state == JobStore::JobState::Cancelled)
                        return true;
                return false;
            }(),
            300000);
        p.context->setCurrentProject(std::nullopt);
        QVERIFY(dash.statusLabel()->text().contains(QLatin1String("Open or create a project")));
    }

    void aSelectionOfAnotherModelIsRefusedWithAReason()
    {
        auto p = makeProject("engine-othermodel");
        ExpertSelection selection(std::string(64, 'a')); // made for some other model
        selection.setLayer(0, {1});
        p.context->store()->saveSelection(p.id, "other", selection.hash(), selection.toJson().dump());
        MinerDashboard dash;
        MinerController controller(&dash, p.context.get());
        p.context->setCurrentProject(p.id);
        dash.setSettings(quickSettings(2));
        dash.start();
        QVERIFY(dash.session());
        QSignalSpy failed(dash.session(), &TrainingSession::failed);
        QTRY_COMPARE_WITH_TIMEOUT(dash.session()->state(), TrainingSession::State::Failed, 60000);
        QCOMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QLatin1String("another model")),
                 qPrintable(failed.at(0).at(0).toString()));
        // Refused before the engine ran, and still a job: failed, with the reason (the Jobs page
        // shows it), of the run it was meant to be.
        std::vector<JobStore::Job> train;
        for (const JobStore::Job& j : p.context->store()->jobs())
            if (j.kind == "train")
                train.push_back(j);
        QCOMPARE(train.size(), std::size_t(1));
        QCOMPARE(train.front().state, JobStore::JobState::Failed);
        QVERIFY2(train.front().error.find("another model") != std::string::npos, train.front().error.c_str());
        QCOMPARE(train.front().projectId, std::optional<std::int64_t>(p.id));
    }

    // Start refused by the page's memory plan: recorded as a failed train job of the run it would
    // have been (the Jobs page and `teft jobs list` show it), listed in the runs.
    void aStartTheMemoryPlanRefusesIsRecorded()
    {
        auto p = makeProject("engine-planrefused");
        ExpertSelection selection(modelFingerprint(p.modelDir));
        selection.setLayer(0, {1});
        p.context->store()->saveSelection(p.id, "test", selection.hash(), selection.toJson().dump());
        MinerDashboard dash;
        MinerController controller(&dash, p.context.get());
        p.context->setCurrentProject(p.id);
        TrainingSettings s = quickSettings(2);
        s.runName = QStringLiteral("big run");
        dash.setSettings(s);
        const teft::Project project = teft::Project::load(*p.context->store(), p.id);
        dash.setPlanProvider([&](const TrainingSettings& form) -> std::optional<MemoryPlan> {
            return planMinerMemory(EngineTrainingSession::minerSettings(project, selection, form), 1 << 20);
        });
        dash.start();
        QVERIFY(!dash.session());
        if (auto* box = dash.findChild<QMessageBox*>(QStringLiteral("memoryPlanRefusedBox")))
            box->close();
        std::vector<JobStore::Job> train;
        for (const JobStore::Job& j : p.context->store()->jobs())
            if (j.kind == "train")
                train.push_back(j);
        QCOMPARE(train.size(), std::size_t(1));
        QCOMPARE(train.front().state, JobStore::JobState::Failed);
        QCOMPARE(train.front().errorKind, std::string("out-of-memory"));
        QVERIFY2(train.front().error.find("1.00 MiB is the memory limit") != std::string::npos,
                 train.front().error.c_str());
        QCOMPARE(fs::path(train.front().outputDir), project.minerRunsDir() / "big run");
        QVERIFY(std::any_of(dash.runs().begin(), dash.runs().end(),
                            [](const TrainingRun& r) { return r.name == QLatin1String("big run"); }));
        // Start again: the name is taken now (a run of its own), so nothing more is recorded.
        dash.setSettings(s);
        dash.start();
        if (auto* box = dash.findChild<QMessageBox*>(QStringLiteral("memoryPlanRefusedBox")))
            box->close();
        std::size_t trainJobs = 0;
        for (const JobStore::Job& j : p.context->store()->jobs())
            trainJobs += j.kind == "train";
        QCOMPARE(trainJobs, std::size_t(1));
    }

    void startWithoutASelectionExplainsWhatToDo()
    {
        auto p = makeProject("engine-noselection");
        MinerDashboard dash;
        MinerController controller(&dash, p.context.get());
        dash.startButton()->click();
        QVERIFY(!dash.session()); // no project: nothing starts
        QVERIFY(!dash.statusLabel()->text().isEmpty());
    }
};

QTEST_MAIN(TestEnginePages)
#include "test_engine_pages.moc"
