#include "ui/shell/LogSink.h"

#include "core/util/Log.h"

#include <QDateTime>
#include <QMetaObject>
#include <mutex>

namespace teft::ui {

namespace {

class QtSink : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override
    {
        const QString text = QString::fromUtf8(msg.payload.data(), static_cast<int>(msg.payload.size()));
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
        const QString time = QDateTime::fromMSecsSinceEpoch(ms).toString("HH:mm:ss.zzz");
        const int level = static_cast<int>(msg.level);
        // Queued: the GUI thread appends; worker threads never touch widgets.
        QMetaObject::invokeMethod(
            LogBridge::instance(), [level, time, text] { Q_EMIT LogBridge::instance()->message(level, time, text); },
            Qt::QueuedConnection);
    }
    void flush_() override {}
};

std::shared_ptr<QtSink> g_sink;

} // namespace

LogBridge* LogBridge::instance()
{
    static LogBridge* bridge = new LogBridge();
    return bridge;
}

void LogBridge::install()
{
    if (!g_sink)
        g_sink = std::make_shared<QtSink>();
    teft::log::addSink(g_sink);
}

} // namespace teft::ui
