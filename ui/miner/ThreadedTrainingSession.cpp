#include "ui/miner/ThreadedTrainingSession.h"

#include "ui/engine/BackgroundTask.h"

namespace teft::ui {

ThreadedTrainingSession::ThreadedTrainingSession(QObject* parent)
    : TrainingSession(parent), m_task(new BackgroundTask(this))
{
    connect(m_task, &BackgroundTask::progress, this, [this](qint64, qint64, const QString& stage) {
        if (!stage.isEmpty() && stage != m_lastStage) {
            m_lastStage = stage;
            Q_EMIT stageChanged(stage);
        }
    });
    connect(m_task, &BackgroundTask::succeeded, this, [this] { end(State::Finished, {}); });
    connect(m_task, &BackgroundTask::cancelled, this, [this] { end(State::Cancelled, {}); });
    connect(m_task, &BackgroundTask::failed, this,
            [this](const QString& message, ErrorKind kind) { end(State::Failed, message, kind); });
}

ThreadedTrainingSession::~ThreadedTrainingSession() { stopAndJoin(); }

void ThreadedTrainingSession::stopAndJoin() { m_task->cancelAndWait(); }

void ThreadedTrainingSession::launch(Body body)
{
    m_result = {};
    m_lastStage.clear();
    if (!m_task->start([this, body = std::move(body)](JobControl& control) -> BackgroundTask::Continuation {
            TrainingResult result = body(control);
            return [this, result] { m_result = result; };
        }))
        return; // the previous run has not ended yet
    setState(State::Running);
}

void ThreadedTrainingSession::end(State state, const QString& message, ErrorKind kind)
{
    deliverSteps();
    setState(state);
    if (state == State::Finished)
        Q_EMIT finished(m_result);
    else if (state == State::Failed)
        Q_EMIT failed(message, kind);
}

void ThreadedTrainingSession::failNow(const QString& message, ErrorKind kind) { end(State::Failed, message, kind); }

void ThreadedTrainingSession::pause()
{
    if (state() != State::Running || !m_task->isRunning())
        return;
    m_task->setPaused(true);
    setState(State::Paused);
}

void ThreadedTrainingSession::resume()
{
    if (state() != State::Paused || !m_task->isRunning())
        return;
    m_task->setPaused(false);
    setState(State::Running);
}

void ThreadedTrainingSession::cancel()
{
    if ((state() != State::Running && state() != State::Paused) || !m_task->isRunning())
        return;
    m_task->cancel();
}

} // namespace teft::ui
