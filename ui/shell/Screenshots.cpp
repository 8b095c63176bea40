#include "ui/shell/Screenshots.h"

#include "core/util/Error.h"
#include "ui/shell/AboutDialog.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/SettingsDialog.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>

namespace teft::ui {

namespace {
QString save(QWidget& widget, const QString& dir, const QString& name)
{
    widget.show();
    QApplication::processEvents();
    const QString file = QDir(dir).filePath(name + ".png");
    if (!widget.grab().save(file, "PNG"))
        throw teft::Error("Cannot write the screenshot " + file.toStdString());
    return file;
}
} // namespace

QStringList renderScreenshots(MainWindow& window, const QString& dir)
{
    if (!QDir().mkpath(dir))
        throw teft::Error("Cannot create the screenshot directory " + dir.toStdString());
    QStringList files;
    window.show();
    for (const auto& page : window.pages()) {
        window.showPage(page.id);
        QApplication::processEvents();
        files << save(window, dir, QStringLiteral("page-%1").arg(page.id));
    }
    SettingsDialog settings(&window);
    files << save(settings, dir, "dialog-settings");
    AboutDialog about(&window);
    files << save(about, dir, "dialog-about");
    return files;
}

} // namespace teft::ui
