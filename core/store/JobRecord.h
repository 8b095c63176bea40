#pragma once

#include "core/store/JobStore.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <chrono>
#include <memory>
#include <string>

namespace teft {

// Records one run of a long job in the job store for its whole life: created Running when
// constructed, progress throttled to a few writes per second, and a final state that follows
// how the scope was left — succeed() / fail(msg) / Cancelled / an exception (Failed) /
// destroyed without either (Interrupted, e.g. a crash unwinding). A job store that cannot be
// opened (read-only disk) must not stop the work: the record then only logs a warning.
class JobRecord {
public:
    JobRecord(const std::string& kind, const std::string& configJson, const std::string& outputDir,
              std::optional<std::int64_t> projectId = std::nullopt);
    // Resume an interrupted job: the same row becomes Running under this process.
    JobRecord(std::int64_t existingJobId);
    // Records nothing (id 0): the ranks other than 0 of a data-parallel job, which rank 0 records.
    struct Unrecorded {};
    explicit JobRecord(Unrecorded) {}
    ~JobRecord();
    JobRecord(const JobRecord&) = delete;
    JobRecord& operator=(const JobRecord&) = delete;

    std::int64_t id() const { return m_id; }
    JobStore* store() { return m_store.get(); }

    void progress(double fraction, const std::string& stage);
    void metric(std::int64_t step, const std::string& name, double value);
    void flushMetrics();
    void succeed();
    // kind: recorded as errorKindName(kind) (the job's errorKind).
    void fail(const std::string& error, ErrorKind kind = ErrorKind::General);
    void cancelled();

    // Wraps a JobControl's progress callback so progress also lands in the store.
    JobControl::ProgressFn wrap(JobControl::ProgressFn inner);

private:
    void finish(JobStore::JobState state, const std::string& error, const std::string& errorKind = {});
    std::unique_ptr<JobStore> m_store;
    std::int64_t m_id = 0;
    bool m_finished = false;
    std::vector<JobStore::Metric> m_pending;
    std::chrono::steady_clock::time_point m_lastWrite{};
};

} // namespace teft
