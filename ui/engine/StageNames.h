#pragma once

#include <QString>

namespace teft::ui {

// The engine reports progress stages as short English words ("loading", "tokenizing",
// "writing model-00001.safetensors"); this gives the translated text shown to the user. An
// unknown stage is shown as it is.
QString stageName(const QString& stage);

} // namespace teft::ui
