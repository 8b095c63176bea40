#include "core/data/DataQualityReport.h"

#include <nlohmann/json.hpp>

namespace teft {

std::string toString(BadDataKind kind)
{
    switch (kind) {
    case BadDataKind::InvalidJson: return "invalid JSON";
    case BadDataKind::MissingField: return "missing field";
    case BadDataKind::WrongType: return "wrong type";
    case BadDataKind::InvalidUtf8: return "invalid UTF-8";
    case BadDataKind::BadRow: return "malformed row";
    case BadDataKind::TooLarge: return "too large";
    case BadDataKind::Empty: return "empty";
    case BadDataKind::Count_: break;
    }
    return "unknown";
}

void DataQualityReport::add(const BadRecord& record)
{
    const int k = static_cast<int>(record.kind);
    if (static_cast<std::size_t>(m_counts[k]) < kMaxExamples)
        m_examples.push_back(record);
    ++m_counts[k];
}

void DataQualityReport::merge(const DataQualityReport& other)
{
    for (const auto& e : other.m_examples) {
        std::size_t kept = 0;
        for (const auto& mine : m_examples)
            kept += mine.kind == e.kind;
        if (kept < kMaxExamples)
            m_examples.push_back(e);
    }
    for (int k = 0; k < kBadDataKinds; ++k)
        m_counts[k] += other.m_counts[k];
}

std::int64_t DataQualityReport::total() const
{
    std::int64_t t = 0;
    for (auto c : m_counts)
        t += c;
    return t;
}

namespace {
const BadRecord* firstExample(const std::vector<BadRecord>& examples, BadDataKind kind)
{
    for (const auto& e : examples)
        if (e.kind == kind)
            return &e;
    return nullptr;
}
} // namespace

std::string DataQualityReport::summary() const
{
    std::string out;
    for (int k = 0; k < kBadDataKinds; ++k) {
        if (!m_counts[k])
            continue;
        const auto kind = static_cast<BadDataKind>(k);
        out += std::to_string(m_counts[k]) + (m_counts[k] == 1 ? " record" : " records") + " skipped (" +
               toString(kind) + ")";
        if (const BadRecord* e = firstExample(m_examples, kind))
            out += ", e.g. " + e->where() + ": " + e->detail;
        out += "\n";
    }
    return out;
}

std::string DataQualityReport::whyEmpty() const
{
    if (total() == 0)
        return "the input has no records";
    std::string out;
    for (int k = 0; k < kBadDataKinds; ++k) {
        if (!m_counts[k])
            continue;
        const auto kind = static_cast<BadDataKind>(k);
        const BadRecord* e = firstExample(m_examples, kind);
        if (!out.empty())
            out += "; ";
        out += std::to_string(m_counts[k]) + (m_counts[k] == 1 ? " record" : " records");
        switch (kind) {
        case BadDataKind::MissingField: out += " had "; break;
        case BadDataKind::Empty: out += " were "; break;
        default: out += " had " + toString(kind) + ": "; break;
        }
        out += e ? e->detail + " (first at " + e->where() + ")" : toString(kind);
    }
    return out;
}

nlohmann::json DataQualityReport::toJson() const
{
    nlohmann::json counts = nlohmann::json::object();
    for (int k = 0; k < kBadDataKinds; ++k)
        if (m_counts[k])
            counts[toString(static_cast<BadDataKind>(k))] = m_counts[k];
    nlohmann::json examples = nlohmann::json::array();
    for (const auto& e : m_examples)
        examples.push_back({{"kind", toString(e.kind)}, {"file", e.file}, {"line", e.line}, {"detail", e.detail}});
    return {{"skipped", total()}, {"counts", counts}, {"examples", examples}};
}

DataQualityReport DataQualityReport::fromJson(const nlohmann::json& j)
{
    DataQualityReport r;
    auto kindOf = [](const std::string& name) {
        for (int k = 0; k < kBadDataKinds; ++k)
            if (toString(static_cast<BadDataKind>(k)) == name)
                return static_cast<BadDataKind>(k);
        return BadDataKind::Count_;
    };
    for (const auto& [name, count] : j.at("counts").items())
        if (auto k = kindOf(name); k != BadDataKind::Count_)
            r.m_counts[static_cast<int>(k)] = count.get<std::int64_t>();
    for (const auto& e : j.at("examples"))
        if (auto k = kindOf(e.at("kind").get<std::string>()); k != BadDataKind::Count_)
            r.m_examples.push_back({k, e.at("file").get<std::string>(), e.at("line").get<std::int64_t>(),
                                    e.at("detail").get<std::string>()});
    return r;
}

} // namespace teft
