#include "ui/engine/DemoProject.h"

#include "core/store/JobStore.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/engine/TaskProgressBar.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/StartPage.h"

#include <QMessageBox>

namespace teft::ui {

namespace fs = std::filesystem;

DemoProjectController::DemoProjectController(StartPage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context)
{
    m_task = new BackgroundTask(this);
    page->addStatusWidget(new TaskProgressBar(m_task, page));
    connect(page, &StartPage::demoRequested, this, &DemoProjectController::open);
    connect(m_task, &BackgroundTask::failed, this,
            [this](const QString& message) { QMessageBox::warning(m_page, tr("Cannot open the demo"), message); });
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
