#pragma once

#include "core/teft/MoeLayout.h"
#include "core/teft/RoutingStats.h"

#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QTableView;
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
    // What the empty page (no statistics yet) tells the user to do next.
    void setEmptyHint(const QString& hint);

    // The engine actions ("Run identification", "Save to project"), for a controller
    // (ui/engine/RoutingController). Disabled until one enables them; the reason is the tooltip.
    // Saving needs statistics on the page as well: an empty heatmap has nothing to save.
    void setIdentifyEnabled(bool enabled, const QString& reason = {});
    bool isIdentifyEnabled() const;
    void setSaveEnabled(bool enabled);
    bool isSaveEnabled() const;

    SelectionDocument* document() const { return m_document; }
    RoutingHeatmapModel* model() const { return m_model; }
    RoutingHeatmap* heatmap() const { return m_heatmap; }
    PolicyPanel* policyPanel() const { return m_policy; }
    QComboBox* metricBox() const { return m_metric; }
    QAction* undoAction() const { return m_undo; }
    // A strip under the toolbar (a task's progress).
    void addStatusWidget(QWidget* widget);

    QAction* redoAction() const { return m_redo; }

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

private:
    void updateSaveAction();
    void updateMetricChoices();
    void updateSummary();
    void showError(const QString& title, const QString& message);

    SelectionDocument* m_document;
    RoutingHeatmapModel* m_model;
    SelectionSummaryModel* m_summaryModel;
    RoutingHeatmap* m_heatmap;
    HeatmapLegend* m_legend;
    PolicyPanel* m_policy;
    QComboBox* m_metric;
    QAction* m_undo;
    QAction* m_redo;
    QAction* m_identify;
    QAction* m_save;
    QVBoxLayout* m_stripLayout;
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
