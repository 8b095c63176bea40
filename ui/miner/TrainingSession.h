#pragma once

#include "ui/miner/TrainingMetrics.h"
#include "ui/miner/TrainingSettings.h"

#include <QObject>

namespace teft::ui {

// The dashboard's view of a local training run. The work happens off the GUI thread; signals
// arrive queued in the GUI thread. The engine's MinerJob is adapted to this interface; the
// demo session simulates one.
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

Q_SIGNALS:
    void step(const teft::ui::TrainingMetrics& metrics);
    void finished(const teft::ui::TrainingResult& result);
    void failed(const QString& message);
    void stateChanged(teft::ui::TrainingSession::State state);

protected:
    void setState(State state)
    {
        if (state == m_state)
            return;
        m_state = state;
        Q_EMIT stateChanged(state);
    }

private:
    State m_state = State::Idle;
};

} // namespace teft::ui
