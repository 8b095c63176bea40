#include "ui/routing/ToggleExpertCommand.h"

#include "ui/routing/SelectionDocument.h"

#include <QCoreApplication>

namespace teft::ui {

ToggleExpertCommand::ToggleExpertCommand(SelectionDocument* document, int row, int expert)
    : m_document(document), m_row(row), m_expert(expert), m_before(document->isSelected(row, expert))
{
    const QString layer = QString::number(document->layerOfRow(row));
    setText(m_before ? QCoreApplication::translate("teft::ui::ToggleExpertCommand", "Deselect expert %1 of layer %2")
                           .arg(expert)
                           .arg(layer)
                     : QCoreApplication::translate("teft::ui::ToggleExpertCommand", "Select expert %1 of layer %2")
                           .arg(expert)
                           .arg(layer));
}

void ToggleExpertCommand::redo() { m_document->applyCell(m_row, m_expert, !m_before); }
void ToggleExpertCommand::undo() { m_document->applyCell(m_row, m_expert, m_before); }

} // namespace teft::ui
