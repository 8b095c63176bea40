#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace teft {

// Reads a file line by line through a fixed buffer, so memory stays bounded whatever the file
// size. Lines are returned without their "\n" (and without a "\r" before it). A line longer
// than maxLineBytes is not kept: next() returns it empty with `tooLong` set, having skipped
// its bytes.
class LineReader {
public:
    explicit LineReader(const std::filesystem::path& path, std::size_t bufferBytes = 1 << 20);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    bool next(std::string& line, std::int64_t maxLineBytes, bool& tooLong);

    std::int64_t lineNumber() const { return m_line; } // of the line last returned, 1-based
    std::int64_t bytesRead() const { return m_consumed; }

private:
    bool fill();
    void stripBom(std::string& line) const; // a UTF-8 byte order mark before the first line

    std::filesystem::path m_path;
    std::FILE* m_file = nullptr;
    std::vector<char> m_buffer;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
    bool m_eof = false;
    std::int64_t m_line = 0;
    std::int64_t m_consumed = 0;
};

} // namespace teft
