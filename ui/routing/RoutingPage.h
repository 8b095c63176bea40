#pragma once

#include "core/teft/ExpertSelection.h"
#include "core/teft/MoeLayout.h"
#include "core/teft/RoutingStats.h"

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QSpinBox;
class QTableView;
class QToolBar;
class QVBoxLayout;

namespace teft::ui {

class HeatmapLegend;
class PolicyPanel;
class RoutingHeatmap;
class RoutingHeatmapModel;
class SelectionDocument;
class SelectionSummaryModel;

// The routing view: heatmap with legend and metric switch, selection policies, a live cost
// summary, undo/redo and selection files. Owns the SelectionDocument being edited.
class RoutingPage : public QWidget {
    Q_OBJECT
public:
    explicit RoutingPage(QWidget* parent = nullptr);

    // Shows statistics of a model. `reference` may be null (no contrast metrics then).
    void setRouting(const MoeLayout& layout, const RoutingStats& target, const RoutingStats* reference,
                    std::int64_t paramsPerExpert, std::int64_t bytesPerExpert, std::int64_t modelTotalBytes);
    // True once statistics are shown (setRouting or Open statistics…).
    bool hasRouting() const { return m_hasRouting; }
    // Back to the empty page (another project, or none): no statistics, an empty selection, no
    // undo history; the title shows the empty hint.
    void clearRouting();
    // Shows a saved selection (of this layout) as the current one and tells the policy panel.
    void showSavedSelection(const ExpertSelection& selection);
    // What the empty page (no statistics yet) tells the user to do next.
    void setEmptyHint(const QString& hint);

    // The engine actions ("Run identification", "Save to project"), for a controller
    // (ui/engine/RoutingController). Disabled until one enables them; the reason is the tooltip.
    // Saving needs statistics on the page as well: an empty heatmap has nothing to save.
    void setIdentifyEnabled(bool enabled, const QString& reason = {});
    bool isIdentifyEnabled() const;
    void setSaveEnabled(bool enabled);
    bool isSaveEnabled() const;

    // Identification's token budget (the row under the toolbar): `tokens` read of the target and
    // of each reference, `available` the tokens in the target's training rows (0: not counted
    // yet), `tokensPerBatch` what one batch of rows reads (the budget is used in whole batches).
    // The page says "uses N of M tokens"; an edit emits identifyTokensChanged(). tokens <= 0: no
    // project (the budget is disabled).
    void setIdentifyTokens(std::int64_t tokens, std::int64_t available, std::int64_t tokensPerBatch);
    std::int64_t identifyTokens() const;
    QSpinBox* identifyTokensBox() const { return m_tokens; }
    QLabel* identifyTokensLabel() const { return m_tokensUse; }
    // The reference the contrast metrics compare with: 0 all of `references` together, k the k-th
    // alone. Without references the choice is disabled. A change emits contrastChoiceChanged().
    void setContrastChoices(const QStringList& references, int current);
    int contrastChoice() const;
    QComboBox* contrastBox() const { return m_contrast; }
    // Replaces the reference statistics of the contrast metrics (null: none).
    void setReference(const RoutingStats* reference);

    SelectionDocument* document() const { return m_document; }
    RoutingHeatmapModel* model() const { return m_model; }
    RoutingHeatmap* heatmap() const { return m_heatmap; }
    PolicyPanel* policyPanel() const { return m_policy; }
    QComboBox* metricBox() const { return m_metric; }
    QAction* undoAction() const { return m_undo; }
    // A strip under the toolbar (a task's progress).
    void addStatusWidget(QWidget* widget);

    QAction* redoAction() const { return m_redo; }
    // The two toolbar rows: the project's data (identify, save, files) and the view (metric,
    // zoom, edits).
    QToolBar* projectToolBar() const { return m_projectBar; }
    QToolBar* viewToolBar() const { return m_viewBar; }

public Q_SLOTS:
    // What the toolbar's engine actions do: emit identifyRequested() / saveRequested() when enabled.
    void requestIdentify();
    void requestSave();
    void openStatistics();
    void openReference();
    void importSelection();
    void exportSelection();

Q_SIGNALS:
    void identifyRequested();
    void saveRequested();
    // A file was opened, imported or written: a line for the status bar.
    void notice(const QString& message);
    void identifyTokensChanged(qint64 tokens);
    void contrastChoiceChanged(int choice);

private:
    void updateSaveAction();
    void updateMetricChoices();
    void updateSummary();
    void updateTokenUse();
    void showError(const QString& title, const QString& message);

    SelectionDocument* m_document;
    RoutingHeatmapModel* m_model;
    SelectionSummaryModel* m_summaryModel;
    RoutingHeatmap* m_heatmap;
    HeatmapLegend* m_legend;
    PolicyPanel* m_policy;
    QComboBox* m_metric;
    QSpinBox* m_tokens;
    QLabel* m_tokensUse;
    QComboBox* m_contrast;
    std::int64_t m_tokensAvailable = 0;
    std::int64_t m_tokensPerBatch = 1;
    QAction* m_undo;
    QAction* m_redo;
    QAction* m_identify;
    QAction* m_save;
    QVBoxLayout* m_stripLayout;
    QToolBar* m_projectBar;
    QToolBar* m_viewBar;
    QLabel* m_title;
    QLabel* m_hover;
    QLabel* m_totalExperts;
    QLabel* m_totalParams;
    QLabel* m_totalBytes;
    QLabel* m_share;
    QTableView* m_summaryView;
    std::int64_t m_paramsPerExpert = 0;
    std::int64_t m_bytesPerExpert = 0;
    std::int64_t m_modelTotalBytes = 0;
    bool m_hasRouting = false;
    bool m_saveAllowed = false;
    QString m_emptyHint;
};

} // namespace teft::ui
