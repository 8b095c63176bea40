#pragma once

#include "ui/miner/TrainingMetrics.h"
#include "ui/miner/TrainingSettings.h"

#include <QMetaType>
#include <QString>
#include <QVector>
#include <cstdint>

namespace teft::ui {

// One run of the project as the Train page's run manager lists it (the controller fills it from
// the job store: core/project/Train.h, minerRuns()).
struct TrainingRun {
    QString name;      // names its folder
    QString stateText; // what became of its last start ("finished", "cancelled"…)
    std::int64_t round = 0;
    int shardIndex = 0;
    int shardCount = 1;
    std::int64_t stepsDone = 0;
    std::int64_t totalSteps = 0;
    bool canContinue = false;         // stopped before its last step: Continue resumes its checkpoint
    QString submissionPath;           // empty until one is written
    TrainingSettings settings;        // as recorded (restored into the form when selected)
    QVector<TrainingMetrics> metrics; // its recorded steps (loss, learning rate, tokens/s, held-out loss)
};

} // namespace teft::ui

Q_DECLARE_METATYPE(teft::ui::TrainingRun)
