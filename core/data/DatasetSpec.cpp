#include "core/data/DatasetSpec.h"

#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace teft {

std::string toString(DataFormat format)
{
    switch (format) {
    case DataFormat::Auto: return "auto";
    case DataFormat::Jsonl: return "jsonl";
    case DataFormat::Text: return "text";
    case DataFormat::Csv: return "csv";
    case DataFormat::Tsv: return "tsv";
    }
    return "auto";
}

std::string toString(DocSplit split)
{
    switch (split) {
    case DocSplit::File: return "file";
    case DocSplit::BlankLine: return "blank-line";
    case DocSplit::Line: return "line";
    }
    return "blank-line";
}

DataFormat parseDataFormat(const std::string& name)
{
    for (DataFormat f : {DataFormat::Auto, DataFormat::Jsonl, DataFormat::Text, DataFormat::Csv, DataFormat::Tsv})
        if (toString(f) == name)
            return f;
    if (name == "txt")
        return DataFormat::Text;
    throw UsageError("unknown data format '" + name + "' (expected auto, jsonl, text, csv or tsv)");
}

DocSplit parseDocSplit(const std::string& name)
{
    for (DocSplit s : {DocSplit::File, DocSplit::BlankLine, DocSplit::Line})
        if (toString(s) == name)
            return s;
    throw UsageError("unknown document split '" + name + "' (expected file, blank-line or line)");
}

nlohmann::json toJson(const DatasetSpec& spec)
{
    nlohmann::json paths = nlohmann::json::array();
    for (const auto& p : spec.paths)
        paths.push_back(p.string());
    return {{"paths", paths},
            {"format", toString(spec.format)},
            {"field", spec.field},
            {"column", spec.column},
            {"doc_split", toString(spec.docSplit)},
            {"strict", spec.strict},
            {"chat_template", spec.chatTemplate},
            {"max_document_bytes", spec.maxDocumentBytes}};
}

DatasetSpec datasetSpecFromJson(const nlohmann::json& j)
{
    if (!j.is_object())
        throw FormatError("dataset: expected an object, got " + std::string(j.type_name()));
    DatasetSpec spec;
    auto get = [&](const char* key, auto& out) {
        auto it = j.find(key);
        if (it == j.end())
            return false;
        try {
            it->get_to(out);
        } catch (const nlohmann::json::exception&) {
            throw FormatError(std::string("dataset.") + key + " has the wrong type (" + it->type_name() + ")");
        }
        return true;
    };
    std::vector<std::string> paths;
    if (!get("paths", paths) || paths.empty())
        throw FormatError("dataset.paths is missing or empty");
    for (const auto& p : paths)
        spec.paths.emplace_back(p);
    std::string name;
    try {
        if (get("format", name))
            spec.format = parseDataFormat(name);
        if (get("doc_split", name))
            spec.docSplit = parseDocSplit(name);
    } catch (const UsageError& e) {
        throw FormatError(std::string("dataset: ") + e.what());
    }
    get("field", spec.field);
    get("column", spec.column);
    get("strict", spec.strict);
    get("chat_template", spec.chatTemplate);
    get("max_document_bytes", spec.maxDocumentBytes);
    if (spec.maxDocumentBytes < 1)
        throw FormatError("dataset.max_document_bytes must be positive");
    return spec;
}

} // namespace teft
