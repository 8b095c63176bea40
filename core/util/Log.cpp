#include "core/util/Log.h"

#include <algorithm>
#include <mutex>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace teft::log {

namespace {
std::mutex g_mutex;
std::filesystem::path g_logFile;
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
        auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(g_logFile.string(), 5 * 1024 * 1024, 5);
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
