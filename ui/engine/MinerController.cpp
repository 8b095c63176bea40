#include "ui/engine/MinerController.h"

#include "core/model/ModelConfig.h"
#include "core/project/Train.h"
#include "core/store/JobStore.h"
#include "core/train/MemoryPlan.h"
#include "core/train/ValidatorJob.h"
#include "ui/engine/EngineTrainingSession.h"
#include "ui/miner/MinerDashboard.h"
#include "ui/shell/AppContext.h"

#include <QMessageBox>
#include <cmath>
#include <limits>
#include <spdlog/spdlog.h>

namespace teft::ui {

namespace {

QString stateText(JobStore::JobState state)
{
    switch (state) {
    case JobStore::JobState::Succeeded: return MinerController::tr("finished");
    case JobStore::JobState::Cancelled: return MinerController::tr("stopped");
    case JobStore::JobState::Failed: return MinerController::tr("failed");
    case JobStore::JobState::Interrupted: return MinerController::tr("interrupted");
    case JobStore::JobState::Running: return MinerController::tr("running");
    case JobStore::JobState::Paused: return MinerController::tr("paused");
    case JobStore::JobState::Queued: return MinerController::tr("queued");
    }
    return {};
}

// A run's recorded steps as the dashboard draws them (a later job's value wins at a step).
QVector<TrainingMetrics> recordedMetrics(const JobStore& store, const MinerRun& run)
{
    std::map<std::int64_t, TrainingMetrics> steps;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto at = [&](std::int64_t step) -> TrainingMetrics& {
        auto [it, inserted] = steps.try_emplace(step);
        if (inserted) {
            it->second.step = step;
            it->second.totalSteps = run.settings.train.innerSteps;
            it->second.loss = it->second.learningRate = it->second.tokensPerSecond = nan;
        }
        return it->second;
    };
    for (const auto& [step, v] : minerRunMetric(store, run, "loss"))
        at(step).loss = v;
    for (const auto& [step, v] : minerRunMetric(store, run, "lr"))
        at(step).learningRate = v;
    for (const auto& [step, v] : minerRunMetric(store, run, "tokens_per_s"))
        at(step).tokensPerSecond = v;
    for (const auto& [step, v] : minerRunMetric(store, run, "val_loss"))
        at(step).validationLoss = v;
    QVector<TrainingMetrics> out;
    out.reserve(static_cast<qsizetype>(steps.size()));
    for (const auto& [step, m] : steps)
        out.push_back(m);
    return out;
}

} // namespace

MinerController::MinerController(MinerDashboard* dashboard, AppContext* context, QObject* parent)
    : QObject(parent), m_dashboard(dashboard), m_context(context)
{
    m_dashboard->setSessionFactory([this](QObject* sessionParent) -> TrainingSession* {
        if (!m_project) {
            m_dashboard->setStatus(tr("Open or create a project (and select its experts) to train."));
            return nullptr;
        }
        // A new run gets a folder of its own: a name of a listed run, or of a folder already
        // there, is refused (Continue continues a run).
        const std::string name = m_dashboard->settings().runName.toStdString();
        try {
            const auto dir = minerRunDir(*m_project, name);
            std::error_code ec;
            if (m_runSettings.count(QString::fromStdString(name)) || std::filesystem::exists(dir, ec)) {
                QMessageBox::information(m_dashboard, tr("Run name taken"),
                                         tr("There is already a run named “%1”. Choose another name for a new run, "
                                            "or select that run and press Continue run.")
                                             .arg(QString::fromStdString(name)));
                return nullptr;
            }
        } catch (const std::exception& e) {
            QMessageBox::warning(m_dashboard, tr("Cannot start the run"), QString::fromUtf8(e.what()));
            return nullptr;
        }
        std::optional<ExpertSelection> selection;
        try {
            // The newest; the session checks on its worker thread that it is of this model
            // (fingerprinting reads every router weight: not on the GUI thread).
            selection = Project::latestSelection(*m_context->store(), m_project->id);
        } catch (const std::exception& e) {
            QMessageBox::warning(m_dashboard, tr("Cannot train"), QString::fromUtf8(e.what()));
            return nullptr;
        }
        if (!selection || selection->empty()) {
            QMessageBox::information(m_dashboard, tr("No expert selection"),
                                     tr("This project has no saved expert selection for its model. Run identification "
                                        "on the Experts page, choose the experts and press “Save to project”."));
            return nullptr;
        }
        auto* session = new EngineTrainingSession(*m_project, *selection, sessionParent);
        watch(session);
        return session;
    });
    // The plan of the project's saved selection with the form's settings (config.json, the
    // device's free memory: cheap enough for every change of the form).
    m_dashboard->setPlanProvider([this](const TrainingSettings& form) -> std::optional<MemoryPlan> {
        if (!m_project || !m_context || !m_context->store())
            return std::nullopt;
        const auto selection = Project::latestSelection(*m_context->store(), m_project->id);
        if (!selection || selection->empty())
            return std::nullopt;
        TrainingSettings planned = form;
        planned.runName.clear(); // the plan does not depend on the folder (nor on a name being typed)
        return planMinerMemory(EngineTrainingSession::minerSettings(*m_project, *selection, planned));
    });
    connect(m_dashboard, &MinerDashboard::continueRunRequested, this, &MinerController::continueRun);
    connect(m_dashboard, &MinerDashboard::startRefused, this, &MinerController::recordRefusedStart);
    if (context)
        connect(context, &AppContext::currentProjectChanged, this, &MinerController::projectChanged);
    projectChanged();
}

void MinerController::watch(TrainingSession* session)
{
    connect(session, &TrainingSession::stateChanged, this, [this, session](TrainingSession::State state) {
        if (state == TrainingSession::State::Running || state == TrainingSession::State::Paused)
            return;
        // Only a session of this project's page (a stopped one of another project is ignored).
        if (m_dashboard->session() == session)
            refreshRuns();
    });
}

void MinerController::projectChanged()
{
    // Nothing of the previous project stays: its run, curves, submission and runs.
    m_dashboard->resetForProject();
    m_runSettings.clear();
    m_project.reset();
    if (m_context && m_context->store() && m_context->currentProject()) {
        try {
            m_project = Project::load(*m_context->store(), *m_context->currentProject());
        } catch (const std::exception& e) {
            spdlog::warn("Train page: {}", e.what());
            m_dashboard->setStatus(tr("The project cannot be opened: %1").arg(QString::fromUtf8(e.what())));
            m_dashboard->updatePlan();
            return;
        }
    }
    if (!m_project) {
        m_dashboard->setStatus(
            tr("Open or create a project, select its experts on the Experts page, then press Start new run."));
        m_dashboard->updatePlan();
        return;
    }
    // The form: the newest run's settings (a new run continues from where the user left off), or
    // the defaults on the project's device and sequence length.
    TrainingSettings form;
    form.device = QString::fromStdString(m_project->device);
    form.sequenceLength = static_cast<int>(m_project->packing.seqLen);
    const QString next = refreshRuns();
    if (!m_dashboard->runs().isEmpty())
        form = m_dashboard->runs().front().settings;
    form.runName = next;
    m_dashboard->setSettings(form);
    try {
        m_dashboard->setRound(ValidatorState::load(m_project->validatorStateDir()).round);
    } catch (const std::exception& e) {
        spdlog::warn("Train page: {}", e.what());
    }
    std::optional<ExpertSelection> selection;
    try {
        selection = Project::latestSelection(*m_context->store(), m_project->id);
    } catch (const std::exception& e) {
        spdlog::warn("Train page: {}", e.what());
    }
    const QString name = QString::fromStdString(m_project->name);
    if (!selection || selection->empty())
        m_dashboard->setStatus(tr("Project “%1” has no saved expert selection yet: run identification on the Experts "
                                  "page, choose the experts and press “Save to project”, then start a run here.")
                                   .arg(name));
    else if (m_dashboard->runs().isEmpty())
        m_dashboard->setStatus(
            tr("Project “%1”: no runs yet. Check the settings and press Start new run to train its saved expert "
               "selection.")
                .arg(name));
    else
        m_dashboard->setStatus(tr("Project “%1”: %n run(s). Select one to see its curves and settings, tick runs to "
                                  "compare them, or press Start new run.",
                                  nullptr, static_cast<int>(m_dashboard->runs().size()))
                                   .arg(name));
    m_dashboard->updatePlan();
}

QString MinerController::refreshRuns()
{
    m_runSettings.clear();
    if (!m_project || !m_context || !m_context->store()) {
        m_dashboard->setRuns({}, QString());
        return {};
    }
    const JobStore& store = *m_context->store();
    QVector<TrainingRun> runs;
    std::string next;
    try {
        const std::vector<MinerRun> found = minerRuns(store, *m_project);
        for (const MinerRun& r : found) {
            TrainingRun run;
            run.name = QString::fromStdString(r.name);
            run.stateText = stateText(r.state);
            run.round = r.settings.round;
            run.shardIndex = r.settings.shardIndex;
            run.shardCount = r.settings.shardCount;
            run.totalSteps = r.settings.train.innerSteps;
            run.metrics = recordedMetrics(store, r);
            for (const TrainingMetrics& m : std::as_const(run.metrics))
                if (std::isfinite(m.learningRate)) // every step records its learning rate
                    run.stepsDone = std::max(run.stepsDone, m.step);
            run.canContinue = r.state != JobStore::JobState::Succeeded && r.state != JobStore::JobState::Running &&
                              r.state != JobStore::JobState::Paused;
            const auto submission = r.settings.submissionDir.empty() ? r.outDir / "submission"
                                                                     : r.settings.submissionDir;
            std::error_code ec;
            if (r.state == JobStore::JobState::Succeeded && std::filesystem::exists(submission, ec))
                run.submissionPath = QString::fromStdString(submission.string());
            run.settings = EngineTrainingSession::formSettings(r.settings);
            m_runSettings.emplace(run.name, r.settings);
            runs.push_back(std::move(run));
        }
        next = nextMinerRunName(*m_project, found);
    } catch (const std::exception& e) {
        spdlog::warn("Train page: the runs cannot be read: {}", e.what());
    }
    m_dashboard->setRuns(runs, QString::fromStdString(next));
    return QString::fromStdString(next);
}

void MinerController::recordRefusedStart(const QString& message, const TrainingSettings& form)
{
    if (!m_project || !m_context || !m_context->store())
        return;
    try {
        const auto selection = Project::latestSelection(*m_context->store(), m_project->id);
        if (!selection || selection->empty())
            return;
        const MinerSettings settings = EngineTrainingSession::minerSettings(*m_project, *selection, form);
        // A name already taken is another run's: its record stays as it is (Start is refused for
        // the name anyway).
        std::error_code ec;
        if (m_runSettings.count(form.runName) || std::filesystem::exists(settings.outDir, ec))
            return;
        recordRefusedMinerStart(settings, message.toStdString(), ErrorKind::OutOfMemory);
    } catch (const std::exception& e) {
        spdlog::warn("Train page: the refused start is not recorded: {}", e.what());
        return;
    }
    refreshRuns();
}

void MinerController::continueRun(const TrainingRun& run)
{
    const auto it = m_runSettings.find(run.name);
    if (it == m_runSettings.end())
        return;
    resumeJob(it->second);
}

void MinerController::resumeJob(const MinerSettings& settings)
{
    auto* session = new EngineTrainingSession(settings, m_dashboard);
    watch(session);
    m_dashboard->startSession(session, EngineTrainingSession::formSettings(settings));
}

void MinerController::cloneSettings(const MinerSettings& settings)
{
    TrainingSettings form = EngineTrainingSession::formSettings(settings);
    form.runName = m_dashboard->settings().runName; // a clone is a new run: the next free name
    m_dashboard->setSettings(form);
    m_dashboard->setStatus(tr("Settings copied from a recorded job: press Start new run to train with them."));
}

} // namespace teft::ui
