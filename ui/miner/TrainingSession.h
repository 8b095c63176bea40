#pragma once

#include "core/util/Error.h"
#include "ui/miner/TrainingMetrics.h"
#include "ui/miner/TrainingSettings.h"

#include <QObject>
#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

namespace teft::ui {

// The dashboard's view of a local training run. The work happens off the GUI thread; all
// signals are emitted in the session's (GUI) thread. The engine's MinerJob is adapted to this
// interface; the demo session simulates one.
//
// Workers report steps with postStep() from their own thread. Steps are queued and handed to
// the GUI thread in batches, at most one posted event per MinDeliveryIntervalMs: a trainer
// doing a thousand steps a second must not flood the GUI event queue (queued events would
// starve the GUI's timers and repaints).
class TrainingSession : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Paused, Finished, Failed, Cancelled };
    Q_ENUM(State)

    using QObject::QObject;

    State state() const { return m_state; }

    virtual void start(const TrainingSettings& settings) = 0;
    virtual void pause() = 0;
    virtual void resume() = 0;
    virtual void cancel() = 0;

    static constexpr int MinDeliveryIntervalMs = 20;

Q_SIGNALS:
    // One inner step; a row at step 0 with only a validationLoss (loss, learning rate and
    // tokens/s NaN) is the held-out loss before training.
    void step(const teft::ui::TrainingMetrics& metrics);
    void finished(const teft::ui::TrainingResult& result);
    // The engine's message and its kind, from which the dashboard picks its advice.
    void failed(const QString& message, teft::ErrorKind kind);
    void stateChanged(teft::ui::TrainingSession::State state);
    // What the session is doing before or between steps ("loading", "tokenizing",
    // "validating"; the engine's stage words, see ui/engine/StageNames.h).
    void stageChanged(const QString& stage);

protected:
    // Any thread: queue one step for delivery as step() in the session's thread.
    void postStep(const TrainingMetrics& metrics);
    // Session thread: emit every queued step now (before finished / failed / cancelled).
    void deliverSteps();
    // Any thread: emit stageChanged(stage) in the session's thread.
    void postStage(const QString& stage);

    void setState(State state)
    {
        if (state == m_state)
            return;
        m_state = state;
        Q_EMIT stateChanged(state);
    }

private:
    State m_state = State::Idle;
    std::mutex m_queueMutex;
    std::vector<TrainingMetrics> m_queue;
    std::atomic<bool> m_deliveryPosted{false};
    std::chrono::steady_clock::time_point m_lastPost{};
};

} // namespace teft::ui
