#pragma once

#include <QObject>
#include <QString>
#include <memory>
#include <spdlog/sinks/base_sink.h>

namespace teft::ui {

// Receives the engine's log lines (from any thread) and re-emits them on the GUI thread
// through a queued signal. Register with LogBridge::install(); the log dock listens.
class LogBridge : public QObject {
    Q_OBJECT
public:
    static LogBridge* instance();
    // Adds the spdlog sink feeding this bridge to the default logger (idempotent).
    static void install();

Q_SIGNALS:
    void message(int level, const QString& time, const QString& text);

private:
    LogBridge() = default;
};

} // namespace teft::ui
