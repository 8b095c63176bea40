#include "ui/PageFactory.h"

#include "ui/shell/AppContext.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/StartPage.h"

namespace teft::ui {

void installPages(MainWindow& window)
{
    auto* start = new StartPage(window.context(), &window);
    window.addPage("start", MainWindow::tr("Start"), start);
    QObject::connect(start, &StartPage::newProjectRequested, &window, &MainWindow::newProject);
    QObject::connect(start, &StartPage::projectActivated, &window, &MainWindow::openProjectRequested);
}

} // namespace teft::ui
