#pragma once

// What a user points the engine at: files or folders of text, and how to read them. Plain data,
// no I/O; readers live in DatasetReader.h.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace teft {

enum class DataFormat {
    Auto,  // per file: by extension (.jsonl/.ndjson/.json, .txt/.md/.text, .csv, .tsv/.tab),
           // else by content (first non-blank byte '{' means JSON Lines, anything else text)
    Jsonl, // one JSON object per line
    Text,  // plain UTF-8 text, documents split as DatasetSpec::docSplit says
    Csv,   // RFC 4180, comma-separated, header row names the columns
    Tsv,   // tab-separated, header row, fields may be quoted like CSV
};

// How plain-text files are cut into documents.
enum class DocSplit {
    File,      // a whole file is one document (files above maxDocumentBytes are cut at lines)
    BlankLine, // documents are separated by one or more blank lines
    Line,      // every non-blank line is a document
};

std::string toString(DataFormat format);
std::string toString(DocSplit split);
// Parse the names above ("auto", "jsonl", "text", "csv", "tsv"; "file", "blank-line", "line").
// Throw teft::UsageError naming the value and the accepted names.
DataFormat parseDataFormat(const std::string& name);
DocSplit parseDocSplit(const std::string& name);

struct DatasetSpec {
    std::vector<std::filesystem::path> paths; // files and/or folders (folders: recursive, sorted)
    DataFormat format = DataFormat::Auto;
    // JSON Lines: the field holding the text. Empty = "text" when present, else a chat
    // "messages" array. A field whose value is an array of {role, content} is rendered as chat.
    // Nested fields with dots: "data.body".
    std::string field;
    // CSV/TSV: the column holding the text, by header name (or a 0-based index in digits).
    // Empty = "text".
    std::string column;
    DocSplit docSplit = DocSplit::BlankLine;
    // Bad records (invalid JSON, missing field, wrong type, invalid UTF-8, ragged CSV row)
    // are skipped and counted by default; strict makes the first one a teft::FormatError.
    bool strict = false;
    // Template used to render chat "messages" into text: "chatml" (default) or "plain".
    std::string chatTemplate = "chatml";
    // A single record larger than this is cut (text) or refused as bad data (JSON/CSV), so a
    // malformed multi-GB file without newlines cannot exhaust memory.
    std::int64_t maxDocumentBytes = 64LL << 20;
};

// For job files: {"paths": [...], "format": "jsonl", "field": "", "column": "", "doc_split":
// "blank-line", "strict": false, "chat_template": "chatml", "max_document_bytes": N}.
// Missing keys take the defaults above; a wrong type or an unknown value throws
// teft::FormatError naming the key.
nlohmann::json toJson(const DatasetSpec& spec);
DatasetSpec datasetSpecFromJson(const nlohmann::json& j);

} // namespace teft
