#include "ui/engine/MinerController.h"

#include "core/model/ModelConfig.h"
#include "core/store/JobStore.h"
#include "core/train/MemoryPlan.h"
#include "ui/engine/EngineTrainingSession.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/shell/AppContext.h"

#include <QMessageBox>
#include <spdlog/spdlog.h>

namespace teft::ui {

MinerController::MinerController(MinerDashboard* dashboard, AppContext* context, QObject* parent)
    : QObject(parent), m_dashboard(dashboard), m_context(context)
{
    m_dashboard->setSessionFactory([this](QObject* sessionParent) -> TrainingSession* {
        if (!m_project) {
            m_dashboard->setStatus(tr("Open or create a project (and select its experts) to train."));
            return nullptr;
        }
        std::optional<ExpertSelection> selection;
        try {
            // The newest; the session checks on its worker thread that it is of this model
            // (fingerprinting reads every router weight: not on the GUI thread).
            selection = Project::latestSelection(*m_context->store(), m_project->id);
        } catch (const std::exception& e) {
            QMessageBox::warning(m_dashboard, tr("Cannot train"), QString::fromUtf8(e.what()));
            return nullptr;
        }
        if (!selection || selection->empty()) {
            QMessageBox::information(m_dashboard, tr("No expert selection"),
                                     tr("This project has no saved expert selection for its model. Run identification "
                                        "on the Experts page, choose the experts and press “Save to project”."));
            return nullptr;
        }
        return new EngineTrainingSession(*m_project, *selection, sessionParent);
    });
    // The plan of the project's saved selection with the form's settings (config.json, the
    // device's free memory: cheap enough for every change of the form).
    m_dashboard->setPlanProvider([this](const TrainingSettings& form) -> std::optional<MemoryPlan> {
        if (!m_project || !m_context || !m_context->store())
            return std::nullopt;
        const auto selection = Project::latestSelection(*m_context->store(), m_project->id);
        if (!selection || selection->empty())
            return std::nullopt;
        return planMinerMemory(EngineTrainingSession::minerSettings(*m_project, *selection, form));
    });
    if (context)
        connect(context, &AppContext::currentProjectChanged, this, &MinerController::projectChanged);
    projectChanged();
}

void MinerController::projectChanged()
{
    m_project.reset();
    if (m_context && m_context->store() && m_context->currentProject()) {
        try {
            m_project = Project::load(*m_context->store(), *m_context->currentProject());
            TrainingSettings form = m_dashboard->settings();
            form.device = QString::fromStdString(m_project->device);
            form.sequenceLength = static_cast<int>(m_project->packing.seqLen);
            m_dashboard->setSettings(form);
            m_dashboard->setStatus(tr("Project “%1”: press Start to train its saved expert selection.")
                                       .arg(QString::fromStdString(m_project->name)));
            m_dashboard->updatePlan();
        } catch (const std::exception& e) {
            spdlog::warn("Train page: {}", e.what());
        }
    }
    if (!m_project)
        m_dashboard->setStatus(
            tr("Open or create a project, select its experts on the Experts page, then press Start."));
}

void MinerController::resumeJob(const MinerSettings& settings)
{
    m_dashboard->startSession(new EngineTrainingSession(settings, m_dashboard),
                              EngineTrainingSession::formSettings(settings));
}

void MinerController::cloneSettings(const MinerSettings& settings)
{
    m_dashboard->setSettings(EngineTrainingSession::formSettings(settings));
    m_dashboard->setStatus(tr("Settings copied from a recorded job: press Start to train with them."));
}

} // namespace teft::ui
