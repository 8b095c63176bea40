#pragma once

#include "core/store/JobStore.h"

#include <QAbstractTableModel>
#include <vector>

namespace teft::ui {

// Jobs from the job store, newest first: id, kind, state, progress, stage, started, output,
// error. setJobs() updates rows in place when the same jobs are listed (a live refresh does
// not lose the view's selection) and resets only when jobs appear or disappear.
class JobsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        KindColumn,
        StateColumn,
        ProgressColumn,
        StageColumn,
        StartedColumn,
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

    static QString stateName(JobStore::JobState state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<JobStore::Job> m_jobs;
};

} // namespace teft::ui
