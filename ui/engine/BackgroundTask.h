#pragma once

#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace teft::ui {

// Runs one engine call on a worker thread with a JobControl, for the pages that start engine
// work (identification, validation, merge, training): the GUI's one way to work off the GUI
// thread. The work returns a continuation that is
// run on the GUI thread when it succeeded (to hand results to widgets without sharing state
// across threads). Progress is forwarded as a queued signal, coalesced: at most one event is
// in the GUI queue at a time, so a chatty engine never floods the event loop. The destructor
// cancels the work and waits for it (the engine stops at its next checkpoint()).
class BackgroundTask : public QObject {
    Q_OBJECT
public:
    using Continuation = std::function<void()>;
    using Work = std::function<Continuation(JobControl& control)>;

    explicit BackgroundTask(QObject* parent = nullptr);
    ~BackgroundTask() override;

    bool isRunning() const { return m_running; }
    // Starts the work; false (and nothing started) when a previous one is still running.
    bool start(Work work);
    void cancel();
    // Cancels the work and waits for its thread (the owner's members the work uses may go away
    // next); the end of the work is still reported later, as cancelled() or failed().
    void cancelAndWait();
    void setPaused(bool paused);
    bool isPaused() const;

Q_SIGNALS:
    void started();
    void progress(qint64 done, qint64 total, const QString& stage);
    void succeeded();
    // The exception's message and its kind (teft::errorKindOf), from which a page picks its
    // advice (ui/shell/ErrorAdvice.h); never Cancelled (that is cancelled()).
    void failed(const QString& message, teft::ErrorKind kind);
    void cancelled();
    // After any of succeeded(), failed() or cancelled(); isRunning() is false by then.
    void finished();

private:
    void deliverProgress();
    void complete(Continuation then, const QString& error, ErrorKind kind, bool wasCancelled);
    void join();

    std::thread m_thread;
    std::shared_ptr<JobControl> m_control;
    bool m_running = false;
    std::mutex m_progressMutex;
    JobControl::Progress m_latest;
    std::atomic<bool> m_progressPosted{false};
};

} // namespace teft::ui
