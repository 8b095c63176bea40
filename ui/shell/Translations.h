#pragma once

#include <QString>

class QApplication;

namespace teft::ui {

// Loads TEFT Studio's translation (embedded under :/i18n) and Qt's own for `language`
// ("" = the system locale; "en" = none). Returns the language actually loaded ("" if none).
QString installTranslations(QApplication& app, const QString& language);
QStringList availableLanguages();

} // namespace teft::ui
