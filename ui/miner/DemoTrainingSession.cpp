#include "ui/miner/DemoTrainingSession.h"

#include <QDir>
#include <QMetaObject>
#include <chrono>
#include <cmath>
#include <random>

namespace teft::ui {

DemoTrainingSession::DemoTrainingSession(QObject* parent) : TrainingSession(parent) {}

DemoTrainingSession::~DemoTrainingSession()
{
    if (m_control)
        m_control->requestCancel();
    join();
}

void DemoTrainingSession::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void DemoTrainingSession::failAtStep(std::int64_t step, const QString& message)
{
    m_failStep = step;
    m_failMessage = message;
}

void DemoTrainingSession::start(const TrainingSettings& settings)
{
    if (state() == State::Running || state() == State::Paused)
        return;
    join();
    m_control = std::make_unique<JobControl>();
    setState(State::Running);
    m_thread = std::thread([this, settings] { run(settings); });
}

void DemoTrainingSession::pause()
{
    if (state() != State::Running || !m_control)
        return;
    m_control->setPaused(true);
    setState(State::Paused);
}

void DemoTrainingSession::resume()
{
    if (state() != State::Paused || !m_control)
        return;
    m_control->setPaused(false);
    setState(State::Running);
}

void DemoTrainingSession::cancel()
{
    if ((state() != State::Running && state() != State::Paused) || !m_control)
        return;
    m_control->requestCancel();
}

void DemoTrainingSession::run(TrainingSettings settings)
{
    const JobControl& control = *m_control;
    std::mt19937 rng(12345);
    std::normal_distribution<double> noise(0.0, 1.0);
    const std::int64_t total = std::max(1, settings.innerSteps);
    const auto started = std::chrono::steady_clock::now();
    const double tokensPerStep = double(settings.batchSize) * settings.sequenceLength;
    const std::int64_t warmup = std::max<std::int64_t>(1, total / 10);
    double loss = 3.2;
    try {
        for (std::int64_t s = 1; s <= total; ++s) {
            control.checkpoint();
            const auto t0 = std::chrono::steady_clock::now();
            std::this_thread::sleep_for(std::chrono::milliseconds(m_stepMs));
            if (m_failStep > 0 && s == m_failStep) {
                const QString message = m_failMessage;
                QMetaObject::invokeMethod(this, [this, message] {
                    setState(State::Failed);
                    Q_EMIT failed(message);
                }, Qt::QueuedConnection);
                return;
            }
            TrainingMetrics m;
            m.step = s;
            m.totalSteps = total;
            const double progress = double(s) / double(total);
            m.learningRate = s <= warmup ? settings.learningRate * double(s) / double(warmup)
                                         : settings.learningRate * 0.5 * (1.0 + std::cos(M_PI * progress));
            loss = 1.9 + (loss - 1.9) * 0.97;
            m.loss = loss + 0.08 * noise(rng);
            if (settings.validationInterval > 0 && s % settings.validationInterval == 0)
                m.validationLoss = loss + 0.05 + 0.01 * noise(rng);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            m.tokensPerSecond = seconds > 0 ? tokensPerStep / seconds : 0.0;
            m.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            QMetaObject::invokeMethod(this, [this, m] { Q_EMIT step(m); }, Qt::QueuedConnection);
        }
        TrainingResult result;
        result.steps = total;
        result.finalLoss = loss;
        result.submissionPath = QDir::tempPath() + QStringLiteral("/teft-demo-submission.safetensors");
        // 2 selected experts of the demo model per layer × 16 layers, bf16.
        result.submissionBytes = 32LL * 3 * 2048 * 1024 * 2;
        QMetaObject::invokeMethod(this, [this, result] {
            setState(State::Finished);
            Q_EMIT finished(result);
        }, Qt::QueuedConnection);
    } catch (const Cancelled&) {
        QMetaObject::invokeMethod(this, [this] { setState(State::Cancelled); }, Qt::QueuedConnection);
    }
}

} // namespace teft::ui
