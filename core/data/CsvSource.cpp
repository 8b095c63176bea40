// CSV (RFC 4180) and TSV: a header row names the columns; one column holds the text. Quoted
// fields may contain the delimiter, doubled quotes and newlines (a record then spans lines).
#include "core/data/LineReader.h"
#include "core/data/RecordSource.h"
#include "core/data/Utf8.h"

#include <algorithm>
#include <cctype>

namespace teft {
namespace {

class DelimitedSource : public RecordSource {
public:
    DelimitedSource(const DatasetFile& file, const DatasetSpec& spec, DataQualityReport& report)
        : RecordSource(spec, report), m_file(file.path.string()), m_lines(file.path),
          m_delim(file.format == DataFormat::Tsv ? '\t' : ',')
    {
    }

    bool next(TextRecord& out) override
    {
        if (!m_headerRead) {
            m_headerRead = true;
            m_failed = !readHeader();
        }
        if (m_failed)
            return false;
        std::vector<std::string> fields;
        std::int64_t line = 0;
        while (readRecord(fields, line)) {
            if (fields.size() != m_header.size()) {
                reject(BadDataKind::BadRow, m_file, line,
                       "row has " + std::to_string(fields.size()) + " fields, the header has " +
                           std::to_string(m_header.size()));
                continue;
            }
            std::string& text = fields[static_cast<std::size_t>(m_column)];
            if (isBlank(text)) {
                reject(BadDataKind::Empty, m_file, line, "column '" + m_header[m_column] + "' is empty");
                continue;
            }
            out.text = std::move(text);
            out.file = m_file;
            out.line = line;
            return true;
        }
        return false;
    }

    std::int64_t bytesRead() const override { return m_lines.bytesRead(); }

private:
    bool readHeader()
    {
        std::int64_t line = 0;
        if (!readRecord(m_header, line)) {
            reject(BadDataKind::Empty, m_file, 1, "the file has no header row");
            return false;
        }
        const std::string want = m_spec.column.empty() ? "text" : m_spec.column;
        const bool numeric = !want.empty() && std::all_of(want.begin(), want.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        });
        for (std::size_t i = 0; i < m_header.size(); ++i)
            if (m_header[i] == want)
                m_column = static_cast<int>(i);
        if (m_column < 0 && numeric && std::stoull(want) < m_header.size())
            m_column = static_cast<int>(std::stoull(want));
        if (m_column < 0) {
            std::string names;
            for (const auto& h : m_header)
                names += (names.empty() ? "" : ", ") + h;
            reject(BadDataKind::MissingField, m_file, line, "no column '" + want + "' (the header has: " + names + ")");
            return false;
        }
        return true;
    }

    // One record, possibly over several lines; false at the end of the file.
    bool readRecord(std::vector<std::string>& fields, std::int64_t& startLine)
    {
        std::string line;
        bool tooLong = false;
        for (;;) {
            if (!m_lines.next(line, m_spec.maxDocumentBytes, tooLong))
                return false;
            startLine = m_lines.lineNumber();
            if (tooLong) {
                reject(BadDataKind::TooLarge, m_file, startLine,
                       "line longer than " + std::to_string(m_spec.maxDocumentBytes) + " bytes");
                continue;
            }
            if (line.empty())
                continue;
            if (!isValidUtf8(line)) {
                reject(BadDataKind::InvalidUtf8, m_file, startLine, describeInvalidUtf8(line));
                continue;
            }
            fields.clear();
            std::string cur;
            bool quoted = false; // inside a quoted field
            bool atStart = true; // at the first character of a field
            std::int64_t size = 0;
            bool bad = false;
            for (;;) {
                for (std::size_t i = 0; i < line.size(); ++i) {
                    const char c = line[i];
                    if (quoted) {
                        if (c == '"') {
                            if (i + 1 < line.size() && line[i + 1] == '"') {
                                cur += '"';
                                ++i;
                            } else {
                                quoted = false;
                            }
                        } else {
                            cur += c;
                        }
                    } else if (c == m_delim) {
                        fields.push_back(std::move(cur));
                        cur.clear();
                        atStart = true;
                        continue;
                    } else if (c == '"' && atStart) {
                        quoted = true;
                    } else {
                        cur += c;
                    }
                    atStart = false;
                }
                if (!quoted)
                    break;
                // A quoted field goes on over the next line.
                size += static_cast<std::int64_t>(line.size()) + 1;
                if (!m_lines.next(line, m_spec.maxDocumentBytes, tooLong)) {
                    reject(BadDataKind::BadRow, m_file, startLine, "a quoted field is never closed");
                    return false;
                }
                if (tooLong || size > m_spec.maxDocumentBytes) {
                    reject(BadDataKind::TooLarge, m_file, startLine,
                           "record longer than " + std::to_string(m_spec.maxDocumentBytes) + " bytes");
                    bad = true;
                    break;
                }
                if (!isValidUtf8(line)) {
                    reject(BadDataKind::InvalidUtf8, m_file, m_lines.lineNumber(), describeInvalidUtf8(line));
                    bad = true;
                    break;
                }
                cur += '\n';
            }
            if (bad)
                continue;
            fields.push_back(std::move(cur));
            return true;
        }
    }

    std::string m_file;
    LineReader m_lines;
    char m_delim;
    std::vector<std::string> m_header;
    int m_column = -1;
    bool m_headerRead = false;
    bool m_failed = false;
};

} // namespace

std::unique_ptr<RecordSource> makeDelimitedSource(const DatasetFile& file, const DatasetSpec& spec,
                                                  DataQualityReport& report)
{
    return std::make_unique<DelimitedSource>(file, spec, report);
}

} // namespace teft
