#pragma once

#include <QPoint>
#include <QUndoCommand>
#include <QVector>

namespace teft::ui {

class SelectionDocument;

// Sets several cells (QPoint(expert, row)) to one state: the result of one drag. Only cells
// whose state actually changes are given, so undo restores exactly what was there.
class SetExpertsCommand : public QUndoCommand {
public:
    SetExpertsCommand(SelectionDocument* document, QVector<QPoint> cells, bool selected);
    void redo() override;
    void undo() override;

private:
    SelectionDocument* m_document;
    QVector<QPoint> m_cells;
    QVector<bool> m_before;
    bool m_selected;
};

} // namespace teft::ui
