#include "ui/PageFactory.h"

#include "ui/jobs/JobsPage.h"
#include "ui/merge/MergePage.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/routing/RoutingPage.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/StartPage.h"
#include "ui/validator/ValidatorPage.h"
#include "ui/wizard/ProjectWizard.h"

namespace teft::ui {

void installPages(MainWindow& window)
{
    auto* start = new StartPage(window.context(), &window);
    window.addPage("start", MainWindow::tr("Start"), start);
    QObject::connect(start, &StartPage::newProjectRequested, &window, &MainWindow::newProject);
    QObject::connect(start, &StartPage::projectActivated, &window, &MainWindow::openProjectRequested);

    // Until a project with identified routing is opened, the routing view shows the demo model.
    auto* routing = new RoutingPage(&window);
    routing->loadDemo();
    window.addPage("routing", MainWindow::tr("Experts"), routing);

    auto* miner = new MinerDashboard(&window);
    window.addPage("miner", MainWindow::tr("Train"), miner);

    auto* validator = new ValidatorPage(&window);
    validator->loadDemo();
    window.addPage("validator", MainWindow::tr("Validate"), validator);

    auto* merge = new MergePage(&window);
    merge->loadDemo();
    window.addPage("merge", MainWindow::tr("Merge"), merge);

    auto* jobs = new JobsPage(window.context(), &window);
    window.addPage("jobs", MainWindow::tr("Jobs"), jobs);

    AppContext* context = window.context();
    QObject::connect(&window, &MainWindow::newProjectRequested, &window, [&window, context] {
        auto* wizard = new ProjectWizard(context ? context->store() : nullptr, &window);
        wizard->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(wizard, &ProjectWizard::projectCreated, context, [context](std::int64_t id) {
            context->setCurrentProject(id);
            context->pollStore();
        });
        wizard->open();
    });
}

} // namespace teft::ui
