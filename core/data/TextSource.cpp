// Plain text: a whole file, blank-line-separated paragraphs, or single lines as documents.
#include "core/data/LineReader.h"
#include "core/data/RecordSource.h"
#include "core/data/Utf8.h"

namespace teft {
namespace {

class TextSource : public RecordSource {
public:
    TextSource(const DatasetFile& file, const DatasetSpec& spec, DataQualityReport& report)
        : RecordSource(spec, report), m_file(file.path.string()), m_lines(file.path)
    {
    }

    bool next(TextRecord& out) override
    {
        std::string line;
        bool tooLong = false;
        while (!m_done) {
            if (!m_lines.next(line, m_spec.maxDocumentBytes, tooLong)) {
                m_done = true;
                if (finish(out))
                    return true;
                break;
            }
            const std::int64_t n = m_lines.lineNumber();
            if (tooLong) {
                reject(BadDataKind::TooLarge, m_file, n,
                       "line longer than " + std::to_string(m_spec.maxDocumentBytes) + " bytes");
                if (finish(out)) // the document around it ends here
                    return true;
                continue;
            }
            const bool blank = isBlank(line);
            if (m_spec.docSplit == DocSplit::Line) {
                if (blank)
                    continue;
                if (!isValidUtf8(line)) {
                    reject(BadDataKind::InvalidUtf8, m_file, n, describeInvalidUtf8(line));
                    continue;
                }
                out.text = std::move(line);
                out.file = m_file;
                out.line = n;
                m_emitted = true;
                return true;
            }
            if (m_spec.docSplit == DocSplit::BlankLine && blank) {
                if (finish(out))
                    return true;
                continue;
            }
            // Cut an oversized document at a line boundary rather than holding it all.
            const bool full = static_cast<std::int64_t>(m_doc.size() + line.size() + 1) > m_spec.maxDocumentBytes;
            const bool ready = full && finish(out);
            append(line, n);
            if (ready)
                return true;
        }
        return false;
    }

    std::int64_t bytesRead() const override { return m_lines.bytesRead(); }

private:
    void append(const std::string& line, std::int64_t n)
    {
        if (m_docLine == 0)
            m_docLine = n;
        if (m_badUtf8.empty() && !isValidUtf8(line)) {
            m_badUtf8 = describeInvalidUtf8(line);
            m_badLine = n;
        }
        if (m_docLine != n || !m_doc.empty())
            m_doc += '\n';
        m_doc += line;
    }

    // Emits the document gathered so far, if it is good.
    bool finish(TextRecord& out)
    {
        const std::int64_t start = m_docLine;
        std::string doc = std::move(m_doc);
        std::string bad = std::move(m_badUtf8);
        m_doc.clear();
        m_badUtf8.clear();
        m_docLine = 0;
        if (start == 0) {
            if (m_done && !m_emitted && m_spec.docSplit == DocSplit::File)
                reject(BadDataKind::Empty, m_file, 1, "the file has no text");
            return false;
        }
        if (!bad.empty()) {
            reject(BadDataKind::InvalidUtf8, m_file, m_badLine, bad);
            return false;
        }
        while (!doc.empty() && (doc.back() == '\n' || doc.back() == ' ' || doc.back() == '\t'))
            doc.pop_back();
        if (isBlank(doc)) {
            if (m_spec.docSplit == DocSplit::File)
                reject(BadDataKind::Empty, m_file, start, "the file has no text");
            return false;
        }
        out.text = std::move(doc);
        out.file = m_file;
        out.line = start;
        m_emitted = true;
        return true;
    }

    std::string m_file;
    LineReader m_lines;
    std::string m_doc;
    std::int64_t m_docLine = 0; // first line of m_doc, 0 when none
    std::string m_badUtf8;
    std::int64_t m_badLine = 0;
    bool m_done = false;
    bool m_emitted = false;
};

} // namespace

std::unique_ptr<RecordSource> makeTextSource(const DatasetFile& file, const DatasetSpec& spec,
                                             DataQualityReport& report)
{
    return std::make_unique<TextSource>(file, spec, report);
}

} // namespace teft
