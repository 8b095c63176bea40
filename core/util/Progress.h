#pragma once

#include "core/util/Error.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace teft {

// What a long-running engine call needs from whoever runs it: a way to report progress and a
// way to be told to stop (or pause). The CLI prints progress on stderr and cancels on Ctrl-C;
// the GUI forwards progress through queued signals and cancels from a button. Engine code
// calls checkpoint() between units of work; it throws teft::Cancelled when asked to stop.
class JobControl {
public:
    struct Progress {
        std::int64_t done = 0;
        std::int64_t total = 0; // 0 when unknown
        std::string stage;      // short, e.g. "tokenizing", "training"
        std::string message;    // optional detail
    };
    using ProgressFn = std::function<void(const Progress&)>;

    JobControl() = default;
    explicit JobControl(ProgressFn fn) : m_progress(std::move(fn)) {}

    void setProgressCallback(ProgressFn fn) { m_progress = std::move(fn); }

    void requestCancel() { m_cancel.store(true); }
    bool cancelRequested() const { return m_cancel.load(); }
    void setPaused(bool paused) { m_paused.store(paused); }
    bool paused() const { return m_paused.load(); }

    // Throws Cancelled if a stop was requested; blocks while paused.
    void checkpoint() const
    {
        while (m_paused.load() && !m_cancel.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (m_cancel.load())
            throw Cancelled();
    }

    void report(std::int64_t done, std::int64_t total, const std::string& stage, const std::string& message = {}) const
    {
        if (m_progress)
            m_progress(Progress{done, total, stage, message});
    }

private:
    ProgressFn m_progress;
    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_paused{false};
};

} // namespace teft
