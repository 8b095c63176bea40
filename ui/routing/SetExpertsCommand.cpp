#include "ui/routing/SetExpertsCommand.h"

#include "ui/routing/SelectionDocument.h"

#include <QCoreApplication>

namespace teft::ui {

SetExpertsCommand::SetExpertsCommand(SelectionDocument* document, QVector<QPoint> cells, bool selected)
    : m_document(document), m_cells(std::move(cells)), m_selected(selected)
{
    m_before.reserve(m_cells.size());
    for (const QPoint& c : m_cells)
        m_before.push_back(document->isSelected(c.y(), c.x()));
    setText(selected ? QCoreApplication::translate("teft::ui::SetExpertsCommand", "Select %n expert(s)", nullptr,
                                                   static_cast<int>(m_cells.size()))
                     : QCoreApplication::translate("teft::ui::SetExpertsCommand", "Deselect %n expert(s)", nullptr,
                                                   static_cast<int>(m_cells.size())));
}

void SetExpertsCommand::redo() { m_document->applyCells(m_cells, QVector<bool>(m_cells.size(), m_selected)); }
void SetExpertsCommand::undo() { m_document->applyCells(m_cells, m_before); }

} // namespace teft::ui
