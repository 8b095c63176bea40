#pragma once

#include <QObject>
#include <cstdint>

namespace teft {
class JobStore;
class JobControl;
}

namespace teft::ui {

class AppContext;
class BackgroundTask;
class StartPage;
class TaskProgressBar;

// The built-in demo as a real project: the demo corpus (six generated domains) and the demo
// foundation model (a small qwen3_moe pretrained on them, cached in the data directory; the
// first time takes minutes on two cores), with "code" as the target and the other domains as
// the reference. Nothing is simulated: identification, training, validation and merge then
// run the engine on it like on any other project.
std::int64_t ensureDemoProject(JobStore& store, JobControl& control);

// The start page's "Open the Built-in Demo" button: ensureDemoProject on a worker thread with
// progress and cancel, then opens the project.
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
