#pragma once

#include "core/util/Progress.h"
#include "ui/miner/TrainingSession.h"

#include <functional>
#include <memory>
#include <thread>

namespace teft::ui {

// A training session whose work runs on one worker thread with a JobControl: pause, resume and
// cancel go through the control (the work stops only at its checkpoints, so a run is always
// left consistent), and the end of the work becomes the session's state on its own thread.
class ThreadedTrainingSession : public TrainingSession {
    Q_OBJECT
public:
    using TrainingSession::TrainingSession;
    ~ThreadedTrainingSession() override;

    void pause() override;
    void resume() override;
    void cancel() override;

protected:
    using Body = std::function<TrainingResult(JobControl& control)>;
    // Runs `body` on a worker thread with a fresh JobControl; the state becomes Running. Its
    // result finishes the session, teft::Cancelled cancels it, any other exception fails it with
    // the exception's message; queued steps are delivered first in every case.
    void launch(Body body, JobControl::ProgressFn progress = {});
    // Cancels the work and waits for it. Derived destructors call it first: the work may use
    // their members.
    void stopAndJoin();
    // A failure before any work started.
    void failNow(const QString& message);

private:
    void end(State state, const TrainingResult& result, const QString& message);

    std::thread m_thread;
    std::unique_ptr<JobControl> m_control;
};

} // namespace teft::ui
