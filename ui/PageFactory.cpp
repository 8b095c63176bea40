#include "ui/PageFactory.h"

#include "core/store/JobStore.h"
#include "core/train/MinerJob.h"
#include "ui/engine/DemoProject.h"
#include "ui/engine/MergeController.h"
#include "ui/engine/ValidatorController.h"
#include "ui/engine/MinerController.h"
#include "ui/engine/RoutingController.h"
#include "ui/jobs/JobsPage.h"
#include "ui/merge/MergePage.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/routing/PolicyPanel.h"
#include "ui/routing/RoutingPage.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/StartPage.h"
#include "ui/validator/ValidatorPage.h"
#include "ui/wizard/ProjectWizard.h"

#include <QMessageBox>
#include <nlohmann/json.hpp>

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
    routing->policyPanel()->apply(); // the demo opens with a top-k selection to edit
    window.addPage("routing", MainWindow::tr("Experts"), routing);

    auto* miner = new MinerDashboard(&window);
    miner->loadDemo();
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
        QObject::connect(wizard, &ProjectWizard::projectCreated, context, [&window, context](std::int64_t id) {
            context->setCurrentProject(id);
            context->pollStore();
            window.showPage("routing");
        });
        wizard->open();
    });
    if (!context)
        return;

    // The engine behind the pages, for the current project.
    new RoutingController(routing, context, &window);
    new ValidatorController(validator, context, validator);
    new MergeController(merge, context, merge);
    auto* minerController = new MinerController(miner, context, &window);
    auto* demo = new DemoProjectController(start, context, &window);
    QObject::connect(demo, &DemoProjectController::opened, &window, [&window] { window.showPage("routing"); });
    QObject::connect(&window, &MainWindow::openProjectRequested, context, [&window, context](qint64 id) {
        if (context->store())
            context->store()->touchProject(id);
        context->setCurrentProject(id);
        context->pollStore();
        window.showPage("routing");
    });

    // Jobs view: resume an interrupted training job, or copy its settings into the form.
    auto minerSettingsOf = [&window](const QString& kind, const std::string& config) -> std::optional<MinerSettings> {
        if (kind != QLatin1String("train")) {
            QMessageBox::information(&window, MainWindow::tr("Not a training job"),
                                     MainWindow::tr("Only training jobs can be resumed or cloned here; run the "
                                                    "“%1” step again from its page.").arg(kind));
            return std::nullopt;
        }
        try {
            return MinerSettings::fromJson(nlohmann::json::parse(config));
        } catch (const std::exception& e) {
            QMessageBox::warning(&window, MainWindow::tr("Cannot use this job"), QString::fromUtf8(e.what()));
            return std::nullopt;
        }
    };
    QObject::connect(jobs, &JobsPage::resumeRequested, &window,
                     [&window, context, minerController, minerSettingsOf](std::int64_t jobId) {
                         const auto job = context->store() ? context->store()->job(jobId) : std::nullopt;
                         if (!job)
                             return;
                         if (auto s = minerSettingsOf(QString::fromStdString(job->kind), job->config)) {
                             window.showPage("miner");
                             minerController->resumeJob(*s);
                         }
                     });
    QObject::connect(jobs, &JobsPage::cloneRequested, &window,
                     [&window, minerController, minerSettingsOf](const QString& kind, const QString& config) {
                         if (auto s = minerSettingsOf(kind, config.toStdString())) {
                             window.showPage("miner");
                             minerController->cloneSettings(*s);
                         }
                     });
}

} // namespace teft::ui
