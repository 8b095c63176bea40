#pragma once

#include "core/store/JobStore.h"

#include <QAbstractTableModel>
#include <QHash>
#include <vector>

namespace teft::ui {

// Jobs from the job store, newest first: id, kind, project, state, progress, stage, started (in
// the user's locale and time zone), duration, output, error. setJobs() updates rows in place when the same jobs are listed (a live refresh does
// not lose the view's selection) and resets only when jobs appear or disappear.
class JobsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        KindColumn,
        ProjectColumn,
        StateColumn,
        ProgressColumn,
        StageColumn,
        StartedColumn,
        DurationColumn,
        OutputColumn,
        ErrorColumn,
        ColumnCount
    };
    static constexpr int ProgressRole = Qt::UserRole + 1; // double 0..1
    static constexpr int JobIdRole = Qt::UserRole + 2;

    using QAbstractTableModel::QAbstractTableModel;

    void setJobs(std::vector<JobStore::Job> jobs);
    const std::vector<JobStore::Job>& jobs() const { return m_jobs; }
    const JobStore::Job* jobAt(int row) const;
    // Project names by id, for the project column.
    void setProjectNames(QHash<qint64, QString> names);
    // The job that continued the one at `row` (a later job of the same kind writing to the same
    // output folder: a resumed training run, an identification, validation or merge run again),
    // or nullptr when none did.
    const JobStore::Job* continuedBy(int row) const;

    static QString stateName(JobStore::JobState state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<JobStore::Job> m_jobs;
    QHash<qint64, QString> m_projectNames;
};

} // namespace teft::ui
