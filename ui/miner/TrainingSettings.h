#pragma once

#include <QMetaType>
#include <QString>

namespace teft::ui {

// What the miner dashboard's form configures: local sparse training of the selected experts.
struct TrainingSettings {
    QString device = QStringLiteral("auto"); // "auto" (a GPU when there is one), "cpu", "cuda:N"
    int innerSteps = 100;                    // H
    double learningRate = 1e-5;
    int batchSize = 4;
    int sequenceLength = 512;
    QString precision = QStringLiteral("bf16"); // "fp32" or "bf16" (what the engine computes in)
    int checkpointInterval = 20;                // inner steps, 0 = never
    bool maskedRouting = false;                 // masked (Connito) or full (ESFT, the default as in `teft train`)
    int validationInterval = 10;                // inner steps between validation losses
    bool recompute = false;                     // activation recomputation (less memory, more time)
    bool offload = false;                       // CUDA: frozen experts streamed from host memory
    int shardIndex = 0;                         // this miner's part of the training rows (0-based)
    int shardCount = 1;                         // into how many parts the rows are split
    QString runName;                            // names the run's folder (empty: derived from the settings)
};

} // namespace teft::ui

Q_DECLARE_METATYPE(teft::ui::TrainingSettings)
