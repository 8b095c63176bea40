#pragma once

#include <QAbstractTableModel>
#include <QPointer>

namespace teft::ui {

class SelectionDocument;

// One row per MoE layer: model layer, selected experts, trainable parameters, bytes. Follows
// the document's changed() signal.
class SelectionSummaryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LayerColumn, ExpertsColumn, ParametersColumn, BytesColumn, ColumnCount };

    explicit SelectionSummaryModel(SelectionDocument* document, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QPointer<SelectionDocument> m_document;
    int m_rows = 0;
};

} // namespace teft::ui
