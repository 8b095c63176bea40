#include "ui/jobs/JobsTableModel.h"

#include "ui/shell/LocalTime.h"

#include <QBrush>
#include <QDateTime>
#include <QColor>
#include <QLocale>

namespace teft::ui {

void JobsTableModel::setJobs(std::vector<JobStore::Job> jobs)
{
    bool sameRows = jobs.size() == m_jobs.size();
    for (std::size_t i = 0; sameRows && i < jobs.size(); ++i)
        sameRows = jobs[i].id == m_jobs[i].id;
    if (!sameRows) {
        beginResetModel();
        m_jobs = std::move(jobs);
        endResetModel();
        return;
    }
    m_jobs = std::move(jobs);
    if (!m_jobs.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

const JobStore::Job* JobsTableModel::jobAt(int row) const
{
    return row >= 0 && row < rowCount() ? &m_jobs[static_cast<std::size_t>(row)] : nullptr;
}

void JobsTableModel::setProjectNames(QHash<qint64, QString> names)
{
    m_projectNames = std::move(names);
    if (!m_jobs.empty())
        Q_EMIT dataChanged(index(0, ProjectColumn), index(rowCount() - 1, ProjectColumn));
}

const JobStore::Job* JobsTableModel::continuedBy(int row) const
{
    const JobStore::Job* j = jobAt(row);
    if (!j || j->outputDir.empty())
        return nullptr;
    const JobStore::Job* next = nullptr;
    for (const JobStore::Job& other : m_jobs)
        if (other.id > j->id && other.kind == j->kind && other.outputDir == j->outputDir &&
            (!next || other.id < next->id))
            next = &other;
    return next;
}

QString JobsTableModel::stateName(JobStore::JobState state)
{
    switch (state) {
    case JobStore::JobState::Queued: return tr("queued");
    case JobStore::JobState::Running: return tr("running");
    case JobStore::JobState::Paused: return tr("paused");
    case JobStore::JobState::Succeeded: return tr("succeeded");
    case JobStore::JobState::Failed: return tr("failed");
    case JobStore::JobState::Cancelled: return tr("cancelled");
    case JobStore::JobState::Interrupted: return tr("interrupted");
    }
    return {};
}

int JobsTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}

int JobsTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant JobsTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const JobStore::Job& j = m_jobs[static_cast<std::size_t>(index.row())];
    if (role == ProgressRole)
        return j.progress;
    if (role == JobIdRole)
        return static_cast<qlonglong>(j.id);
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case IdColumn: return static_cast<qlonglong>(j.id);
        case KindColumn: return QString::fromStdString(j.kind);
        case ProjectColumn:
            return j.projectId ? m_projectNames.value(static_cast<qint64>(*j.projectId),
                                                      tr("project %1").arg(static_cast<qlonglong>(*j.projectId)))
                               : QString();
        case StateColumn: return stateName(j.state);
        case ProgressColumn: return QLocale().toString(j.progress * 100.0, 'f', 0) + QStringLiteral(" %");
        case StageColumn: return QString::fromStdString(j.stage);
        case StartedColumn: return localDateTime(j.startedAt.empty() ? j.createdAt : j.startedAt);
        case DurationColumn: {
            const std::string& from = j.startedAt.empty() ? j.createdAt : j.startedAt;
            const bool live = j.state == JobStore::JobState::Running || j.state == JobStore::JobState::Paused ||
                              j.state == JobStore::JobState::Queued;
            const std::string to =
                !j.finishedAt.empty() ? j.finishedAt
                : live ? QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString()
                       : j.updatedAt;
            return durationText(secondsBetween(from, to));
        }
        case OutputColumn: return QString::fromStdString(j.outputDir);
        case ErrorColumn: return QString::fromStdString(j.error);
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == ErrorColumn && !j.error.empty())
            return QString::fromStdString(j.error);
        if (index.column() == StateColumn) {
            QString tip = j.pid > 0 ? tr("Process %1 on %2").arg(j.pid).arg(QString::fromStdString(j.host)) : QString();
            if (const JobStore::Job* next = continuedBy(index.row()))
                tip += (tip.isEmpty() ? QString() : QStringLiteral("\n")) +
                       tr("Continued by job %1").arg(static_cast<qlonglong>(next->id));
            return tip.isEmpty() ? QVariant() : QVariant(tip);
        }
        if (index.column() == StartedColumn)
            return tr("%1 (UTC)").arg(QString::fromStdString(j.startedAt.empty() ? j.createdAt : j.startedAt));
        return {};
    }
    if (role == Qt::ForegroundRole && index.column() == StateColumn) {
        switch (j.state) {
        case JobStore::JobState::Failed: return QBrush(QColor(190, 40, 40));
        case JobStore::JobState::Interrupted: return QBrush(QColor(200, 120, 0));
        case JobStore::JobState::Succeeded: return QBrush(QColor(40, 130, 60));
        default: return {};
        }
    }
    return {};
}

QVariant JobsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("Job");
    case KindColumn: return tr("Kind");
    case ProjectColumn: return tr("Project");
    case StateColumn: return tr("State");
    case ProgressColumn: return tr("Progress");
    case StageColumn: return tr("Stage");
    case StartedColumn: return tr("Started");
    case DurationColumn: return tr("Duration");
    case OutputColumn: return tr("Output");
    case ErrorColumn: return tr("Error");
    default: return {};
    }
}

} // namespace teft::ui
