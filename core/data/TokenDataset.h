#pragma once

// A tokenized, packed, split dataset: what training (miners) and evaluation (validators) read.
//
//   DatasetSpec spec;  spec.paths = {"data/"};                 // JSONL/text/CSV files or folders
//   PackingOptions opt; opt.seqLen = 1024; opt.heldOutFraction = 0.05; opt.seed = jobSeed;
//   TokenDataset ds = TokenDataset::build(spec, tokenizer, opt, control);
//   for (int64_t row : ds.shard(minerIndex, minerCount))        // miner: its own rows
//       ... ds.trainBatch({row, ...})                            // int64 [B, seqLen], CPU
//   for (auto& b : ds.evalBatches(roundSeed, 51, 8))             // validator: same batches for all
//       ... ds.heldOutBatch(b)
//
// How it is made (TokenDataset::build):
//   1. DatasetReader streams the documents of a DatasetSpec (bad records skipped and counted).
//   2. Each document goes to the held-out set or the training set by a hash of its text (and
//      the seed): u = mix(fnv1a64(text) ^ mix(seed)) / 2^64 < heldOutFraction. The decision is per
//      document, before packing, so no document is split across the two sets, identical
//      documents land on the same side, and the split is the same on every machine and run.
//   3. Documents are tokenized (without BOS/EOS), each followed by the EOS (<|endoftext|> when
//      the vocabulary has it, else the declared EOS: TextEncoder::from), and the
//      two token streams are cut into fixed rows of seqLen tokens (a row may span documents;
//      the last partial row of each stream is dropped and counted in stats().droppedTokens).
//   4. The streams are cached under <cacheDir>/datasets/<key>.{train,heldout}.bin (int32, host
//      byte order) plus <key>.json (metadata, written last: its presence marks a complete
//      entry), all written atomically. The key is a SHA-256 of: the cache format version, the
//      dataset content (every byte of every file, its relative path and size, in order), the
//      tokenizer fingerprint and EOS id, the reading options (format, field, column, split
//      mode, chat template, strict, max document size), seqLen, heldOutFraction and seed.
//      A later build with the same key memory-maps the files and does not tokenize at all;
//      any change of data or tokenizer gives a new key and a fresh tokenization.
//      Per-file digests are remembered (<cacheDir>/datasets/file-hashes.json) while a file's
//      device, inode, size, mtime and ctime are unchanged, so a cache hit on many GB does not
//      re-read them; an edit that keeps size and mtime still moves ctime (details and the
//      "racy" guard in DatasetFingerprint.h; PackingOptions::rehashData hashes every byte).
//
// Rows are next-token-prediction inputs: a model computes its loss on row[t+1] given row[..t]
// (labels = the row shifted inside the loss), there is no padding and no attention mask.
//
// Thread-safety: a built TokenDataset is immutable; all const methods may be called from any
// thread. Copies share the mapping.

#include "core/data/DataQualityReport.h"
#include "core/data/DatasetSpec.h"
#include "core/util/Progress.h"

#include <nlohmann/json_fwd.hpp>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace teft {

class Tokenizer;
class MappedFile;

struct PackingOptions {
    std::int64_t seqLen = 1024;     // tokens per row, >= 2
    double heldOutFraction = 0.05;  // of documents, in [0, 1)
    std::uint64_t seed = 0;         // salts the held-out split (all peers of a job share it)
    int threads = 0;                // tokenizer threads, 0 = all cores
    std::filesystem::path cacheDir; // empty = teft::cacheDir() / "datasets"
    bool useCache = true;           // false: always tokenize, write nothing
    bool rehashData = false;        // true: hash every byte even when the file's stamps are
                                    // unchanged (see DatasetFingerprint.h)
};

// How a dataset was made, as recorded in job configs so that a job can be run again:
// {"spec": <DatasetSpec JSON>, "seq_len": N, "held_out_fraction": F, "seed": "S"}.
// datasetRecordFromJson throws teft::FormatError naming a missing or malformed key.
nlohmann::json datasetRecordJson(const DatasetSpec& spec, const PackingOptions& options);
void datasetRecordFromJson(const nlohmann::json& j, DatasetSpec& spec, PackingOptions& options);

// What packing needs from a tokenizer. TextEncoder::from(tokenizer) wraps a teft::Tokenizer;
// tests and tools may supply their own.
struct TextEncoder {
    // Token ids of each text, no special tokens added.
    std::function<std::vector<std::vector<std::int32_t>>(const std::vector<std::string>&, int threads)> encodeBatch;
    std::string fingerprint; // changes whenever encodeBatch would give other ids
    std::int32_t eosId = -1; // appended after every document
    std::int64_t vocabSize = 0;

    // Throws teft::Error when the tokenizer has no EOS token.
    static TextEncoder from(const Tokenizer& tokenizer);
};

struct DatasetStats {
    std::int64_t files = 0;
    std::int64_t bytes = 0;     // of all input files
    std::int64_t documents = 0; // good records read
    std::int64_t trainDocuments = 0;
    std::int64_t heldOutDocuments = 0;
    std::int64_t tokens = 0;      // all tokens, one EOS per document included
    std::int64_t trainTokens = 0; // in the training stream (before cutting into rows)
    std::int64_t heldOutTokens = 0;
    std::int64_t droppedTokens = 0; // partial last rows of both streams
    std::int64_t trainSequences = 0;
    std::int64_t heldOutSequences = 0;
    DataQualityReport quality;  // bad records skipped while reading
    bool fromCache = false;     // this build read the cache and tokenized nothing
    std::string cacheKey;       // empty when the cache was not used
    double tokenizeSeconds = 0; // 0 on a cache hit

    nlohmann::json toJson() const;
};

class TokenDataset {
public:
    // Reads, splits, tokenizes, packs (or loads all that from the cache). Long: reports
    // progress ("hashing", "tokenizing") and honours cancellation via `control`.
    // Throws teft::Error when no document survives (saying why, e.g. "no records: 120 lines had
    // no field 'text'"), teft::FormatError for bad data in strict mode, teft::UsageError for
    // bad options (seqLen < 2, fraction outside [0, 1)).
    static TokenDataset build(const DatasetSpec& spec, const Tokenizer& tokenizer, const PackingOptions& options,
                              JobControl& control);
    static TokenDataset build(const DatasetSpec& spec, const TextEncoder& encoder, const PackingOptions& options,
                              JobControl& control);

    TokenDataset();
    ~TokenDataset();
    TokenDataset(const TokenDataset&);
    TokenDataset& operator=(const TokenDataset&);
    TokenDataset(TokenDataset&&) noexcept;
    TokenDataset& operator=(TokenDataset&&) noexcept;

    std::int64_t seqLen() const { return m_seqLen; }
    std::int64_t numTrain() const { return m_stats.trainSequences; }
    std::int64_t numHeldOut() const { return m_heldOutCount >= 0 ? m_heldOutCount : m_stats.heldOutSequences; }
    std::int32_t eosId() const { return m_eosId; }

    // Rows as an int64 tensor [indices.size(), seqLen] (a copy, CPU). An index outside
    // [0, numTrain()) / [0, numHeldOut()) throws teft::Error naming it.
    torch::Tensor trainBatch(const std::vector<std::int64_t>& indices) const;
    torch::Tensor heldOutBatch(const std::vector<std::int64_t>& indices) const;
    // Zero-copy view of one row (seqLen int32 ids), valid while any copy of this dataset lives.
    const std::int32_t* trainRow(std::int64_t index) const;
    const std::int32_t* heldOutRow(std::int64_t index) const;

    // Training rows of miner i of n: every row r with r % n == i (strided, so each shard
    // mixes all files). Shards are disjoint and together cover [0, numTrain()).
    // Throws teft::UsageError unless 0 <= i < n.
    std::vector<std::int64_t> shard(int i, int n) const;

    // numBatches batches of batchSize held-out row indices, chosen by `seed` alone (same seed
    // and dataset -> same batches on every machine; the generator is SplitMix64 + Fisher-Yates,
    // not std:: distributions, so it does not depend on the standard library). Rows within
    // one pass over the held-out set are distinct; when more rows are asked for than exist,
    // a new pass is drawn. Throws teft::Error when there are no held-out rows.
    std::vector<std::vector<std::int64_t>> evalBatches(std::uint64_t seed, int numBatches, int batchSize) const;

    const DatasetStats& stats() const { return m_stats; }

    // The held-out rows fall in two fixed, disjoint parts: Scoring (rows 0, 2, 4, ...), on which a
    // validator scores submissions and chooses what to merge, and Report (rows 1, 3, 5, ...), on
    // which the losses reported after a merge are measured (merge, eval, the demo), so that a
    // reported gain never rests on the rows that selected it. Alternate rows, so both parts
    // sample every document and file alike. heldOutPart returns a view (shared rows, no copy)
    // whose held-out rows are that part's, renumbered from 0; train rows and stats are the
    // dataset's. Throws teft::Error naming the counts when the part would be empty (fewer than
    // two held-out rows).
    enum class HeldOutPart { All, Scoring, Report };
    TokenDataset heldOutPart(HeldOutPart part) const;
    HeldOutPart part() const { return m_part; }

private:
    torch::Tensor batch(const std::int32_t* base, std::int64_t rows, const std::vector<std::int64_t>& indices,
                        const char* what, std::int64_t stride = 1, std::int64_t offset = 0) const;

    std::int64_t m_seqLen = 0;
    std::int32_t m_eosId = -1;
    DatasetStats m_stats;
    // Either memory-mapped cache files or in-memory streams (useCache = false).
    std::shared_ptr<const MappedFile> m_trainFile;
    std::shared_ptr<const MappedFile> m_heldOutFile;
    std::shared_ptr<const std::vector<std::int32_t>> m_trainMem;
    std::shared_ptr<const std::vector<std::int32_t>> m_heldOutMem;
    const std::int32_t* m_train = nullptr;
    const std::int32_t* m_heldOut = nullptr;
    // A held-out part (heldOutPart): row i of the view is row offset + i * stride of the set.
    HeldOutPart m_part = HeldOutPart::All;
    std::int64_t m_heldOutStride = 1, m_heldOutOffset = 0, m_heldOutCount = -1;
};

// The held-out decision for one document (exposed for tests and tools).
bool isHeldOutDocument(std::string_view text, double heldOutFraction, std::uint64_t seed);

} // namespace teft
