#pragma once

#include <QApplication>
#include <QString>
#include <functional>

namespace teft::ui {

// The application object of teft-studio: the top-level handler. An exception that escapes an
// event handler or a slot (a job store that cannot be read, an engine error a page did not
// expect) would otherwise end the process through std::terminate and lose the user's work;
// here it is logged, reported to the user, and the event loop goes on. Pages still catch what
// they expect: this is the net under them, not a way of handling errors.
class StudioApplication : public QApplication {
    Q_OBJECT
public:
    StudioApplication(int& argc, char** argv);

    bool notify(QObject* receiver, QEvent* event) override;

    // How an escaped exception reaches the user. The default shows a non-modal message box (one
    // at a time; later ones while it is open only go to the log). Tests replace it.
    using Reporter = std::function<void(const QString& message)>;
    static void setReporter(Reporter reporter);
    static int escapedExceptions();

private:
    void report(const QString& message);
};

} // namespace teft::ui
