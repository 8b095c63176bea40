#pragma once

#include "ui/miner/ThreadedTrainingSession.h"

#include <QString>

namespace teft::ui {

// Test double (tests/gui and the GUI stall benchmark only, never in the application): a
// simulated training run on a worker thread (loss falling towards a floor with noise, a
// learning-rate warm-up and cosine decay, validation every few steps), for the tests of the
// dashboard's mechanics (fast, deterministic, able to fail on demand); the application trains
// with EngineTrainingSession. Pause, resume and cancel go through a JobControl exactly like a
// real engine job.
class SimulatedTrainingSession : public ThreadedTrainingSession {
    Q_OBJECT
public:
    explicit SimulatedTrainingSession(QObject* parent = nullptr);
    ~SimulatedTrainingSession() override;

    // Milliseconds each simulated step takes.
    void setStepDuration(int ms) { m_stepMs = ms; }
    // Makes the run fail at this step with this message (tests, the error dialog).
    void failAtStep(std::int64_t step, const QString& message);

    void start(const TrainingSettings& settings) override;

private:
    TrainingResult run(const TrainingSettings& settings, const JobControl& control);

    int m_stepMs = 30;
    std::int64_t m_failStep = 0;
    QString m_failMessage;
};

} // namespace teft::ui
