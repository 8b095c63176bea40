// The job store: migrations, upgrade from an older schema, reconciliation of dead jobs,
// refusal of corrupt / foreign / newer databases without modifying them.
#include "core/store/JobStore.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

using teft::JobStore;
namespace fs = std::filesystem;

namespace {

void sqlExec(const fs::path& file, const std::string& sql)
{
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    const std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, msg.c_str());
}

std::string sqlScalar(const fs::path& file, const std::string& sql)
{
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const teft::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestJobStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void freshDatabaseIsMigratedToLatest()
    {
        const auto dir = teft::test::freshDir("fresh");
        auto store = JobStore::open(dir / "teft.db");
        QCOMPARE(store->schemaVersion(), JobStore::kSchemaVersion);
        QCOMPARE(sqlScalar(dir / "teft.db", "PRAGMA journal_mode"), std::string("wal"));
        // Every table of the design exists.
        for (const char* t :
             {"projects", "datasets", "selections", "jobs", "metrics", "rounds", "submissions", "merges"})
            QCOMPARE(sqlScalar(dir / "teft.db",
                               std::string("SELECT count(*) FROM sqlite_master WHERE name='") + t + "'"),
                     std::string("1"));
    }

    void foreignKeysAreEnforced()
    {
        const auto dir = teft::test::freshDir("fk");
        auto store = JobStore::open(dir / "teft.db");
        QVERIFY(!errorOf([&] { store->addDataset(4242, "target", "{}"); }).isEmpty());
        const auto p = store->createProject("p", "/m");
        QVERIFY(store->addDataset(p, "target", "{}") > 0);
    }

    void upgradeFromVersionOneKeepsData()
    {
        const auto dir = teft::test::freshDir("upgrade");
        const fs::path file = dir / "teft.db";
        // A database as version 1 of the schema left it (written by hand, not by the code).
        sqlExec(file, R"sql(
            CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL, model_path TEXT NOT NULL,
              settings TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL DEFAULT '');
            CREATE TABLE datasets (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id), role TEXT NOT NULL, spec TEXT NOT NULL);
            CREATE TABLE selections (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id), name TEXT NOT NULL, hash TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT '');
            CREATE TABLE jobs (id INTEGER PRIMARY KEY, project_id INTEGER REFERENCES projects(id), kind TEXT NOT NULL, state TEXT NOT NULL,
              pid INTEGER NOT NULL DEFAULT 0, config TEXT NOT NULL DEFAULT '{}', error TEXT NOT NULL DEFAULT '',
              created_at TEXT NOT NULL DEFAULT '', started_at TEXT NOT NULL DEFAULT '', finished_at TEXT NOT NULL DEFAULT '');
            CREATE TABLE metrics (id INTEGER PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES jobs(id), step INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL, time REAL NOT NULL);
            CREATE TABLE rounds (id INTEGER PRIMARY KEY, project_id INTEGER, job_id INTEGER, number INTEGER NOT NULL, baseline_loss REAL, new_loss REAL, report TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL DEFAULT '');
            CREATE TABLE submissions (id INTEGER PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id), hash TEXT NOT NULL, miner TEXT NOT NULL, path TEXT NOT NULL,
              verification TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', base_loss REAL, new_loss REAL, score REAL, rank INTEGER, weight REAL, accepted INTEGER NOT NULL DEFAULT 0);
            INSERT INTO projects(name, model_path) VALUES('old project', '/models/olmoe');
            INSERT INTO jobs(kind, state, pid, config) VALUES('train', 'succeeded', 1, '{"lr":1e-5}');
            INSERT INTO metrics(job_id, step, name, value, time) VALUES(1, 10, 'loss', 2.5, 0);
            PRAGMA application_id = 1413826132; -- "TEFT"
            PRAGMA user_version = 1;
        )sql");
        auto store = JobStore::open(file);
        QCOMPARE(store->schemaVersion(), JobStore::kSchemaVersion);
        auto projects = store->recentProjects();
        QCOMPARE(projects.size(), size_t(1));
        QCOMPARE(projects[0].name, std::string("old project"));
        auto job = store->job(1);
        QVERIFY(job.has_value());
        QCOMPARE(job->config, std::string("{\"lr\":1e-5}"));
        QCOMPARE(job->progress, 0.0); // column added by migration 2
        QCOMPARE(store->metrics(1, "loss").size(), size_t(1));
        QVERIFY(store->addMerge({0, projects[0].id, 1, "/out", "{}", ""}) > 0); // table added by migration 2
    }

    void deadRunningJobsBecomeInterrupted()
    {
        const auto dir = teft::test::freshDir("reconcile");
        std::int64_t deadJob = 0, liveJob = 0, doneJob = 0;
        {
            auto store = JobStore::open(dir / "teft.db");
            deadJob = store->startJob("train", "{}", "/tmp/out");
            liveJob = store->startJob("train", "{}", "/tmp/out2");
            doneJob = store->startJob("eval", "{}", "");
            store->setJobState(doneJob, JobStore::JobState::Succeeded);
        }
        // Give deadJob the pid of a process that has exited.
        const pid_t child = fork();
        if (child == 0)
            _exit(0);
        waitpid(child, nullptr, 0);
        sqlExec(dir / "teft.db",
                "UPDATE jobs SET pid=" + std::to_string(child) + " WHERE id=" + std::to_string(deadJob));

        auto store = JobStore::open(dir / "teft.db");
        QCOMPARE(store->job(deadJob)->state, JobStore::JobState::Interrupted);
        QVERIFY(!store->job(deadJob)->error.empty());
        QCOMPARE(store->job(liveJob)->state, JobStore::JobState::Running); // our own pid: alive
        QCOMPARE(store->job(doneJob)->state, JobStore::JobState::Succeeded);
        QCOMPARE(store->reconcileDeadJobs(), 0);
        store->claimJob(deadJob);
        QCOMPARE(store->job(deadJob)->state, JobStore::JobState::Running);
    }

    void corruptFileIsRefusedAndUntouched()
    {
        const auto dir = teft::test::freshDir("corrupt");
        const fs::path file = dir / "teft.db";
        const std::string garbage = "this is not a database at all, just some text\n";
        teft::writeFileAtomically(file, garbage);
        const QString err = errorOf([&] { JobStore::open(file); });
        QVERIFY2(err.contains("not an SQLite database"), qPrintable(err));
        QVERIFY(err.contains(QString::fromStdString(file.string())));
        QCOMPARE(teft::readFile(file), garbage);
    }

    void damagedSqliteFileIsRefusedAndUntouched()
    {
        const auto dir = teft::test::freshDir("damaged");
        const fs::path file = dir / "teft.db";
        {
            auto store = JobStore::open(file);
            for (int i = 0; i < 200; ++i)
                store->createProject("project " + std::to_string(i), std::string(200, 'x'));
        }
        sqlExec(file, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE");
        // Overwrite the middle of the file (page data), keep the valid header.
        std::string bytes = teft::readFile(file);
        QVERIFY(bytes.size() > 8192);
        for (std::size_t i = 4096; i < bytes.size() - 100; i += 7)
            bytes[i] = static_cast<char>(0xA5);
        teft::writeFileAtomically(file, bytes);
        const std::string before = teft::sha256File(file);
        const QString err = errorOf([&] { JobStore::open(file); });
        QVERIFY2(err.contains("corrupt") || err.contains("malformed"), qPrintable(err));
        QCOMPARE(teft::sha256File(file), before);
    }

    void newerSchemaIsRefusedAndUntouched()
    {
        const auto dir = teft::test::freshDir("newer");
        const fs::path file = dir / "teft.db";
        {
            JobStore::open(file);
        }
        sqlExec(file, "PRAGMA user_version = 99");
        const std::string before = teft::sha256File(file);
        const QString err = errorOf([&] { JobStore::open(file); });
        QVERIFY2(err.contains("newer TEFT Studio"), qPrintable(err));
        QCOMPARE(teft::sha256File(file), before);
    }

    void foreignDatabaseIsRefused()
    {
        const auto dir = teft::test::freshDir("foreign");
        const fs::path file = dir / "other.db";
        sqlExec(file, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)");
        const QString err = errorOf([&] { JobStore::open(file); });
        QVERIFY2(err.contains("another application"), qPrintable(err));
    }

    void jobsMetricsRoundsAndSubmissions()
    {
        const auto dir = teft::test::freshDir("crud");
        auto store = JobStore::open(dir / "teft.db");
        const auto p = store->createProject("demo", "/m", R"({"device":"cpu"})");
        const auto j = store->startJob("train", R"({"steps":3})", "/out", p);
        store->setJobProgress(j, 0.5, "training");
        store->addMetrics(j,
                          {{1, "loss", 3.0, 1.0}, {2, "loss", 2.0, 2.0}, {2, "lr", 1e-4, 2.0}, {3, "loss", 1.5, 3.0}});
        QCOMPARE(store->metrics(j, "loss").size(), size_t(3));
        QCOMPARE(store->metrics(j, "loss", 1).size(), size_t(2));
        QCOMPARE(store->metrics(j).size(), size_t(4));
        QCOMPARE(store->job(j)->progress, 0.5);
        QCOMPARE(store->job(j)->stage, std::string("training"));
        store->setJobState(j, JobStore::JobState::Failed, "out of memory");
        QCOMPARE(store->job(j)->state, JobStore::JobState::Failed);
        QCOMPARE(store->job(j)->error, std::string("out of memory"));
        QVERIFY(!store->job(j)->finishedAt.empty());
        QCOMPARE(store->job(j)->stage, std::string("training")); // where it stopped
        const auto done = store->startJob("train", "{}", "/out", p);
        store->setJobProgress(done, 0.9, "training");
        store->setJobState(done, JobStore::JobState::Succeeded);
        QCOMPARE(store->job(done)->progress, 1.0);
        QCOMPARE(store->job(done)->stage, std::string()); // finished: no stage left

        JobStore::Round r;
        r.projectId = p;
        r.number = 1;
        r.baselineLoss = 2.0;
        r.newLoss = 1.9;
        const auto rid = store->addRound(r);
        JobStore::Submission s;
        s.roundId = rid;
        s.hash = "abc";
        s.miner = "m1";
        s.path = "/sub";
        s.verification = "ok";
        s.score = 0.1;
        s.rank = 1;
        const auto sid = store->addSubmission(s);
        store->setSubmissionAccepted(sid, true);
        auto subs = store->submissions(rid);
        QCOMPARE(subs.size(), size_t(1));
        QVERIFY(subs[0].accepted);
        QCOMPARE(*subs[0].rank, 1);
        QVERIFY(!subs[0].baseLoss.has_value());
        QCOMPARE(store->rounds(p).size(), size_t(1));
    }

    void twoConnectionsSeeEachOthersWrites()
    {
        const auto dir = teft::test::freshDir("concurrent");
        auto a = JobStore::open(dir / "teft.db");
        auto b = JobStore::open(dir / "teft.db");
        const auto before = b->dataVersion();
        a->createProject("from a", "/m");
        QVERIFY(b->dataVersion() != before);
        QCOMPARE(b->recentProjects().size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestJobStore)
#include "test_jobstore.moc"
