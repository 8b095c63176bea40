#pragma once

// Streams text records out of the files a DatasetSpec names, one record at a time, never
// holding a whole file in memory. Bad records are skipped and counted in a DataQualityReport
// (or throw teft::FormatError naming file:line when the spec is strict).
//
//   DatasetReader reader(spec);
//   TextRecord r;
//   while (reader.next(r)) use(r.text);
//   reader.report().summary();

#include "core/data/DataQualityReport.h"
#include "core/data/DatasetSpec.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace teft {

struct TextRecord {
    std::string text;
    std::string file;      // the path as the user gave it (or found under a folder)
    std::int64_t line = 0; // 1-based line where the record starts
};

// One input file with the format it will be read as.
struct DatasetFile {
    std::filesystem::path path;
    DataFormat format = DataFormat::Text; // never Auto once resolved
    std::int64_t size = 0;
};

// Expands folders (recursive, depth first with names sorted at each level, linked folders
// followed once, hidden entries and files of unknown extension
// skipped) and resolves the format of each file. Throws teft::Error for a missing path or a
// folder with no readable files, and teft::UsageError for an empty path list.
std::vector<DatasetFile> resolveDatasetFiles(const DatasetSpec& spec);

// The format of one file under DataFormat::Auto (extension, then content sniffing).
DataFormat detectFormat(const std::filesystem::path& file);

class RecordSource; // one per file format, internal

class DatasetReader {
public:
    explicit DatasetReader(DatasetSpec spec);
    ~DatasetReader();
    // The per-file sources point into the reader: it stays where it was made.
    DatasetReader(const DatasetReader&) = delete;
    DatasetReader& operator=(const DatasetReader&) = delete;

    // The next good record; false at the end of the last file.
    bool next(TextRecord& out);

    const std::vector<DatasetFile>& files() const { return m_files; }
    const DataQualityReport& report() const { return m_report; }
    const DatasetSpec& spec() const { return m_spec; }
    std::int64_t records() const { return m_records; }
    // Progress: bytes consumed of all files, and their total.
    std::int64_t bytesRead() const;
    std::int64_t totalBytes() const { return m_totalBytes; }

private:
    DatasetSpec m_spec;
    std::vector<DatasetFile> m_files;
    std::size_t m_nextFile = 0;
    std::unique_ptr<RecordSource> m_source;
    DataQualityReport m_report;
    std::int64_t m_records = 0;
    std::int64_t m_totalBytes = 0;
    std::int64_t m_doneBytes = 0; // of files finished
};

// The first n good records (with the bad ones met on the way in `report` when given).
std::vector<TextRecord> previewDataset(const DatasetSpec& spec, std::size_t n, DataQualityReport* report = nullptr);

} // namespace teft
