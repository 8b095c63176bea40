#pragma once

#include "core/demo/DemoProject.h"

#include <QObject>
#include <cstdint>

namespace teft::ui {

class AppContext;
class BackgroundTask;
class StartPage;
class TaskProgressBar;

// The start page's "Open the Built-in Demo" button: ensureDemoProject (core/demo) on a worker
// thread with progress and cancel, then opens the project.
class DemoProjectController : public QObject {
    Q_OBJECT
public:
    DemoProjectController(StartPage* page, AppContext* context, QObject* parent = nullptr);
    BackgroundTask* task() const { return m_task; }

public Q_SLOTS:
    void open();

Q_SIGNALS:
    void opened(std::int64_t projectId);

private:
    StartPage* m_page;
    AppContext* m_context;
    BackgroundTask* m_task;
};

} // namespace teft::ui
