#pragma once

#include "core/train/MinerJob.h"
#include "core/project/Project.h"

#include <QObject>
#include <optional>

namespace teft::ui {

class AppContext;
class MinerDashboard;

// Gives the miner dashboard real training for the current project: Start trains the
// project's saved expert selection (ui/engine/EngineTrainingSession); a recorded training job
// can be resumed (its checkpoint continues) or its settings cloned into the form.
class MinerController : public QObject {
    Q_OBJECT
public:
    MinerController(MinerDashboard* dashboard, AppContext* context, QObject* parent = nullptr);

    const std::optional<Project>& project() const { return m_project; }

public Q_SLOTS:
    void projectChanged();
    // Runs this recorded job's settings again; its checkpoint makes it continue.
    void resumeJob(const teft::MinerSettings& settings);
    void cloneSettings(const teft::MinerSettings& settings);

private:
    MinerDashboard* m_dashboard;
    AppContext* m_context;
    std::optional<Project> m_project;
};

} // namespace teft::ui
