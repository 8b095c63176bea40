#include "core/store/JobStore.h"

#include "core/util/Error.h"
#include "core/util/Paths.h"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <map>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

namespace teft {
namespace fs = std::filesystem;

namespace {

constexpr int kApplicationId = 0x54454654; // "TEFT"

// Each entry upgrades the schema from version i to i+1. Never edit a shipped entry: add one.
const char* const kMigrations[] = {
    // 0 -> 1
    R"sql(
    CREATE TABLE projects (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        model_path TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
    CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        spec TEXT NOT NULL);
    CREATE TABLE selections (
        id INTEGER PRIMARY KEY,
        project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        hash TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        project_id INTEGER REFERENCES projects(id) ON DELETE SET NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        pid INTEGER NOT NULL DEFAULT 0,
        config TEXT NOT NULL DEFAULT '{}',
        error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        started_at TEXT NOT NULL DEFAULT '',
        finished_at TEXT NOT NULL DEFAULT '');
    CREATE TABLE metrics (
        id INTEGER PRIMARY KEY,
        job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL,
        time REAL NOT NULL);
    CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        number INTEGER NOT NULL,
        baseline_loss REAL,
        new_loss REAL,
        report TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
    CREATE TABLE submissions (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        miner TEXT NOT NULL,
        path TEXT NOT NULL,
        verification TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        base_loss REAL, new_loss REAL, score REAL, rank INTEGER, weight REAL,
        accepted INTEGER NOT NULL DEFAULT 0);
    )sql",
    // 1 -> 2: live progress for the jobs view, the owning host (a pid means nothing elsewhere),
    // merges, and the indexes the views query by.
    R"sql(
    ALTER TABLE jobs ADD COLUMN host TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN output_dir TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN progress REAL NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN stage TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
    CREATE TABLE merges (
        id INTEGER PRIMARY KEY,
        project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE,
        job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
        output_path TEXT NOT NULL,
        report TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
    CREATE INDEX metrics_job_step ON metrics(job_id, name, step);
    CREATE INDEX jobs_state ON jobs(state);
    CREATE INDEX submissions_round ON submissions(round_id);
    )sql",
    // 2 -> 3: what kind of failure ended a job (errorKindName: "out-of-memory", ...), so that the
    // views can offer the fix (resume after an out-of-memory error) without reading the message.
    R"sql(
    ALTER TABLE jobs ADD COLUMN error_kind TEXT NOT NULL DEFAULT '';
    )sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == JobStore::kSchemaVersion,
              "one migration per schema version");

std::string hostName()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof(buf) - 1) != 0)
        return "unknown";
    return buf;
}

// The connection is gone rather than the statement wrong: the file was replaced, truncated or its
// WAL deleted under us, or the disk failed. Reopening may cure it; retrying the statement as is
// would not.
class ConnectionLost : public Error {
public:
    using Error::Error;
};

bool connectionLost(int extendedCode)
{
    switch (extendedCode & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_CORRUPT:
        return true;
    default:
        return extendedCode == SQLITE_READONLY_DBMOVED;
    }
}

[[noreturn]] void throwStoreError(sqlite3* db, const fs::path& path, const std::string& message)
{
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    const std::string text = "Job store " + path.string() + ": " + message;
    if (connectionLost(code))
        throw ConnectionLost(text, ErrorKind::Storage);
    throw Error(text, code == SQLITE_FULL ? ErrorKind::Storage : ErrorKind::General);
}

// The stores this process has open, per file. POSIX record locks belong to the process and
// inode: closing ANY descriptor of the database file releases every lock this process holds on
// it, so SQLite's own connections would silently lose their shared lock, and the next `teft`
// command to close its connection would think itself the last one and delete the WAL and its
// index under us ("disk I/O error", then "file is not a database"). So the file is read outside
// SQLite (the header check in open()) only while no store of this process has it open.
// Recursive: a store that fails to open is destroyed inside open(), which holds the lock.
std::recursive_mutex& registryMutex()
{
    static std::recursive_mutex m;
    return m;
}
std::map<std::string, int>& openStores()
{
    static std::map<std::string, int> counts;
    return counts;
}
std::string registryKey(const fs::path& file)
{
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(fs::absolute(file, ec), ec);
    return ec ? file.string() : canonical.string();
}

bool processAlive(std::int64_t pid)
{
    if (pid <= 0)
        return false;
    if (::kill(static_cast<pid_t>(pid), 0) == 0)
        return true;
    return errno == EPERM; // exists, owned by someone else
}

} // namespace

// --- small RAII helpers over the sqlite C API ------------------------------------------

class JobStore::Statement {
public:
    Statement(const JobStore& store, const char* sql) : m_store(store)
    {
        if (sqlite3_prepare_v2(store.m_db, sql, -1, &m_stmt, nullptr) != SQLITE_OK)
            throwStoreError(store.m_db, store.m_path, sqlite3_errmsg(store.m_db));
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement& bind(int i, std::int64_t v)
    {
        check(sqlite3_bind_int64(m_stmt, i, v));
        return *this;
    }
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v)
    {
        check(sqlite3_bind_double(m_stmt, i, v));
        return *this;
    }
    Statement& bind(int i, const std::string& v)
    {
        check(sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    template <typename T>
    Statement& bind(int i, const std::optional<T>& v)
    {
        if (v)
            return bind(i, *v);
        check(sqlite3_bind_null(m_stmt, i));
        return *this;
    }
    bool step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        throwStoreError(m_store.m_db, m_store.m_path, sqlite3_errmsg(m_store.m_db));
    }
    void run() { step(); }
    void reset()
    {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    std::int64_t i64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    double f64(int c) const { return sqlite3_column_double(m_stmt, c); }
    bool isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
    std::optional<double> optF64(int c) const { return isNull(c) ? std::nullopt : std::optional<double>(f64(c)); }
    std::optional<std::int64_t> optI64(int c) const
    {
        return isNull(c) ? std::nullopt : std::optional<std::int64_t>(i64(c));
    }
    std::string text(int c) const
    {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c))) : std::string();
    }

private:
    void check(int rc)
    {
        if (rc != SQLITE_OK)
            throwStoreError(m_store.m_db, m_store.m_path, sqlite3_errmsg(m_store.m_db));
    }
    const JobStore& m_store;
    sqlite3_stmt* m_stmt = nullptr;
};

class JobStore::Transaction {
public:
    explicit Transaction(const JobStore& store) : m_store(store) { m_store.exec("BEGIN IMMEDIATE"); }
    ~Transaction()
    {
        if (!m_done)
            sqlite3_exec(m_store.m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit()
    {
        m_store.exec("COMMIT");
        m_done = true;
    }

private:
    const JobStore& m_store;
    bool m_done = false;
};

// --- opening and migrations -------------------------------------------------------------

fs::path JobStore::defaultPath() { return dataDir() / "teft.db"; }

JobStore::JobStore(fs::path path) : m_path(std::move(path)) {}

JobStore::~JobStore()
{
    std::lock_guard<std::recursive_mutex> registry(registryMutex());
    if (m_db)
        sqlite3_close_v2(m_db);
    if (!m_registryKey.empty() && --openStores()[m_registryKey] <= 0)
        openStores().erase(m_registryKey);
}

void JobStore::exec(const std::string& sql) const
{
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throwStoreError(m_db, m_path, msg);
    }
}

std::unique_ptr<JobStore> JobStore::open(const fs::path& file)
{
    const std::string key = registryKey(file);
    std::lock_guard<std::recursive_mutex> registry(registryMutex());
    std::error_code ec;
    if (openStores().count(key) == 0) {
        // Refuse anything that is not an SQLite file before SQLite touches it (only while no
        // store of this process has the file open: see registryKey()).
        if (fs::exists(file, ec) && fs::file_size(file, ec) > 0) {
            std::ifstream in(file, std::ios::binary);
            char magic[16] = {};
            in.read(magic, 16);
            if (in.gcount() < 16 || std::string(magic, 16) != std::string("SQLite format 3\0", 16))
                throw Error("The job store " + file.string() +
                            " is not an SQLite database (corrupt or another kind of file); it was left "
                            "untouched. Move it away or choose another data directory.");
        } else if (file.has_parent_path()) {
            fs::create_directories(file.parent_path(), ec);
        }
    }

    std::unique_ptr<JobStore> store(new JobStore(file));
    store->connect();
    store->m_registryKey = key;
    ++openStores()[key];
    store->migrate();
    store->reconcileDeadJobs();
    return store;
}

void JobStore::connect() const
{
    if (m_db) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
    }
    if (sqlite3_open_v2(m_path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        const std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        throw Error("Cannot open the job store " + m_path.string() + ": " + msg, ErrorKind::Storage);
    }
    // Writers wait for each other (every write is one short transaction); a GUI and several
    // `teft` commands share the file.
    sqlite3_busy_timeout(m_db, 30000);
    // The WAL and its index stay when a connection closes, even the last one: no process ever
    // deletes a file another may still have open.
    int persist = 1;
    sqlite3_file_control(m_db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
}

template <typename Fn>
auto JobStore::guarded(Fn&& fn) const -> decltype(fn())
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    // The file was renamed or deleted under the connection (restored from a backup, moved by
    // hand): SQLite would go on reading the old file, and refuse to write. Follow the path.
    int moved = 0;
    if (m_db && sqlite3_file_control(m_db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
        spdlog::warn("the job store {} was replaced on disk; reopening it", m_path.string());
        ++m_reconnects;
        connect();
    }
    try {
        return fn();
    } catch (const ConnectionLost& e) {
        spdlog::warn("{}; reopening the connection and trying once more", e.what());
        ++m_reconnects;
        connect();
        return fn();
    }
}

int JobStore::reconnects() const
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    return m_reconnects;
}

void JobStore::migrate()
{
    std::lock_guard<std::recursive_mutex> lock(m_mutex);
    int version = 0, appId = 0;
    try {
        Statement v(*this, "PRAGMA user_version");
        v.step();
        version = static_cast<int>(v.i64(0));
        Statement a(*this, "PRAGMA application_id");
        a.step();
        appId = static_cast<int>(a.i64(0));
        Statement q(*this, "PRAGMA quick_check");
        q.step();
        if (q.text(0) != "ok")
            throw Error(q.text(0));
    } catch (const Error& e) {
        throw Error("The job store " + m_path.string() + " is corrupt (" + e.what() +
                    "); it was left untouched. Move it away or choose another data directory.");
    }
    if (appId != 0 && appId != kApplicationId)
        throw Error("The file " + m_path.string() +
                    " is an SQLite database of another application; it was left untouched.");
    if (appId == 0 && version == 0) {
        Statement t(*this, "SELECT count(*) FROM sqlite_master");
        t.step();
        if (t.i64(0) > 0)
            throw Error("The file " + m_path.string() +
                        " is an SQLite database of another application; it was left untouched.");
    }
    if (version > kSchemaVersion)
        throw Error("The job store " + m_path.string() + " was written by a newer TEFT Studio (schema " +
                    std::to_string(version) + ", this version understands up to " + std::to_string(kSchemaVersion) +
                    "); it was left untouched. Upgrade TEFT Studio.");

    exec("PRAGMA journal_mode=WAL");
    for (int v = version; v < kSchemaVersion; ++v) {
        Transaction tx(*this);
        // Another process may have migrated meanwhile: re-read under the write lock.
        Statement cur(*this, "PRAGMA user_version");
        cur.step();
        if (cur.i64(0) > v)
            continue;
        exec(kMigrations[v]);
        exec("PRAGMA user_version=" + std::to_string(v + 1));
        exec("PRAGMA application_id=" + std::to_string(kApplicationId));
        tx.commit();
    }
}

int JobStore::schemaVersion() const
{
    return guarded([&] {
        Statement v(*this, "PRAGMA user_version");
        v.step();
        return static_cast<int>(v.i64(0));
    });
}

std::int64_t JobStore::dataVersion() const
{
    return guarded([&] {
        Statement v(*this, "PRAGMA data_version");
        v.step();
        return v.i64(0) * 1000000 + sqlite3_total_changes(m_db);
    });
}

// --- projects ---------------------------------------------------------------------------

std::int64_t JobStore::createProject(const std::string& name, const std::string& modelPath,
                                     const std::string& settingsJson)
{
    return guarded([&] {
        Statement s(*this, "INSERT INTO projects(name, model_path, settings) VALUES(?,?,?)");
        s.bind(1, name).bind(2, modelPath).bind(3, settingsJson).run();
        return sqlite3_last_insert_rowid(m_db);
    });
}

void JobStore::updateProject(const Project& p)
{
    return guarded([&] {
        Statement s(*this, "UPDATE projects SET name=?, model_path=?, settings=?, "
                           "updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?");
        s.bind(1, p.name).bind(2, p.modelPath).bind(3, p.settings).bind(4, p.id).run();
    });
}

void JobStore::touchProject(std::int64_t id)
{
    return guarded([&] {
        Statement s(*this, "UPDATE projects SET updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?");
        s.bind(1, id).run();
    });
}

namespace {
constexpr const char* kProjectColumns = "id, name, model_path, settings, created_at, updated_at";
}

std::optional<JobStore::Project> JobStore::project(std::int64_t id) const
{
    return guarded([&]() -> std::optional<Project> {
        Statement s(*this, (std::string("SELECT ") + kProjectColumns + " FROM projects WHERE id=?").c_str());
        s.bind(1, id);
        if (!s.step())
            return std::nullopt;
        return Project{s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)};
    });
}

std::vector<JobStore::Project> JobStore::recentProjects(int limit) const
{
    return guarded([&] {
        Statement s(*this,
                    (std::string("SELECT ") + kProjectColumns + " FROM projects ORDER BY updated_at DESC, id DESC LIMIT ?")
                        .c_str());
        s.bind(1, limit);
        std::vector<Project> out;
        while (s.step())
            out.push_back({s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)});
        return out;
    });
}

std::int64_t JobStore::addDataset(std::int64_t projectId, const std::string& role, const std::string& specJson)
{
    return guarded([&] {
        Statement s(*this, "INSERT INTO datasets(project_id, role, spec) VALUES(?,?,?)");
        s.bind(1, projectId).bind(2, role).bind(3, specJson).run();
        return sqlite3_last_insert_rowid(m_db);
    });
}

std::vector<JobStore::Dataset> JobStore::datasets(std::int64_t projectId) const
{
    return guarded([&] {
        Statement s(*this, "SELECT id, project_id, role, spec FROM datasets WHERE project_id=? ORDER BY id");
        s.bind(1, projectId);
        std::vector<Dataset> out;
        while (s.step())
            out.push_back({s.i64(0), s.i64(1), s.text(2), s.text(3)});
        return out;
    });
}

std::int64_t JobStore::saveSelection(std::int64_t projectId, const std::string& name, const std::string& hash,
                                     const std::string& contentJson)
{
    return guarded([&] {
        Statement s(*this, "INSERT INTO selections(project_id, name, hash, content) VALUES(?,?,?,?)");
        s.bind(1, projectId).bind(2, name).bind(3, hash).bind(4, contentJson).run();
        return sqlite3_last_insert_rowid(m_db);
    });
}

std::vector<JobStore::Selection> JobStore::selections(std::int64_t projectId) const
{
    return guarded([&] {
        Statement s(*this, "SELECT id, project_id, name, hash, content, created_at FROM selections "
                           "WHERE project_id=? ORDER BY id DESC");
        s.bind(1, projectId);
        std::vector<Selection> out;
        while (s.step())
            out.push_back({s.i64(0), s.i64(1), s.text(2), s.text(3), s.text(4), s.text(5)});
        return out;
    });
}

// --- jobs -------------------------------------------------------------------------------

std::string JobStore::toString(JobState s)
{
    switch (s) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Paused: return "paused";
    case JobState::Succeeded: return "succeeded";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
    case JobState::Interrupted: return "interrupted";
    }
    return "unknown";
}

JobStore::JobState JobStore::jobStateFromString(const std::string& s)
{
    for (auto st : {JobState::Queued, JobState::Running, JobState::Paused, JobState::Succeeded, JobState::Failed,
                    JobState::Cancelled, JobState::Interrupted})
        if (toString(st) == s)
            return st;
    throw Error("Unknown job state '" + s + "' in the job store");
}

std::int64_t JobStore::startJob(const std::string& kind, const std::string& configJson, const std::string& outputDir,
                                std::optional<std::int64_t> projectId)
{
    return guarded([&] {
        Statement s(*this, "INSERT INTO jobs(project_id, kind, state, pid, host, config, output_dir, started_at, "
                           "updated_at) VALUES(?,?,?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%fZ','now'),"
                           "strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
        s.bind(1, projectId)
            .bind(2, kind)
            .bind(3, toString(JobState::Running))
            .bind(4, static_cast<std::int64_t>(::getpid()))
            .bind(5, hostName())
            .bind(6, configJson)
            .bind(7, outputDir)
            .run();
        return sqlite3_last_insert_rowid(m_db);
    });
}

void JobStore::setJobState(std::int64_t id, JobState state, const std::string& error, const std::string& errorKind)
{
    return guarded([&] {
        const bool final = state == JobState::Succeeded || state == JobState::Failed || state == JobState::Cancelled ||
                           state == JobState::Interrupted;
        Statement s(*this,
                    "UPDATE jobs SET state=?, error=?, error_kind=?, updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now'), "
                    "finished_at=CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%fZ','now') ELSE finished_at END, "
                    "progress=CASE WHEN ?='succeeded' THEN 1 ELSE progress END, "
                    // a finished job has no stage; a failed or killed one keeps where it stopped
                    "stage=CASE WHEN ?='succeeded' THEN '' ELSE stage END WHERE id=?");
        s.bind(1, toString(state))
            .bind(2, error)
            .bind(3, errorKind)
            .bind(4, final ? 1 : 0)
            .bind(5, toString(state))
            .bind(6, toString(state))
            .bind(7, id)
            .run();
    });
}

void JobStore::setJobProgress(std::int64_t id, double progress, const std::string& stage)
{
    return guarded([&] {
        Statement s(*this, "UPDATE jobs SET progress=?, stage=?, updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') "
                           "WHERE id=?");
        s.bind(1, progress).bind(2, stage).bind(3, id).run();
    });
}

void JobStore::claimJob(std::int64_t id)
{
    return guarded([&] {
        Statement s(*this, "UPDATE jobs SET state='running', pid=?, host=?, error='', error_kind='', finished_at='', "
                           "updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?");
        s.bind(1, static_cast<std::int64_t>(::getpid())).bind(2, hostName()).bind(3, id).run();
    });
}

namespace {
constexpr const char* kJobColumns = "id, project_id, kind, state, pid, host, config, output_dir, progress, stage, "
                                    "error, created_at, started_at, finished_at, updated_at, error_kind";
}

// The job in the current row of a statement that selects kJobColumns.
JobStore::Job JobStore::readJob(const Statement& s)
{
    Job j;
    j.id = s.i64(0);
    j.projectId = s.optI64(1);
    j.kind = s.text(2);
    j.state = jobStateFromString(s.text(3));
    j.pid = s.i64(4);
    j.host = s.text(5);
    j.config = s.text(6);
    j.outputDir = s.text(7);
    j.progress = s.f64(8);
    j.stage = s.text(9);
    j.error = s.text(10);
    j.createdAt = s.text(11);
    j.startedAt = s.text(12);
    j.finishedAt = s.text(13);
    j.updatedAt = s.text(14);
    j.errorKind = s.text(15);
    return j;
}

std::optional<JobStore::Job> JobStore::job(std::int64_t id) const
{
    return guarded([&]() -> std::optional<Job> {
        Statement s(*this, (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id=?").c_str());
        s.bind(1, id);
        if (!s.step())
            return std::nullopt;
        return readJob(s);
    });
}

std::vector<JobStore::Job> JobStore::jobsOf(const std::string& kind, std::int64_t projectId) const
{
    return guarded([&] {
        std::vector<Job> out;
        Statement s(*this,
                    (std::string("SELECT ") + kJobColumns + " FROM jobs WHERE kind=? AND project_id=? ORDER BY id DESC")
                        .c_str());
        s.bind(1, kind).bind(2, projectId);
        while (s.step())
            out.push_back(readJob(s));
        return out;
    });
}

std::vector<JobStore::Job> JobStore::jobs(int limit) const
{
    const std::vector<std::int64_t> ids = guarded([&] {
        std::vector<std::int64_t> out;
        Statement s(*this, "SELECT id FROM jobs ORDER BY id DESC LIMIT ?");
        s.bind(1, limit);
        while (s.step())
            out.push_back(s.i64(0));
        return out;
    });
    std::vector<Job> out;
    for (auto id : ids)
        if (auto j = job(id))
            out.push_back(std::move(*j));
    return out;
}

int JobStore::reconcileDeadJobs()
{
    return guarded([&] {
        const std::string host = hostName();
        std::vector<std::int64_t> dead;
        {
            Statement s(*this, "SELECT id, pid, host FROM jobs WHERE state IN ('running','paused')");
            while (s.step())
                if ((s.text(2) == host || s.text(2).empty()) && !processAlive(s.i64(1)))
                    dead.push_back(s.i64(0));
        }
        if (dead.empty())
            return 0;
        Transaction tx(*this);
        for (auto id : dead) {
            Statement u(*this, "UPDATE jobs SET state='interrupted', error='the process running this job ended "
                               "without finishing it', updated_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=? "
                               "AND state IN ('running','paused')");
            u.bind(1, id).run();
        }
        tx.commit();
        return static_cast<int>(dead.size());
    });
}

// --- metrics ----------------------------------------------------------------------------

void JobStore::addMetrics(std::int64_t jobId, const std::vector<Metric>& metrics)
{
    if (metrics.empty())
        return;
    guarded([&] {
        Transaction tx(*this);
        Statement s(*this, "INSERT INTO metrics(job_id, step, name, value, time) VALUES(?,?,?,?,?)");
        for (const auto& m : metrics) {
            s.bind(1, jobId).bind(2, m.step).bind(3, m.name).bind(4, m.value).bind(5, m.time);
            s.run();
            s.reset();
        }
        tx.commit();
    });
}

std::vector<JobStore::Metric> JobStore::metrics(std::int64_t jobId, const std::string& name,
                                                std::int64_t afterStep) const
{
    return guarded([&] {
        Statement s(*this, "SELECT step, name, value, time FROM metrics WHERE job_id=? AND (?='' OR name=?) AND step>? "
                           "ORDER BY step, id");
        s.bind(1, jobId).bind(2, name).bind(3, name).bind(4, afterStep);
        std::vector<Metric> out;
        while (s.step())
            out.push_back({s.i64(0), s.text(1), s.f64(2), s.f64(3)});
        return out;
    });
}

// --- rounds, submissions, merges ----------------------------------------------------------

std::int64_t JobStore::addRound(const Round& r)
{
    return guarded([&] {
        Statement s(*this, "INSERT INTO rounds(project_id, job_id, number, baseline_loss, new_loss, report) "
                           "VALUES(?,?,?,?,?,?)");
        s.bind(1, r.projectId)
            .bind(2, r.jobId)
            .bind(3, r.number)
            .bind(4, r.baselineLoss)
            .bind(5, r.newLoss)
            .bind(6, r.report)
            .run();
        return sqlite3_last_insert_rowid(m_db);
    });
}

std::vector<JobStore::Round> JobStore::rounds(std::optional<std::int64_t> projectId) const
{
    return guarded([&] {
        Statement s(*this, "SELECT id, project_id, job_id, number, baseline_loss, new_loss, report, created_at "
                           "FROM rounds WHERE (? IS NULL OR project_id=?) ORDER BY id");
        s.bind(1, projectId).bind(2, projectId);
        std::vector<Round> out;
        while (s.step())
            out.push_back(
                {s.i64(0), s.optI64(1), s.optI64(2), static_cast<int>(s.i64(3)), s.f64(4), s.f64(5), s.text(6), s.text(7)});
        return out;
    });
}

std::int64_t JobStore::addSubmission(const Submission& sub)
{
    return guarded([&] {
        Statement s(*this, "INSERT INTO submissions(round_id, hash, miner, path, verification, reason, base_loss, "
                           "new_loss, score, rank, weight, accepted) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
        std::optional<std::int64_t> rank;
        if (sub.rank)
            rank = *sub.rank;
        s.bind(1, sub.roundId)
            .bind(2, sub.hash)
            .bind(3, sub.miner)
            .bind(4, sub.path)
            .bind(5, sub.verification)
            .bind(6, sub.reason)
            .bind(7, sub.baseLoss)
            .bind(8, sub.newLoss)
            .bind(9, sub.score)
            .bind(10, rank)
            .bind(11, sub.weight)
            .bind(12, sub.accepted ? 1 : 0)
            .run();
        return sqlite3_last_insert_rowid(m_db);
    });
}

void JobStore::setSubmissionAccepted(std::int64_t id, bool accepted)
{
    return guarded([&] {
        Statement s(*this, "UPDATE submissions SET accepted=? WHERE id=?");
        s.bind(1, accepted ? 1 : 0).bind(2, id).run();
    });
}

std::vector<JobStore::Submission> JobStore::submissions(std::int64_t roundId) const
{
    return guarded([&] {
        Statement s(*this, "SELECT id, round_id, hash, miner, path, verification, reason, base_loss, new_loss, score, "
                           "rank, weight, accepted FROM submissions WHERE round_id=? ORDER BY id");
        s.bind(1, roundId);
        std::vector<Submission> out;
        while (s.step()) {
            Submission x;
            x.id = s.i64(0);
            x.roundId = s.i64(1);
            x.hash = s.text(2);
            x.miner = s.text(3);
            x.path = s.text(4);
            x.verification = s.text(5);
            x.reason = s.text(6);
            x.baseLoss = s.optF64(7);
            x.newLoss = s.optF64(8);
            x.score = s.optF64(9);
            if (auto r = s.optI64(10))
                x.rank = static_cast<int>(*r);
            x.weight = s.optF64(11);
            x.accepted = s.i64(12) != 0;
            out.push_back(std::move(x));
        }
        return out;
    });
}

std::int64_t JobStore::addMerge(const Merge& m)
{
    return guarded([&] {
        Statement s(*this, "INSERT INTO merges(project_id, job_id, output_path, report) VALUES(?,?,?,?)");
        s.bind(1, m.projectId).bind(2, m.jobId).bind(3, m.outputPath).bind(4, m.report).run();
        return sqlite3_last_insert_rowid(m_db);
    });
}

std::vector<JobStore::Merge> JobStore::merges(std::optional<std::int64_t> projectId) const
{
    return guarded([&] {
        Statement s(*this, "SELECT id, project_id, job_id, output_path, report, created_at FROM merges "
                           "WHERE (? IS NULL OR project_id=?) ORDER BY id");
        s.bind(1, projectId).bind(2, projectId);
        std::vector<Merge> out;
        while (s.step())
            out.push_back({s.i64(0), s.optI64(1), s.optI64(2), s.text(3), s.text(4), s.text(5)});
        return out;
    });
}

} // namespace teft
