#include "ui/merge/MergeComparisonModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <cmath>

namespace teft::ui {

void MergeComparisonModel::setRows(std::vector<Row> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void MergeComparisonModel::setAfter(int row, double loss)
{
    if (row < 0 || row >= rowCount())
        return;
    m_rows[static_cast<std::size_t>(row)].after = loss;
    Q_EMIT dataChanged(index(row, AfterColumn), index(row, ChangeColumn));
}

int MergeComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int MergeComparisonModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant MergeComparisonModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[static_cast<std::size_t>(index.row())];
    const bool merged = std::isfinite(r.after);
    const double change = merged && r.before != 0.0 ? (r.after - r.before) / r.before * 100.0 : 0.0;
    if (role == Qt::DisplayRole) {
        const QLocale loc;
        switch (index.column()) {
        case DatasetColumn: return r.dataset;
        case DomainColumn: return r.inDomain ? tr("in-domain") : tr("out-of-domain");
        case BeforeColumn: return std::isfinite(r.before) ? loc.toString(r.before, 'f', 4) : QStringLiteral("–");
        case AfterColumn: return merged ? loc.toString(r.after, 'f', 4) : QStringLiteral("–");
        case ChangeColumn:
            return merged ? (change > 0 ? QStringLiteral("+") : QString()) + loc.toString(change, 'f', 2) +
                                QStringLiteral(" %")
                          : QStringLiteral("–");
        default: return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == ChangeColumn && merged) {
        // Falling in-domain loss is the goal; a rising out-of-domain loss (> 1 %) is forgetting.
        if (r.inDomain)
            return QBrush(change < 0 ? QColor(40, 130, 60) : QColor(190, 40, 40));
        return QBrush(change > 1.0 ? QColor(190, 40, 40) : QColor(40, 130, 60));
    }
    if (role == Qt::TextAlignmentRole && index.column() >= BeforeColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant MergeComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case DatasetColumn: return tr("Dataset");
    case DomainColumn: return tr("Domain");
    case BeforeColumn: return tr("Loss before");
    case AfterColumn: return tr("Loss after");
    case ChangeColumn: return tr("Change");
    default: return {};
    }
}

} // namespace teft::ui
