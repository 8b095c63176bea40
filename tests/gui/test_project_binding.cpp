// Every page follows the open project (issue 14): a project switch resets the Experts, Validate
// and Merge pages to that project's state, Save refuses a selection of another model, File →
// Open Project / Recent Projects switch projects; feedback: quitting while work runs and merging
// over an existing folder ask first, the Jobs page shows local dates, the project and the
// duration and offers no Resume for a job already continued, a missing output folder is
// reported, the log follows new lines after a long one and highlights errors, and the toolbars
// fit 1280 px in English and German.
#include "support/TestSupport.h"

#include "core/data/DatasetSpec.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/ModelConfig.h"
#include "core/project/Project.h"
#include "core/store/JobStore.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/ModelIdentity.h"
#include "core/util/Paths.h"
#include "ui/PageFactory.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/MergeController.h"
#include "ui/engine/RoutingController.h"
#include "ui/jobs/JobsPage.h"
#include "ui/jobs/JobsTableModel.h"
#include "ui/merge/MergePage.h"
#include "ui/routing/PolicyPanel.h"
#include "ui/routing/RoutingHeatmap.h"
#include "ui/routing/RoutingHeatmapModel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/routing/SelectionDocument.h"
#include "ui/sample/SamplePages.h"
#include "ui/sample/SampleRouting.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/AppSettings.h"
#include "ui/shell/Confirm.h"
#include "ui/shell/GuideDialog.h"
#include "ui/shell/LogDock.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/OpenProjectDialog.h"
#include "ui/shell/Translations.h"
#include "ui/validator/SubmissionTableModel.h"
#include "ui/validator/ValidatorPage.h"

#include <QApplication>
#include <QDateTime>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTranslator>
#include <QUndoStack>
#include <QtTest>
#include <atomic>
#include <fstream>
#include <thread>

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

bool anyLabelContains(QWidget* root, const QString& text)
{
    for (QLabel* l : root->findChildren<QLabel*>())
        if (l->text().contains(text))
            return true;
    return false;
}

void closeMessageBoxes(QWidget* root)
{
    for (QMessageBox* box : root->findChildren<QMessageBox*>())
        box->close();
}

// Confirmation questions answered without a dialog; records what was asked.
struct Confirmer {
    bool answer = true;
    QStringList asked;
    Confirmer()
    {
        setConfirmHandler([this](QWidget*, const QString& title, const QString&) {
            asked << title;
            return answer;
        });
    }
    ~Confirmer() { setConfirmHandler({}); }
};

} // namespace

class TestProjectBinding : public QObject {
    Q_OBJECT
    fs::path m_dir;
    fs::path m_modelDir;
    std::int64_t m_alpha = 0;
    std::int64_t m_beta = 0;
    std::unique_ptr<AppContext> m_context;

    std::int64_t makeProject(JobStore& store, const std::string& name)
    {
        const fs::path data = m_dir / (name + ".txt");
        std::ofstream(data) << "def f(x):\n    return x + 1\n";
        DatasetSpec target;
        target.paths.push_back(data);
        const auto id = store.createProject(name, m_modelDir.string(), R"({"seq_len": 16, "device": "cpu"})");
        store.addDataset(id, "target", toJson(target).dump());
        return id;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = test::freshDir("project-binding");
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        setDataDir(m_dir / "data");
        m_modelDir = m_dir / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 3;
        generateCheckpoint(m_modelDir, go);
        m_context = std::make_unique<AppContext>(JobStore::open(JobStore::defaultPath()));
        m_alpha = makeProject(*m_context->store(), "alpha");
        m_beta = makeProject(*m_context->store(), "beta");
    }

    void init() { m_context->setCurrentProject(std::nullopt); }

    void projectSwitchResetsExpertsValidateAndMerge()
    {
        MainWindow w(m_context.get());
        installPages(w);
        auto* routing = page<RoutingPage>(w, "routing");
        auto* validator = page<ValidatorPage>(w, "validator");
        auto* merge = page<MergePage>(w, "merge");
        QVERIFY(routing && validator && merge);

        // Without a project: empty pages that say what to do, engine actions off.
        QVERIFY(!routing->hasRouting());
        QVERIFY(anyLabelContains(routing, QStringLiteral("Open or create a project")));
        QVERIFY(!merge->isMergeAvailable());
        QVERIFY(!validator->openFolderButton()->isVisibleTo(validator));

        for (const auto& [id, name] : {std::pair{m_alpha, QStringLiteral("alpha")}, {m_beta, QStringLiteral("beta")}}) {
            // Whatever the pages showed before (here: the screenshot sample of another model)...
            showSampleData(w);
            QVERIFY(routing->hasRouting());
            QVERIFY(validator->model()->rowCount() > 0);
            QVERIFY(merge->model()->rowCount() > 0);
            m_context->setCurrentProject(id);
            // ...is gone: each page shows the project's own state.
            QVERIFY(!routing->hasRouting());
            QCOMPARE(routing->model()->rowCount(), 0);
            QCOMPARE(routing->document()->rows(), 0);
            QVERIFY(routing->document()->selection().empty());
            QVERIFY(!routing->document()->undoStack()->canUndo());
            QVERIFY2(anyLabelContains(routing, name), "the Experts page names the project");
            QVERIFY(routing->isIdentifyEnabled());
            QCOMPARE(validator->model()->rowCount(), 0);
            QCOMPARE(validator->round(), 0);
            QVERIFY(validator->openFolderButton()->isVisibleTo(validator));
            QCOMPARE(merge->outputDir().toStdString(), (Project::workDirOf(id) / "merged").string());
            QCOMPARE(merge->model()->rowCount(), 1); // the project's target dataset, losses unknown
            QVERIFY(merge->model()->rows().front().inDomain);
            QVERIFY(merge->model()->rows().front().dataset.contains(name + QStringLiteral(".txt")));
            QVERIFY(merge->isMergeAvailable());
        }

        // Closing the project empties the pages again.
        showSampleData(w);
        w.closeProject();
        QVERIFY(!m_context->currentProject());
        QVERIFY(!routing->hasRouting());
        QCOMPARE(validator->model()->rowCount(), 0);
        QCOMPARE(merge->model()->rowCount(), 0);
        QVERIFY(!merge->isMergeAvailable());
    }

    void saveRefusesASelectionOfAnotherModel()
    {
        MainWindow w(m_context.get());
        installPages(w);
        auto* routing = page<RoutingPage>(w, "routing");
        auto* controller = w.findChild<RoutingController*>();
        QVERIFY(routing && controller);
        m_context->setCurrentProject(m_alpha);
        const auto before = m_context->store()->selections(m_alpha).size();

        // Statistics of a 16 × 64 model on the page of a project whose model is much smaller.
        showSampleRouting(*routing);
        QVERIFY(!routing->document()->selection().empty());
        QVERIFY(routing->isSaveEnabled());
        QSignalSpy refused(controller, &RoutingController::saveRefused);
        QSignalSpy saved(controller, &RoutingController::selectionSaved);
        routing->requestSave();
        QCOMPARE(refused.count(), 1);
        QCOMPARE(saved.count(), 0);
        const QString reason = refused.at(0).at(0).toString();
        QVERIFY2(reason.contains(QStringLiteral("16 MoE layers × 64 experts")) && reason.contains("alpha"),
                 qPrintable(reason));
        QCOMPARE(m_context->store()->selections(m_alpha).size(), before);
        QVERIFY(w.findChild<QMessageBox*>()); // said to the user, not only logged
        closeMessageBoxes(&w);

        // A selection of the project's own model is saved, and the save is announced.
        const MoeLayout own = moeLayoutOf(ModelConfig::load(m_modelDir), {});
        const SampleRouting sample = makeSampleRouting(static_cast<int>(own.moeLayers.size()), own.numExperts, own.topK,
                                                       100);
        QCOMPARE(sample.layout.moeLayers, own.moeLayers); // every layer of the tiny model is a MoE layer
        routing->setRouting(sample.layout, sample.target, nullptr, 0, 0, 0);
        routing->document()->toggle(0, 1);
        QSignalSpy notes(m_context.get(), &AppContext::notification);
        routing->requestSave();
        QCOMPARE(refused.count(), 1);
        QCOMPARE(saved.count(), 1);
        QCOMPARE(m_context->store()->selections(m_alpha).size(), before + 1);
        QVERIFY(!notes.isEmpty() && notes.last().at(0).toString().contains(QStringLiteral("alpha")));
    }

    void policyPanelShowsTheSavedSelection()
    {
        RoutingPage routing;
        const SampleRouting sample = makeSampleRouting(3, 8, 2, 50);
        routing.setRouting(sample.layout, sample.target, nullptr, 0, 0, 0);
        ExpertSelection saved(sample.layout.fingerprint);
        saved.setLayer(0, {1, 2, 3});
        saved.setLayer(1, {0, 4, 5});
        saved.setLayer(2, {2, 6, 7});
        routing.showSavedSelection(saved);
        QCOMPARE(routing.document()->selection().hash(), saved.hash()); // shown, not replaced by a policy
        QCOMPARE(routing.policyPanel()->topKSlider()->value(), 3);
        QVERIFY(routing.policyPanel()->noteLabel()->isVisibleTo(routing.policyPanel()));
        QVERIFY(routing.policyPanel()->noteLabel()->text().contains(QStringLiteral("saved selection")));
        routing.clearRouting();
        QVERIFY(!routing.policyPanel()->noteLabel()->isVisibleTo(routing.policyPanel()));
    }

    void fitFillsTheHeatmapsArea()
    {
        RoutingPage routing;
        routing.resize(1100, 700);
        routing.show();
        QVERIFY(QTest::qWaitForWindowExposed(&routing));
        const SampleRouting sample = makeSampleRouting(4, 32, 4, 100); // few layers: a wide, flat matrix
        routing.setRouting(sample.layout, sample.target, nullptr, 0, 0, 0);
        RoutingHeatmap* map = routing.heatmap();
        map->zoomIn();
        QVERIFY(!map->isFitted());
        map->zoomToFit();
        QVERIFY(map->isFitted());
        const QRect last = map->cellRect(3, 31);
        const QSize view = map->viewport()->size();
        // The cells reach the right and the bottom edge (but for the rest of dividing the area
        // into whole pixels per cell: under one pixel per column or row): the whole area is used.
        const QString geometry = QStringLiteral("cell %1 × %2, last cell %3,%4, view %5 × %6")
                                     .arg(map->cellSize())
                                     .arg(map->cellHeight())
                                     .arg(last.right())
                                     .arg(last.bottom())
                                     .arg(view.width())
                                     .arg(view.height());
        QVERIFY2(last.right() >= view.width() - 32 - 1, qPrintable(geometry));
        QVERIFY2(last.bottom() >= view.height() - 4 - 1, qPrintable(geometry));
        QVERIFY(map->cellHeight() > map->cellSize()); // not square: 4 rows fill the height
        // A fitted view stays fitted when the page is resized.
        routing.resize(900, 800);
        QCoreApplication::processEvents();
        QVERIFY(map->cellRect(3, 31).bottom() >= map->viewport()->height() - 4 - 1);
    }

    void openProjectAndRecentProjectsSwitch()
    {
        MainWindow w(m_context.get());
        installPages(w);
        m_context->setCurrentProject(m_alpha);
        int listed = 0;
        QTimer::singleShot(0, &w, [&] {
            auto* dialog = w.findChild<OpenProjectDialog*>();
            QVERIFY(dialog);
            listed = dialog->projectCount();
            for (int r = 0; r < dialog->list()->count(); ++r)
                if (dialog->list()->item(r)->data(Qt::UserRole).toLongLong() == m_beta)
                    dialog->list()->setCurrentRow(r);
            dialog->accept();
        });
        w.openProjectDialog();
        QCOMPARE(listed, 2);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_beta));
        QCOMPARE(w.currentPageId(), QStringLiteral("routing"));
        QVERIFY(w.windowTitle().contains(QStringLiteral("beta")));

        // Recent Projects: the most recently used first; choosing one opens it.
        QMenu* recent = w.recentProjectsMenu();
        Q_EMIT recent->aboutToShow();
        QStringList names;
        QAction* alpha = nullptr;
        for (QAction* a : recent->actions()) {
            names << a->text();
            if (a->text() == QLatin1String("alpha"))
                alpha = a;
        }
        QCOMPARE(names.value(0), QStringLiteral("beta"));
        QVERIFY(alpha);
        alpha->trigger();
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));
    }

    void quittingWhileWorkRunsAsksFirst()
    {
        Confirmer confirm;
        auto w = std::make_unique<MainWindow>(m_context.get());
        installPages(*w);
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        auto* controller = w->findChild<RoutingController*>();
        QVERIFY(controller);
        std::atomic<bool> release{false};
        QVERIFY(controller->task()->start([&release](JobControl&) -> BackgroundTask::Continuation {
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            return {};
        }));
        QVERIFY(w->runningWork().contains(QStringLiteral("Expert identification")));

        confirm.answer = false;
        QVERIFY(!w->close());
        QCOMPARE(confirm.asked.size(), 1);
        QVERIFY(w->isVisible());

        QSignalSpy finished(controller->task(), &BackgroundTask::finished);
        release = true;
        QVERIFY(finished.wait(10000));
        QVERIFY(w->runningWork().isEmpty());
        QVERIFY(w->close()); // nothing runs: no question
        QCOMPARE(confirm.asked.size(), 1);
    }

    // Opening, creating, closing or switching the project (Open Recent too) while work runs asks
    // first; declining keeps the project and the work; with nothing running there is no question.
    void switchingTheProjectWhileWorkRunsAsksFirst()
    {
        Confirmer confirm;
        MainWindow w(m_context.get());
        installPages(w);
        m_context->setCurrentProject(m_alpha);
        auto* controller = w.findChild<RoutingController*>();
        QVERIFY(controller);
        std::atomic<bool> release{false};
        QVERIFY(controller->task()->start([&release](JobControl&) -> BackgroundTask::Continuation {
            while (!release)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            return {};
        }));
        QVERIFY(!w.runningWork().isEmpty());

        confirm.answer = false;
        QMenu* recent = w.recentProjectsMenu();
        Q_EMIT recent->aboutToShow();
        QAction* beta = nullptr;
        for (QAction* a : recent->actions())
            if (a->text() == QLatin1String("beta"))
                beta = a;
        QVERIFY(beta);
        beta->trigger();
        QCOMPARE(confirm.asked.size(), 1);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));
        w.openProject(m_beta);
        QCOMPARE(confirm.asked.size(), 2);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));
        w.closeProject();
        QCOMPARE(confirm.asked.size(), 3);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));
        QSignalSpy wizard(&w, &MainWindow::newProjectRequested);
        w.newProject();
        QCOMPARE(confirm.asked.size(), 4);
        QCOMPARE(wizard.count(), 0);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));
        QVERIFY(controller->task()->isRunning()); // the work goes on
        w.openProject(m_alpha);                   // the open project: nothing changes, nothing to ask
        QCOMPARE(confirm.asked.size(), 4);
        // Resume and Clone on the Jobs page open the job's project: they ask too.
        const auto betaJob = m_context->store()->startJob("identify", "{}", std::string(), m_beta);
        m_context->store()->setJobState(betaJob, JobStore::JobState::Interrupted);
        JobsPage* jobsPage = w.findChild<JobsPage*>();
        QVERIFY(jobsPage);
        Q_EMIT jobsPage->resumeRequested(betaJob);
        QCOMPARE(confirm.asked.size(), 5);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));
        Q_EMIT jobsPage->cloneRequested(QStringLiteral("identify"), QStringLiteral("{}"), betaJob);
        QCOMPARE(confirm.asked.size(), 6);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));

        confirm.answer = true;
        w.openProject(m_beta);
        QCOMPARE(confirm.asked.size(), 7);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_beta));

        QSignalSpy finished(controller->task(), &BackgroundTask::finished);
        release = true;
        QVERIFY(finished.wait(10000));
        QVERIFY(w.runningWork().isEmpty());
        w.openProject(m_alpha); // nothing runs: no question
        QCOMPARE(confirm.asked.size(), 7);
        QCOMPARE(m_context->currentProject(), std::optional<std::int64_t>(m_alpha));
    }

    void mergingOverAnExistingFolderAsksFirst()
    {
        Confirmer confirm;
        confirm.answer = false;
        MergePage merge;
        MergeController controller(&merge, m_context.get());
        m_context->setCurrentProject(m_alpha);
        const fs::path out = m_dir / "existing-merge";
        fs::create_directories(out);
        std::ofstream(out / "config.json") << "{}";
        merge.setOutputDir(QString::fromStdString(out.string()));
        merge.requestMerge();
        QCOMPARE(confirm.asked.size(), 1);
        QVERIFY(!controller.task()->isRunning());
        QVERIFY(fs::exists(out / "config.json"));
    }

    void jobsShowLocalDatesProjectsDurationsAndNoResumeTwice()
    {
        const QLocale previous;
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
        auto cli = JobStore::open(JobStore::defaultPath()); // another connection, as `teft` writes
        const std::string out = (m_dir / "runs" / "one").string();
        fs::create_directories(out);
        const auto first = cli->startJob("train", "{}", out, m_alpha);
        cli->setJobState(first, JobStore::JobState::Interrupted);
        const auto resumed = cli->startJob("train", "{}", out, m_alpha); // Resume: a new job, same folder
        cli->setJobState(resumed, JobStore::JobState::Interrupted);
        const auto gone = cli->startJob("merge", "{}", (m_dir / "deleted").string(), m_beta);
        cli->setJobState(gone, JobStore::JobState::Succeeded);
        const auto running = cli->startJob("identify", "{}", std::string(), m_beta);

        JobsPage jobs(m_context.get());
        jobs.resize(1280, 500);
        jobs.reload();
        auto rowOf = [&](std::int64_t id) {
            for (int r = 0; r < jobs.model()->rowCount(); ++r)
                if (jobs.model()->jobAt(r)->id == id)
                    return r;
            return -1;
        };
        const int firstRow = rowOf(first);
        QVERIFY(firstRow >= 0);
        const JobStore::Job* j = jobs.model()->jobAt(firstRow);
        const QString started = jobs.model()->index(firstRow, JobsTableModel::StartedColumn).data().toString();
        const QDateTime utc = QDateTime::fromString(QString::fromStdString(j->startedAt.empty() ? j->createdAt
                                                                                                : j->startedAt),
                                                    Qt::ISODateWithMs);
        QVERIFY(utc.isValid());
        QCOMPARE(started, QLocale().toString(utc.toLocalTime(), QLocale::ShortFormat));
        QVERIFY2(!started.contains(QLatin1Char('T')) && !started.contains(QLatin1Char('Z')), qPrintable(started));
        QCOMPARE(jobs.model()->index(firstRow, JobsTableModel::ProjectColumn).data().toString(),
                 QStringLiteral("alpha"));
        QCOMPARE(jobs.model()->index(rowOf(gone), JobsTableModel::ProjectColumn).data().toString(),
                 QStringLiteral("beta"));
        QVERIFY(!jobs.model()->index(rowOf(gone), JobsTableModel::DurationColumn).data().toString().isEmpty());
        QCOMPARE(jobs.model()->headerData(JobsTableModel::DurationColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Duration"));

        // The interrupted run that was resumed is not offered again; the resuming one is.
        jobs.table()->selectRow(firstRow);
        QVERIFY(!jobs.resumeButton()->isEnabled());
        QVERIFY(jobs.resumeButton()->toolTip().contains(QString::number(resumed)));
        jobs.table()->selectRow(rowOf(resumed));
        QVERIFY(jobs.resumeButton()->isEnabled());

        // A missing output folder is reported, not silently ignored.
        jobs.table()->selectRow(rowOf(gone));
        QVERIFY(jobs.openButton()->isEnabled());
        QSignalSpy notes(m_context.get(), &AppContext::notification);
        QVERIFY(!jobs.openOutputFolder());
        QVERIFY2(jobs.statusText().contains(QStringLiteral("does not exist")), qPrintable(jobs.statusText()));
        QCOMPARE(notes.count(), 1);
        QVERIFY(jobs.findChild<QMessageBox*>());
        closeMessageBoxes(&jobs);

        // A job that ends is announced.
        cli->setJobState(running, JobStore::JobState::Succeeded);
        jobs.reload();
        QCOMPARE(notes.count(), 2);
        QVERIFY2(notes.last().at(0).toString().contains(QStringLiteral("succeeded")),
                 qPrintable(notes.last().at(0).toString()));
        QLocale::setDefault(previous);
    }

    void logFollowsNewLinesAfterALongOne()
    {
        LogDock dock;
        dock.resize(700, 220);
        dock.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dock));
        QScrollBar* bar = dock.view()->verticalScrollBar();
        for (int i = 0; i < 60; ++i)
            dock.append(2, QStringLiteral("12:00:00"), QStringLiteral("line %1").arg(i));
        QCoreApplication::processEvents();
        QVERIFY(bar->maximum() > 0);
        QCOMPARE(bar->value(), bar->maximum());
        dock.append(2, QStringLiteral("12:00:01"), QString(4000, QLatin1Char('x')));
        for (int i = 0; i < 5; ++i)
            dock.append(2, QStringLiteral("12:00:02"), QStringLiteral("after %1").arg(i));
        QCoreApplication::processEvents();
        QCOMPARE(bar->value(), bar->maximum());
        QVERIFY(dock.isFollowing());

        // Scrolled up by the user: new lines do not pull the view down...
        bar->setValue(0);
        QVERIFY(!dock.isFollowing());
        dock.append(2, QStringLiteral("12:00:03"), QStringLiteral("while reading"));
        QCoreApplication::processEvents();
        QCOMPARE(bar->value(), 0);
        // ...until they scroll back to the end.
        bar->setValue(bar->maximum());
        QVERIFY(dock.isFollowing());
        dock.append(4, QStringLiteral("12:00:04"), QStringLiteral("something failed"));
        QCoreApplication::processEvents();
        QCOMPARE(bar->value(), bar->maximum());

        // Errors and warnings stand out.
        const QTextBlock last = dock.view()->document()->lastBlock();
        QVERIFY(last.text().contains(QStringLiteral("something failed")));
        QTextCursor at(last);
        at.movePosition(QTextCursor::Right);
        QCOMPARE(at.charFormat().foreground().color(), QColor(200, 30, 30));
        dock.append(3, QStringLiteral("12:00:05"), QStringLiteral("careful"));
        QTextCursor warn(dock.view()->document()->lastBlock());
        warn.movePosition(QTextCursor::Right);
        QCOMPARE(warn.charFormat().foreground().color(), QColor(190, 110, 0));
    }

    void guideOpensFromTheHelpMenu()
    {
        MainWindow w(m_context.get());
        w.openGuide();
        auto* guide = w.findChild<GuideDialog*>();
        QVERIFY(guide && guide->isVisible());
        QVERIFY(guide->browser()->toPlainText().contains(QStringLiteral("Run identification")));
        QVERIFY(guide->browser()->toPlainText().contains(QStringLiteral("Merge")));
        guide->close();
    }

    // Last: it installs the German translation.
    void toolbarsAndValidatePageFit1280InEnglishAndGerman()
    {
        const fs::path shots = test::freshDir("project-binding-shots");
        for (const QString& language : {QStringLiteral("en"), QStringLiteral("de")}) {
            if (language == QLatin1String("de"))
                QCOMPARE(installTranslations(*qApp, language).left(2), QStringLiteral("de"));
            MainWindow w(m_context.get());
            installPages(w);
            m_context->setCurrentProject(m_alpha);
            w.resize(1280, 800);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QVERIFY(w.showPage("routing"));
            auto* routing = page<RoutingPage>(w, "routing");
            showSampleRouting(*routing);
            QCoreApplication::processEvents();
            QVERIFY(w.grab().save(
                QString::fromStdString((shots / ("routing-" + language.toStdString() + ".png")).string())));
            for (QToolBar* bar : {routing->projectToolBar(), routing->viewToolBar()}) {
                auto* extension = bar->findChild<QToolButton*>(QStringLiteral("qt_toolbar_ext_button"));
                QVERIFY2(!extension || !extension->isVisible(),
                         qPrintable(language + QStringLiteral(": ") + bar->objectName() +
                                    QStringLiteral(" overflows")));
                for (QAction* a : bar->actions()) {
                    if (a->isSeparator())
                        continue;
                    QWidget* button = bar->widgetForAction(a);
                    QVERIFY2(button && button->isVisible(), qPrintable(language + QStringLiteral(": ") + a->text()));
                }
            }
            QVERIFY(w.showPage("validator"));
            showSampleRound(*page<ValidatorPage>(w, "validator"));
            QCoreApplication::processEvents();
            QVERIFY(w.grab().save(
                QString::fromStdString((shots / ("validator-" + language.toStdString() + ".png")).string())));
            QVERIFY2(w.minimumSizeHint().width() <= 1280, qPrintable(QString::number(w.minimumSizeHint().width())));
            QVERIFY2(w.width() <= 1280, qPrintable(QString::number(w.width())));
            // The s_i labels can be told apart.
            const QStringList labels = page<ValidatorPage>(w, "validator")->barLabels();
            QCOMPARE(QSet<QString>(labels.begin(), labels.end()).size(), labels.size());
            for (const char* id : {"merge", "jobs"}) {
                QVERIFY(w.showPage(QString::fromLatin1(id)));
                QCoreApplication::processEvents();
                QVERIFY(w.width() <= 1280);
                QVERIFY(w.grab().save(QString::fromStdString(
                    (shots / (std::string(id) + "-" + language.toStdString() + ".png")).string())));
            }
            w.hide();
        }
        for (QTranslator* t : qApp->findChildren<QTranslator*>()) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        qInfo("screenshots in %s", shots.string().c_str());
    }
};

QTEST_MAIN(TestProjectBinding)
#include "test_project_binding.moc"
