#include "ui/shell/AppSettings.h"

#include "core/util/Paths.h"
#include "core/util/Runtime.h"

#include <QSettings>

namespace teft::ui {

QString AppSettings::device() { return QSettings().value("engine/device", "auto").toString(); }
void AppSettings::setDevice(const QString& device) { QSettings().setValue("engine/device", device); }
int AppSettings::threads() { return QSettings().value("engine/threads", 0).toInt(); }
void AppSettings::setThreads(int threads) { QSettings().setValue("engine/threads", threads); }
QString AppSettings::dataDir() { return QSettings().value("engine/dataDir").toString(); }
void AppSettings::setDataDir(const QString& dir) { QSettings().setValue("engine/dataDir", dir); }
QString AppSettings::theme() { return QSettings().value("ui/theme", QStringLiteral("system")).toString(); }
void AppSettings::setTheme(const QString& theme) { QSettings().setValue("ui/theme", theme); }
QString AppSettings::language() { return QSettings().value("ui/language").toString(); }
void AppSettings::setLanguage(const QString& language) { QSettings().setValue("ui/language", language); }
QByteArray AppSettings::windowGeometry() { return QSettings().value("ui/geometry").toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray& g) { QSettings().setValue("ui/geometry", g); }
QByteArray AppSettings::windowState() { return QSettings().value("ui/state").toByteArray(); }
void AppSettings::setWindowState(const QByteArray& s) { QSettings().setValue("ui/state", s); }

void AppSettings::applyToEngine()
{
    const QString dir = dataDir();
    if (!dir.isEmpty())
        teft::setDataDir(dir.toStdString());
    teft::configureThreads(threads());
}

} // namespace teft::ui
