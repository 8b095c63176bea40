#pragma once

#include "core/project/Train.h"
#include "core/train/MinerJob.h"
#include "core/project/Project.h"
#include "ui/miner/ThreadedTrainingSession.h"

#include <optional>

namespace teft::ui {

// The miner dashboard's session on the real engine: tokenizes the project's target dataset
// (or loads it from the cache) and runs teft::runMiner on a worker thread, reporting every
// inner step (loss, learning rate, tokens/s, held-out loss every validation interval).
// Pause, resume and cancel go through the run's JobControl; a cancelled run leaves a
// checkpoint and starting the same settings again resumes from it.
class EngineTrainingSession : public ThreadedTrainingSession {
    Q_OBJECT
public:
    // A new run of the project's selected experts with the dashboard's settings.
    EngineTrainingSession(Project project, ExpertSelection selection, QObject* parent = nullptr);
    // Runs exactly these settings (a job from the job store, resumed): the dataset comes from
    // settings.dataset; start()'s form settings are ignored.
    explicit EngineTrainingSession(MinerSettings settings, QObject* parent = nullptr);
    ~EngineTrainingSession() override;

    // The engine settings the dashboard's form stands for: the project's current Φ (the
    // validator state's, when a round was applied) and round. The output folder is derived
    // from everything that shapes the run, so the same settings continue the same run.
    static MinerSettings minerSettings(const Project& project, const ExpertSelection& selection,
                                       const TrainingSettings& form);
    // The dashboard form showing a recorded job's settings (clone, resume).
    static TrainingSettings formSettings(const MinerSettings& settings);
    // The dashboard form as core's (Qt-free) miner form.
    static MinerForm minerForm(const TrainingSettings& form);

    // The settings of the run started last (valid after start()).
    const MinerSettings& settings() const { return m_settings; }

    void start(const TrainingSettings& settings) override;

private:
    TrainingResult run(JobControl& control);

    std::optional<Project> m_project;
    ExpertSelection m_selection;
    bool m_fixed = false;
    MinerSettings m_settings;
};

} // namespace teft::ui
