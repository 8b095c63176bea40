#pragma once

#include <QMetaType>
#include <QString>
#include <cstdint>
#include <limits>

namespace teft::ui {

// One inner step as reported by a training session.
struct TrainingMetrics {
    std::int64_t step = 0;       // 1-based
    std::int64_t totalSteps = 0; // H
    double loss = 0.0;
    double learningRate = 0.0;
    double tokensPerSecond = 0.0;
    double validationLoss = std::numeric_limits<double>::quiet_NaN(); // NaN when not measured this step
    double elapsedSeconds = 0.0;                                      // since the job started, pauses left out
    // This session's share of the run, for the ETA (a resumed run starts counting at 0, not at the
    // checkpoint's step): the steps it ran and their time, pauses left out. 0: unknown (a
    // recorded run), no ETA.
    std::int64_t stepsThisRun = 0;
    double activeSeconds = 0.0;
};

// What a finished session leaves behind.
struct TrainingResult {
    QString submissionPath;
    std::int64_t submissionBytes = 0;
    std::int64_t steps = 0;
    double finalLoss = 0.0; // the last step's training loss (one noisy batch)
    // The held-out loss of Φ(t) before the run and of its trained experts after the last step (NaN
    // when the run did not validate).
    double validationLossBefore = std::numeric_limits<double>::quiet_NaN();
    double validationLossAfter = std::numeric_limits<double>::quiet_NaN();
};

} // namespace teft::ui

Q_DECLARE_METATYPE(teft::ui::TrainingMetrics)
Q_DECLARE_METATYPE(teft::ui::TrainingResult)
