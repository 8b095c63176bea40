#pragma once

#include "core/teft/ExpertSelection.h"
#include "core/teft/MoeLayout.h"

#include <QObject>
#include <QPoint>
#include <QString>
#include <QVector>

class QUndoStack;

namespace teft::ui {

// The expert selection being edited (Tiled's document pattern): it owns the ExpertSelection and
// a QUndoStack; every edit is a QUndoCommand pushed on that stack, and every change, including
// undo and redo, emits changed(). Views never modify the selection directly: they call the edit
// functions below and repaint when changed() arrives.
// Cells are addressed by MoE row (index into layout().moeLayers) and expert id; the selection
// itself is keyed by model layer, as in the files.
class SelectionDocument : public QObject {
    Q_OBJECT
public:
    enum class FileFormat { Teft, Connito, Esft };

    explicit SelectionDocument(QObject* parent = nullptr);
    ~SelectionDocument() override;

    // Starts a new, empty document for a model: clears the selection and the undo history.
    void setLayout(const MoeLayout& layout);
    const MoeLayout& layout() const { return m_layout; }
    int rows() const { return static_cast<int>(m_layout.moeLayers.size()); }
    int experts() const { return m_layout.numExperts; }
    int layerOfRow(int row) const { return m_layout.moeLayers.at(static_cast<std::size_t>(row)); }
    int rowOfLayer(int layer) const; // -1 when not a MoE layer

    const ExpertSelection& selection() const { return m_selection; }
    bool isSelected(int row, int expert) const;
    QUndoStack* undoStack() const { return m_undoStack; }

    // Size model for the cost summary (bytes as stored in the model's dtype).
    void setCostModel(std::int64_t paramsPerExpert, std::int64_t bytesPerExpert, std::int64_t modelTotalBytes);
    SelectionCost cost() const;
    std::int64_t paramsPerExpert() const { return m_paramsPerExpert; }
    std::int64_t bytesPerExpert() const { return m_bytesPerExpert; }
    std::int64_t modelTotalBytes() const { return m_modelTotalBytes; }

    // --- Edits (each one undoable command) ---
    void toggle(int row, int expert);
    // Sets the given cells (QPoint(expert, row)) to one state: one command for a whole drag.
    void setCells(const QVector<QPoint>& cells, bool selected);
    // Replaces the whole selection (policy results, clear, import). Consecutive replacements
    // with the same positive mergeKey collapse into one undo step (a slider being dragged).
    void replaceSelection(const ExpertSelection& selection, const QString& description, int mergeKey = 0);
    void clear();
    // Reads a selection file in any of the three shapes, checks it against the layout and
    // replaces the selection. Throws teft::Error with a sentence naming the file and the problem.
    void importFile(const QString& path);
    void exportFile(const QString& path, FileFormat format) const;

    // --- Used by the commands only: apply without recording ---
    void applyCell(int row, int expert, bool selected);
    void applyCells(const QVector<QPoint>& cells, const QVector<bool>& states);
    void applySelection(const ExpertSelection& selection);

Q_SIGNALS:
    // The selection changed (an edit, an undo or a redo, or a new layout).
    void changed();
    // A new layout: rows and experts may differ.
    void layoutChanged();

private:
    void rebuildMask();

    MoeLayout m_layout;
    ExpertSelection m_selection;
    std::vector<char> m_mask; // rows × experts mirror of m_selection, for painting
    QUndoStack* m_undoStack;
    std::int64_t m_paramsPerExpert = 0;
    std::int64_t m_bytesPerExpert = 0;
    std::int64_t m_modelTotalBytes = 0;
};

} // namespace teft::ui
