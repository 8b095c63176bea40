#include "core/teft/ProofOfLossScorer.h"

#include "core/util/Error.h"
#include "core/util/ErrorKind.h"
#include "core/util/Progress.h"

#include <algorithm>
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
    j["paired"] = paired.toJson();
    return j;
}

ProofOfLossScorer::ProofOfLossScorer(LossWithUpdateFn lossFn) : m_lossFn(std::move(lossFn)) {}

ProofOfLossScorer::ProofOfLossScorer(LossWithUpdateFn lossFn, Settings settings)
    : m_lossFn(std::move(lossFn)), m_settings(settings)
{
    checkConfidence(m_settings.confidence);
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

BatchLosses ProofOfLossScorer::baseline(JobControl& control)
{
    control.checkpoint();
    BatchLosses base;
    try {
        base = m_lossFn(nullptr, control);
        base.check("The baseline losses");
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        // Keeps the cause's kind: running out of memory here needs the same advice as anywhere.
        throw Error(std::string("Cannot evaluate the baseline loss: ") + e.what(), errorKindOf(e));
    }
    if (!std::isfinite(base.mean()))
        throw NonFiniteError("The baseline loss is not finite on any held-out batch; no submission can be scored");
    return base;
}

CandidateLoss ProofOfLossScorer::evaluate(const std::string& id, const std::function<TensorMap()>& load,
                                          const BatchLosses& base, JobControl& control)
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
            c.batches = m_lossFn(&delta, child);
            c.paired = pairedScore(base, c.batches, m_settings.confidence); // Error: other batches
            c.loss = c.paired.batches > 0 ? base.mean() - c.paired.gain : std::numeric_limits<double>::quiet_NaN();
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
        c.paired = PairedScore{};
        c.error = "evaluation ran past the time-out of " + std::to_string(m_settings.timeoutSeconds) + " s";
    }
    if (c.ok && !std::isfinite(c.loss))
        c.error = "the loss with this update is not finite on any held-out batch";
    return c;
}

ProofOfLossScorer::Result ProofOfLossScorer::scoreAll(const std::vector<std::string>& ids, const UpdateLoader& load,
                                                      JobControl& control)
{
    Result r;
    control.report(0, static_cast<std::int64_t>(ids.size()) + 1, "scoring", "baseline");
    r.baseline = baseline(control);
    r.baselineLoss = r.baseline.mean();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        control.report(static_cast<std::int64_t>(i) + 1, static_cast<std::int64_t>(ids.size()) + 1, "scoring", ids[i]);
        r.candidates.push_back(evaluate(
            ids[i], [&] { return load(i); }, r.baseline, control));
    }
    const auto n = r.candidates.size();
    r.scores.assign(n, 0.0);
    r.tiedWith.assign(n, {});
    auto scored = [&](std::size_t i) { return r.candidates[i].ok && r.candidates[i].error.empty(); };
    for (std::size_t i = 0; i < n; ++i) {
        if (!scored(i))
            continue;
        const auto& p = r.candidates[i].paired;
        if (p.significant)
            r.scores[i] = std::max(0.0, p.gain);
        for (std::size_t j = i + 1; j < n; ++j)
            if (scored(j) &&
                tiedWithinNoise(r.baseline, r.candidates[i].batches, r.candidates[j].batches, m_settings.confidence)) {
                r.tiedWith[i].push_back(j);
                r.tiedWith[j].push_back(i);
            }
    }
    return r;
}

} // namespace teft
