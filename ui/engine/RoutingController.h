#pragma once

#include "core/project/Project.h"
#include "core/teft/MoeLayout.h"

#include <QObject>
#include <nlohmann/json.hpp>
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
    // The page's identification settings, saved in the project's settings: the token budget
    // ("identify_tokens") and the contrast reference ("contrast_reference", whose statistics are
    // shown at once when they were identified).
    void setIdentifyTokens(qint64 tokens);
    void setContrastReference(int choice);

    // Why the page's selection cannot be saved to the open project (it was made for another
    // model: other MoE layers, expert count or fingerprint); empty when it can.
    QString saveRefusal() const;

Q_SIGNALS:
    void selectionSaved(std::int64_t selectionId);
    // Save was refused (saveRefusal()); the page also shows it.
    void saveRefused(const QString& reason);

private:
    // Shows the project's saved statistics (and its newest matching selection); false when
    // there are none yet.
    bool showSaved();
    void updateActions();
    // The project's token budget (with the target's tokens from its data summary) and its
    // references on the page.
    void showProjectSettings();
    // Saves one key of the project's settings; false (and says why) when it cannot.
    bool saveSetting(const char* key, const nlohmann::json& value);

    RoutingPage* m_page;
    AppContext* m_context;
    BackgroundTask* m_task;
    TaskProgressBar* m_strip;
    std::optional<Project> m_project;
    // The project's model, from its config (fingerprint: of its saved statistics, when any).
    std::optional<MoeLayout> m_modelLayout;
};

} // namespace teft::ui
