#pragma once

#include <QByteArray>
#include <QString>

namespace teft::ui {

// The desktop settings, kept with QSettings (~/.config/TEFT Studio/TEFT Studio.conf).
// Engine-facing values (device, threads, data directory) are applied at start-up and when the
// settings dialog is accepted.
class AppSettings {
public:
    static QString device(); // "auto", "cpu", "cuda:0", ...
    static void setDevice(const QString& device);
    static int threads(); // 0 = all cores
    static void setThreads(int threads);
    static QString dataDir(); // empty = engine default
    static void setDataDir(const QString& dir);
    static QString language(); // "" = system locale, "en", "de", "zh_CN"
    static void setLanguage(const QString& language);
    static QString theme(); // "system" (default), "light", "dark"
    static void setTheme(const QString& theme);
    static QByteArray windowGeometry();
    static void setWindowGeometry(const QByteArray& geometry);
    static QByteArray windowState();
    static void setWindowState(const QByteArray& state);

    // Applies device/threads/data dir to the engine (core/util).
    static void applyToEngine();
};

} // namespace teft::ui
