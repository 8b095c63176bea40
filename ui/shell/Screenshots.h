#pragma once

#include <QString>
#include <QStringList>

namespace teft::ui {

class MainWindow;

// Renders the main window on each of its pages, and each dialog, to PNG files in dir
// (offscreen works). Returns the files written; throws teft::Error if one cannot be written.
QStringList renderScreenshots(MainWindow& window, const QString& dir);

} // namespace teft::ui
