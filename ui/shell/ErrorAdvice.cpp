#include "ui/shell/ErrorAdvice.h"

#include <QCoreApplication>
#include <QMessageBox>

namespace teft::ui {

// The translation context of the advice (lupdate reads ErrorAdvice::tr like a class's tr).
class ErrorAdvice {
    Q_DECLARE_TR_FUNCTIONS(teft::ui::ErrorAdvice)
};

QString errorAdvice(ErrorKind kind, const QString& fallback)
{
    switch (kind) {
    case ErrorKind::OutOfMemory:
        return ErrorAdvice::tr("Lower the batch size or the sequence length, choose masked routing so that only "
                               "the selected experts are held, select fewer experts, or use bf16.");
    case ErrorKind::NonFinite:
        return ErrorAdvice::tr("Lower the learning rate (1e-5 is a safe start) or train in fp32.");
    case ErrorKind::DeviceUnavailable: return ErrorAdvice::tr("Choose the CPU as device, or check the GPU driver.");
    case ErrorKind::Storage:
        return ErrorAdvice::tr("Free some disk space, or choose a folder you may write to, then start again.");
    case ErrorKind::Network:
        return ErrorAdvice::tr("Check the network connection and the address of the other side, then try again.");
    case ErrorKind::BadInput:
        return ErrorAdvice::tr("The file named in the message is damaged or not in the expected format: replace "
                               "it or choose another one.");
    case ErrorKind::Usage: return ErrorAdvice::tr("Correct the value named in the message, then start again.");
    case ErrorKind::Cancelled: return {};
    case ErrorKind::General: break;
    }
    if (!fallback.isEmpty())
        return fallback;
    return ErrorAdvice::tr("Check the settings and the log for details, then start again.");
}

QMessageBox* showFailure(QWidget* parent, const QString& title, const QString& message, ErrorKind kind,
                         const QString& fallback)
{
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, parent);
    box->setInformativeText(errorAdvice(kind, fallback));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return box;
}

} // namespace teft::ui
