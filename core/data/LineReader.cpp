#include "core/data/LineReader.h"

#include "core/util/Error.h"

#include <cerrno>
#include <cstring>

namespace teft {

LineReader::LineReader(const std::filesystem::path& path, std::size_t bufferBytes)
    : m_path(path), m_buffer(bufferBytes < 16 ? 16 : bufferBytes)
{
    m_file = std::fopen(path.c_str(), "rb");
    if (!m_file)
        throw Error("Cannot open " + path.string() + ": " + std::strerror(errno));
}

LineReader::~LineReader()
{
    if (m_file)
        std::fclose(m_file);
}

bool LineReader::fill()
{
    if (m_eof)
        return false;
    m_pos = 0;
    m_end = std::fread(m_buffer.data(), 1, m_buffer.size(), m_file);
    if (m_end == 0) {
        if (std::ferror(m_file))
            throw Error("Cannot read " + m_path.string() + ": " + std::strerror(errno));
        m_eof = true;
        return false;
    }
    return true;
}

bool LineReader::next(std::string& line, std::int64_t maxLineBytes, bool& tooLong)
{
    line.clear();
    tooLong = false;
    bool any = false;
    std::int64_t length = 0;
    for (;;) {
        if (m_pos == m_end && !fill())
            break;
        any = true;
        const char* start = m_buffer.data() + m_pos;
        const std::size_t avail = m_end - m_pos;
        const void* nl = std::memchr(start, '\n', avail);
        const std::size_t take = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : avail;
        length += static_cast<std::int64_t>(take);
        if (length > maxLineBytes) {
            tooLong = true;
            line.clear();
        } else {
            line.append(start, take);
        }
        m_pos += take;
        m_consumed += static_cast<std::int64_t>(take);
        if (nl) {
            ++m_pos;
            ++m_consumed;
            ++m_line;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            stripBom(line);
            return true;
        }
    }
    if (!any)
        return false;
    ++m_line; // a last line without "\n"
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    stripBom(line);
    return true;
}

void LineReader::stripBom(std::string& line) const
{
    if (m_line == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0)
        line.erase(0, 3);
}

} // namespace teft
