#include "ui/routing/SelectionSummaryModel.h"

#include "ui/routing/SelectionDocument.h"

#include <QLocale>

namespace teft::ui {

SelectionSummaryModel::SelectionSummaryModel(SelectionDocument* document, QObject* parent)
    : QAbstractTableModel(parent), m_document(document), m_rows(document ? document->rows() : 0)
{
    if (!m_document)
        return;
    connect(m_document, &SelectionDocument::layoutChanged, this, [this] {
        beginResetModel();
        m_rows = m_document->rows();
        endResetModel();
    });
    connect(m_document, &SelectionDocument::changed, this, [this] {
        if (m_rows > 0)
            Q_EMIT dataChanged(index(0, ExpertsColumn), index(m_rows - 1, BytesColumn));
    });
}

int SelectionSummaryModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : m_rows; }
int SelectionSummaryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SelectionSummaryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_document)
        return {};
    const int layer = m_document->layerOfRow(index.row());
    const int experts = m_document->selection().count(layer);
    const std::int64_t params = experts * m_document->paramsPerExpert();
    if (role == Qt::TextAlignmentRole)
        return index.column() == LayerColumn ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    const bool edit = role == Qt::EditRole;
    switch (index.column()) {
    case LayerColumn: return layer;
    case ExpertsColumn: return experts;
    case ParametersColumn:
        return edit ? QVariant(static_cast<qlonglong>(params))
                    : QVariant(QLocale().toString(static_cast<qlonglong>(params)));
    case BytesColumn: {
        const qint64 bytes = experts * m_document->bytesPerExpert();
        return edit ? QVariant(bytes) : QVariant(QLocale().formattedDataSize(bytes));
    }
    default: return {};
    }
}

QVariant SelectionSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LayerColumn: return tr("Layer");
    case ExpertsColumn: return tr("Experts");
    case ParametersColumn: return tr("Parameters");
    case BytesColumn: return tr("Bytes");
    default: return {};
    }
}

} // namespace teft::ui
