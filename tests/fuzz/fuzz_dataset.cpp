// Fuzz target: the dataset readers (core/data: JSON Lines, CSV, TSV, plain text). The first byte
// of the input picks how the rest is read: bits 0-1 the format (jsonl, csv, tsv, text), bit 2
// strict mode, bits 3-4 how text is split into documents, bit 5 a named field/column ("body",
// "data.body" for JSON Lines, "1" for CSV/TSV) instead of the default, bit 6 the "plain" chat template,
// bit 7 a 64-byte document limit. The rest is the file. Every record must be valid UTF-8 text within the
// limit, from a line of the file.

#include "core/data/DatasetReader.h"
#include "core/data/Utf8.h"
#include "tests/fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::uint8_t mode = data[0];
    static const teft::DataFormat formats[] = {teft::DataFormat::Jsonl, teft::DataFormat::Csv, teft::DataFormat::Tsv,
                                               teft::DataFormat::Text};
    static const teft::DocSplit splits[] = {teft::DocSplit::File, teft::DocSplit::BlankLine, teft::DocSplit::Line,
                                            teft::DocSplit::BlankLine};
    teft::DatasetSpec spec;
    spec.format = formats[mode & 3];
    spec.strict = (mode & 4) != 0;
    spec.docSplit = splits[(mode >> 3) & 3];
    if (mode & 32) {
        spec.field = (mode & 1) ? "body" : "data.body";
        spec.column = (mode & 1) ? "1" : "body";
    }
    if (mode & 64)
        spec.chatTemplate = "plain";
    if (mode & 128)
        spec.maxDocumentBytes = 64;
    const auto path = teft::fuzz::writeScratch("input.data", {reinterpret_cast<const char*>(data) + 1, size - 1});
    spec.paths = {path};
    return teft::fuzz::acceptTeftErrors([&] {
        teft::DatasetReader reader(spec);
        teft::TextRecord record;
        std::int64_t count = 0;
        while (reader.next(record)) {
            ++count;
            TEFT_FUZZ_CHECK(teft::isValidUtf8(record.text));
            TEFT_FUZZ_CHECK(record.line >= 1);
            TEFT_FUZZ_CHECK(record.line <= static_cast<std::int64_t>(size));
            if (spec.format == teft::DataFormat::Text)
                TEFT_FUZZ_CHECK(static_cast<std::int64_t>(record.text.size()) <= spec.maxDocumentBytes);
        }
        TEFT_FUZZ_CHECK(reader.records() == count);
        TEFT_FUZZ_CHECK(reader.bytesRead() <= reader.totalBytes());
        (void)reader.report();
    });
}
