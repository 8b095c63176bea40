#pragma once

#include <QList>
#include <QString>

namespace teft {
struct DeviceInfo;
}

namespace teft::ui {

// The devices a job can run on, for the Train page and the project wizard: "auto" first (what
// it picks now), the CPU with its available memory, then every CUDA GPU with its name and free
// memory (describeDevice: the CUDA module's figures). A device that cannot be described is
// listed with the reason instead of its memory.
struct DeviceChoice {
    QString id;    // "auto", "cpu", "cuda:0"
    QString label; // "cuda:0: NVIDIA H200, 130 GB free of 141 GB"
    qint64 memoryFree = 0;
    qint64 memoryTotal = 0;
    bool isCuda = false;
};

QList<DeviceChoice> deviceChoices();

// A device's description in the user's language: "CPU, 2 threads" (the engine's intra-op
// threads) for the CPU, the GPU's name for a CUDA device.
QString deviceDescription(const teft::DeviceInfo& info);

} // namespace teft::ui
