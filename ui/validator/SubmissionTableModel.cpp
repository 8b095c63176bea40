#include "ui/validator/SubmissionTableModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <cmath>

namespace teft::ui {

namespace {
QString loss(double v) { return std::isfinite(v) ? QLocale().toString(v, 'f', 4) : QStringLiteral("–"); }

// "s_i ± error": the measured gain and its standard error ("n/a" below 2 batches); a refused
// row shows "–", a verified row without a measured gain (evaluation failed) its score alone.
QString gainText(const SubmissionReview& r)
{
    if (!r.verified)
        return QStringLiteral("–"); // never scored
    if (!std::isfinite(r.gain))
        return QLocale().toString(r.score, 'f', 4);
    const QString gain = (r.gain >= 0 ? QStringLiteral("+") : QString()) + QLocale().toString(r.gain, 'f', 4);
    const QString error = std::isfinite(r.stdError) ? QLocale().toString(r.stdError, 'f', 4)
                                                    : SubmissionTableModel::tr("n/a");
    return SubmissionTableModel::tr("%1 ± %2").arg(gain, error);
}

bool withinNoise(const SubmissionReview& r) { return r.verified && std::isfinite(r.gain) && !r.significant; }
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
        case ScoreColumn: return std::isfinite(r.gain) ? r.gain : r.score;
        case TokensColumn: return static_cast<qlonglong>(r.tokens);
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
        case ScoreColumn: return gainText(r);
        case TokensColumn:
            return r.tokens > 0 ? QLocale().toString(static_cast<qlonglong>(r.tokens)) : QStringLiteral("–");
        case RankColumn:
            if (r.rank <= 0)
                return QStringLiteral("–");
            if (!r.tiedWith.isEmpty())
                return tr("%1 (tied with %2)").arg(r.rank).arg(r.tiedWith.join(QStringLiteral(", ")));
            return r.rank;
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
        if (c == ScoreColumn) {
            QString tip = tr("s_i: token-weighted mean of base loss − new loss over the held-out batches, ± its "
                             "standard error");
            if (std::isfinite(r.gain))
                tip += QLatin1Char('\n') +
                       (r.significant ? tr("Significant: the one-sided %1 % lower bound is %2 > 0.")
                                            .arg(QLocale().toString(100.0 * r.confidence, 'f', 0),
                                                 QLocale().toString(r.lowerBound, 'f', 4))
                        : std::isfinite(r.lowerBound)
                            ? tr("Not significant: the one-sided %1 % lower bound is %2 ≤ 0; it scores 0.")
                                  .arg(QLocale().toString(100.0 * r.confidence, 'f', 0),
                                       QLocale().toString(r.lowerBound, 'f', 4))
                            : tr("Not significant: fewer than 2 held-out batches, no error estimate; it scores 0."));
            return tip;
        }
        if (c == TokensColumn)
            return tr("Held-out target tokens the score rests on");
        if (c == RankColumn && !r.tiedWith.isEmpty())
            return tr("Tied within noise: the difference to these is not significant");
        if (c == MinerColumn)
            return r.path;
        return {};
    }
    if (role == Qt::ForegroundRole && c == VerificationColumn && !r.verified)
        return QBrush(QColor(190, 40, 40));
    if (role == Qt::ForegroundRole && c == ScoreColumn && withinNoise(r))
        return QBrush(QColor(128, 128, 128)); // a gain within noise scores 0
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
    case ScoreColumn: return tr("s_i ± error");
    case TokensColumn: return tr("Tokens");
    case RankColumn: return tr("Rank");
    case WeightColumn: return tr("Weight");
    case AcceptedColumn: return tr("Accepted");
    default: return {};
    }
}

} // namespace teft::ui
