// Tokenized, packed datasets: packing with EOS between documents, the held-out split by
// document, shards, seeded evaluation subsets, the on-disk cache (hit, invalidation on data and
// tokenizer change, nothing left behind on cancel), and the empty-result error.
//
// A byte-level encoder written here (id = byte value, EOS = 256) makes every expected stream
// computable independently of the code under test.
#include "core/data/DatasetFingerprint.h"
#include "core/data/DatasetReader.h"
#include "core/data/TokenDataset.h"
#include "core/text/Tokenizer.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Runtime.h"
#include "support/ByteTokenizerJson.h"
#include "support/FileSizeLimit.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <set>

using namespace teft;
namespace fs = std::filesystem;

namespace {

constexpr std::int32_t kEos = 256;

struct CountingByteEncoder {
    std::shared_ptr<std::atomic<std::int64_t>> texts = std::make_shared<std::atomic<std::int64_t>>(0);
    TextEncoder encoder(const std::string& fingerprint = "bytes-v1") const
    {
        TextEncoder e;
        e.eosId = kEos;
        e.vocabSize = 257;
        e.fingerprint = fingerprint;
        auto counter = texts;
        e.encodeBatch = [counter](const std::vector<std::string>& in, int) {
            *counter += static_cast<std::int64_t>(in.size());
            std::vector<std::vector<std::int32_t>> out;
            for (const auto& s : in)
                out.emplace_back(s.begin(), s.end()),
                    std::transform(out.back().begin(), out.back().end(), out.back().begin(),
                                   [](std::int32_t c) { return c & 0xff; });
            return out;
        };
        return e;
    }
};

void writeBytes(const fs::path& p, const std::string& bytes)
{
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << bytes;
}

std::vector<std::string> makeDocs(int n, const std::string& prefix = "document")
{
    std::vector<std::string> docs;
    for (int i = 0; i < n; ++i)
        docs.push_back(prefix + " " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 17), 'x'));
    return docs;
}

void writeJsonl(const fs::path& p, const std::vector<std::string>& docs)
{
    std::string s;
    for (const auto& d : docs)
        s += nlohmann::json{{"text", d}}.dump() + "\n";
    writeBytes(p, s);
}

// All rows of one side, concatenated.
std::vector<std::int32_t> stream(const TokenDataset& ds, bool heldOut)
{
    std::vector<std::int32_t> out;
    const std::int64_t rows = heldOut ? ds.numHeldOut() : ds.numTrain();
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::int32_t* p = heldOut ? ds.heldOutRow(r) : ds.trainRow(r);
        out.insert(out.end(), p, p + ds.seqLen());
    }
    return out;
}

// Documents whose text and terminating EOS lie completely inside the stream (the first piece
// may be the tail of a document that started in a dropped row: not the case here, as rows are
// cut from the start).
std::vector<std::string> completeDocs(const std::vector<std::int32_t>& s)
{
    std::vector<std::string> docs;
    std::string cur;
    for (std::int32_t id : s) {
        if (id == kEos) {
            docs.push_back(cur);
            cur.clear();
        } else {
            cur += static_cast<char>(id);
        }
    }
    return docs;
}

template <typename F>
std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const teft::Error& e) {
        return e.what();
    }
    return {};
}

PackingOptions options(const fs::path& cache, std::int64_t seqLen = 16, double heldOut = 0.0)
{
    PackingOptions o;
    o.seqLen = seqLen;
    o.heldOutFraction = heldOut;
    o.cacheDir = cache;
    o.threads = 1;
    return o;
}

DatasetSpec specOf(const fs::path& p)
{
    DatasetSpec s;
    s.paths = {p};
    return s;
}

} // namespace

class TestTokenDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { configureThreads(0); }

    void packsDocumentsWithEosIntoRows()
    {
        const auto dir = test::freshDir("pack");
        const auto docs = makeDocs(40);
        writeJsonl(dir / "d.jsonl", docs);
        CountingByteEncoder enc;
        JobControl control;
        const auto ds = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "cache", 13),
                                            control);
        // Independent expectation: bytes of each doc then EOS, cut into rows of 13.
        std::vector<std::int32_t> expected;
        for (const auto& d : docs) {
            for (unsigned char c : d)
                expected.push_back(c);
            expected.push_back(kEos);
        }
        const auto rows = static_cast<std::int64_t>(expected.size()) / 13;
        QCOMPARE(ds.numTrain(), rows);
        QCOMPARE(ds.numHeldOut(), std::int64_t(0));
        QCOMPARE(ds.stats().tokens, static_cast<std::int64_t>(expected.size()));
        QCOMPARE(ds.stats().droppedTokens, static_cast<std::int64_t>(expected.size()) - rows * 13);
        QCOMPARE(ds.stats().documents, std::int64_t(40));
        const auto got = stream(ds, false);
        QVERIFY(std::equal(got.begin(), got.end(), expected.begin()));

        const torch::Tensor b = ds.trainBatch({2, 0, rows - 1});
        QCOMPARE(b.scalar_type(), torch::kInt64);
        QCOMPARE(b.size(0), std::int64_t(3));
        QCOMPARE(b.size(1), std::int64_t(13));
        for (int k = 0; k < 13; ++k) {
            QCOMPARE(b[0][k].item<std::int64_t>(), static_cast<std::int64_t>(expected[2 * 13 + k]));
            QCOMPARE(b[1][k].item<std::int64_t>(), static_cast<std::int64_t>(expected[k]));
            QCOMPARE(b[2][k].item<std::int64_t>(), static_cast<std::int64_t>(expected[(rows - 1) * 13 + k]));
        }
        std::string err = errorOf([&] { ds.trainBatch({rows}); });
        QVERIFY2(err.find("training row " + std::to_string(rows) + " is out of range") != std::string::npos,
                 err.c_str());
        err = errorOf([&] { ds.heldOutBatch({0}); });
        QVERIFY2(err.find("held-out row 0 is out of range") != std::string::npos, err.c_str());
    }

    void heldOutSplitByDocumentDeterministicAndDisjoint()
    {
        const auto dir = test::freshDir("split");
        const auto docs = makeDocs(3000, "split doc");
        writeJsonl(dir / "d.jsonl", docs);
        CountingByteEncoder enc;
        JobControl control;
        auto opt = options(dir / "cache", 8, 0.2);
        opt.useCache = false;
        const auto a = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);
        const auto b = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);

        // Same across runs.
        QVERIFY(stream(a, false) == stream(b, false));
        QVERIFY(stream(a, true) == stream(b, true));

        // Fraction approximately honoured: binomial(3000, 0.2) has sd ~22; allow 5 sd.
        const auto& st = a.stats();
        QCOMPARE(st.trainDocuments + st.heldOutDocuments, std::int64_t(3000));
        QVERIFY2(std::abs(st.heldOutDocuments - 600) < 110, std::to_string(st.heldOutDocuments).c_str());

        // Disjoint by document; every complete document is whole on its side.
        const auto trainDocs = completeDocs(stream(a, false));
        const auto heldDocs = completeDocs(stream(a, true));
        std::set<std::string> train(trainDocs.begin(), trainDocs.end()), held(heldDocs.begin(), heldDocs.end());
        const std::set<std::string> all(docs.begin(), docs.end());
        for (const auto& d : held)
            QVERIFY2(!train.count(d), d.c_str());
        for (const auto& d : train)
            QVERIFY2(all.count(d), d.c_str());
        for (const auto& d : held)
            QVERIFY2(all.count(d), d.c_str());
        // Only the document cut by each stream's dropped tail may be missing.
        QVERIFY(train.size() + held.size() >= docs.size() - 2);

        // The seed salts the split; a zero fraction holds nothing out.
        opt.seed = 99;
        const auto c = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);
        QVERIFY(stream(c, true) != stream(a, true));
        int same = 0;
        for (const auto& d : docs)
            same += isHeldOutDocument(d, 0.2, 0) == isHeldOutDocument(d, 0.2, 99);
        QVERIFY(same < 2900);
        for (const auto& d : docs)
            QVERIFY(!isHeldOutDocument(d, 0.0, 5));
    }

    void shardsDisjointAndCovering()
    {
        const auto dir = test::freshDir("shards");
        writeJsonl(dir / "d.jsonl", makeDocs(200));
        CountingByteEncoder enc;
        JobControl control;
        const auto ds = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "cache", 7), control);
        QVERIFY(ds.numTrain() > 50);
        for (int n : {1, 3, 7, 64}) {
            std::vector<int> seen(static_cast<std::size_t>(ds.numTrain()), 0);
            for (int i = 0; i < n; ++i) {
                const auto rows = ds.shard(i, n);
                QVERIFY(rows == ds.shard(i, n));
                for (auto r : rows) {
                    QVERIFY(r >= 0 && r < ds.numTrain());
                    ++seen[static_cast<std::size_t>(r)];
                }
            }
            for (int s : seen)
                QCOMPARE(s, 1);
        }
        std::string err = errorOf([&] { ds.shard(3, 3); });
        QVERIFY2(err.find("shard 3 of 3 does not exist") != std::string::npos, err.c_str());
        err = errorOf([&] { ds.shard(0, 0); });
        QVERIFY(!err.empty());
    }

    void evalBatchesSeeded()
    {
        const auto dir = test::freshDir("eval");
        writeJsonl(dir / "d.jsonl", makeDocs(2000));
        CountingByteEncoder enc;
        JobControl control;
        const auto ds = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "cache", 8, 0.3),
                                            control);
        QVERIFY(ds.numHeldOut() > 100);
        const auto a = ds.evalBatches(42, 10, 4);
        const auto b = ds.evalBatches(42, 10, 4);
        const auto c = ds.evalBatches(43, 10, 4);
        QVERIFY(a == b);
        QVERIFY(a != c);
        QCOMPARE(a.size(), std::size_t(10));
        std::set<std::int64_t> distinct;
        for (const auto& batch : a) {
            QCOMPARE(batch.size(), std::size_t(4));
            for (auto r : batch) {
                QVERIFY(r >= 0 && r < ds.numHeldOut());
                distinct.insert(r);
            }
        }
        QCOMPARE(distinct.size(), std::size_t(40)); // within one pass, rows are not repeated
        // Asking for more rows than exist goes round again, still in range.
        const auto many = ds.evalBatches(1, static_cast<int>(ds.numHeldOut() / 2 + 3), 2);
        for (const auto& batch : many)
            for (auto r : batch)
                QVERIFY(r >= 0 && r < ds.numHeldOut());
        const torch::Tensor t = ds.heldOutBatch(a[0]);
        QCOMPARE(t.size(0), std::int64_t(4));
        QCOMPARE(t[1][0].item<std::int64_t>(), static_cast<std::int64_t>(ds.heldOutRow(a[0][1])[0]));

        const auto noHeld = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "cache", 8),
                                                control);
        const std::string err = errorOf([&] { noHeld.evalBatches(1, 1, 1); });
        QVERIFY2(err.find("no held-out rows") != std::string::npos, err.c_str());
    }

    // The scoring and report parts of the held-out rows: disjoint, together every row once, each
    // row the same ids as in the whole set (compared through heldOutRow of the whole dataset and
    // through the batches), train rows untouched; a one-row set and a part of a part refused.
    void heldOutPartsDisjointAndCovering()
    {
        const auto dir = test::freshDir("parts");
        writeJsonl(dir / "d.jsonl", makeDocs(600));
        CountingByteEncoder enc;
        JobControl control;
        const auto ds = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "cache", 8, 0.3),
                                            control);
        const std::int64_t n = ds.numHeldOut();
        QVERIFY(n > 20);
        using Part = TokenDataset::HeldOutPart;
        const auto scoring = ds.heldOutPart(Part::Scoring);
        const auto report = ds.heldOutPart(Part::Report);
        QCOMPARE(scoring.numHeldOut() + report.numHeldOut(), n);
        QCOMPARE(scoring.numTrain(), ds.numTrain());
        QCOMPARE(ds.heldOutPart(Part::All).numHeldOut(), n);
        // Map every row of each part back to the whole set by content + position: rows are
        // seqLen ids, compare them with every row of the whole set at the expected place.
        std::set<std::int64_t> seen;
        const auto claim = [&](const TokenDataset& part, std::int64_t i, std::int64_t whole) {
            const std::int32_t* a = part.heldOutRow(i);
            const std::int32_t* b = ds.heldOutRow(whole);
            QVERIFY(std::equal(a, a + ds.seqLen(), b));
            QVERIFY2(seen.insert(whole).second, "a held-out row is in both parts");
        };
        for (std::int64_t i = 0; i < scoring.numHeldOut(); ++i)
            claim(scoring, i, 2 * i);
        for (std::int64_t i = 0; i < report.numHeldOut(); ++i)
            claim(report, i, 2 * i + 1);
        QCOMPARE(static_cast<std::int64_t>(seen.size()), n);
        // Batches read the part's rows, and indices beyond the part are refused with its count.
        const auto batch = report.heldOutBatch({0, report.numHeldOut() - 1});
        QCOMPARE(batch[1][3].item<std::int64_t>(),
                 static_cast<std::int64_t>(ds.heldOutRow(2 * (report.numHeldOut() - 1) + 1)[3]));
        std::string err = errorOf([&] { report.heldOutBatch({report.numHeldOut()}); });
        QVERIFY2(err.find("out of range") != std::string::npos, err.c_str());
        // The parts' evaluation batches are drawn within the part.
        for (const auto& b : report.evalBatches(5, 6, 3))
            for (auto r : b)
                QVERIFY(r >= 0 && r < report.numHeldOut());
        err = errorOf([&] { (void)scoring.heldOutPart(Part::Report); });
        QVERIFY2(err.find("part of a held-out part") != std::string::npos, err.c_str());

        const auto tiny = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "cache", 8),
                                              control);
        err = errorOf([&] { (void)tiny.heldOutPart(Part::Report); });
        QVERIFY2(err.find("0 held-out row") != std::string::npos, err.c_str());
    }

    void secondBuildHitsTheCache()
    {
        const auto dir = test::freshDir("cache");
        writeJsonl(dir / "d.jsonl", makeDocs(300));
        CountingByteEncoder enc;
        JobControl control;
        const auto opt = options(dir / "cache", 16, 0.1);
        const auto first = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);
        QVERIFY(!first.stats().fromCache);
        QCOMPARE(enc.texts->load(), std::int64_t(300));
        const fs::path meta = dir / "cache" / (first.stats().cacheKey + ".json");
        QVERIFY(fs::exists(meta));
        const auto stamp = fs::last_write_time(meta);

        const auto second = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);
        QVERIFY(second.stats().fromCache);
        QCOMPARE(enc.texts->load(), std::int64_t(300)); // nothing tokenized again
        QCOMPARE(fs::last_write_time(meta), stamp);     // nor rewritten
        QCOMPARE(second.stats().cacheKey, first.stats().cacheKey);
        QCOMPARE(second.numTrain(), first.numTrain());
        QCOMPARE(second.numHeldOut(), first.numHeldOut());
        QCOMPARE(second.stats().documents, first.stats().documents);
        QVERIFY(stream(second, false) == stream(first, false));
        QVERIFY(stream(second, true) == stream(first, true));
        // No temporary files left behind.
        for (const auto& e : fs::directory_iterator(dir / "cache"))
            QVERIFY2(e.path().string().find(".tmp") == std::string::npos, e.path().c_str());
    }

    void cacheInvalidatedWhenDataOrTokenizerChange()
    {
        const auto dir = test::freshDir("invalidate");
        auto docs = makeDocs(100);
        writeJsonl(dir / "d.jsonl", docs);
        CountingByteEncoder enc;
        JobControl control;
        const auto opt = options(dir / "cache", 16);
        const auto base = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);
        QCOMPARE(enc.texts->load(), std::int64_t(100));

        // Same size, same mtime, one byte different: must be seen.
        const auto mtime = fs::last_write_time(dir / "d.jsonl");
        docs[50][0] = 'D';
        writeJsonl(dir / "d.jsonl", docs);
        fs::last_write_time(dir / "d.jsonl", mtime);
        const auto edited = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);
        QVERIFY(!edited.stats().fromCache);
        QCOMPARE(enc.texts->load(), std::int64_t(200));
        QVERIFY(edited.stats().cacheKey != base.stats().cacheKey);
        QVERIFY(stream(edited, false) != stream(base, false));

        // Another tokenizer.
        const auto other = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder("bytes-v2"), opt, control);
        QVERIFY(!other.stats().fromCache);
        QCOMPARE(enc.texts->load(), std::int64_t(300));

        // Other packing or reading options.
        auto opt2 = opt;
        opt2.seqLen = 32;
        QVERIFY(!TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt2, control).stats().fromCache);
        opt2 = opt;
        opt2.heldOutFraction = 0.5;
        QVERIFY(!TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt2, control).stats().fromCache);
        auto spec = specOf(dir / "d.jsonl");
        spec.strict = true;
        QVERIFY(!TokenDataset::build(spec, enc.encoder(), opt, control).stats().fromCache);

        // And back: the edited data with the first tokenizer is still cached.
        const std::int64_t before = enc.texts->load();
        QVERIFY(TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control).stats().fromCache);
        QCOMPARE(enc.texts->load(), before);

        // A damaged cache entry is ignored and rebuilt, not trusted.
        const fs::path meta = dir / "cache" / (edited.stats().cacheKey + ".json");
        writeBytes(meta, "{ not json");
        const auto rebuilt = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), opt, control);
        QVERIFY(!rebuilt.stats().fromCache);
        QVERIFY(stream(rebuilt, false) == stream(edited, false));
    }

    // The cache is an optimisation: when it cannot be written (a full disk, here a file-size limit;
    // or a cache path that is not a folder) the build goes on without it, with the same rows.
    void cacheThatCannotBeWrittenIsSkipped()
    {
        const auto dir = test::freshDir("cache-full");
        writeJsonl(dir / "d.jsonl", makeDocs(300));
        CountingByteEncoder enc;
        JobControl control;
        auto noCache = options(fs::path(), 16, 0.1);
        noCache.useCache = false;
        const auto reference = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), noCache, control);
        {
            test::FileSizeLimit limit(4096); // the token streams are larger than this
            QVERIFY(limit.ok());
            const auto full = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(),
                                                  options(dir / "cache", 16, 0.1), control);
            QVERIFY(!full.stats().fromCache);
            QVERIFY(full.stats().cacheKey.empty());
            QVERIFY(stream(full, false) == stream(reference, false));
            QVERIFY(stream(full, true) == stream(reference, true));
        }
        for (const auto& e : fs::directory_iterator(dir / "cache"))
            QVERIFY2(e.path().string().find(".bin") == std::string::npos, e.path().c_str()); // nothing half-written
        writeBytes(dir / "not-a-folder", "x");
        const auto blocked = TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(),
                                                 options(dir / "not-a-folder", 16, 0.1), control);
        QVERIFY(stream(blocked, false) == stream(reference, false));
    }

    void fileDigestsRememberedOnlyWhileStampsHold()
    {
        const auto dir = test::freshDir("memo");
        const auto memo = dir / "memo.json";
        writeJsonl(dir / "old.jsonl", makeDocs(50, "old"));
        // Let the file age past the racy window: a digest of a file changed within 1 s of
        // hashing is not remembered.
        QThread::msleep(1100);
        writeJsonl(dir / "new.jsonl", makeDocs(50, "new"));
        DatasetSpec spec;
        spec.paths = {dir / "old.jsonl", dir / "new.jsonl"};
        const auto files = resolveDatasetFiles(spec);
        JobControl control;
        const std::string full = datasetContentHash(files, control);
        QCOMPARE(datasetContentHash(files, control, memo), full);
        auto j = nlohmann::json::parse(readFile(memo));
        const std::string oldKey = fs::absolute(dir / "old.jsonl").lexically_normal().string();
        const std::string newKey = fs::absolute(dir / "new.jsonl").lexically_normal().string();
        QCOMPARE(QString::fromStdString(j["files"][oldKey]["sha256"].get<std::string>()),
                 QString::fromStdString(sha256File(dir / "old.jsonl")));
        QVERIFY(!j["files"].contains(newKey)); // racy: not remembered

        // The remembered digest is used while the stamps hold (shown by planting a wrong one)...
        j["files"][oldKey]["sha256"] = std::string(64, '0');
        writeFileAtomically(memo, j.dump());
        QVERIFY(datasetContentHash(files, control, memo) != full);
        // ...and ignored once the file is edited, even with the same size and mtime restored.
        auto docs = makeDocs(50, "old");
        docs[7][0] = 'O';
        const auto mtime = fs::last_write_time(dir / "old.jsonl");
        writeJsonl(dir / "old.jsonl", docs);
        fs::last_write_time(dir / "old.jsonl", mtime);
        QCOMPARE(static_cast<std::int64_t>(fs::file_size(dir / "old.jsonl")), files[0].size);
        const std::string edited = datasetContentHash(files, control);
        QVERIFY(edited != full);
        QCOMPARE(datasetContentHash(files, control, memo), edited);
    }

    void cancelledBuildLeavesNothingBehind()
    {
        const auto dir = test::freshDir("cancel");
        writeJsonl(dir / "d.jsonl", makeDocs(5000));
        CountingByteEncoder enc;
        JobControl control;
        int reports = 0;
        control.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.stage == "tokenizing" && ++reports == 2)
                control.requestCancel();
        });
        bool cancelled = false;
        try {
            TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "cache", 16), control);
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        std::size_t files = 0;
        for (const auto& e : fs::directory_iterator(dir / "cache"))
            if (e.path().filename() != "file-hashes.json")
                ++files, qWarning("left: %s", e.path().c_str());
        QCOMPARE(files, std::size_t(0));
    }

    void emptyResultSaysWhy()
    {
        const auto dir = test::freshDir("empty");
        std::string s;
        for (int i = 0; i < 120; ++i)
            s += "{\"title\": \"t" + std::to_string(i) + "\"}\n";
        writeBytes(dir / "e.jsonl", s);
        CountingByteEncoder enc;
        JobControl control;
        std::string err = errorOf(
            [&] { TokenDataset::build(specOf(dir / "e.jsonl"), enc.encoder(), options(dir / "cache"), control); });
        QVERIFY2(err.find("No records in") != std::string::npos, err.c_str());
        QVERIFY2(err.find("120 records had no field 'text'") != std::string::npos, err.c_str());
        QVERIFY2(err.find("e.jsonl:1") != std::string::npos, err.c_str());

        writeBytes(dir / "blank.txt", "\n\n   \n");
        err = errorOf(
            [&] { TokenDataset::build(specOf(dir / "blank.txt"), enc.encoder(), options(dir / "cache"), control); });
        QVERIFY2(err.find("No records in") != std::string::npos, err.c_str());

        writeJsonl(dir / "tiny.jsonl", {"hi"});
        err = errorOf([&] {
            TokenDataset::build(specOf(dir / "tiny.jsonl"), enc.encoder(), options(dir / "cache", 64), control);
        });
        QVERIFY2(err.find("fewer than one sequence of 64") != std::string::npos, err.c_str());
    }

    void realTokenizerPacksAndInvalidates()
    {
        const auto dir = test::freshDir("real");
        // Chat records: the ChatML markers are added tokens of this tokenizer.
        std::string s;
        for (int i = 0; i < 60; ++i)
            s += nlohmann::json{{"messages",
                                 {{{"role", "user"}, {"content", "q" + std::to_string(i) + " \u00e9t\u00e9?"}},
                                  {{"role", "assistant"}, {"content", "a" + std::to_string(i)}}}}}
                     .dump() +
                 "\n";
        writeBytes(dir / "chat.jsonl", s);
        const std::vector<std::string> specials{"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
        const Tokenizer tok = Tokenizer::fromJson(test::byteTokenizerJson(specials));
        JobControl control;
        const auto ds = TokenDataset::build(specOf(dir / "chat.jsonl"), tok, options(dir / "cache", 32), control);
        QCOMPARE(ds.eosId(), 256); // no tokenizer_config.json: <|endoftext|> separates documents

        // Independent expectation: ChatML text, markers as single ids, other bytes as their value.
        std::vector<std::int32_t> expected;
        for (int i = 0; i < 60; ++i) {
            auto bytes = [&](const std::string& t) {
                for (unsigned char c : t)
                    expected.push_back(c);
            };
            for (const auto& [role, content] :
                 {std::pair<std::string, std::string>{"user", "q" + std::to_string(i) + " \xC3\xA9t\xC3\xA9?"},
                  {"assistant", "a" + std::to_string(i)}}) {
                expected.push_back(257);
                bytes(role + "\n" + content);
                expected.push_back(258);
                bytes("\n");
            }
            expected.push_back(256);
        }
        const auto got = stream(ds, false);
        QCOMPARE(ds.numTrain(), static_cast<std::int64_t>(expected.size()) / 32);
        QVERIFY(std::equal(got.begin(), got.end(), expected.begin()));
        QVERIFY(TokenDataset::build(specOf(dir / "chat.jsonl"), tok, options(dir / "cache", 32), control)
                    .stats()
                    .fromCache);

        // Another tokenizer (other added tokens: another fingerprint) is not served the cache;
        // without <|endoftext|>, the EOS declared in tokenizer_config.json separates documents.
        const std::vector<std::string> llamaLike{"<s>", "</s>", "<|im_start|>", "<|im_end|>"};
        const Tokenizer tok2 = Tokenizer::fromJson(test::byteTokenizerJson(llamaLike), R"({"eos_token": "</s>"})");
        QVERIFY(tok2.fingerprint() != tok.fingerprint());
        const auto ds2 = TokenDataset::build(specOf(dir / "chat.jsonl"), tok2, options(dir / "cache", 32), control);
        QVERIFY(!ds2.stats().fromCache);
        QCOMPARE(ds2.eosId(), 257);
        auto more = specials;
        more.push_back("<|pad|>");
        const Tokenizer tok3 = Tokenizer::fromJson(test::byteTokenizerJson(more), R"({"eos_token": "<|im_end|>"})");
        QCOMPARE(TextEncoder::from(tok3).eosId, 256); // <|endoftext|> preferred to a chat-turn EOS
        const Tokenizer tok4 = Tokenizer::fromJson(test::byteTokenizerJson({"<|im_start|>", "<|im_end|>"}));
        const std::string err = errorOf([&] { TextEncoder::from(tok4); });
        QVERIFY2(err.find("no end-of-sequence token") != std::string::npos, err.c_str());
        const auto firstEnd = static_cast<std::size_t>(std::find(expected.begin(), expected.end(), 256) -
                                                       expected.begin());
        QCOMPARE(stream(ds2, false)[firstEnd], 257);
        QCOMPARE(stream(ds2, false)[firstEnd - 2], 259); // <|im_end|>, "\n", then the EOS
    }

    void badOptionsRefused()
    {
        const auto dir = test::freshDir("opts");
        writeJsonl(dir / "d.jsonl", makeDocs(10));
        CountingByteEncoder enc;
        JobControl control;
        std::string err = errorOf(
            [&] { TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "c", 1), control); });
        QVERIFY2(err.find("sequence length must be at least 2") != std::string::npos, err.c_str());
        err = errorOf(
            [&] { TokenDataset::build(specOf(dir / "d.jsonl"), enc.encoder(), options(dir / "c", 8, 1.0), control); });
        QVERIFY2(err.find("held-out fraction must be in [0, 1)") != std::string::npos, err.c_str());
        auto e = enc.encoder();
        e.eosId = -1;
        err = errorOf([&] { TokenDataset::build(specOf(dir / "d.jsonl"), e, options(dir / "c"), control); });
        QVERIFY2(err.find("no end-of-sequence token") != std::string::npos, err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestTokenDataset)
#include "test_token_dataset.moc"
