#include "ui/engine/DemoProject.h"

#include "core/data/DatasetSpec.h"
#include "core/data/DemoCorpus.h"
#include "core/store/JobStore.h"
#include "core/train/DemoModel.h"
#include "core/util/Paths.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/StartPage.h"

#include <QMessageBox>
#include <nlohmann/json.hpp>

namespace teft::ui {

namespace fs = std::filesystem;

std::int64_t ensureDemoProject(JobStore& store, JobControl& control)
{
    const DemoModelSettings settings;
    const auto files = ensureDemoCorpus(settings, control);
    const DemoModelInfo info = ensureDemoModel(settings, control);
    const std::string modelPath = info.dir.string();
    for (const auto& p : store.recentProjects(1000))
        if (p.name == "Built-in demo" && p.modelPath == modelPath)
            return p.id;
    nlohmann::json projectSettings{{"device", "cpu"},
                                   {"seq_len", settings.seqLen},
                                   {"held_out_fraction", 0.05},
                                   {"data_seed", settings.seed}};
    DatasetSpec target, reference;
    const auto& domains = demoDomains();
    for (std::size_t i = 0; i < files.size() && i < domains.size(); ++i)
        (domains[i] == "code" ? target : reference).paths.push_back(files[i]);
    target.format = reference.format = DataFormat::Jsonl;
    const auto id = store.createProject("Built-in demo", modelPath, projectSettings.dump());
    store.addDataset(id, "target", toJson(target).dump());
    store.addDataset(id, "reference", toJson(reference).dump());
    return id;
}

DemoProjectController::DemoProjectController(StartPage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context)
{
    m_task = new BackgroundTask(this);
    page->addStatusWidget(new TaskProgressBar(m_task, page));
    connect(page, &StartPage::demoRequested, this, &DemoProjectController::open);
    connect(m_task, &BackgroundTask::failed, this, [this](const QString& message) {
        QMessageBox::warning(m_page, tr("Cannot open the demo"), message);
    });
}

void DemoProjectController::open()
{
    if (m_task->isRunning() || !m_context || !m_context->store())
        return;
    // The worker opens its own connection to the store: SQLite handles are per thread.
    const fs::path storePath = m_context->store()->path();
    m_task->start([this, storePath](JobControl& control) -> BackgroundTask::Continuation {
        auto store = JobStore::open(storePath);
        const std::int64_t id = ensureDemoProject(*store, control);
        return [this, id] {
            m_context->setCurrentProject(id);
            if (m_context->store())
                m_context->store()->touchProject(id);
            m_context->pollStore();
            Q_EMIT opened(id);
        };
    });
}

} // namespace teft::ui
