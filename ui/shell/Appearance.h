#pragma once

#include <QPalette>
#include <QString>

class QApplication;
class QChart;

namespace teft::ui {

// The application's look: "system" (the platform's style and palette), "light" or "dark"
// (Fusion with a light or dark palette). Every custom-painted widget draws from the palette,
// and the charts follow it (followPalette), so both work in either.
void applyTheme(QApplication& app, const QString& theme);
QPalette darkPalette();
bool isDark(const QPalette& palette);
// Chart background, title, legend, axis labels and grid from the palette; series keep their
// colours (a QChart theme would replace them).
void followPalette(QChart* chart, const QPalette& palette);

} // namespace teft::ui
