#pragma once

#include "core/train/MinerJob.h"
#include "core/project/Project.h"
#include "ui/miner/TrainingRun.h"
#include "ui/miner/TrainingSettings.h"

#include <QObject>
#include <QString>
#include <map>
#include <optional>

namespace teft::ui {

class AppContext;
class MinerDashboard;
class TrainingSession;

// Gives the miner dashboard real training for the current project: its runs (from the job store:
// core/project/Train.h, minerRuns) with their settings and recorded curves; Start new run trains
// the project's saved expert selection in a run folder of its own (ui/engine/
// EngineTrainingSession); Continue resumes a stopped run from its checkpoint; a recorded training
// job can be resumed or its settings cloned into the form. When the current project changes, the
// page is reset to that project's state.
class MinerController : public QObject {
    Q_OBJECT
public:
    MinerController(MinerDashboard* dashboard, AppContext* context, QObject* parent = nullptr);

    const std::optional<Project>& project() const { return m_project; }

public Q_SLOTS:
    void projectChanged();
    // Reads the project's runs again (after a run ended); returns the name a new run gets.
    QString refreshRuns();
    // Runs this recorded job's settings again; its checkpoint makes it continue.
    void resumeJob(const teft::MinerSettings& settings);
    void cloneSettings(const teft::MinerSettings& settings);

private:
    // The runs list follows every run that ends.
    void watch(TrainingSession* session);
    void continueRun(const TrainingRun& run);
    // The dashboard refused Start (the memory plan): a failed train job of the run it would have
    // been, so that the Jobs page and `teft jobs list` show it (as the engine's refusals are).
    void recordRefusedStart(const QString& message, const TrainingSettings& form);

    MinerDashboard* m_dashboard;
    AppContext* m_context;
    std::optional<Project> m_project;
    std::map<QString, MinerSettings> m_runSettings; // by run name, as recorded
};

} // namespace teft::ui
