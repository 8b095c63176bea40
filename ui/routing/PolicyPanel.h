#pragma once

#include "core/teft/SelectionPolicy.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QSpinBox;
class QStackedWidget;

namespace teft::ui {

class RoutingHeatmapModel;
class SelectionDocument;

// Automatic selection policies (top-k per layer, ESFT top-p per layer, global budget) on the
// heatmap's current metric. With "Apply while editing" on, every slider or spin box change
// replaces the selection through the document (one merged undo step per policy); otherwise
// the Apply button does.
class PolicyPanel : public QWidget {
    Q_OBJECT
public:
    PolicyPanel(RoutingHeatmapModel* model, SelectionDocument* document, QWidget* parent = nullptr);

    SelectionPolicy policy() const;
    // Reflects a selection opened from the project (nullptr: none): a selection with the same
    // number of experts in every MoE layer sets Top-k to that number (without applying it);
    // the note under the controls says what was opened. The note goes when a policy is applied.
    void showSavedSelection(const ExpertSelection* selection);
    QLabel* noteLabel() const { return m_note; }
    void setBytesPerExpert(std::int64_t bytes) { m_bytesPerExpert = bytes; }

    // Widgets exposed for tests and keyboard shortcuts.
    QComboBox* kindBox() const { return m_kind; }
    QSlider* topKSlider() const { return m_kSlider; }
    QSlider* topPSlider() const { return m_pSlider; }
    QSpinBox* budgetExpertsBox() const { return m_budgetExperts; }
    QDoubleSpinBox* budgetMiBBox() const { return m_budgetMiB; }
    QCheckBox* liveBox() const { return m_live; }

public Q_SLOTS:
    void apply();

private:
    void onSettingChanged();
    void updateRanges();

    QPointer<RoutingHeatmapModel> m_model;
    QPointer<SelectionDocument> m_document;
    std::int64_t m_bytesPerExpert = 0;
    QComboBox* m_kind;
    QStackedWidget* m_pages;
    QSlider* m_kSlider;
    QSpinBox* m_kSpin;
    QSlider* m_pSlider;
    QDoubleSpinBox* m_pSpin;
    QSpinBox* m_budgetExperts;
    QDoubleSpinBox* m_budgetMiB;
    QCheckBox* m_positiveOnly;
    QCheckBox* m_live;
    QPushButton* m_applyButton;
    QLabel* m_message;
    QLabel* m_note;
};

} // namespace teft::ui
