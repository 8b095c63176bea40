#include "ui/engine/RoutingController.h"

#include "core/model/ModelConfig.h"
#include "core/project/Datasets.h"
#include "core/project/Identify.h"
#include "core/store/JobStore.h"
#include "core/train/ModelIdentity.h"
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
    connect(page, &RoutingPage::notice, this, [this](const QString& message) {
        if (m_context)
            m_context->notify(message);
    });
    connect(page, &RoutingPage::identifyTokensChanged, this, &RoutingController::setIdentifyTokens);
    connect(page, &RoutingPage::contrastChoiceChanged, this, &RoutingController::setContrastReference);
    connect(m_task, &BackgroundTask::finished, this, &RoutingController::updateActions);
    connect(m_task, &BackgroundTask::failed, this, [this](const QString& message, ErrorKind kind) {
        if (m_context)
            m_context->notify(tr("Identification failed: %1").arg(message));
        showFailure(m_page, tr("Identification failed"), message, kind);
    });
    if (context)
        connect(context, &AppContext::currentProjectChanged, this, &RoutingController::projectChanged);
    projectChanged();
}

void RoutingController::projectChanged()
{
    m_project.reset();
    m_modelLayout.reset();
    const bool haveStore = m_context && m_context->store();
    if (haveStore && m_context->currentProject()) {
        try {
            m_project = Project::load(*m_context->store(), *m_context->currentProject());
        } catch (const std::exception& e) {
            spdlog::warn("Experts page: {}", e.what());
            if (m_context)
                m_context->notify(tr("The project cannot be opened: %1").arg(QString::fromUtf8(e.what())));
        }
    }
    if (m_project) {
        try {
            m_modelLayout = moeLayoutOf(ModelConfig::load(m_project->modelDir), {});
        } catch (const std::exception& e) {
            spdlog::warn("Experts page: the project's model cannot be read: {}", e.what());
        }
    }
    updateActions();
    showProjectSettings();
    // Nothing of the previous project (or of a file opened before) stays on the page.
    if (m_project)
        m_page->setEmptyHint(tr("Project “%1” has no routing statistics yet: press “Run identification”.")
                                 .arg(QString::fromStdString(m_project->name)));
    else
        m_page->setEmptyHint(tr("No project open. Open or create a project (File menu or start page), then run "
                                "identification on this page."));
    m_page->clearRouting();
    if (m_project)
        showSaved();
}

QString RoutingController::saveRefusal() const
{
    if (!m_project)
        return tr("No project is open.");
    const MoeLayout& shown = m_page->document()->layout();
    const auto shape = [](const MoeLayout& l) {
        return tr("%1 MoE layers × %2 experts").arg(l.moeLayers.size()).arg(l.numExperts);
    };
    const QString project = QString::fromStdString(m_project->name);
    if (!m_modelLayout)
        return tr("The model of project “%1” cannot be read (%2), so the selection cannot be checked against it.")
            .arg(project, QString::fromStdString(m_project->modelDir.string()));
    if (shown.moeLayers != m_modelLayout->moeLayers || shown.numExperts != m_modelLayout->numExperts)
        return tr("The selection on the page was made for a model of %1, but project “%2” uses a model of %3. "
                  "Run identification for this project (or open statistics of its model), then choose the "
                  "experts again.")
            .arg(shape(shown), project, shape(*m_modelLayout));
    const auto problems = m_page->document()->selection().validate(*m_modelLayout);
    if (!problems.empty())
        return tr("The selection does not fit project “%1”'s model: %2")
            .arg(project, QString::fromStdString(problems.front()));
    if (!m_modelLayout->fingerprint.empty() && !shown.fingerprint.empty() &&
        shown.fingerprint != m_modelLayout->fingerprint)
        return tr("The selection on the page was made for another model (fingerprint %1…) than project “%2”'s "
                  "(fingerprint %3…). Run identification for this project, then choose the experts again.")
            .arg(QString::fromStdString(shown.fingerprint.substr(0, 12)), project,
                 QString::fromStdString(m_modelLayout->fingerprint.substr(0, 12)));
    return {};
}

void RoutingController::showProjectSettings()
{
    if (!m_project) {
        m_page->setIdentifyTokens(0, 0, 1);
        m_page->setContrastChoices({}, 0);
        return;
    }
    std::int64_t available = 0;
    try {
        if (const auto data = ProjectDataSummary::load(m_project->dataSummaryFile()))
            available = data->target.rowTokens;
    } catch (const std::exception& e) {
        spdlog::warn("Experts page: {}", e.what()); // counted again by the next identification
    }
    m_page->setIdentifyTokens(m_project->identifyTokenBudget(), available,
                              std::int64_t{Project::kIdentifyBatchSize} * m_project->packing.seqLen);
    QStringList references;
    for (const auto& spec : m_project->references)
        references << QString::fromStdString(datasetLabel(spec));
    m_page->setContrastChoices(references, m_project->contrastReference);
}

bool RoutingController::saveSetting(const char* key, const nlohmann::json& value)
{
    if (!m_project || !m_context || !m_context->store())
        return false;
    try {
        Project::updateSettings(*m_context->store(), m_project->id, {{key, value}});
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(m_page, tr("Cannot save the project's settings"), QString::fromUtf8(e.what()));
        return false;
    }
}

void RoutingController::setIdentifyTokens(qint64 tokens)
{
    if (!m_project || tokens <= 0 || tokens == m_project->identifyTokenBudget())
        return;
    if (saveSetting("identify_tokens", static_cast<std::int64_t>(tokens)))
        m_project->identifyTokens = tokens;
}

void RoutingController::setContrastReference(int choice)
{
    if (!m_project || choice < 0 || choice > static_cast<int>(m_project->references.size()) ||
        choice == m_project->contrastReference)
        return;
    if (!saveSetting("contrast_reference", choice))
        return;
    m_project->contrastReference = choice;
    if (!m_page->hasRouting())
        return;
    const fs::path file = m_project->contrastStatsFile();
    if (!fs::exists(file)) {
        m_page->setReference(nullptr); // identified before this reference was there: run it again
        if (m_context)
            m_context->notify(tr("This reference has no statistics yet: run identification to compare with it."));
        return;
    }
    try {
        const RoutingStats reference = RoutingStats::load(file.string());
        m_page->setReference(&reference);
    } catch (const std::exception& e) {
        m_page->setReference(nullptr);
        QMessageBox::warning(m_page, tr("Cannot show the reference statistics"),
                             tr("%1\n\nRun identification again.").arg(QString::fromUtf8(e.what())));
    }
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
        if (fs::exists(m_project->contrastStatsFile()))
            reference = RoutingStats::load(m_project->contrastStatsFile().string());
        const RoutingCosts c = routingCosts(m_project->modelDir, target.modelFingerprint);
        m_modelLayout = c.layout;
        m_page->setRouting(c.layout, target, reference ? &*reference : nullptr, c.paramsPerExpert, c.bytesPerExpert,
                           c.modelBytes);
        if (const auto saved = Project::latestSelection(*m_context->store(), m_project->id, target.modelFingerprint))
            m_page->showSavedSelection(*saved);
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
        return [this, result, id = project.id, name = project.name] {
            if (m_context)
                m_context->notify(tr("Identification of project “%1” finished; its routing statistics are saved in "
                                     "the project folder.")
                                      .arg(QString::fromStdString(name)));
            if (!m_project || m_project->id != id)
                return; // another project is open now: its page stays as it is
            const RoutingCosts& c = result->costs;
            m_page->setIdentifyTokens(m_project->identifyTokenBudget(), result->targetData.rowTokens,
                                      std::int64_t{Project::kIdentifyBatchSize} * m_project->packing.seqLen);
            m_modelLayout = c.layout;
            m_page->setRouting(c.layout, result->target, result->reference ? &*result->reference : nullptr,
                               c.paramsPerExpert, c.bytesPerExpert, c.modelBytes);
        };
    });
}

void RoutingController::saveSelection()
{
    if (!m_project || !m_context || !m_context->store())
        return;
    if (const QString refusal = saveRefusal(); !refusal.isEmpty()) {
        Q_EMIT saveRefused(refusal);
        m_context->notify(tr("Not saved: the selection is of another model."));
        auto* box = new QMessageBox(QMessageBox::Warning, tr("Cannot save the selection"), refusal, QMessageBox::Ok,
                                    m_page);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return;
    }
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
        m_context->notify(tr("Saved the selection of %n expert(s) to project “%1”.", nullptr, selection.count())
                              .arg(QString::fromStdString(m_project->name)));
        m_context->pollStore();
        Q_EMIT selectionSaved(id);
    } catch (const std::exception& e) {
        m_context->notify(tr("The selection was not saved: %1").arg(QString::fromUtf8(e.what())));
        QMessageBox::warning(m_page, tr("Cannot save the selection"), QString::fromUtf8(e.what()));
    }
}

} // namespace teft::ui
