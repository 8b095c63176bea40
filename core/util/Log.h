#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <spdlog/spdlog.h>

namespace teft::log {

// Sets up the process-wide default logger "teft": a rotating file <logDir>/<fileName> (5 x 5 MB),
// plus a console sink on stderr when `console` is true (the CLI). The GUI adds its own sink
// with addSink(). Safe to call again (replaces the logger).
void init(const std::filesystem::path& logDir, bool console, spdlog::level::level_enum level = spdlog::level::info,
          const std::string& fileName = "teft.log");
void addSink(const std::shared_ptr<spdlog::sinks::sink>& sink);
void removeSink(const std::shared_ptr<spdlog::sinks::sink>& sink);
std::filesystem::path logFile();

} // namespace teft::log
