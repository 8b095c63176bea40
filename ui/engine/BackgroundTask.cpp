#include "ui/engine/BackgroundTask.h"

#include "core/util/ErrorKind.h"

#include <QMetaObject>
#include <spdlog/spdlog.h>

namespace teft::ui {

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {}

BackgroundTask::~BackgroundTask() { cancelAndWait(); }

void BackgroundTask::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

bool BackgroundTask::start(Work work)
{
    if (m_running)
        return false;
    join();
    m_control = std::make_shared<JobControl>();
    m_control->setProgressCallback([this](const JobControl::Progress& p) {
        {
            std::lock_guard lock(m_progressMutex);
            m_latest = p;
        }
        if (!m_progressPosted.exchange(true))
            QMetaObject::invokeMethod(
                this, [this] { deliverProgress(); }, Qt::QueuedConnection);
    });
    m_running = true;
    Q_EMIT started();
    m_thread = std::thread([this, work = std::move(work), control = m_control] {
        Continuation then;
        QString error;
        ErrorKind kind = ErrorKind::General;
        bool wasCancelled = false;
        try {
            then = work(*control);
        } catch (const Cancelled&) {
            wasCancelled = true;
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
            kind = errorKindOf(e);
            if (error.isEmpty())
                error = QStringLiteral("unknown error");
        } catch (...) {
            error = QStringLiteral("unknown error");
        }
        QMetaObject::invokeMethod(
            this,
            [this, then = std::move(then), error, kind, wasCancelled] { complete(then, error, kind, wasCancelled); },
            Qt::QueuedConnection);
    });
    return true;
}

void BackgroundTask::deliverProgress()
{
    JobControl::Progress p;
    {
        std::lock_guard lock(m_progressMutex);
        p = m_latest;
    }
    m_progressPosted.store(false);
    if (m_running)
        Q_EMIT progress(p.done, p.total, QString::fromStdString(p.stage));
}

void BackgroundTask::complete(Continuation then, const QString& error, ErrorKind kind, bool wasCancelled)
{
    join();
    m_running = false;
    if (wasCancelled) {
        Q_EMIT cancelled();
    } else if (!error.isEmpty()) {
        spdlog::error("{}", error.toStdString());
        Q_EMIT failed(error, kind);
    } else {
        QString continuationError;
        ErrorKind continuationKind = ErrorKind::General;
        try {
            if (then)
                then();
        } catch (const std::exception& e) {
            continuationError = QString::fromUtf8(e.what());
            continuationKind = errorKindOf(e);
        }
        if (continuationError.isEmpty())
            Q_EMIT succeeded();
        else
            Q_EMIT failed(continuationError, continuationKind);
    }
    Q_EMIT finished();
}

void BackgroundTask::cancel()
{
    if (m_running && m_control)
        m_control->requestCancel();
}

void BackgroundTask::cancelAndWait()
{
    if (m_control)
        m_control->requestCancel();
    join();
}

void BackgroundTask::setPaused(bool paused)
{
    if (m_running && m_control)
        m_control->setPaused(paused);
}

bool BackgroundTask::isPaused() const { return m_control && m_control->paused(); }

} // namespace teft::ui
