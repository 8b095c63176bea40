#pragma once

#include "core/project/Project.h"

#include <QObject>
#include <optional>

namespace teft::ui {

class AppContext;
class BackgroundTask;
class RoutingPage;
class TaskProgressBar;

// Connects the routing page to the engine for the current project: "Run identification" runs
// the frozen model over the target (and reference) data on a worker thread with progress and
// cancel, saves the statistics in the project folder and shows them; "Save to project" stores
// the edited selection in the job store, where training and validation take it from. Opening
// a project shows its saved statistics and newest selection.
class RoutingController : public QObject {
    Q_OBJECT
public:
    RoutingController(RoutingPage* page, AppContext* context, QObject* parent = nullptr);

    BackgroundTask* task() const { return m_task; }
    const std::optional<Project>& project() const { return m_project; }

public Q_SLOTS:
    void identify();
    void saveSelection();
    void projectChanged();

Q_SIGNALS:
    void selectionSaved(std::int64_t selectionId);

private:
    // Shows the project's saved statistics (and its newest matching selection); false when
    // there are none yet.
    bool showSaved();
    void updateActions();

    RoutingPage* m_page;
    AppContext* m_context;
    BackgroundTask* m_task;
    TaskProgressBar* m_strip;
    std::optional<Project> m_project;
};

} // namespace teft::ui
