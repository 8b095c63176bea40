#include "ui/engine/RoutingController.h"

#include "core/project/Identify.h"
#include "core/store/JobStore.h"
#include "core/util/Error.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/routing/RoutingPage.h"
#include "ui/routing/SelectionDocument.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/ErrorAdvice.h"

#include <QDateTime>
#include <QMessageBox>
#include <spdlog/spdlog.h>

namespace teft::ui {

namespace fs = std::filesystem;

RoutingController::RoutingController(RoutingPage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context)
{
    m_task = new BackgroundTask(this);
    m_strip = new TaskProgressBar(m_task, page);
    page->addStatusWidget(m_strip);
    connect(page, &RoutingPage::identifyRequested, this, &RoutingController::identify);
    connect(page, &RoutingPage::saveRequested, this, &RoutingController::saveSelection);
    connect(m_task, &BackgroundTask::finished, this, &RoutingController::updateActions);
    connect(m_task, &BackgroundTask::failed, this, [this](const QString& message, ErrorKind kind) {
        showFailure(m_page, tr("Identification failed"), message, kind);
    });
    if (context)
        connect(context, &AppContext::currentProjectChanged, this, &RoutingController::projectChanged);
    projectChanged();
}

void RoutingController::projectChanged()
{
    m_project.reset();
    const bool haveStore = m_context && m_context->store();
    if (haveStore && m_context->currentProject()) {
        try {
            m_project = Project::load(*m_context->store(), *m_context->currentProject());
        } catch (const std::exception& e) {
            spdlog::warn("Experts page: {}", e.what());
        }
    }
    updateActions();
    if (m_project && !showSaved())
        m_page->setEmptyHint(tr("Project “%1” has no routing statistics yet: press “Run identification”.")
                                 .arg(QString::fromStdString(m_project->name)));
    else if (!m_project)
        m_page->setEmptyHint(tr("No routing statistics yet. Open or create a project, then run identification."));
}

void RoutingController::updateActions()
{
    m_page->setIdentifyEnabled(m_project.has_value() && !m_task->isRunning(),
                               m_project ? tr("Identification is running") : tr("Open or create a project first"));
    m_page->setSaveEnabled(m_project.has_value());
}

bool RoutingController::showSaved()
{
    if (!m_project || !fs::exists(m_project->targetStatsFile()))
        return false;
    try {
        const RoutingStats target = RoutingStats::load(m_project->targetStatsFile().string());
        std::optional<RoutingStats> reference;
        if (fs::exists(m_project->referenceStatsFile()))
            reference = RoutingStats::load(m_project->referenceStatsFile().string());
        const RoutingCosts c = routingCosts(m_project->modelDir, target.modelFingerprint);
        m_page->setRouting(c.layout, target, reference ? &*reference : nullptr, c.paramsPerExpert, c.bytesPerExpert,
                           c.modelBytes);
        if (const auto saved = Project::latestSelection(*m_context->store(), m_project->id, target.modelFingerprint))
            m_page->document()->replaceSelection(*saved, tr("Open the saved selection"));
        return true;
    } catch (const std::exception& e) {
        spdlog::warn("Experts page: the saved routing statistics cannot be shown: {}", e.what());
        return false;
    }
}

void RoutingController::identify()
{
    if (!m_project || m_task->isRunning())
        return;
    m_page->setIdentifyEnabled(false, tr("Identification is running"));
    const Project project = *m_project;
    m_task->start([this, project](JobControl& control) -> BackgroundTask::Continuation {
        // The whole job (statistics saved to the project, its job record) is core's.
        auto result = std::make_shared<IdentifyResult>(teft::identify(project, control));
        return [this, result] {
            const RoutingCosts& c = result->costs;
            m_page->setRouting(c.layout, result->target, result->reference ? &*result->reference : nullptr,
                               c.paramsPerExpert, c.bytesPerExpert, c.modelBytes);
        };
    });
}

void RoutingController::saveSelection()
{
    if (!m_project || !m_context || !m_context->store())
        return;
    const ExpertSelection& selection = m_page->document()->selection();
    if (selection.empty()) {
        QMessageBox::information(m_page, tr("Nothing to save"),
                                 tr("The selection is empty. Select experts on the heatmap or with a policy first."));
        return;
    }
    try {
        const auto name = QDateTime::currentDateTime().toString(Qt::ISODate).toStdString();
        const auto id = m_context->store()->saveSelection(m_project->id, name, selection.hash(),
                                                          selection.toJson().dump());
        spdlog::info("Saved the selection of {} experts to project '{}'", selection.count(), m_project->name);
        m_context->pollStore();
        Q_EMIT selectionSaved(id);
    } catch (const std::exception& e) {
        QMessageBox::warning(m_page, tr("Cannot save the selection"), QString::fromUtf8(e.what()));
    }
}

} // namespace teft::ui
