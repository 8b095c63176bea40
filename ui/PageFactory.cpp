#include "ui/PageFactory.h"

#include "core/store/JobStore.h"
#include "core/train/MinerJob.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/DemoProject.h"
#include "ui/engine/MergeController.h"
#include "ui/engine/NetworkController.h"
#include "ui/engine/ValidatorController.h"
#include "ui/engine/MinerController.h"
#include "ui/engine/RoutingController.h"
#include "ui/jobs/JobsPage.h"
#include "ui/merge/MergePage.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/network/NetworkPage.h"
#include "ui/routing/RoutingPage.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/MainWindow.h"
#include "ui/shell/StartPage.h"
#include "ui/validator/ValidatorPage.h"
#include "ui/wizard/ProjectWizard.h"

#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <nlohmann/json.hpp>

namespace teft::ui {

void installPages(MainWindow& window)
{
    auto* start = new StartPage(window.context(), &window);
    window.addPage("start", MainWindow::tr("Start"), start);
    QObject::connect(start, &StartPage::newProjectRequested, &window, &MainWindow::newProject);
    QObject::connect(start, &StartPage::projectActivated, &window, &MainWindow::openProject);

    // Every page starts empty and says what to do next; the controllers below fill them from
    // the current project.
    auto* routing = new RoutingPage(&window);
    window.addPage("routing", MainWindow::tr("Experts"), routing);

    auto* miner = new MinerDashboard(&window);
    window.addPage("miner", MainWindow::tr("Train"), miner);

    auto* validator = new ValidatorPage(&window);
    window.addPage("validator", MainWindow::tr("Validate"), validator);

    auto* merge = new MergePage(&window);
    window.addPage("merge", MainWindow::tr("Merge"), merge);

    auto* network = new NetworkPage(&window);
    window.addPage("network", MainWindow::tr("Network"), network);

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
    auto* routingController = new RoutingController(routing, context, &window);
    auto* validatorController = new ValidatorController(validator, context, validator);
    auto* mergeController = new MergeController(merge, context, merge);
    auto* minerController = new MinerController(miner, context, &window);
    auto* networkController = new NetworkController(network, context, network);
    // Network → Train: the Φ(t) a pull fetched is what the next run trains on, for that round.
    QObject::connect(networkController, &NetworkController::phiPulled, miner, &MinerDashboard::setNetworkPhi);
    // Validate → Network: close the network's open round and publish the result.
    QObject::connect(validator, &ValidatorPage::closeNetworkRoundRequested, &window, [&window, network] {
        window.showPage("network");
        if (network->closeRoundButton()->isEnabled())
            network->requestCloseRound();
        else
            network->statusLabel()->setText(
                MainWindow::tr("To close the round: connect to the network's store, then Close round & publish "
                               "(%1)")
                    .arg(network->closeRoundButton()->toolTip()));
    });
    // Train → Network: publish a finished run's submission to the network's round.
    QObject::connect(miner, &MinerDashboard::publishRunRequested, &window, [&window, network](const QString& dir) {
        window.showPage("network");
        network->setDefaultSubmission(dir);
        if (network->submitButton()->isEnabled())
            network->requestSubmit(dir);
        else
            network->statusLabel()->setText(
                MainWindow::tr("To publish %1: connect to the network's store, then Publish submission… (this "
                               "run's submission is offered first). %2")
                    .arg(dir, network->submitButton()->toolTip()));
    });
    auto* demo = new DemoProjectController(start, context, &window);
    QObject::connect(demo, &DemoProjectController::opened, &window, [&window] { window.showPage("routing"); });
    // What quitting would stop (the window asks first).
    window.addBusySource([routingController] {
        return routingController->task()->isRunning() ? MainWindow::tr("Expert identification") : QString();
    });
    window.addBusySource([miner] {
        const TrainingSession* s = miner->session();
        return s && (s->state() == TrainingSession::State::Running || s->state() == TrainingSession::State::Paused)
                   ? MainWindow::tr("Training")
                   : QString();
    });
    window.addBusySource([validatorController] {
        return validatorController->task()->isRunning() ? MainWindow::tr("Validation (scoring or the outer step)")
                                                        : QString();
    });
    window.addBusySource([mergeController] {
        return mergeController->task()->isRunning() ? MainWindow::tr("Merge") : QString();
    });
    window.addBusySource([networkController] {
        return networkController->task()->isRunning() ? MainWindow::tr("A network step (pull, publish, close, verify)")
                                                      : QString();
    });
    window.addBusySource([demo] {
        return demo->task()->isRunning() ? MainWindow::tr("Preparing the built-in demo") : QString();
    });
    QObject::connect(&window, &MainWindow::openProjectRequested, context, [&window, context](qint64 id) {
        if (context->store())
            context->store()->touchProject(id);
        context->setCurrentProject(id);
        context->pollStore();
        window.showPage("routing");
    });

    // Jobs view. A training job resumes from its checkpoint (its record holds the settings and
    // the data); identification, validation and merge of a project run again on their page
    // with the recorded inputs (each is safe to repeat: a validator round writes its state
    // last, a merge writes to a temporary folder first). Clone copies a training job's
    // settings into the form, or opens the page of another kind with its inputs.
    // Resume and Clone open the job's project: while work runs that asks first, as File → Open does.
    auto switchProject = [&window, context](std::int64_t id) {
        if (context->currentProject() == std::optional<std::int64_t>(id))
            return true;
        if (!window.confirmProjectSwitch())
            return false;
        context->setCurrentProject(id);
        return true;
    };
    auto openJobPage = [&window, context, routingController, validatorController, merge, mergeController,
                        switchProject](const JobStore::Job& job, bool run) {
        const QString kind = QString::fromStdString(job.kind);
        const char* pageId = kind == QLatin1String("identify")   ? "routing"
                             : kind == QLatin1String("validate") ? "validator"
                             : kind == QLatin1String("merge")    ? "merge"
                                                                 : nullptr;
        if (!pageId || !job.projectId) {
            QMessageBox::information(&window, MainWindow::tr("Cannot repeat this job here"),
                                     MainWindow::tr("This “%1” job does not belong to a project of this "
                                                    "application; run it again with the teft command line.")
                                         .arg(kind));
            return;
        }
        nlohmann::json config = nlohmann::json::object();
        try {
            config = nlohmann::json::parse(job.config);
        } catch (const std::exception&) {
            // the page opens without the recorded inputs
        }
        if (!switchProject(*job.projectId))
            return;
        window.showPage(QString::fromLatin1(pageId));
        if (kind == QLatin1String("merge") && config.is_object() && config.contains("out"))
            merge->setOutputDir(QString::fromStdString(config.value("out", std::string())));
        if (!run)
            return;
        if (kind == QLatin1String("identify"))
            routingController->identify();
        else if (kind == QLatin1String("validate") && config.is_object() && config.contains("submission_list") &&
                 config["submission_list"].is_array() && !config["submission_list"].empty()) {
            QStringList paths; // the round scored exactly these submissions
            for (const auto& p : config["submission_list"])
                if (p.is_string())
                    paths << QString::fromStdString(p.get<std::string>());
            validatorController->scoreSubmissions(paths);
        } else if (kind == QLatin1String("validate") && config.is_object() && config.contains("submissions"))
            validatorController->scoreFolder(QString::fromStdString(config.value("submissions", std::string())));
        else if (kind == QLatin1String("merge"))
            mergeController->merge(merge->outputDir());
    };
    auto minerSettingsOf = [&window](const std::string& config) -> std::optional<MinerSettings> {
        try {
            return MinerSettings::fromJson(nlohmann::json::parse(config));
        } catch (const std::exception& e) {
            QMessageBox::warning(&window, MainWindow::tr("Cannot use this job"), QString::fromUtf8(e.what()));
            return std::nullopt;
        }
    };
    QObject::connect(jobs, &JobsPage::resumeRequested, &window,
                     [&window, context, minerController, minerSettingsOf, openJobPage,
                      switchProject](std::int64_t jobId) {
                         const auto job = context->store() ? context->store()->job(jobId) : std::nullopt;
                         if (!job)
                             return;
                         if (job->kind != "train") {
                             openJobPage(*job, true);
                         } else if (auto s = minerSettingsOf(job->config)) {
                             if (s->projectId && !switchProject(*s->projectId))
                                 return;
                             window.showPage("miner");
                             minerController->resumeJob(*s);
                         }
                     });
    QObject::connect(jobs, &JobsPage::cloneRequested, &window,
                     [&window, context, minerController, minerSettingsOf, openJobPage,
                      switchProject](const QString& kind, const QString& config, std::int64_t jobId) {
                         if (kind != QLatin1String("train")) {
                             if (const auto job = context->store() ? context->store()->job(jobId) : std::nullopt)
                                 openJobPage(*job, false);
                             return;
                         }
                         if (auto s = minerSettingsOf(config.toStdString())) {
                             if (s->projectId && !switchProject(*s->projectId))
                                 return;
                             window.showPage("miner");
                             minerController->cloneSettings(*s);
                         }
                     });
}

} // namespace teft::ui
