// The job store shared by the application and the command line (issue: after any `teft` command
// on the same data directory the application's WAL and index were deleted under it, its writes
// were lost, its live job was marked interrupted, and it finally aborted on "file is not a
// database"). Here the application (its window, pages and store polling) runs jobs on worker
// threads, as its controllers do, while `teft` commands run again and again on the same data
// directory; every job must end recorded with its real state, the files must stay, and nothing
// may escape to the top-level handler.
#include "support/TestSupport.h"

#include "core/store/JobRecord.h"
#include "core/store/JobStore.h"
#include "core/util/Paths.h"
#include "ui/PageFactory.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/StudioApplication.h"

#include <QTest>
#include <QTimer>
#include <atomic>
#include <sqlite3.h>
#include <thread>

using namespace teft;
using namespace teft::ui;
namespace fs = std::filesystem;

namespace {

// A job as the GUI's workers run one: its own JobRecord (its own store connection, opened on the
// worker thread), progress and metrics while it works, a final state at the end.
void guiJob(const std::string& kind, std::int64_t projectId, std::atomic<bool>& stop, std::atomic<int>& steps,
            JobStore::JobState finalState, std::int64_t& idOut)
{
    JobRecord record(kind, R"({"inner_steps": 100})", "/tmp/out", projectId);
    idOut = record.id();
    int step = 0;
    while (!stop.load()) {
        ++step;
        record.progress(std::min(0.99, step / 1000.0), "training");
        record.metric(step, "train_loss", 3.0 - step * 1e-3);
        steps.store(step);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    record.flushMetrics();
    if (finalState == JobStore::JobState::Succeeded)
        record.succeed();
    else if (finalState == JobStore::JobState::Cancelled)
        record.cancelled();
    else
        record.fail("stopped by the test", ErrorKind::General);
}

std::string integrityCheck(const fs::path& db)
{
    sqlite3* raw = nullptr;
    std::string result = "cannot open";
    if (sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(raw, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close_v2(raw);
    return result;
}

} // namespace

class TestStoreSharing : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        StudioApplication::setReporter([this](const QString& message) { m_escaped << message; });
    }

    void applicationAndCommandLineShareTheStore()
    {
        const fs::path data = test::freshDir("data");
        setDataDir(data);
        const fs::path db = JobStore::defaultPath();
        AppContext context(JobStore::open(db));
        MainWindow window(&context);
        installPages(window);
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto project = context.store()->createProject("shared", "/models/none");
        context.setCurrentProject(project);

        const auto cli = [&](std::vector<std::string> args) {
            args.insert(args.end(), {"--data-dir", data.string()});
            return test::runProcess(TEFT_CLI_PATH, args, 120000);
        };

        // Three jobs one after another, as three training runs of the application; a `teft`
        // command between each two steps of the application's event loop.
        const JobStore::JobState finals[] = {JobStore::JobState::Succeeded, JobStore::JobState::Cancelled,
                                             JobStore::JobState::Failed};
        std::vector<std::int64_t> ids;
        for (const auto finalState : finals) {
            std::atomic<bool> stop{false};
            std::atomic<int> steps{0};
            std::int64_t id = 0;
            std::thread worker(guiJob, "train", project, std::ref(stop), std::ref(steps), finalState, std::ref(id));
            struct Join { // a failed check returns early: the worker still ends and is joined
                std::atomic<bool>& stop;
                std::thread& worker;
                ~Join()
                {
                    stop = true;
                    if (worker.joinable())
                        worker.join();
                }
            } join{stop, worker};
            QTRY_VERIFY_WITH_TIMEOUT(steps.load() > 0, 10000);
            for (int i = 0; i < 4; ++i) {
                const auto list = cli({"jobs", "list"});
                QVERIFY2(list.exitCode == 0, list.err.c_str());
                // The application's files are still there: no process deleted them under it.
                QVERIFY2(fs::exists(fs::path(db.string() + "-wal")), "the WAL was deleted under the application");
                QVERIFY2(fs::exists(fs::path(db.string() + "-shm")), "the WAL index was deleted under the application");
                // The live job is seen running, by the command line and by the application.
                const auto row = context.store()->job(id);
                QVERIFY(row);
                QCOMPARE(JobStore::toString(row->state), std::string("running"));
                const auto show = cli({"jobs", "show", std::to_string(id)});
                QVERIFY2(show.exitCode == 0, show.err.c_str());
                QVERIFY2(show.out.find("running") != std::string::npos, show.out.c_str());
                context.pollStore();
                QTest::qWait(20);
            }
            const int before = steps.load();
            QTRY_VERIFY_WITH_TIMEOUT(steps.load() > before, 10000); // the worker was never stopped by a lock
            stop = true;
            worker.join();
            ids.push_back(id);
        }

        // Every job recorded with the state it ended in, with its metrics, seen by a new process.
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto job = context.store()->job(ids[i]);
            QVERIFY(job);
            QCOMPARE(JobStore::toString(job->state), JobStore::toString(finals[i]));
            QVERIFY(!context.store()->metrics(ids[i], "train_loss").empty());
            const auto show = cli({"jobs", "show", std::to_string(ids[i])});
            QVERIFY2(show.exitCode == 0, show.err.c_str());
            QVERIFY2(show.out.find(JobStore::toString(finals[i])) != std::string::npos, show.out.c_str());
        }
        QCOMPARE(context.store()->reconnects(), 0);
        QVERIFY2(m_escaped.isEmpty(), qPrintable(m_escaped.join('\n')));
        QCOMPARE(integrityCheck(db), std::string("ok"));
    }

    // A store whose file is replaced under it (restored from a backup) follows the path: it
    // reads the new file and can write to it.
    void lostConnectionIsReopened()
    {
        const fs::path dir = test::freshDir("lost");
        const fs::path db = dir / "teft.db";
        auto store = JobStore::open(db);
        const auto before = store->startJob("train", "{}", "/tmp/out");
        store->setJobState(before, JobStore::JobState::Succeeded);
        // Replace the file under the open connection, as a restore from backup would.
        {
            auto other = JobStore::open(dir / "copy.db");
            other->createProject("restored", "/m");
        }
        fs::remove(dir / "copy.db-wal"); // checkpointed when its last connection closed
        fs::remove(dir / "copy.db-shm");
        fs::remove(dir / "teft.db-wal");
        fs::remove(dir / "teft.db-shm");
        fs::rename(dir / "copy.db", db);
        const auto projects = store->recentProjects();
        QCOMPARE(projects.size(), std::size_t(1));
        QCOMPARE(projects[0].name, std::string("restored"));
        QVERIFY(store->reconnects() >= 1);
        QVERIFY(store->startJob("train", "{}", "/tmp/out") > 0);
    }

    // An exception escaping an event handler reaches the handler, not std::terminate.
    void escapedExceptionIsReported()
    {
        m_escaped.clear();
        const int before = StudioApplication::escapedExceptions();
        QTimer::singleShot(0, qApp, [] { throw Error("the job store cannot be read (test)"); });
        QTRY_COMPARE_WITH_TIMEOUT(StudioApplication::escapedExceptions(), before + 1, 5000);
        QCOMPARE(m_escaped.size(), 1);
        QVERIFY(m_escaped[0].contains("cannot be read (test)"));
    }

private:
    QStringList m_escaped;
};

int main(int argc, char** argv)
{
    StudioApplication app(argc, argv);
    TestStoreSharing test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_store_sharing.moc"
