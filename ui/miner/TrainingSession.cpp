#include "ui/miner/TrainingSession.h"

#include <QMetaObject>

namespace teft::ui {

void TrainingSession::postStep(const TrainingMetrics& metrics)
{
    const auto now = std::chrono::steady_clock::now();
    bool post = false;
    {
        const std::lock_guard<std::mutex> lock(m_queueMutex);
        m_queue.push_back(metrics);
        // One delivery in flight at most, and not more often than every MinDeliveryIntervalMs;
        // what is queued meanwhile rides along with the next one (or with deliverSteps()).
        if (!m_deliveryPosted.load() && now - m_lastPost >= std::chrono::milliseconds(MinDeliveryIntervalMs)) {
            m_deliveryPosted.store(true);
            m_lastPost = now;
            post = true;
        }
    }
    if (post)
        QMetaObject::invokeMethod(
            this, [this] { deliverSteps(); }, Qt::QueuedConnection);
}

void TrainingSession::postStage(const QString& stage)
{
    QMetaObject::invokeMethod(
        this, [this, stage] { Q_EMIT stageChanged(stage); }, Qt::QueuedConnection);
}

void TrainingSession::deliverSteps()
{
    std::vector<TrainingMetrics> batch;
    {
        const std::lock_guard<std::mutex> lock(m_queueMutex);
        batch.swap(m_queue);
        m_deliveryPosted.store(false);
    }
    for (const TrainingMetrics& m : batch)
        Q_EMIT step(m);
}

} // namespace teft::ui
