#include "ui/engine/StageNames.h"

#include <QCoreApplication>

namespace teft::ui {

QString stageName(const QString& stage)
{
    struct Known {
        const char* key;
        const char* text;
    };
    static const Known known[] = {
        {"loading", QT_TRANSLATE_NOOP("Stage", "Loading the model")},
        {"tokenizing", QT_TRANSLATE_NOOP("Stage", "Tokenizing the dataset")},
        {"hashing", QT_TRANSLATE_NOOP("Stage", "Hashing the dataset")},
        {"fingerprinting", QT_TRANSLATE_NOOP("Stage", "Checking the model fingerprint")},
        {"routing", QT_TRANSLATE_NOOP("Stage", "Recording routing")},
        {"training", QT_TRANSLATE_NOOP("Stage", "Training")},
        {"validating", QT_TRANSLATE_NOOP("Stage", "Measuring the held-out loss")},
        {"paused", QT_TRANSLATE_NOOP("Stage", "Paused (checkpoint saved)")},
        {"baseline", QT_TRANSLATE_NOOP("Stage", "Scoring the baseline")},
        {"scoring", QT_TRANSLATE_NOOP("Stage", "Scoring submissions")},
        {"verifying", QT_TRANSLATE_NOOP("Stage", "Verifying submissions")},
        {"generating", QT_TRANSLATE_NOOP("Stage", "Generating data")},
        {"evaluating", QT_TRANSLATE_NOOP("Stage", "Evaluating")},
        {"writing", QT_TRANSLATE_NOOP("Stage", "Writing")},
        {"uploading", QT_TRANSLATE_NOOP("Stage", "Uploading")},
        {"downloading", QT_TRANSLATE_NOOP("Stage", "Downloading")},
        {"listing", QT_TRANSLATE_NOOP("Stage", "Listing the store")},
    };
    for (const Known& k : known) {
        const QString key = QString::fromLatin1(k.key);
        if (stage == key)
            return QCoreApplication::translate("Stage", k.text);
        if (stage.startsWith(key + QLatin1Char(' ')))
            return QCoreApplication::translate("Stage", k.text) + stage.mid(key.size());
    }
    return stage;
}

} // namespace teft::ui
