#include "core/store/JobRecord.h"

#include <spdlog/spdlog.h>

namespace teft {

namespace {
double nowSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
} // namespace

JobRecord::JobRecord(const std::string& kind, const std::string& configJson, const std::string& outputDir,
                     std::optional<std::int64_t> projectId)
{
    try {
        m_store = JobStore::open(JobStore::defaultPath());
        m_id = m_store->startJob(kind, configJson, outputDir, projectId);
        spdlog::info("job {} ({}) started", m_id, kind);
    } catch (const std::exception& e) {
        spdlog::warn("job not recorded in the job store: {}", e.what());
        m_store.reset();
    }
}

JobRecord::JobRecord(std::int64_t existingJobId) : m_id(existingJobId)
{
    try {
        m_store = JobStore::open(JobStore::defaultPath());
        m_store->claimJob(m_id);
    } catch (const std::exception& e) {
        spdlog::warn("job {} not updated in the job store: {}", m_id, e.what());
        m_store.reset();
    }
}

JobRecord::~JobRecord()
{
    if (!m_finished)
        finish(std::uncaught_exceptions() > 0 ? JobStore::JobState::Failed : JobStore::JobState::Interrupted,
               std::uncaught_exceptions() > 0 ? "the job stopped on an error" : "");
}

void JobRecord::progress(double fraction, const std::string& stage)
{
    if (!m_store)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (now - m_lastWrite < std::chrono::milliseconds(250) && fraction < 1.0)
        return;
    m_lastWrite = now;
    try {
        m_store->setJobProgress(m_id, fraction, stage);
        flushMetrics();
    } catch (const std::exception& e) {
        spdlog::warn("job store: {}", e.what());
    }
}

void JobRecord::metric(std::int64_t step, const std::string& name, double value)
{
    if (!m_store)
        return;
    m_pending.push_back({step, name, value, nowSeconds()});
    if (m_pending.size() >= 64)
        flushMetrics();
}

void JobRecord::flushMetrics()
{
    if (!m_store || m_pending.empty())
        return;
    try {
        m_store->addMetrics(m_id, m_pending);
    } catch (const std::exception& e) {
        spdlog::warn("job store: {}", e.what());
    }
    m_pending.clear();
}

void JobRecord::succeed() { finish(JobStore::JobState::Succeeded, ""); }
void JobRecord::fail(const std::string& error, ErrorKind kind)
{
    finish(JobStore::JobState::Failed, error, errorKindName(kind));
}
void JobRecord::cancelled() { finish(JobStore::JobState::Cancelled, "cancelled by the user"); }

void JobRecord::finish(JobStore::JobState state, const std::string& error, const std::string& errorKind)
{
    m_finished = true;
    if (!m_store)
        return;
    try {
        flushMetrics();
        m_store->setJobState(m_id, state, error, errorKind);
    } catch (const std::exception& e) {
        spdlog::warn("job store: {}", e.what());
    }
}

JobControl::ProgressFn JobRecord::wrap(JobControl::ProgressFn inner)
{
    return [this, inner = std::move(inner)](const JobControl::Progress& p) {
        if (p.total > 0)
            progress(static_cast<double>(p.done) / static_cast<double>(p.total), p.stage);
        if (inner)
            inner(p);
    };
}

} // namespace teft
