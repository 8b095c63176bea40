#include "ui/validator/SubmissionTableModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <cmath>

namespace teft::ui {

namespace {
QString loss(double v) { return std::isfinite(v) ? QLocale().toString(v, 'f', 4) : QStringLiteral("–"); }
} // namespace

SubmissionTableModel::SubmissionTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void SubmissionTableModel::setSubmissions(std::vector<SubmissionReview> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    m_aggregation.apply(m_rows);
    endResetModel();
    Q_EMIT aggregationChanged();
}

void SubmissionTableModel::setAggregation(const AggregationPreview& aggregation)
{
    m_aggregation = aggregation;
    recompute();
}

void SubmissionTableModel::setOverride(int row, SubmissionReview::Override value)
{
    if (row < 0 || row >= rowCount())
        return;
    m_rows[static_cast<std::size_t>(row)].override = value;
    recompute();
}

void SubmissionTableModel::recompute()
{
    m_aggregation.apply(m_rows);
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    Q_EMIT aggregationChanged();
}

int SubmissionTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SubmissionTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SubmissionTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SubmissionReview& r = m_rows[static_cast<std::size_t>(index.row())];
    const int c = index.column();
    if (role == SortRole) {
        switch (c) {
        case MinerColumn: return r.miner;
        case VerificationColumn: return r.verified ? 1 : 0;
        case BaseLossColumn: return r.baseLoss;
        case NewLossColumn: return r.newLoss;
        case ScoreColumn: return r.score;
        case RankColumn: return r.rank > 0 ? r.rank : 1000000; // unranked last
        case WeightColumn: return r.weight;
        case AcceptedColumn: return r.accepted ? 1 : 0;
        default: return {};
        }
    }
    if (role == Qt::DisplayRole) {
        switch (c) {
        case MinerColumn: return r.miner;
        case VerificationColumn: return r.verified ? tr("verified") : tr("refused: %1").arg(r.reasonCode);
        case BaseLossColumn: return loss(r.baseLoss);
        case NewLossColumn: return loss(r.newLoss);
        case ScoreColumn: return QLocale().toString(r.score, 'f', 4);
        case RankColumn: return r.rank > 0 ? QVariant(r.rank) : QVariant(QStringLiteral("–"));
        case WeightColumn: return QLocale().toString(r.weight, 'f', 3);
        case AcceptedColumn:
            if (r.override == SubmissionReview::Override::Accept)
                return tr("yes (override)");
            if (r.override == SubmissionReview::Override::Reject)
                return tr("no (override)");
            return r.accepted ? tr("yes") : tr("no");
        default: return {};
        }
    }
    if (role == Qt::CheckStateRole && c == AcceptedColumn)
        return r.accepted ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ToolTipRole) {
        if (c == VerificationColumn && !r.verified)
            return r.reasonMessage;
        if (c == ScoreColumn)
            return tr("s = ReLU(base loss − new loss)");
        if (c == MinerColumn)
            return r.path;
        return {};
    }
    if (role == Qt::ForegroundRole && c == VerificationColumn && !r.verified)
        return QBrush(QColor(190, 40, 40));
    if (role == Qt::TextAlignmentRole && c != MinerColumn && c != VerificationColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

bool SubmissionTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) ||
        index.column() != AcceptedColumn || role != Qt::CheckStateRole)
        return false;
    if (!m_rows[static_cast<std::size_t>(index.row())].verified)
        return false;
    const bool accept = value.value<Qt::CheckState>() == Qt::Checked;
    setOverride(index.row(), accept ? SubmissionReview::Override::Accept : SubmissionReview::Override::Reject);
    return true;
}

Qt::ItemFlags SubmissionTableModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == AcceptedColumn && m_rows[static_cast<std::size_t>(index.row())].verified)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant SubmissionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case MinerColumn: return tr("Miner");
    case VerificationColumn: return tr("Verification");
    case BaseLossColumn: return tr("Base loss");
    case NewLossColumn: return tr("New loss");
    case ScoreColumn: return tr("s_i");
    case RankColumn: return tr("Rank");
    case WeightColumn: return tr("Weight");
    case AcceptedColumn: return tr("Accepted");
    default: return {};
    }
}

} // namespace teft::ui
