#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace teft {

// The job store: one SQLite database in the data directory shared by the CLI and the GUI.
// WAL mode (readers never block the writer), foreign keys on, versioned migrations applied
// when opened. A database written by a newer version, or a file that is not a TEFT Studio
// database, is refused with a clear error and never modified.
//
// Thread-safety: one connection per JobStore, guarded by a mutex; open one JobStore per
// thread or share one. Several processes may open the same file at once (the GUI, any number of
// `teft` commands): each write is one short transaction that waits for the others (busy
// timeout), nothing outside SQLite ever opens the file while a connection of this process is
// open (closing such a descriptor would drop this process's POSIX locks, and another process
// would then delete the WAL under it), the WAL and its index persist when a connection closes,
// and a connection that fails with an I/O or "not a database" error is reopened and the
// operation retried once.
class JobStore {
public:
    static constexpr int kSchemaVersion = 3;

    // Opens (creating if absent) and migrates. Throws teft::Error.
    static std::unique_ptr<JobStore> open(const std::filesystem::path& file);
    // <dataDir>/teft.db
    static std::filesystem::path defaultPath();
    ~JobStore();

    int schemaVersion() const;
    const std::filesystem::path& path() const { return m_path; }

    // --- projects ---------------------------------------------------------------------
    struct Project {
        std::int64_t id = 0;
        std::string name;
        std::string modelPath;
        std::string settings; // JSON
        std::string createdAt;
        std::string updatedAt;
    };
    std::int64_t createProject(const std::string& name, const std::string& modelPath,
                               const std::string& settingsJson = "{}");
    void updateProject(const Project& project);
    std::optional<Project> project(std::int64_t id) const;
    // Most recently updated first.
    std::vector<Project> recentProjects(int limit = 20) const;
    void touchProject(std::int64_t id);

    struct Dataset {
        std::int64_t id = 0;
        std::int64_t projectId = 0;
        std::string role; // "target", "reference", "eval"
        std::string spec; // JSON
    };
    std::int64_t addDataset(std::int64_t projectId, const std::string& role, const std::string& specJson);
    std::vector<Dataset> datasets(std::int64_t projectId) const;

    // --- expert selections ------------------------------------------------------------
    struct Selection {
        std::int64_t id = 0;
        std::int64_t projectId = 0;
        std::string name;
        std::string hash;
        std::string content; // JSON
        std::string createdAt;
    };
    std::int64_t saveSelection(std::int64_t projectId, const std::string& name, const std::string& hash,
                               const std::string& contentJson);
    std::vector<Selection> selections(std::int64_t projectId) const;

    // --- jobs -------------------------------------------------------------------------
    enum class JobState { Queued, Running, Paused, Succeeded, Failed, Cancelled, Interrupted };
    static std::string toString(JobState s);
    static JobState jobStateFromString(const std::string& s);

    struct Job {
        std::int64_t id = 0;
        std::optional<std::int64_t> projectId;
        std::string kind; // "identify", "train", "validate", "merge", "eval", "demo", ...
        JobState state = JobState::Queued;
        std::int64_t pid = 0;
        std::string host;
        std::string config; // JSON
        std::string outputDir;
        double progress = 0; // 0..1
        std::string stage;
        std::string error;
        std::string errorKind; // errorKindName() of the failure ("out-of-memory"...); empty otherwise
        std::string createdAt, startedAt, finishedAt, updatedAt;
    };
    // Creates a job owned by this process (pid, host), state Running.
    std::int64_t startJob(const std::string& kind, const std::string& configJson, const std::string& outputDir,
                          std::optional<std::int64_t> projectId = std::nullopt);
    void setJobState(std::int64_t id, JobState state, const std::string& error = {}, const std::string& errorKind = {});
    void setJobProgress(std::int64_t id, double progress, const std::string& stage);
    // Marks a resumed job as running again under this process.
    void claimJob(std::int64_t id);
    std::optional<Job> job(std::int64_t id) const;
    std::vector<Job> jobs(int limit = 200) const;
    // The jobs of one kind recorded for one project, newest first (filtered by the store, so a
    // data folder with many projects and jobs reads only these).
    std::vector<Job> jobsOf(const std::string& kind, std::int64_t projectId) const;
    // Jobs left Running/Paused by a process that no longer exists -> Interrupted. Returns how many.
    // Called by open(); public for tests and for periodic GUI refresh.
    int reconcileDeadJobs();

    // --- metrics ----------------------------------------------------------------------
    struct Metric {
        std::int64_t step = 0;
        std::string name;
        double value = 0;
        double time = 0; // seconds since epoch
    };
    void addMetrics(std::int64_t jobId, const std::vector<Metric>& metrics); // one transaction
    std::vector<Metric> metrics(std::int64_t jobId, const std::string& name = {}, std::int64_t afterStep = -1) const;

    // --- rounds, submissions, merges --------------------------------------------------
    struct Round {
        std::int64_t id = 0;
        std::optional<std::int64_t> projectId;
        std::optional<std::int64_t> jobId;
        int number = 0;
        double baselineLoss = 0;
        double newLoss = 0;
        std::string report; // JSON
        std::string createdAt;
    };
    std::int64_t addRound(const Round& round);
    std::vector<Round> rounds(std::optional<std::int64_t> projectId = std::nullopt) const;

    struct Submission {
        std::int64_t id = 0;
        std::int64_t roundId = 0;
        std::string hash;
        std::string miner;
        std::string path;
        std::string verification; // "ok" or a reason code
        std::string reason;       // sentence
        std::optional<double> baseLoss, newLoss, score, weight;
        std::optional<int> rank;
        bool accepted = false;
    };
    std::int64_t addSubmission(const Submission& submission);
    void setSubmissionAccepted(std::int64_t id, bool accepted);
    std::vector<Submission> submissions(std::int64_t roundId) const;

    struct Merge {
        std::int64_t id = 0;
        std::optional<std::int64_t> projectId;
        std::optional<std::int64_t> jobId;
        std::string outputPath;
        std::string report; // JSON
        std::string createdAt;
    };
    std::int64_t addMerge(const Merge& merge);
    std::vector<Merge> merges(std::optional<std::int64_t> projectId = std::nullopt) const;

    // Change counter (PRAGMA data_version + own writes): the GUI polls it to refresh views
    // when another process (the CLI) writes.
    std::int64_t dataVersion() const;
    // How many times this store reopened a lost connection (for the log and tests).
    int reconnects() const;

private:
    explicit JobStore(std::filesystem::path path);
    void migrate();
    class Statement;
    class Transaction;
    static Job readJob(const Statement& s);
    friend class Statement;
    friend class Transaction;
    void exec(const std::string& sql) const;
    // Opens m_db (sqlite3_open_v2, busy timeout, WAL, persistent WAL). Throws teft::Error.
    void connect() const;
    // Runs fn under the mutex; when the connection was lost (an I/O error, the file replaced or
    // its WAL deleted under it), reopens it and runs fn once more.
    template <typename Fn>
    auto guarded(Fn&& fn) const -> decltype(fn());

    std::filesystem::path m_path;
    mutable sqlite3* m_db = nullptr;
    mutable int m_reconnects = 0;
    std::string m_registryKey; // this process's open stores per file: see open()
    mutable std::recursive_mutex m_mutex;
};

} // namespace teft
