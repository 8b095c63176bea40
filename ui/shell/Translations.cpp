#include "ui/shell/Translations.h"

#include <QApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace teft::ui {

QStringList availableLanguages()
{
    QStringList out{"en"};
    for (const QString& f : QDir(":/i18n").entryList({"teft_*.qm"}))
        out << f.mid(5, f.size() - 8);
    return out;
}

QString installTranslations(QApplication& app, const QString& language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    // Numbers and dates as the chosen language writes them (25.165.184 in German), not only
    // the words.
    if (!language.isEmpty())
        QLocale::setDefault(locale);
    if (language == "en" || locale.language() == QLocale::English || locale.language() == QLocale::C)
        return {};
    auto* own = new QTranslator(&app);
    if (!own->load(locale, "teft", "_", ":/i18n")) {
        delete own;
        return {};
    }
    app.installTranslator(own);
    auto* qt = new QTranslator(&app);
    if (qt->load(locale, "qtbase", "_", QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    else
        delete qt;
    return locale.name();
}

} // namespace teft::ui
