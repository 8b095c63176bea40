#pragma once

// One file being read as records (internal to the data path). Each format has its own source
// (JsonlSource.cpp, TextSource.cpp, CsvSource.cpp); DatasetReader chains them over the files.

#include "core/data/DataQualityReport.h"
#include "core/data/DatasetReader.h"
#include "core/data/DatasetSpec.h"

#include <memory>

namespace teft {

class RecordSource {
public:
    RecordSource(const DatasetSpec& spec, DataQualityReport& report) : m_spec(spec), m_report(report) {}
    virtual ~RecordSource() = default;
    // The next good record of the file; false at its end.
    virtual bool next(TextRecord& out) = 0;
    virtual std::int64_t bytesRead() const = 0;

protected:
    // Counts a bad record; in strict mode (and unless it is merely empty) throws
    // teft::FormatError "<file>:<line>: <kind>: <detail>".
    void reject(BadDataKind kind, const std::string& file, std::int64_t line, const std::string& detail);

    const DatasetSpec& m_spec;
    DataQualityReport& m_report;
};

std::unique_ptr<RecordSource> makeJsonlSource(const DatasetFile& file, const DatasetSpec& spec,
                                              DataQualityReport& report);
std::unique_ptr<RecordSource> makeTextSource(const DatasetFile& file, const DatasetSpec& spec,
                                             DataQualityReport& report);
// CSV (',') or TSV ('\t') by file.format.
std::unique_ptr<RecordSource> makeDelimitedSource(const DatasetFile& file, const DatasetSpec& spec,
                                                  DataQualityReport& report);

// "byte 0xff at offset 12" for the first invalid UTF-8 byte of text (which must have one).
std::string describeInvalidUtf8(std::string_view text);

} // namespace teft
