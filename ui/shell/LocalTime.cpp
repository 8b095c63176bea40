#include "ui/shell/LocalTime.h"

#include <QCoreApplication>
#include <algorithm>
#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

namespace teft::ui {

namespace {
QDateTime parseUtc(const std::string& iso)
{
    if (iso.empty())
        return {};
    const QString text = QString::fromStdString(iso);
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid()) {
        // SQLite's datetime('now'): "2026-12-04 23:41:07", UTC.
        t = QDateTime::fromString(text, QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (t.isValid())
            t.setTimeZone(QTimeZone::utc());
    }
    return t;
}
} // namespace

QString localDateTime(const std::string& isoUtc)
{
    const QDateTime t = parseUtc(isoUtc);
    if (!t.isValid())
        return QString::fromStdString(isoUtc);
    return QLocale().toString(t.toLocalTime(), QLocale::ShortFormat);
}

qint64 secondsBetween(const std::string& fromIsoUtc, const std::string& toIsoUtc)
{
    const QDateTime a = parseUtc(fromIsoUtc);
    const QDateTime b = parseUtc(toIsoUtc);
    if (!a.isValid() || !b.isValid())
        return -1;
    return std::max<qint64>(0, a.secsTo(b));
}

QString durationText(qint64 seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 60)
        return QCoreApplication::translate("LocalTime", "%1 s").arg(seconds);
    if (seconds < 3600)
        return QCoreApplication::translate("LocalTime", "%1 min %2 s")
            .arg(seconds / 60)
            .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    if (seconds < 86400)
        return QCoreApplication::translate("LocalTime", "%1 h %2 min")
            .arg(seconds / 3600)
            .arg((seconds % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QCoreApplication::translate("LocalTime", "%1 d %2 h").arg(seconds / 86400).arg((seconds % 86400) / 3600);
}

} // namespace teft::ui
