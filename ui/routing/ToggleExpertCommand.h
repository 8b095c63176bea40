#pragma once

#include <QUndoCommand>

namespace teft::ui {

class SelectionDocument;

// Flips one expert of one MoE row in or out of the selection.
class ToggleExpertCommand : public QUndoCommand {
public:
    ToggleExpertCommand(SelectionDocument* document, int row, int expert);
    void redo() override;
    void undo() override;

private:
    SelectionDocument* m_document;
    int m_row;
    int m_expert;
    bool m_before;
};

} // namespace teft::ui
