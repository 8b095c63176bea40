#include "ui/wizard/DatasetPreviewModel.h"

#include <QLocale>

namespace teft::ui {

void DatasetPreviewModel::setRows(std::vector<Row> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int DatasetPreviewModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int DatasetPreviewModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant DatasetPreviewModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[static_cast<std::size_t>(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case SourceColumn: return r.source;
        case TextColumn: {
            QString oneLine = r.text.left(300);
            oneLine.replace(QLatin1Char('\n'), QChar(0x21B5));
            return oneLine;
        }
        case TokensColumn: return r.tokens >= 0 ? QLocale().toString(r.tokens) : QStringLiteral("–");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == TextColumn)
        return r.text.left(2000);
    if (role == Qt::EditRole && index.column() == TokensColumn)
        return r.tokens;
    if (role == Qt::TextAlignmentRole && index.column() == TokensColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant DatasetPreviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SourceColumn: return tr("Source");
    case TextColumn: return tr("Text");
    case TokensColumn: return tr("Tokens");
    default: return {};
    }
}

} // namespace teft::ui
