#include "core/teft/ProofOfLossScorer.h"

#include "core/teft/Aggregation.h"
#include "core/util/Error.h"
#include "core/util/ErrorKind.h"
#include "core/util/Progress.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace teft {
using Clock = std::chrono::steady_clock;

nlohmann::json CandidateLoss::toJson() const
{
    nlohmann::json j{{"id", id}, {"ok", ok}, {"timed_out", timedOut}, {"error", error}, {"seconds", seconds}};
    j["loss"] = std::isfinite(loss) ? nlohmann::json(loss) : nlohmann::json(nullptr);
    return j;
}

ProofOfLossScorer::ProofOfLossScorer(LossWithUpdateFn lossFn) : m_lossFn(std::move(lossFn)) {}

ProofOfLossScorer::ProofOfLossScorer(LossWithUpdateFn lossFn, Settings settings)
    : m_lossFn(std::move(lossFn)), m_settings(settings)
{
}

namespace {
// Runs fn with a child control that is cancelled when the parent is, or when the active
// (unpaused) time passes the limit.
class Watchdog {
public:
    Watchdog(JobControl& parent, JobControl& child, double limitSeconds)
        : m_parent(parent), m_child(child), m_limit(limitSeconds)
    {
        m_thread = std::thread([this] { run(); });
    }
    ~Watchdog()
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        m_thread.join();
    }
    bool timedOut() const { return m_timedOut.load(); }

private:
    void run()
    {
        double active = 0.0;
        auto last = Clock::now();
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_stop) {
            m_cv.wait_for(lock, std::chrono::milliseconds(10));
            const auto now = Clock::now();
            const bool paused = m_parent.paused();
            if (!paused)
                active += std::chrono::duration<double>(now - last).count();
            last = now;
            m_child.setPaused(paused);
            if (m_parent.cancelRequested())
                m_child.requestCancel();
            if (m_limit > 0 && active > m_limit && !m_timedOut) {
                m_timedOut = true;
                m_child.requestCancel();
            }
        }
    }

    JobControl& m_parent;
    JobControl& m_child;
    double m_limit;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stop = false;
    std::atomic<bool> m_timedOut{false};
    std::thread m_thread;
};
} // namespace

double ProofOfLossScorer::baseline(JobControl& control)
{
    control.checkpoint();
    double loss = 0.0;
    try {
        loss = m_lossFn(nullptr, control);
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        // Keeps the cause's kind: running out of memory here needs the same advice as anywhere.
        throw Error(std::string("Cannot evaluate the baseline loss: ") + e.what(), errorKindOf(e));
    }
    if (!std::isfinite(loss))
        throw NonFiniteError("The baseline loss is not finite; no submission can be scored");
    return loss;
}

CandidateLoss ProofOfLossScorer::evaluate(const std::string& id, const std::function<TensorMap()>& load,
                                          JobControl& control)
{
    control.checkpoint();
    CandidateLoss c;
    c.id = id;
    const auto start = Clock::now();
    JobControl child(
        [&control](const JobControl::Progress& p) { control.report(p.done, p.total, p.stage, p.message); });
    bool timedOut = false;
    try {
        Watchdog dog(control, child, m_settings.timeoutSeconds);
        try {
            const TensorMap delta = load();
            child.checkpoint();
            c.loss = m_lossFn(&delta, child);
            c.ok = true;
        } catch (const Cancelled&) {
            if (!dog.timedOut())
                throw;
        } catch (const std::exception& e) {
            c.error = e.what();
        }
        timedOut = dog.timedOut();
    } catch (const Cancelled&) {
        control.checkpoint(); // the parent asked: propagate
        throw;
    }
    c.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (timedOut) {
        c.ok = false;
        c.timedOut = true;
        c.loss = std::numeric_limits<double>::quiet_NaN();
        c.error = "evaluation ran past the time-out of " + std::to_string(m_settings.timeoutSeconds) + " s";
    }
    if (c.ok && !std::isfinite(c.loss))
        c.error = "the loss with this update is not finite";
    return c;
}

ProofOfLossScorer::Result ProofOfLossScorer::scoreAll(const std::vector<std::string>& ids, const UpdateLoader& load,
                                                      JobControl& control)
{
    Result r;
    control.report(0, static_cast<std::int64_t>(ids.size()) + 1, "scoring", "baseline");
    r.baselineLoss = baseline(control);
    std::vector<double> losses;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        control.report(static_cast<std::int64_t>(i) + 1, static_cast<std::int64_t>(ids.size()) + 1, "scoring", ids[i]);
        CandidateLoss c = evaluate(
            ids[i], [&] { return load(i); }, control);
        losses.push_back(c.ok ? c.loss : std::numeric_limits<double>::quiet_NaN());
        r.candidates.push_back(std::move(c));
    }
    r.scores = proofOfLossScores(r.baselineLoss, losses);
    return r;
}

} // namespace teft
