#pragma once

#include "core/teft/ExpertSelection.h"

#include <QUndoCommand>

namespace teft::ui {

class SelectionDocument;

// Replaces the whole selection (a policy, an import, clear). Commands with the same positive
// merge key merge, so dragging a policy slider leaves one undo step.
class ReplaceSelectionCommand : public QUndoCommand {
public:
    ReplaceSelectionCommand(SelectionDocument* document, ExpertSelection before, ExpertSelection after,
                            const QString& text, int mergeKey);
    void redo() override;
    void undo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

private:
    SelectionDocument* m_document;
    ExpertSelection m_before;
    ExpertSelection m_after;
    int m_mergeKey;
};

} // namespace teft::ui
