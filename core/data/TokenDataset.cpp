#include "core/data/TokenDataset.h"

#include "core/data/DatasetFingerprint.h"
#include "core/data/DatasetReader.h"
#include "core/data/MappedFile.h"
#include "core/data/SplitMix64.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Paths.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <optional>

namespace teft {
namespace fs = std::filesystem;

nlohmann::json datasetRecordJson(const DatasetSpec& spec, const PackingOptions& options)
{
    return {{"spec", toJson(spec)},
            {"seq_len", options.seqLen},
            {"held_out_fraction", options.heldOutFraction},
            {"seed", std::to_string(options.seed)}};
}

void datasetRecordFromJson(const nlohmann::json& j, DatasetSpec& spec, PackingOptions& options)
{
    if (!j.is_object() || !j.contains("spec"))
        throw FormatError("dataset record: expected an object with 'spec'");
    spec = datasetSpecFromJson(j.at("spec"));
    try {
        options.seqLen = j.value("seq_len", options.seqLen);
        options.heldOutFraction = j.value("held_out_fraction", options.heldOutFraction);
        if (j.contains("seed"))
            options.seed = std::stoull(j.at("seed").get<std::string>());
    } catch (const std::exception& e) {
        throw FormatError(std::string("dataset record: ") + e.what());
    }
}

namespace {

constexpr int kCacheVersion = 2;

// Collects one token stream, in memory or straight into an atomic cache file.
class TokenSink {
public:
    explicit TokenSink(const fs::path& file)
    {
        if (!file.empty())
            m_file = std::make_unique<AtomicFile>(file);
    }

    void append(const std::vector<std::int32_t>& ids, std::int32_t eos)
    {
        m_buffer.insert(m_buffer.end(), ids.begin(), ids.end());
        m_buffer.push_back(eos);
        m_tokens += static_cast<std::int64_t>(ids.size()) + 1;
        if (m_file && m_buffer.size() >= (1u << 18))
            flush();
    }

    void flush()
    {
        if (m_file && !m_buffer.empty()) {
            m_file->write(m_buffer.data(), m_buffer.size() * sizeof(std::int32_t));
            m_buffer.clear();
        }
    }

    void commit()
    {
        flush();
        if (m_file)
            m_file->commit();
    }

    std::int64_t tokens() const { return m_tokens; }
    std::vector<std::int32_t>& memory() { return m_buffer; }

private:
    std::unique_ptr<AtomicFile> m_file;
    std::vector<std::int32_t> m_buffer;
    std::int64_t m_tokens = 0;
};

nlohmann::json readingOptions(const DatasetSpec& spec)
{
    return {{"format", toString(spec.format)},
            {"field", spec.field},
            {"column", spec.column},
            {"doc_split", toString(spec.docSplit)},
            {"strict", spec.strict},
            {"chat_template", spec.chatTemplate},
            {"max_document_bytes", spec.maxDocumentBytes}};
}

std::string cacheKey(const std::string& contentHash, const DatasetSpec& spec, const TextEncoder& encoder,
                     const PackingOptions& options)
{
    const nlohmann::json what = {{"version", kCacheVersion},
                                 {"content", contentHash},
                                 {"tokenizer", encoder.fingerprint},
                                 {"eos", encoder.eosId},
                                 {"reading", readingOptions(spec)},
                                 {"seq_len", options.seqLen},
                                 {"held_out_fraction", options.heldOutFraction},
                                 {"seed", options.seed}};
    return sha256Hex(what.dump());
}

std::string describePaths(const DatasetSpec& spec)
{
    std::string out;
    for (const auto& p : spec.paths)
        out += (out.empty() ? "" : ", ") + p.string();
    return out;
}

void validate(const PackingOptions& options, const TextEncoder& encoder)
{
    if (options.seqLen < 2)
        throw UsageError("sequence length must be at least 2, got " + std::to_string(options.seqLen));
    if (!(options.heldOutFraction >= 0.0 && options.heldOutFraction < 1.0))
        throw UsageError("held-out fraction must be in [0, 1), got " + std::to_string(options.heldOutFraction));
    if (!encoder.encodeBatch)
        throw UsageError("no tokenizer given to build the dataset");
    if (encoder.eosId < 0)
        throw Error("The tokenizer has no end-of-sequence token to separate documents");
}

DatasetStats statsFromJson(const nlohmann::json& j)
{
    DatasetStats s;
    s.files = j.at("files");
    s.bytes = j.at("bytes");
    s.documents = j.at("documents");
    s.trainDocuments = j.at("train_documents");
    s.heldOutDocuments = j.at("held_out_documents");
    s.tokens = j.at("tokens");
    s.trainTokens = j.at("train_tokens");
    s.heldOutTokens = j.at("held_out_tokens");
    s.droppedTokens = j.at("dropped_tokens");
    s.trainSequences = j.at("train_sequences");
    s.heldOutSequences = j.at("held_out_sequences");
    s.quality = DataQualityReport::fromJson(j.at("quality"));
    s.tokenizeSeconds = j.value("tokenize_seconds", 0.0);
    return s;
}

} // namespace

nlohmann::json DatasetStats::toJson() const
{
    return {{"files", files},
            {"bytes", bytes},
            {"documents", documents},
            {"train_documents", trainDocuments},
            {"held_out_documents", heldOutDocuments},
            {"tokens", tokens},
            {"train_tokens", trainTokens},
            {"held_out_tokens", heldOutTokens},
            {"dropped_tokens", droppedTokens},
            {"train_sequences", trainSequences},
            {"held_out_sequences", heldOutSequences},
            {"quality", quality.toJson()},
            {"from_cache", fromCache},
            {"cache_key", cacheKey},
            {"tokenize_seconds", tokenizeSeconds}};
}

bool isHeldOutDocument(std::string_view text, double heldOutFraction, std::uint64_t seed)
{
    if (heldOutFraction <= 0.0)
        return false;
    // FNV-1a alone leaves its top bits poorly mixed for short texts: finish with SplitMix64.
    const std::uint64_t h = SplitMix64::mix(fnv1a64(text) ^ SplitMix64::mix(seed + 0x9E3779B97F4A7C15ULL));
    return static_cast<double>(h >> 11) * 0x1.0p-53 < heldOutFraction;
}

TokenDataset::TokenDataset() = default;
TokenDataset::~TokenDataset() = default;
TokenDataset::TokenDataset(const TokenDataset&) = default;
TokenDataset& TokenDataset::operator=(const TokenDataset&) = default;
TokenDataset::TokenDataset(TokenDataset&&) noexcept = default;
TokenDataset& TokenDataset::operator=(TokenDataset&&) noexcept = default;

TokenDataset TokenDataset::build(const DatasetSpec& spec, const TextEncoder& encoder, const PackingOptions& options,
                                 JobControl& control)
{
    validate(options, encoder);
    try {
        const auto files = resolveDatasetFiles(spec);

        fs::path dir;
        std::string key;
        if (options.useCache) {
            dir = options.cacheDir.empty() ? cacheDir() / "datasets" : options.cacheDir;
            std::error_code ec;
            fs::create_directories(dir, ec);
            if (ec)
                throw StorageError("Cannot create the dataset cache folder " + dir.string() + ": " + ec.message());
            const fs::path memo = options.rehashData ? fs::path() : dir / "file-hashes.json";
            key = cacheKey(datasetContentHash(files, control, memo), spec, encoder, options);
        }
        const fs::path meta = dir / (key + ".json");
        const fs::path trainPath = dir / (key + ".train.bin");
        const fs::path heldOutPath = dir / (key + ".heldout.bin");

        TokenDataset ds;
        ds.m_seqLen = options.seqLen;
        ds.m_eosId = encoder.eosId;

        auto mapStreams = [&]() {
            ds.m_trainFile = std::make_shared<MappedFile>(trainPath);
            ds.m_heldOutFile = std::make_shared<MappedFile>(heldOutPath);
            const auto need = [&](std::int64_t rows) {
                return static_cast<std::size_t>(rows * options.seqLen) * sizeof(std::int32_t);
            };
            if (ds.m_trainFile->size() < need(ds.m_stats.trainSequences) ||
                ds.m_heldOutFile->size() < need(ds.m_stats.heldOutSequences))
                throw FormatError("Dataset cache " + trainPath.string() + " is shorter than its metadata says");
            ds.m_train = static_cast<const std::int32_t*>(ds.m_trainFile->data());
            ds.m_heldOut = static_cast<const std::int32_t*>(ds.m_heldOutFile->data());
        };

        if (options.useCache && fs::exists(meta)) {
            try {
                const auto j = nlohmann::json::parse(readFile(meta));
                if (j.at("key") != key || j.at("version") != kCacheVersion || j.at("seq_len") != options.seqLen)
                    throw FormatError("metadata does not match its name");
                ds.m_stats = statsFromJson(j.at("stats"));
                mapStreams();
                ds.m_stats.fromCache = true;
                ds.m_stats.cacheKey = key;
                ds.m_stats.tokenizeSeconds = 0;
                spdlog::info("dataset {}: {} training and {} held-out rows from the cache ({})", describePaths(spec),
                             ds.numTrain(), ds.numHeldOut(), key.substr(0, 12));
                return ds;
            } catch (const std::exception& e) {
                spdlog::warn("ignoring the damaged dataset cache entry {}: {}", meta.string(), e.what());
                ds.m_stats = DatasetStats{};
            }
        }

        // Tokenize.
        const auto started = std::chrono::steady_clock::now();
        DatasetReader reader(spec);
        TokenSink train(options.useCache ? trainPath : fs::path());
        TokenSink heldOut(options.useCache ? heldOutPath : fs::path());
        DatasetStats& st = ds.m_stats;
        std::vector<std::string> texts;
        std::vector<bool> toHeldOut;
        std::size_t batchBytes = 0;
        auto flushBatch = [&]() {
            if (texts.empty())
                return;
            const auto ids = encoder.encodeBatch(texts, options.threads);
            if (ids.size() != texts.size())
                throw Error("The tokenizer returned " + std::to_string(ids.size()) + " results for " +
                            std::to_string(texts.size()) + " texts");
            for (std::size_t i = 0; i < ids.size(); ++i) {
                for (std::int32_t id : ids[i])
                    if (id < 0 || (encoder.vocabSize > 0 && id >= encoder.vocabSize))
                        throw Error("The tokenizer produced id " + std::to_string(id) + " outside its vocabulary");
                (toHeldOut[i] ? heldOut : train).append(ids[i], encoder.eosId);
                (toHeldOut[i] ? st.heldOutDocuments : st.trainDocuments) += 1;
            }
            texts.clear();
            toHeldOut.clear();
            batchBytes = 0;
            control.checkpoint();
            control.report(reader.bytesRead(), reader.totalBytes(), "tokenizing");
        };
        TextRecord record;
        while (reader.next(record)) {
            toHeldOut.push_back(isHeldOutDocument(record.text, options.heldOutFraction, options.seed));
            batchBytes += record.text.size();
            texts.push_back(std::move(record.text));
            if (texts.size() >= 1024 || batchBytes >= (8u << 20))
                flushBatch();
        }
        flushBatch();

        st.files = static_cast<std::int64_t>(files.size());
        st.bytes = reader.totalBytes();
        st.documents = reader.records();
        st.quality = reader.report();
        if (st.documents == 0)
            throw Error("No records in " + describePaths(spec) + ": " + reader.report().whyEmpty());
        if (st.quality.total() > 0)
            spdlog::warn("dataset {}: {}", describePaths(spec), st.quality.summary());

        st.trainTokens = train.tokens();
        st.heldOutTokens = heldOut.tokens();
        st.tokens = st.trainTokens + st.heldOutTokens;
        st.trainSequences = st.trainTokens / options.seqLen;
        st.heldOutSequences = st.heldOutTokens / options.seqLen;
        st.droppedTokens = st.tokens - (st.trainSequences + st.heldOutSequences) * options.seqLen;
        st.tokenizeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (st.trainSequences == 0)
            throw Error("Dataset " + describePaths(spec) + " has " + std::to_string(st.trainTokens) +
                        " training tokens, fewer than one sequence of " + std::to_string(options.seqLen));

        if (options.useCache) {
            train.commit();
            heldOut.commit();
            nlohmann::json j = {
                {"key", key},           {"version", kCacheVersion},         {"seq_len", options.seqLen},
                {"eos", encoder.eosId}, {"tokenizer", encoder.fingerprint}, {"reading", readingOptions(spec)},
                {"stats", st.toJson()}};
            writeFileAtomically(meta, j.dump(2));
            st.cacheKey = key;
            mapStreams();
        } else {
            ds.m_trainMem = std::make_shared<std::vector<std::int32_t>>(std::move(train.memory()));
            ds.m_heldOutMem = std::make_shared<std::vector<std::int32_t>>(std::move(heldOut.memory()));
            ds.m_train = ds.m_trainMem->data();
            ds.m_heldOut = ds.m_heldOutMem->data();
        }
        spdlog::info("dataset {}: {} documents, {} tokens, {} training and {} held-out rows of {} ({:.1f} s)",
                     describePaths(spec), st.documents, st.tokens, st.trainSequences, st.heldOutSequences,
                     options.seqLen, st.tokenizeSeconds);
        return ds;
    } catch (const StorageError& e) {
        // The cache is an optimisation: a full disk or a read-only cache folder must not stop
        // the job. Tokenize again without it (what was written is removed by AtomicFile).
        if (!options.useCache)
            throw;
        spdlog::warn("dataset {}: the cache cannot be written ({}); continuing without it", describePaths(spec),
                     e.what());
        PackingOptions uncached = options;
        uncached.useCache = false;
        return build(spec, encoder, uncached, control);
    }
}

torch::Tensor TokenDataset::batch(const std::int32_t* base, std::int64_t rows, const std::vector<std::int64_t>& indices,
                                  const char* what, std::int64_t stride, std::int64_t offset) const
{
    auto out = torch::empty({static_cast<std::int64_t>(indices.size()), m_seqLen}, torch::kInt64);
    auto* dst = out.data_ptr<std::int64_t>();
    for (std::size_t b = 0; b < indices.size(); ++b) {
        const std::int64_t r = indices[b];
        if (r < 0 || r >= rows)
            throw Error(std::string(what) + " row " + std::to_string(r) + " is out of range (the dataset has " +
                        std::to_string(rows) + ")");
        const std::int32_t* src = base + (offset + r * stride) * m_seqLen;
        std::copy(src, src + m_seqLen, dst + static_cast<std::int64_t>(b) * m_seqLen);
    }
    return out;
}

torch::Tensor TokenDataset::trainBatch(const std::vector<std::int64_t>& indices) const
{
    return batch(m_train, numTrain(), indices, "training");
}

torch::Tensor TokenDataset::heldOutBatch(const std::vector<std::int64_t>& indices) const
{
    return batch(m_heldOut, numHeldOut(), indices, "held-out", m_heldOutStride, m_heldOutOffset);
}

const std::int32_t* TokenDataset::trainRow(std::int64_t index) const
{
    if (index < 0 || index >= numTrain())
        throw Error("training row " + std::to_string(index) + " is out of range (the dataset has " +
                    std::to_string(numTrain()) + ")");
    return m_train + index * m_seqLen;
}

const std::int32_t* TokenDataset::heldOutRow(std::int64_t index) const
{
    if (index < 0 || index >= numHeldOut())
        throw Error("held-out row " + std::to_string(index) + " is out of range (the dataset has " +
                    std::to_string(numHeldOut()) + ")");
    return m_heldOut + (m_heldOutOffset + index * m_heldOutStride) * m_seqLen;
}

TokenDataset TokenDataset::heldOutPart(HeldOutPart part) const
{
    if (part == m_part)
        return *this;
    if (m_part != HeldOutPart::All)
        throw UsageError("a held-out part of a held-out part was asked for; take parts of the whole dataset");
    TokenDataset view(*this);
    view.m_part = part;
    if (part == HeldOutPart::All)
        return view;
    const std::int64_t rows = numHeldOut();
    if (rows < 2)
        throw Error("The dataset has " + std::to_string(rows) +
                    " held-out row(s): scoring and the losses reported after a merge need at least one each, on "
                    "disjoint rows (raise the held-out fraction or add data)");
    view.m_heldOutStride = 2;
    view.m_heldOutOffset = part == HeldOutPart::Scoring ? 0 : 1;
    view.m_heldOutCount = part == HeldOutPart::Scoring ? (rows + 1) / 2 : rows / 2;
    return view;
}

std::vector<std::int64_t> TokenDataset::shard(int i, int n) const
{
    if (n < 1 || i < 0 || i >= n)
        throw UsageError("shard " + std::to_string(i) + " of " + std::to_string(n) +
                         " does not exist (need 0 <= i < n)");
    std::vector<std::int64_t> rows;
    rows.reserve(static_cast<std::size_t>(numTrain() / n + 1));
    for (std::int64_t r = i; r < numTrain(); r += n)
        rows.push_back(r);
    return rows;
}

std::vector<std::vector<std::int64_t>> TokenDataset::evalBatches(std::uint64_t seed, int numBatches,
                                                                 int batchSize) const
{
    if (numBatches < 0 || batchSize < 1)
        throw UsageError("evaluation needs a batch size >= 1 and a batch count >= 0, got " + std::to_string(batchSize) +
                         " and " + std::to_string(numBatches));
    if (numHeldOut() == 0)
        throw Error("The dataset has no held-out rows to evaluate on (raise the held-out fraction or add data)");
    SplitMix64 rng(seed);
    std::vector<std::int64_t> order;
    std::size_t pos = 0;
    auto draw = [&]() {
        if (pos == order.size()) {
            order.resize(static_cast<std::size_t>(numHeldOut()));
            for (std::size_t k = 0; k < order.size(); ++k)
                order[k] = static_cast<std::int64_t>(k);
            for (std::size_t k = order.size(); k > 1; --k)
                std::swap(order[k - 1], order[rng.below(k)]);
            pos = 0;
        }
        return order[pos++];
    };
    std::vector<std::vector<std::int64_t>> batches(static_cast<std::size_t>(numBatches));
    for (auto& b : batches)
        for (int k = 0; k < batchSize; ++k)
            b.push_back(draw());
    return batches;
}

} // namespace teft
