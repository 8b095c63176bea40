#include "ui/shell/StudioApplication.h"

#include <QMessageBox>
#include <QPointer>
#include <QTimer>
#include <atomic>
#include <exception>
#include <spdlog/spdlog.h>

namespace teft::ui {

namespace {
StudioApplication::Reporter& reporter()
{
    static StudioApplication::Reporter r;
    return r;
}
std::atomic<int> g_escaped{0};
} // namespace

StudioApplication::StudioApplication(int& argc, char** argv) : QApplication(argc, argv) {}

void StudioApplication::setReporter(Reporter r) { reporter() = std::move(r); }

int StudioApplication::escapedExceptions() { return g_escaped.load(); }

bool StudioApplication::notify(QObject* receiver, QEvent* event)
{
    try {
        return QApplication::notify(receiver, event);
    } catch (const std::exception& e) {
        report(QString::fromUtf8(e.what()));
    } catch (...) {
        report(tr("an unknown error"));
    }
    return false;
}

void StudioApplication::report(const QString& message)
{
    ++g_escaped;
    spdlog::error("unexpected error (the application goes on): {}", message.toStdString());
    if (reporter()) {
        reporter()(message);
        return;
    }
    // Shown after the failed event has unwound, never from inside it; one box at a time.
    static QPointer<QMessageBox> open;
    if (open)
        return;
    QTimer::singleShot(0, this, [this, message] {
        if (open)
            return;
        auto* box = new QMessageBox(QMessageBox::Warning, tr("TEFT Studio"),
                                    tr("An operation failed unexpectedly:\n\n%1\n\nThe application keeps running; "
                                       "your projects and the job store are as they were before the operation. "
                                       "The details are in the log.")
                                        .arg(message),
                                    QMessageBox::Ok, activeWindow());
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setModal(false);
        open = box;
        box->show();
    });
}

} // namespace teft::ui
