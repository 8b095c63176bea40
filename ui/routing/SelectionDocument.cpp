#include "ui/routing/SelectionDocument.h"

#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "ui/routing/ReplaceSelectionCommand.h"
#include "ui/routing/SetExpertsCommand.h"
#include "ui/routing/ToggleExpertCommand.h"

#include <QUndoStack>
#include <nlohmann/json.hpp>

namespace teft::ui {

SelectionDocument::SelectionDocument(QObject* parent) : QObject(parent), m_undoStack(new QUndoStack(this)) {}

SelectionDocument::~SelectionDocument() = default;

void SelectionDocument::setLayout(const MoeLayout& layout)
{
    m_undoStack->clear();
    m_layout = layout;
    m_selection = ExpertSelection(layout.fingerprint);
    rebuildMask();
    Q_EMIT layoutChanged();
    Q_EMIT changed();
}

int SelectionDocument::rowOfLayer(int layer) const
{
    for (std::size_t i = 0; i < m_layout.moeLayers.size(); ++i)
        if (m_layout.moeLayers[i] == layer)
            return static_cast<int>(i);
    return -1;
}

bool SelectionDocument::isSelected(int row, int expert) const
{
    if (row < 0 || expert < 0 || row >= rows() || expert >= experts())
        return false;
    return m_mask[static_cast<std::size_t>(row) * static_cast<std::size_t>(experts()) +
                  static_cast<std::size_t>(expert)] != 0;
}

void SelectionDocument::setCostModel(std::int64_t paramsPerExpert, std::int64_t bytesPerExpert,
                                     std::int64_t modelTotalBytes)
{
    m_paramsPerExpert = paramsPerExpert;
    m_bytesPerExpert = bytesPerExpert;
    m_modelTotalBytes = modelTotalBytes;
    Q_EMIT changed();
}

SelectionCost SelectionDocument::cost() const
{
    return m_selection.cost(m_paramsPerExpert, m_bytesPerExpert, m_modelTotalBytes);
}

void SelectionDocument::toggle(int row, int expert)
{
    if (!isSelected(row, expert) && (row < 0 || expert < 0 || row >= rows() || expert >= experts()))
        return;
    m_undoStack->push(new ToggleExpertCommand(this, row, expert));
}

void SelectionDocument::setCells(const QVector<QPoint>& cells, bool selected)
{
    QVector<QPoint> changing;
    for (const QPoint& c : cells)
        if (c.y() >= 0 && c.y() < rows() && c.x() >= 0 && c.x() < experts() && isSelected(c.y(), c.x()) != selected)
            changing.push_back(c);
    if (changing.isEmpty())
        return;
    m_undoStack->push(new SetExpertsCommand(this, changing, selected));
}

void SelectionDocument::replaceSelection(const ExpertSelection& selection, const QString& description, int mergeKey)
{
    ExpertSelection next = selection;
    next.setModelFingerprint(m_layout.fingerprint);
    if (next == m_selection && mergeKey == 0)
        return;
    m_undoStack->push(new ReplaceSelectionCommand(this, m_selection, next, description, mergeKey));
}

void SelectionDocument::clear()
{
    if (m_selection.empty())
        return;
    replaceSelection(ExpertSelection(m_layout.fingerprint), tr("Clear selection"));
}

void SelectionDocument::importFile(const QString& path)
{
    ExpertSelection loaded;
    try {
        loaded = ExpertSelection::load(path.toStdString());
    } catch (const Error& e) {
        throw Error(tr("Cannot import %1: %2").arg(path, QString::fromStdString(e.what())).toStdString());
    }
    // Files from other tools carry no fingerprint: they are checked against the shape only.
    if (loaded.modelFingerprint().empty())
        loaded.setModelFingerprint(m_layout.fingerprint);
    const std::vector<std::string> problems = loaded.validate(m_layout);
    if (!problems.empty()) {
        QStringList lines;
        for (const std::string& p : problems)
            lines << QString::fromStdString(p);
        throw Error(tr("The selection in %1 does not fit this model:\n%2")
                        .arg(path, lines.join(QLatin1Char('\n')))
                        .toStdString());
    }
    replaceSelection(loaded, tr("Import %1").arg(path));
}

void SelectionDocument::exportFile(const QString& path, FileFormat format) const
{
    switch (format) {
    case FileFormat::Teft: m_selection.save(path.toStdString()); return;
    case FileFormat::Connito:
        writeFileAtomically(path.toStdString(), m_selection.toConnitoJson().dump(1) + "\n");
        return;
    case FileFormat::Esft: writeFileAtomically(path.toStdString(), m_selection.toEsftJson().dump(1) + "\n"); return;
    }
}

void SelectionDocument::applyCell(int row, int expert, bool selected)
{
    m_selection.set(layerOfRow(row), expert, selected);
    m_mask[static_cast<std::size_t>(row) * static_cast<std::size_t>(experts()) + static_cast<std::size_t>(expert)] =
        selected ? 1 : 0;
    Q_EMIT changed();
}

void SelectionDocument::applyCells(const QVector<QPoint>& cells, const QVector<bool>& states)
{
    for (int i = 0; i < cells.size(); ++i) {
        const QPoint& c = cells[i];
        m_selection.set(layerOfRow(c.y()), c.x(), states[i]);
        m_mask[static_cast<std::size_t>(c.y()) * static_cast<std::size_t>(experts()) +
               static_cast<std::size_t>(c.x())] = states[i] ? 1 : 0;
    }
    Q_EMIT changed();
}

void SelectionDocument::applySelection(const ExpertSelection& selection)
{
    m_selection = selection;
    rebuildMask();
    Q_EMIT changed();
}

void SelectionDocument::rebuildMask()
{
    m_mask.assign(static_cast<std::size_t>(rows()) * static_cast<std::size_t>(std::max(0, experts())), 0);
    for (const auto& [layer, ids] : m_selection.layers()) {
        const int row = rowOfLayer(layer);
        if (row < 0)
            continue;
        for (int e : ids)
            if (e >= 0 && e < experts())
                m_mask[static_cast<std::size_t>(row) * static_cast<std::size_t>(experts()) +
                       static_cast<std::size_t>(e)] = 1;
    }
}

} // namespace teft::ui
