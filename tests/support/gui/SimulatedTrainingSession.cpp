#include "support/gui/SimulatedTrainingSession.h"

#include "core/util/Error.h"

#include <QDir>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

namespace teft::ui {

SimulatedTrainingSession::SimulatedTrainingSession(QObject* parent) : ThreadedTrainingSession(parent) {}

SimulatedTrainingSession::~SimulatedTrainingSession() { stopAndJoin(); }

void SimulatedTrainingSession::failAtStep(std::int64_t step, const QString& message)
{
    m_failStep = step;
    m_failMessage = message;
}

void SimulatedTrainingSession::start(const TrainingSettings& settings)
{
    if (state() == State::Running || state() == State::Paused)
        return;
    launch([this, settings](JobControl& control) { return run(settings, control); });
}

TrainingResult SimulatedTrainingSession::run(const TrainingSettings& settings, const JobControl& control)
{
    std::mt19937 rng(12345);
    std::normal_distribution<double> noise(0.0, 1.0);
    const std::int64_t total = std::max(1, settings.innerSteps);
    const auto started = std::chrono::steady_clock::now();
    const double tokensPerStep = double(settings.batchSize) * settings.sequenceLength;
    const std::int64_t warmup = std::max<std::int64_t>(1, total / 10);
    double loss = 3.2;
    for (std::int64_t s = 1; s <= total; ++s) {
        control.checkpoint();
        const auto t0 = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(m_stepMs));
        if (m_failStep > 0 && s == m_failStep)
            throw Error(m_failMessage.toStdString());
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
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        m.tokensPerSecond = seconds > 0 ? tokensPerStep / seconds : 0.0;
        m.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        postStep(m);
    }
    TrainingResult result;
    result.steps = total;
    result.finalLoss = loss;
    result.submissionPath = QDir::tempPath() + QStringLiteral("/teft-demo-submission.safetensors");
    // 2 selected experts of the demo model per layer × 16 layers, bf16.
    result.submissionBytes = 32LL * 3 * 2048 * 1024 * 2;
    return result;
}

} // namespace teft::ui
