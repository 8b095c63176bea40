#pragma once

#include <QAbstractTableModel>
#include <QString>
#include <vector>

namespace teft::ui {

// The first records of a dataset: where each comes from, its text (one line, shortened) and
// its token count under the model's tokenizer (-1 when no tokenizer is known).
class DatasetPreviewModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SourceColumn, TextColumn, TokensColumn, ColumnCount };
    struct Row {
        QString source; // file:line
        QString text;
        int tokens = -1;
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<Row> rows);
    const std::vector<Row>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<Row> m_rows;
};

} // namespace teft::ui
