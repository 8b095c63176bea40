#include "core/data/DatasetReader.h"

#include "core/data/RecordSource.h"
#include "core/data/Utf8.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>

namespace teft {
namespace fs = std::filesystem;

namespace {

std::string lowerExtension(const fs::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

// Auto format from the extension alone; Auto when it says nothing.
DataFormat formatFromExtension(const fs::path& p)
{
    const std::string ext = lowerExtension(p);
    if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json")
        return DataFormat::Jsonl;
    if (ext == ".txt" || ext == ".text" || ext == ".md" || ext == ".markdown" || ext == ".rst")
        return DataFormat::Text;
    if (ext == ".csv")
        return DataFormat::Csv;
    if (ext == ".tsv" || ext == ".tab")
        return DataFormat::Tsv;
    return DataFormat::Auto;
}

bool hidden(const fs::path& p)
{
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
}

std::int64_t fileSize(const fs::path& p)
{
    std::error_code ec;
    const auto size = fs::file_size(p, ec);
    if (ec)
        throw Error("Cannot read the size of " + p.string() + ": " + ec.message());
    return static_cast<std::int64_t>(size);
}

// Depth first, entries sorted by name at each level, so the order does not depend on the file
// system. Symbolic links are followed while they stay inside the dataset folder (`root`,
// resolved), each real folder once, so a link cycle cannot loop; a link that leads out of it is
// an error naming both ends (a dataset folder is what its owner put in it, never whatever a link
// reaches). Hidden entries are skipped.
void collectFolder(const fs::path& dir, const fs::path& root, const DatasetSpec& spec, std::set<fs::path>& visited,
                   std::vector<fs::path>& found)
{
    std::error_code ec;
    const fs::path real = fs::canonical(dir, ec);
    if (ec || !visited.insert(real).second)
        return;
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        entries.push_back(*it);
    if (ec)
        throw Error("Cannot list " + dir.string() + ": " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
    for (const auto& e : entries) {
        if (hidden(e.path()))
            continue;
        if (e.is_symlink(ec)) {
            const fs::path target = fs::weakly_canonical(e.path(), ec);
            const fs::path rel = target.lexically_relative(root);
            if (ec || rel.empty() || *rel.begin() == "..")
                throw FormatError("Dataset folder " + root.string() + ": " + e.path().string() + " is a link to " +
                                  (ec ? std::string("a path that cannot be resolved") : target.string()) +
                                  ", outside the folder; copy that data in, or name it as a dataset path of its own");
        }
        if (e.is_directory(ec))
            collectFolder(e.path(), root, spec, visited, found);
        // Inside folders only files whose extension names a format: a folder may hold README
        // files, images or archives that are not meant as data.
        else if (e.is_regular_file(ec) &&
                 (spec.format != DataFormat::Auto || formatFromExtension(e.path()) != DataFormat::Auto))
            found.push_back(e.path());
    }
}

} // namespace

std::string describeInvalidUtf8(std::string_view text)
{
    const std::size_t at = findInvalidUtf8(text);
    if (at == std::string_view::npos)
        return "valid UTF-8";
    char buf[64];
    std::snprintf(buf, sizeof buf, "byte 0x%02x at offset %zu is not UTF-8", static_cast<unsigned char>(text[at]), at);
    return buf;
}

void RecordSource::reject(BadDataKind kind, const std::string& file, std::int64_t line, const std::string& detail)
{
    BadRecord r{kind, file, line, detail};
    if (m_spec.strict && kind != BadDataKind::Empty)
        throw FormatError(r.where() + ": " + toString(kind) + ": " + detail);
    m_report.add(r);
}

DataFormat detectFormat(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error("Cannot open " + file.string());
    char buf[4096];
    in.read(buf, sizeof buf);
    const std::string_view head(buf, static_cast<std::size_t>(in.gcount()));
    // Compressed input would otherwise be read as (invalid UTF-8) text.
    for (const std::string_view magic :
         {std::string_view("\x1f\x8b", 2), std::string_view("\x28\xb5\x2f\xfd", 4), std::string_view("BZh", 3),
          std::string_view("\xfd"
                           "7zXZ",
                           5),
          std::string_view("PK\x03\x04", 4)})
        if (head.substr(0, magic.size()) == magic)
            throw Error(file.string() + " is compressed or an archive; decompress it first (gzip -d, zstd -d, ...)");
    if (auto f = formatFromExtension(file); f != DataFormat::Auto)
        return f;
    const auto first = head.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (first != std::string_view::npos && head[first] == '{')
        return DataFormat::Jsonl;
    return DataFormat::Text;
}

std::vector<DatasetFile> resolveDatasetFiles(const DatasetSpec& spec)
{
    if (spec.paths.empty())
        throw UsageError("no dataset paths given");
    std::vector<DatasetFile> files;
    auto add = [&](const fs::path& p, DataFormat detected) {
        const DataFormat f = spec.format == DataFormat::Auto ? detected : spec.format;
        files.push_back({p, f, fileSize(p)});
    };
    for (const auto& root : spec.paths) {
        std::error_code ec;
        const auto status = fs::status(root, ec);
        if (ec || !fs::exists(status))
            throw Error("Dataset path " + root.string() + " does not exist");
        if (fs::is_directory(status)) {
            std::vector<fs::path> found;
            std::set<fs::path> visited;
            collectFolder(root, fs::canonical(root), spec, visited, found);
            if (found.empty())
                throw Error("Dataset folder " + root.string() + " has no .jsonl, .json, .txt, .md, .csv or .tsv files");
            for (const auto& p : found)
                add(p, formatFromExtension(p) != DataFormat::Auto ? formatFromExtension(p) : DataFormat::Text);
        } else {
            const DataFormat detected = detectFormat(root); // also refuses compressed files
            add(root, spec.format == DataFormat::Auto ? detected : spec.format);
        }
    }
    return files;
}

DatasetReader::DatasetReader(DatasetSpec spec) : m_spec(std::move(spec)), m_files(resolveDatasetFiles(m_spec))
{
    for (const auto& f : m_files)
        m_totalBytes += f.size;
}

DatasetReader::~DatasetReader() = default;

bool DatasetReader::next(TextRecord& out)
{
    for (;;) {
        if (!m_source) {
            if (m_nextFile >= m_files.size())
                return false;
            const DatasetFile& f = m_files[m_nextFile++];
            switch (f.format) {
            case DataFormat::Jsonl: m_source = makeJsonlSource(f, m_spec, m_report); break;
            case DataFormat::Csv:
            case DataFormat::Tsv: m_source = makeDelimitedSource(f, m_spec, m_report); break;
            default: m_source = makeTextSource(f, m_spec, m_report); break;
            }
        }
        if (m_source->next(out)) {
            ++m_records;
            return true;
        }
        m_doneBytes += m_files[m_nextFile - 1].size;
        m_source.reset();
    }
}

std::int64_t DatasetReader::bytesRead() const { return m_doneBytes + (m_source ? m_source->bytesRead() : 0); }

std::vector<TextRecord> previewDataset(const DatasetSpec& spec, std::size_t n, DataQualityReport* report)
{
    DatasetReader reader(spec);
    std::vector<TextRecord> out;
    TextRecord r;
    while (out.size() < n && reader.next(r))
        out.push_back(std::move(r));
    if (report)
        *report = reader.report();
    return out;
}

} // namespace teft
