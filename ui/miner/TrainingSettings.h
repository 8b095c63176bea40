#pragma once

#include <QMetaType>
#include <QString>

#include <optional>

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
    QString encoding = QStringLiteral("bf16");  // how the update travels: "f32", "bf16" or "int8"
    int shardIndex = 0;                         // this miner's part of the training rows (0-based)
    int shardCount = 1;                         // into how many parts the rows are split
    QString runName;                            // names the run's folder (empty: derived from the settings)
    // A network round to train for (the Network page pulled its Φ(t)): when set, the run trains
    // from phiFile (empty: the base model's experts) for that round instead of the project's
    // validator state (MinerForm::round / phiFile).
    std::optional<qint64> networkRound;
    QString phiFile;
};

} // namespace teft::ui

Q_DECLARE_METATYPE(teft::ui::TrainingSettings)
