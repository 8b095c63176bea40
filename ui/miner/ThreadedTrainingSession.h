#pragma once

#include "core/util/Progress.h"
#include "ui/miner/TrainingSession.h"

#include <functional>

namespace teft::ui {

class BackgroundTask;

// A training session whose work runs on a BackgroundTask (the GUI's one worker mechanism):
// pause, resume and cancel go through the task's JobControl (the work stops only at its
// checkpoints, so a run is always left consistent), and the end of the work becomes the
// session's state on its own thread. Stage words the work reports through the JobControl
// (control.report(..., stage)) become stageChanged().
class ThreadedTrainingSession : public TrainingSession {
    Q_OBJECT
public:
    explicit ThreadedTrainingSession(QObject* parent = nullptr);
    ~ThreadedTrainingSession() override;

    void pause() override;
    void resume() override;
    void cancel() override;

protected:
    using Body = std::function<TrainingResult(JobControl& control)>;
    // Runs `body` on the worker thread; the state becomes Running. Its result finishes the
    // session, teft::Cancelled cancels it, any other exception fails it with the exception's
    // message; queued steps are delivered first in every case.
    void launch(Body body);
    // Cancels the work and waits for it. Derived destructors call it first: the work may use
    // their members.
    void stopAndJoin();
    // A failure before any work started.
    void failNow(const QString& message, ErrorKind kind = ErrorKind::General);

private:
    void end(State state, const QString& message, ErrorKind kind = ErrorKind::General);

    BackgroundTask* m_task;
    TrainingResult m_result;
    QString m_lastStage;
};

} // namespace teft::ui
