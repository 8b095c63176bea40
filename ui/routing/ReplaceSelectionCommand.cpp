#include "ui/routing/ReplaceSelectionCommand.h"

#include "ui/routing/SelectionDocument.h"

namespace teft::ui {

namespace {
constexpr int MergeIdBase = 0x7e170000;
}

ReplaceSelectionCommand::ReplaceSelectionCommand(SelectionDocument* document, ExpertSelection before,
                                                 ExpertSelection after, const QString& text, int mergeKey)
    : m_document(document), m_before(std::move(before)), m_after(std::move(after)), m_mergeKey(mergeKey)
{
    setText(text);
}

void ReplaceSelectionCommand::redo() { m_document->applySelection(m_after); }
void ReplaceSelectionCommand::undo() { m_document->applySelection(m_before); }

int ReplaceSelectionCommand::id() const { return m_mergeKey > 0 ? MergeIdBase + m_mergeKey : -1; }

bool ReplaceSelectionCommand::mergeWith(const QUndoCommand* other)
{
    if (other->id() != id())
        return false;
    const auto* o = static_cast<const ReplaceSelectionCommand*>(other);
    m_after = o->m_after;
    setText(o->text());
    // A slider dragged back to where it started leaves nothing to undo.
    if (m_after == m_before)
        setObsolete(true);
    return true;
}

} // namespace teft::ui
