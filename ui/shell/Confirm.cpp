#include "ui/shell/Confirm.h"

#include <QCoreApplication>
#include <QMessageBox>
#include <QPushButton>

namespace teft::ui {

namespace {
ConfirmHandler& handler()
{
    static ConfirmHandler h;
    return h;
}
} // namespace

bool confirmAction(QWidget* parent, const QString& title, const QString& text, const QString& acceptLabel)
{
    if (handler())
        return handler()(parent, title, text);
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::NoButton, parent);
    QPushButton* accept = box.addButton(acceptLabel.isEmpty() ? QCoreApplication::translate("Confirm", "Continue")
                                                              : acceptLabel,
                                        QMessageBox::AcceptRole);
    QPushButton* cancel = box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(cancel);
    box.setEscapeButton(cancel);
    box.exec();
    return box.clickedButton() == accept;
}

ConfirmHandler setConfirmHandler(ConfirmHandler h)
{
    ConfirmHandler previous = std::move(handler());
    handler() = std::move(h);
    return previous;
}

} // namespace teft::ui
