#include "core/data/DatasetSpec.h"

#include "core/util/Error.h"

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

} // namespace teft
