#include "ui/engine/MergeController.h"

#include "core/project/Merge.h"
#include "core/project/Project.h"
#include "core/util/Error.h"
#include "ui/engine/BackgroundTask.h"
#include "ui/shell/AppContext.h"
#include "ui/shell/Confirm.h"

#include <limits>

namespace teft::ui {

namespace fs = std::filesystem;

namespace {

QString datasetName(const DatasetSpec& spec)
{
    if (spec.paths.empty())
        return MergeController::tr("dataset");
    const auto first = spec.paths.front().filename().empty() ? spec.paths.front().parent_path().filename()
                                                             : spec.paths.front().filename();
    QString name = QString::fromStdString(first.string());
    if (spec.paths.size() > 1)
        name = MergeController::tr("%1 and %n more", nullptr, static_cast<int>(spec.paths.size() - 1)).arg(name);
    return name;
}

QString targetLabel(const Project& p)
{
    return MergeController::tr("%1 (target, held-out)").arg(datasetName(p.target));
}

QString referenceLabel(const DatasetSpec& reference)
{
    return MergeController::tr("%1 (reference, held-out)").arg(datasetName(reference));
}

} // namespace

MergeController::MergeController(MergePage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context), m_task(new BackgroundTask(this))
{
    connect(page, &MergePage::mergeRequested, this, &MergeController::merge);
    connect(page, &MergePage::cancelRequested, m_task, &BackgroundTask::cancel);
    connect(m_task, &BackgroundTask::started, this, [this] {
        if (m_page)
            m_page->showStarted(m_outputDir);
    });
    connect(m_task, &BackgroundTask::progress, this, [this](qint64 done, qint64 total, const QString& stage) {
        if (m_page)
            m_page->showProgress(done, total, stage);
    });
    connect(m_task, &BackgroundTask::succeeded, this, [this] {
        if (m_context)
            m_context->notify(tr("Merged checkpoint written to %1.").arg(m_outputDir));
        if (m_page)
            m_page->showFinished(MergePage::Outcome::Succeeded, m_outputDir);
    });
    connect(m_task, &BackgroundTask::failed, this, [this](const QString& message, ErrorKind kind) {
        if (m_context)
            m_context->notify(tr("Merge failed: %1").arg(message));
        if (m_page)
            m_page->showFinished(MergePage::Outcome::Failed, message, kind);
    });
    connect(m_task, &BackgroundTask::cancelled, this, [this] {
        if (m_page)
            m_page->showFinished(MergePage::Outcome::Cancelled);
    });
    if (m_context) {
        connect(m_context, &AppContext::currentProjectChanged, this, &MergeController::onProjectChanged);
        if (m_context->currentProject())
            onProjectChanged();
    }
}

std::vector<MergeComparisonModel::Row> MergeController::initialRows(const Project& project)
{
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<MergeComparisonModel::Row> rows{{targetLabel(project), true, nan, nan}};
    for (const auto& reference : project.references) // every out-of-domain reference
        rows.push_back({referenceLabel(reference), false, nan, nan});
    return rows;
}

MergeController::MergeFunction MergeController::mergeFunction(const Project& project)
{
    // Labels translated here, on the GUI thread; the merge itself (Φ of the validator state, the
    // held-out losses before and after, the job record) is core's.
    const std::string target = targetLabel(project).toStdString();
    std::vector<std::string> references;
    for (const auto& reference : project.references)
        references.push_back(referenceLabel(reference).toStdString());
    return [project, target, references](const QString& outputDir, JobControl& control) {
        const auto result = mergeProject(project, fs::path(outputDir.toStdString()), target, references, control);
        std::vector<MergeComparisonModel::Row> rows;
        for (std::size_t i = 0; i < result.losses.size(); ++i)
            rows.push_back({QString::fromStdString(result.losses[i].name), i == 0, result.losses[i].before,
                            result.losses[i].after});
        return rows;
    };
}

void MergeController::merge(const QString& outputDir)
{
    if (!m_merge || outputDir.isEmpty() || m_task->isRunning())
        return;
    std::error_code ec;
    const fs::path out(outputDir.toStdString());
    if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)) &&
        !confirmAction(m_page, tr("Replace the merged checkpoint?"),
                       tr("%1 already exists and is not empty. The merge replaces what is there with the new "
                          "checkpoint.")
                           .arg(outputDir),
                       tr("Replace")))
        return;
    m_outputDir = outputDir;
    m_task->start([fn = m_merge, outputDir, this](JobControl& control) -> BackgroundTask::Continuation {
        auto rows = fn(outputDir, control);
        return [this, rows = std::move(rows)]() mutable {
            if (m_page)
                m_page->setRows(std::move(rows));
        };
    });
}

void MergeController::onProjectChanged()
{
    m_projectId = m_context ? m_context->currentProject() : std::nullopt;
    m_task->cancel();
    m_merge = {};
    if (!m_page)
        return;
    if (!m_projectId) {
        m_page->setRows({});
        m_page->setOutputDir({});
        m_page->setMergeAvailable(false, tr("Open or create a project, train its experts and apply a validator "
                                            "round first"));
        m_page->setStatus(tr("No project open. Open or create a project, train and validate a round, then merge "
                             "its trained experts into the base model here."));
        return;
    }
    try {
        const auto project = Project::load(*m_context->store(), *m_projectId);
        m_page->setRows(initialRows(project));
        m_page->setOutputDir(QString::fromStdString((project.workDir() / "merged").string()));
        m_merge = mergeFunction(project);
        m_page->setStatus(
            tr("Merges the validator's current Φ into %1.").arg(QString::fromStdString(project.modelDir.string())));
    } catch (const std::exception& e) {
        // Shown when the user tries to merge: the project cannot be used as it is.
        const std::string message = e.what();
        Project fallback;
        fallback.id = *m_projectId;
        m_page->setRows({});
        m_page->setOutputDir(QString::fromStdString((fallback.workDir() / "merged").string()));
        m_merge = [message](const QString&, JobControl&) -> std::vector<MergeComparisonModel::Row> {
            throw Error(message);
        };
        m_page->setStatus(QString::fromStdString(message));
    }
    m_page->setMergeAvailable(true);
}

} // namespace teft::ui
