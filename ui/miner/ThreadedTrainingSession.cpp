#include "ui/miner/ThreadedTrainingSession.h"

#include <QMetaObject>
#include <spdlog/spdlog.h>

namespace teft::ui {

ThreadedTrainingSession::~ThreadedTrainingSession()
{
    stopAndJoin();
}

void ThreadedTrainingSession::stopAndJoin()
{
    if (m_control)
        m_control->requestCancel();
    if (m_thread.joinable())
        m_thread.join();
}

void ThreadedTrainingSession::launch(Body body, JobControl::ProgressFn progress)
{
    if (m_thread.joinable())
        m_thread.join(); // the previous run has ended (its end was queued before we got here)
    m_control = std::make_unique<JobControl>();
    if (progress)
        m_control->setProgressCallback(std::move(progress));
    setState(State::Running);
    m_thread = std::thread([this, body = std::move(body)] {
        JobControl& control = *m_control;
        try {
            const TrainingResult result = body(control);
            QMetaObject::invokeMethod(this, [this, result] { end(State::Finished, result, {}); }, Qt::QueuedConnection);
        } catch (const Cancelled&) {
            QMetaObject::invokeMethod(this, [this] { end(State::Cancelled, {}, {}); }, Qt::QueuedConnection);
        } catch (const std::exception& e) {
            const QString message = QString::fromUtf8(e.what());
            spdlog::error("training failed: {}", e.what());
            QMetaObject::invokeMethod(this, [this, message] { end(State::Failed, {}, message); }, Qt::QueuedConnection);
        }
    });
}

void ThreadedTrainingSession::end(State state, const TrainingResult& result, const QString& message)
{
    deliverSteps();
    setState(state);
    if (state == State::Finished)
        Q_EMIT finished(result);
    else if (state == State::Failed)
        Q_EMIT failed(message);
}

void ThreadedTrainingSession::failNow(const QString& message)
{
    end(State::Failed, {}, message);
}

void ThreadedTrainingSession::pause()
{
    if (state() != State::Running || !m_control)
        return;
    m_control->setPaused(true);
    setState(State::Paused);
}

void ThreadedTrainingSession::resume()
{
    if (state() != State::Paused || !m_control)
        return;
    m_control->setPaused(false);
    setState(State::Running);
}

void ThreadedTrainingSession::cancel()
{
    if ((state() != State::Running && state() != State::Paused) || !m_control)
        return;
    m_control->requestCancel();
}

} // namespace teft::ui
