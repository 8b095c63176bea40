#pragma once

#include <QStyledItemDelegate>

namespace teft::ui {

// Draws a job's progress (JobsTableModel::ProgressRole) as a progress bar.
class JobProgressDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace teft::ui
