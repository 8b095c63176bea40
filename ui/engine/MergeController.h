#pragma once

#include "core/util/Progress.h"
#include "ui/merge/MergePage.h"

#include <QObject>
#include <QPointer>
#include <cstdint>
#include <functional>
#include <optional>

namespace teft {
struct Project;
}

namespace teft::ui {

class AppContext;
class BackgroundTask;

// Runs the engine's merge (core runMerge) for the Merge page while a project is open, on a
// BackgroundTask (progress and cancel shown by the page): Φ is the validator state's current
// one (<project>/validator), the output folder defaults to <project>/merged, and the comparison
// rows are the project's target dataset (in-domain) and each of its reference datasets (every
// out-of-domain one), held-out parts, before and after. Without a project the page's Merge is
// unavailable and says why.
class MergeController : public QObject {
    Q_OBJECT
public:
    // Runs on the worker thread: writes the merged checkpoint into outputDir and returns the
    // comparison rows. Reports progress and honours cancellation through the JobControl; throws
    // teft::Error on failure.
    using MergeFunction =
        std::function<std::vector<MergeComparisonModel::Row>(const QString& outputDir, JobControl& control)>;

    MergeController(MergePage* page, AppContext* context, QObject* parent = nullptr);

    BackgroundTask* task() const { return m_task; }

    // The merge of `project` (runs on the worker thread; touches no widget or store).
    static MergeFunction mergeFunction(const Project& project);
    // The comparison rows before a merge (losses unknown).
    static std::vector<MergeComparisonModel::Row> initialRows(const Project& project);

public Q_SLOTS:
    // Merges the current project into outputDir (nothing without a project or while one runs).
    void merge(const QString& outputDir);

private:
    void onProjectChanged();

    QPointer<MergePage> m_page;
    AppContext* m_context;
    BackgroundTask* m_task;
    MergeFunction m_merge;
    QString m_outputDir;
    std::optional<std::int64_t> m_projectId;
};

} // namespace teft::ui
