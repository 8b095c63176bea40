#include "ui/engine/RoutingController.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/ModelConfig.h"
#include "core/model/MoeModel.h"
#include "core/store/JobRecord.h"
#include "core/store/JobStore.h"
#include "core/train/ModelIdentity.h"
#include "core/train/RoutingIdentification.h"
#include "core/util/Error.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/routing/RoutingPage.h"
#include "ui/routing/SelectionDocument.h"
#include "ui/shell/AppContext.h"

#include <QAction>
#include <QDateTime>
#include <QMessageBox>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace teft::ui {

namespace fs = std::filesystem;

namespace {

struct Costs {
    MoeLayout layout;
    std::int64_t paramsPerExpert = 0;
    std::int64_t bytesPerExpert = 0;
    std::int64_t modelBytes = 0;
};

Costs costsOf(const fs::path& modelDir, const std::string& fingerprint)
{
    const ModelConfig config = ModelConfig::load(modelDir);
    Costs c;
    c.layout = moeLayoutOf(config, fingerprint);
    c.paramsPerExpert = config.paramsPerExpert();
    c.bytesPerExpert = config.bytesPerExpert();
    c.modelBytes = static_cast<std::int64_t>(CheckpointFiles::open(modelDir).totalBytes()); // as `teft demo` counts it
    return c;
}

} // namespace

RoutingController::RoutingController(RoutingPage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context)
{
    m_task = new BackgroundTask(this);
    m_strip = new TaskProgressBar(m_task, page);
    page->addStatusWidget(m_strip);
    connect(page->identifyAction(), &QAction::triggered, this, &RoutingController::identify);
    connect(page->saveAction(), &QAction::triggered, this, &RoutingController::saveSelection);
    connect(m_task, &BackgroundTask::finished, this, [this] { m_page->identifyAction()->setEnabled(m_project.has_value()); });
    connect(m_task, &BackgroundTask::failed, this, [this](const QString& message) {
        QMessageBox::warning(m_page, tr("Identification failed"), message);
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
            m_project = ProjectSetup::load(*m_context->store(), *m_context->currentProject());
        } catch (const std::exception& e) {
            spdlog::warn("Experts page: {}", e.what());
        }
    }
    m_page->identifyAction()->setEnabled(m_project.has_value() && !m_task->isRunning());
    m_page->saveAction()->setEnabled(m_project.has_value());
    if (m_project)
        showSaved();
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
        const Costs c = costsOf(m_project->modelDir, target.modelFingerprint);
        m_page->setRouting(c.layout, target, reference ? &*reference : nullptr, c.paramsPerExpert, c.bytesPerExpert,
                           c.modelBytes);
        if (const auto saved = latestProjectSelection(*m_context->store(), m_project->id, target.modelFingerprint))
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
    m_page->identifyAction()->setEnabled(false);
    const ProjectSetup project = *m_project;
    m_task->start([this, project](JobControl& control) -> BackgroundTask::Continuation {
        nlohmann::json cfg{{"model", project.modelDir.string()}, {"project", project.id}, {"source", "teft-studio"}};
        JobRecord rec("identify", cfg.dump(), project.targetStatsFile().parent_path().string(), project.id);
        try {
            MoeModelOptions opt;
            opt.device = project.device;
            auto model = MoeModel::load(project.modelDir, opt, &control);
            const std::string fingerprint = modelFingerprint(project.modelDir);
            IdentifySettings is;
            auto collect = [&](const DatasetSpec& spec, const fs::path& file) {
                const TokenDataset data = loadProjectDataset(project, spec, control);
                RoutingStats stats = collectRoutingStats(*model, data, is, control);
                stats.modelFingerprint = fingerprint;
                stats.dataset = spec.paths.empty() ? std::string() : spec.paths.front().filename().string();
                fs::create_directories(file.parent_path());
                stats.save(file.string());
                return stats;
            };
            auto target = std::make_shared<RoutingStats>(collect(project.target, project.targetStatsFile()));
            recordRoutingMetrics(rec, *target);
            std::shared_ptr<RoutingStats> reference;
            if (project.reference) {
                reference = std::make_shared<RoutingStats>(collect(*project.reference, project.referenceStatsFile()));
                recordRoutingMetrics(rec, *reference, "reference.");
            } else {
                fs::remove(project.referenceStatsFile());
            }
            rec.metric(0, "tokens", static_cast<double>(target->tokens()));
            auto costs = std::make_shared<Costs>(costsOf(project.modelDir, fingerprint));
            rec.succeed();
            return [this, target, reference, costs] {
                m_page->setRouting(costs->layout, *target, reference.get(), costs->paramsPerExpert,
                                   costs->bytesPerExpert, costs->modelBytes);
            };
        } catch (const Cancelled&) {
            rec.cancelled();
            throw;
        } catch (const std::exception& e) {
            rec.fail(e.what());
            throw;
        }
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
        const auto id = m_context->store()->saveSelection(m_project->id, name, selection.hash(), selection.toJson().dump());
        spdlog::info("Saved the selection of {} experts to project '{}'", selection.count(), m_project->name);
        m_context->pollStore();
        Q_EMIT selectionSaved(id);
    } catch (const std::exception& e) {
        QMessageBox::warning(m_page, tr("Cannot save the selection"), QString::fromUtf8(e.what()));
    }
}

} // namespace teft::ui
