#pragma once

// Bad records met while reading a dataset: counted per kind, with the first few examples kept
// (file, line, what was wrong), so a user can find and fix them.

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace teft {

enum class BadDataKind {
    InvalidJson,  // a JSON Lines line that does not parse, or is not an object
    MissingField, // the chosen field / column is absent
    WrongType,    // the field is there but not a string (or not a valid chat messages array)
    InvalidUtf8,  // bytes that are not UTF-8
    BadRow,       // a CSV/TSV row whose field count differs from the header, or an open quote
    TooLarge,     // a record above DatasetSpec::maxDocumentBytes
    Empty,        // the text is empty or only white space (skipped, never fatal)
    Count_
};
constexpr int kBadDataKinds = static_cast<int>(BadDataKind::Count_);

std::string toString(BadDataKind kind); // "invalid JSON", "missing field", ...

struct BadRecord {
    BadDataKind kind;
    std::string file;
    std::int64_t line = 0; // 1-based; the line where the record starts
    std::string detail;    // e.g. "no field 'text'", "byte 0xff at offset 12"
    std::string where() const { return file + ":" + std::to_string(line); }
};

class DataQualityReport {
public:
    static constexpr std::size_t kMaxExamples = 5; // kept per kind

    void add(const BadRecord& record);
    void merge(const DataQualityReport& other);

    std::int64_t count(BadDataKind kind) const { return m_counts[static_cast<int>(kind)]; }
    // All skipped records, empty ones included.
    std::int64_t total() const;
    const std::vector<BadRecord>& examples() const { return m_examples; }

    // One line per kind with a count, e.g. "120 records skipped (missing field): no field 'text'
    // at a.jsonl:3". Empty when nothing was skipped.
    std::string summary() const;
    // The sentence used when a dataset yields no records: why, from the counts.
    std::string whyEmpty() const;

    nlohmann::json toJson() const;
    static DataQualityReport fromJson(const nlohmann::json& j);

private:
    std::array<std::int64_t, kBadDataKinds> m_counts{};
    std::vector<BadRecord> m_examples;
};

} // namespace teft
