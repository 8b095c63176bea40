#pragma once

#include "ui/merge/MergePage.h"

#include <QObject>
#include <QPointer>
#include <cstdint>
#include <optional>

namespace teft::ui {

class AppContext;
struct ProjectSetup;

// Runs the engine's merge (core runMerge) for the Merge page while a project is open: Φ is the
// validator state's current one (<project>/validator), the output folder defaults to
// <project>/merged, and the comparison rows are the project's target dataset (in-domain) and
// its reference dataset (out-of-domain, when it has one), held-out parts, before and after.
// Without a project the page keeps its example rows and has no merge function.
class MergeController : public QObject {
    Q_OBJECT
public:
    MergeController(MergePage* page, AppContext* context, QObject* parent = nullptr);

    // The merge of `project` (runs on the page's worker thread; touches no widget or store).
    static MergePage::MergeFunction mergeFunction(const ProjectSetup& project);
    // The comparison rows before a merge (losses unknown).
    static std::vector<MergeComparisonModel::Row> initialRows(const ProjectSetup& project);

private:
    void onProjectChanged();

    QPointer<MergePage> m_page;
    AppContext* m_context;
    std::optional<std::int64_t> m_projectId;
};

} // namespace teft::ui
