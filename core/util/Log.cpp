#include "core/util/Log.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace teft::log {

namespace {
std::mutex g_mutex;
std::filesystem::path g_logFile;

// The log file behind a guard: a write that fails (a full disk, a file removed or made read-only)
// must neither lose the message for the other sinks (spdlog stops at the first sink that throws
// and prints "[*** LOG ERROR ***]") nor fail again on every line. The first failure is said once,
// on stderr and through the other sinks; the file is then left alone.
class GuardedFileSink : public spdlog::sinks::sink {
public:
    GuardedFileSink(std::shared_ptr<spdlog::sinks::sink> inner, std::filesystem::path file)
        : m_inner(std::move(inner)), m_file(std::move(file))
    {
    }
    void log(const spdlog::details::log_msg& msg) override
    {
        if (m_failed.load())
            return;
        try {
            m_inner->log(msg);
        } catch (const std::exception& e) {
            fail(e.what());
        }
    }
    void flush() override
    {
        if (m_failed.load())
            return;
        try {
            m_inner->flush();
        } catch (const std::exception& e) {
            fail(e.what());
        }
    }
    void set_pattern(const std::string& pattern) override { m_inner->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override
    {
        m_inner->set_formatter(std::move(formatter));
    }

private:
    void fail(const std::string& why)
    {
        if (m_failed.exchange(true))
            return;
        std::fprintf(stderr,
                     "teft: the log file %s cannot be written (%s); the file log stops here, the console and "
                     "the application still get every message\n",
                     m_file.string().c_str(), why.c_str());
    }
    std::shared_ptr<spdlog::sinks::sink> m_inner;
    std::filesystem::path m_file;
    std::atomic<bool> m_failed{false};
};
} // namespace

void init(const std::filesystem::path& logDir, bool console, spdlog::level::level_enum level,
          const std::string& fileName)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    std::vector<spdlog::sink_ptr> sinks;
    std::error_code ec;
    std::filesystem::create_directories(logDir, ec);
    g_logFile = logDir / fileName;
    try {
        auto file = std::make_shared<GuardedFileSink>(
            std::make_shared<spdlog::sinks::rotating_file_sink_mt>(g_logFile.string(), 5 * 1024 * 1024, 5), g_logFile);
        file->set_level(spdlog::level::debug);
        sinks.push_back(file);
    } catch (const spdlog::spdlog_ex&) {
        g_logFile.clear(); // read-only data dir: keep going without a file log
    }
    if (console) {
        auto err = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        err->set_level(level);
        err->set_pattern("%^%l%$: %v");
        sinks.push_back(err);
    }
    auto logger = std::make_shared<spdlog::logger>("teft", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::debug);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(2));
}

void addSink(const std::shared_ptr<spdlog::sinks::sink>& sink)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    auto& sinks = spdlog::default_logger()->sinks();
    if (std::find(sinks.begin(), sinks.end(), sink) == sinks.end())
        sinks.push_back(sink);
}

void removeSink(const std::shared_ptr<spdlog::sinks::sink>& sink)
{
    std::lock_guard<std::mutex> lock(g_mutex);
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
}

std::filesystem::path logFile()
{
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_logFile;
}

} // namespace teft::log
