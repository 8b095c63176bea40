#include "core/project/Datasets.h"

#include "core/data/DatasetReader.h"
#include "core/io/StrictJson.h"
#include "core/text/Tokenizer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>

namespace teft {

std::string datasetLabel(const DatasetSpec& spec)
{
    if (spec.paths.empty())
        return {};
    const auto& first = spec.paths.front();
    return (first.filename().empty() ? first.parent_path().filename() : first.filename()).string();
}

nlohmann::json DatasetSummary::toJson() const
{
    return {{"files", files},         {"records", records},          {"tokens", tokens}, {"row_tokens", rowTokens},
            {"tokenized", tokenized}, {"quality", quality.toJson()}, {"error", error}};
}

DatasetSummary DatasetSummary::fromJson(const nlohmann::json& j)
{
    DatasetSummary s;
    try {
        s.files = j.at("files").get<std::int64_t>();
        s.records = j.at("records").get<std::int64_t>();
        s.tokens = j.at("tokens").get<std::int64_t>();
        s.rowTokens = j.at("row_tokens").get<std::int64_t>();
        s.tokenized = j.at("tokenized").get<bool>();
        s.quality = DataQualityReport::fromJson(j.at("quality"));
        s.error = j.at("error").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("Dataset summary: a key is missing or has the wrong type (") + e.what() + ")");
    }
    return s;
}

DatasetSummary summaryOf(const TokenDataset& data)
{
    const DatasetStats& st = data.stats();
    DatasetSummary s;
    s.files = st.files;
    s.records = st.documents;
    s.tokens = st.tokens;
    s.rowTokens = st.trainSequences * data.seqLen();
    s.tokenized = true;
    s.quality = st.quality;
    return s;
}

DatasetSummary summarizeDataset(const DatasetSpec& spec, const Tokenizer* tokenizer, const PackingOptions& packing,
                                JobControl& control)
{
    DatasetSummary s;
    try {
        requireDatasetPaths(spec);
        s.files = static_cast<std::int64_t>(resolveDatasetFiles(spec).size());
        if (tokenizer)
            return summaryOf(TokenDataset::build(spec, *tokenizer, packing, control));
        DatasetReader reader(spec);
        TextRecord record;
        std::int64_t n = 0;
        while (reader.next(record)) {
            if (++n % 256 == 0) {
                control.checkpoint();
                control.report(reader.bytesRead(), reader.totalBytes(), "reading");
            }
        }
        s.records = reader.records();
        s.quality = reader.report();
        if (s.records == 0)
            s.error = "no usable record: " + s.quality.whyEmpty();
    } catch (const Cancelled&) {
        throw;
    } catch (const std::exception& e) {
        // Counted again without the tokenizer, for the bad records that made it unusable.
        s.error = e.what();
        s.records = s.tokens = s.rowTokens = 0;
        if (tokenizer) {
            try {
                DatasetReader reader(spec);
                TextRecord record;
                while (reader.next(record))
                    control.checkpoint();
                s.records = reader.records();
                s.quality = reader.report();
            } catch (const Cancelled&) {
                throw;
            } catch (const std::exception&) {
                // the error above already says why
            }
        }
    }
    return s;
}

void ProjectDataSummary::save(const std::filesystem::path& file) const
{
    nlohmann::json refs = nlohmann::json::array();
    for (const auto& r : references)
        refs.push_back(r.toJson());
    if (file.has_parent_path())
        std::filesystem::create_directories(file.parent_path());
    writeFileAtomically(file, nlohmann::json{{"target", target.toJson()}, {"references", refs}}.dump(1));
}

std::optional<ProjectDataSummary> ProjectDataSummary::load(const std::filesystem::path& file)
{
    if (!std::filesystem::exists(file))
        return std::nullopt;
    const nlohmann::json j = readJsonFile(file);
    try {
        ProjectDataSummary s;
        s.target = DatasetSummary::fromJson(j.at("target"));
        for (const auto& r : j.at("references"))
            s.references.push_back(DatasetSummary::fromJson(r));
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(file.string() + ": not a dataset summary (" + e.what() + ")");
    } catch (const FormatError& e) {
        throw FormatError(file.string() + ": " + e.what());
    }
}

void requireDatasetPaths(const DatasetSpec& spec)
{
    for (const auto& path : spec.paths)
        if (!std::filesystem::exists(path))
            throw Error("Dataset path " + path.string() + " does not exist (moved or deleted?)");
}

TokenDataset tokenizeDataset(const std::filesystem::path& modelDir, const DatasetSpec& spec,
                             const PackingOptions& packing, JobControl& control)
{
    requireDatasetPaths(spec);
    const auto tokenizer = Tokenizer::fromFile(modelDir);
    return TokenDataset::build(spec, tokenizer, packing, control);
}

} // namespace teft
