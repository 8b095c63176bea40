#include "ui/engine/MergeController.h"

#include "core/data/TokenDataset.h"
#include "core/train/MergeJob.h"
#include "core/train/ValidatorJob.h"
#include "core/util/Error.h"
#include "ui/engine/ProjectSetup.h"
#include "ui/shell/AppContext.h"

#include <QLabel>
#include <QLineEdit>

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

QString targetLabel(const ProjectSetup& p)
{
    return MergeController::tr("%1 (target, held-out)").arg(datasetName(p.target));
}

QString referenceLabel(const ProjectSetup& p)
{
    return MergeController::tr("%1 (reference, held-out)").arg(datasetName(*p.reference));
}

} // namespace

MergeController::MergeController(MergePage* page, AppContext* context, QObject* parent)
    : QObject(parent), m_page(page), m_context(context)
{
    if (m_context) {
        connect(m_context, &AppContext::currentProjectChanged, this, &MergeController::onProjectChanged);
        if (m_context->currentProject())
            onProjectChanged();
    }
}

std::vector<MergeComparisonModel::Row> MergeController::initialRows(const ProjectSetup& project)
{
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<MergeComparisonModel::Row> rows{{targetLabel(project), true, nan, nan}};
    if (project.reference)
        rows.push_back({referenceLabel(project), false, nan, nan});
    return rows;
}

MergePage::MergeFunction MergeController::mergeFunction(const ProjectSetup& project)
{
    // Translated here, on the GUI thread.
    const QString noRound = tr("No validator round has been applied yet: score submissions on the Validate page and "
                               "run an outer step first.");
    const QString target = targetLabel(project);
    const QString reference = project.reference ? referenceLabel(project) : QString();
    return [project, noRound, target, reference](const QString& outputDir, JobControl& control) {
        const auto state = ValidatorState::load(project.workDir() / "validator");
        if (state.phi.empty())
            throw Error(noRound.toStdString());
        MergeSettings s;
        s.modelDir = project.modelDir;
        s.phiFile = state.phi;
        s.outDir = fs::path(outputDir.toStdString());
        s.projectId = project.id;
        const TokenDataset targetData = loadProjectDataset(project, project.target, control);
        std::optional<TokenDataset> referenceData;
        if (project.reference)
            referenceData = loadProjectDataset(project, *project.reference, control);
        std::vector<std::pair<std::string, const TokenDataset*>> datasets{{target.toStdString(), &targetData}};
        if (referenceData)
            datasets.emplace_back(reference.toStdString(), &*referenceData);
        const auto result = runMerge(s, datasets, control);
        std::vector<MergeComparisonModel::Row> rows;
        for (std::size_t i = 0; i < result.losses.size(); ++i)
            rows.push_back({QString::fromStdString(result.losses[i].name), i == 0, result.losses[i].before,
                            result.losses[i].after});
        return rows;
    };
}

void MergeController::onProjectChanged()
{
    m_projectId = m_context ? m_context->currentProject() : std::nullopt;
    if (!m_page)
        return;
    m_page->cancelMerge();
    if (!m_projectId) {
        m_page->loadDemo();
        return;
    }
    try {
        const auto project = ProjectSetup::load(*m_context->store(), *m_projectId);
        m_page->model()->setRows(initialRows(project));
        m_page->outputEdit()->setText(QString::fromStdString((project.workDir() / "merged").string()));
        m_page->setMergeFunction(mergeFunction(project));
        m_page->statusLabel()->setText(
            tr("Merges the validator's current Φ into %1.").arg(QString::fromStdString(project.modelDir.string())));
    } catch (const std::exception& e) {
        // Shown when the user tries to merge: the project cannot be used as it is.
        const std::string message = e.what();
        ProjectSetup fallback;
        fallback.id = *m_projectId;
        m_page->model()->setRows({});
        m_page->outputEdit()->setText(QString::fromStdString((fallback.workDir() / "merged").string()));
        m_page->setMergeFunction([message](const QString&, JobControl&) -> std::vector<MergeComparisonModel::Row> {
            throw Error(message);
        });
        m_page->statusLabel()->setText(QString::fromStdString(message));
    }
}

} // namespace teft::ui
