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
    double elapsedSeconds = 0.0;
};

// What a finished session leaves behind.
struct TrainingResult {
    QString submissionPath;
    std::int64_t submissionBytes = 0;
    std::int64_t steps = 0;
    double finalLoss = 0.0;
};

} // namespace teft::ui

Q_DECLARE_METATYPE(teft::ui::TrainingMetrics)
Q_DECLARE_METATYPE(teft::ui::TrainingResult)
