#include "ui/shell/DeviceChoices.h"

#include "core/util/Runtime.h"

#include <QCoreApplication>
#include <QLocale>

namespace teft::ui {

namespace {

// The translation context of the labels.
class DeviceChoices {
    Q_DECLARE_TR_FUNCTIONS(teft::ui::DeviceChoices)
};

DeviceChoice describe(const QString& id)
{
    DeviceChoice c;
    c.id = id;
    try {
        const DeviceInfo info = describeDevice(id.toStdString());
        c.memoryFree = info.memoryFree;
        c.memoryTotal = info.memoryTotal;
        c.isCuda = info.isCuda;
        const QString name = deviceDescription(info);
        if (info.memoryTotal > 0)
            c.label = DeviceChoices::tr("%1: %2, %3 free of %4")
                          .arg(id, name, QLocale().formattedDataSize(info.memoryFree),
                               QLocale().formattedDataSize(info.memoryTotal));
        else
            c.label = DeviceChoices::tr("%1: %2").arg(id, name);
    } catch (const std::exception& e) {
        c.label = DeviceChoices::tr("%1: unavailable (%2)").arg(id, QString::fromUtf8(e.what()));
    }
    return c;
}

} // namespace

QList<DeviceChoice> deviceChoices()
{
    QList<DeviceChoice> out;
    DeviceChoice automatic;
    automatic.id = QStringLiteral("auto");
    const QString picked = QString::fromStdString(resolveDevice("auto"));
    automatic.label = DeviceChoices::tr("Automatic (now: %1)").arg(picked);
    out.push_back(automatic);
    out.push_back(describe(QStringLiteral("cpu")));
    for (int i = 0; i < cudaDeviceCount(); ++i)
        out.push_back(describe(QStringLiteral("cuda:%1").arg(i)));
    return out;
}

QString deviceDescription(const DeviceInfo& info)
{
    if (info.isCuda)
        return QString::fromStdString(info.description);
    // Two strings, not "%n thread(s)": the English text is shown as written (no English catalogue).
    const int threads = intraOpThreads();
    return threads == 1 ? DeviceChoices::tr("CPU, 1 thread") : DeviceChoices::tr("CPU, %1 threads").arg(threads);
}

} // namespace teft::ui
