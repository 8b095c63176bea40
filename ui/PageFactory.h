#pragma once

namespace teft::ui {

class MainWindow;

// Adds every page to the main window and connects them. The one place that knows all pages.
void installPages(MainWindow& window);

} // namespace teft::ui
