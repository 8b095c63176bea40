#pragma once

#include "ui/validator/AggregationPreview.h"
#include "ui/validator/SubmissionReview.h"

#include <QAbstractTableModel>
#include <vector>

namespace teft::ui {

// The validator's submissions: miner, verification result and reason, base loss, new loss,
// s_i ± its standard error (greyed when not significant), the tokens it rests on, rank (with
// the submissions it is tied with within noise), weight, accepted. SortRole gives raw numbers for QSortFilterProxyModel. The
// Accepted column is checkable: checking or unchecking sets an override, and rank / weight /
// accepted are recomputed through the AggregationPreview for every row.
class SubmissionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        MinerColumn,
        VerificationColumn,
        BaseLossColumn,
        NewLossColumn,
        ScoreColumn,
        TokensColumn,
        RankColumn,
        WeightColumn,
        AcceptedColumn,
        ColumnCount
    };
    static constexpr int SortRole = Qt::UserRole + 1;

    explicit SubmissionTableModel(QObject* parent = nullptr);

    void setSubmissions(std::vector<SubmissionReview> rows);
    const std::vector<SubmissionReview>& submissions() const { return m_rows; }
    void setAggregation(const AggregationPreview& aggregation);
    const AggregationPreview& aggregation() const { return m_aggregation; }
    void setOverride(int row, SubmissionReview::Override value);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // Accepted set or weights changed (an override, a new rule, new rows).
    void aggregationChanged();

private:
    void recompute();

    std::vector<SubmissionReview> m_rows;
    AggregationPreview m_aggregation;
};

} // namespace teft::ui
