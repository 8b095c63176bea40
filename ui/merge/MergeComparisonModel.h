#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <limits>
#include <vector>

namespace teft::ui {

// Before/after losses of a merge: one row per evaluation dataset, in-domain (the target) or
// out-of-domain (general text). TEFT's claim to check: in-domain falls, out-of-domain stays flat.
class MergeComparisonModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { DatasetColumn, DomainColumn, BeforeColumn, AfterColumn, ChangeColumn, ColumnCount };
    struct Row {
        QString dataset;
        bool inDomain = true;
        double before = std::numeric_limits<double>::quiet_NaN();
        double after = std::numeric_limits<double>::quiet_NaN(); // NaN until merged
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<Row> rows);
    void setAfter(int row, double loss);
    const std::vector<Row>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Row> m_rows;
};

} // namespace teft::ui
