// Merge round trip: Φ written into a generated base (single file and sharded, bf16), the merged
// checkpoint reloads, the merged experts equal Φ in the base dtype, every other tensor is
// byte-identical to the base (checked here against the files directly), and bad inputs are
// refused with a message naming them.
// The streaming merge: the same files, byte for byte, as the in-memory merge it replaced (the
// model engine's exportState() + writeCheckpoint(), run here) for per-expert and fused layouts,
// single file, sharded and re-sharded; copy buffers never above the chunk size; a cancelled merge
// leaves no partial file and resumes after its completed shards; a full disk is a StorageError
// naming the file with nothing left behind.
#include "core/io/CheckpointFiles.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/MergeJob.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {

TensorMap makePhi(const fs::path& modelDir, const ExpertSelection& sel)
{
    const auto config = ModelConfig::load(modelDir);
    const auto files = CheckpointFiles::open(modelDir);
    TensorMap phi;
    auto g = at::detail::createCPUGenerator(17);
    for (const auto& n : selectedTensorNames(config, sel)) {
        const auto base = files.tensor(n).to(torch::kFloat);
        phi[n] = base + at::randn(base.sizes(), g, torch::kFloat) * 0.05;
    }
    return phi;
}

bool sameBytes(const CheckpointFiles& a, const CheckpointFiles& b, const std::string& name)
{
    const auto x = a.fileOf(name).bytes(name), y = b.fileOf(name).bytes(name);
    return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size()) == 0;
}

// Φ for any layout: the base's experts (through the model engine, which addresses fused
// checkpoints per expert) plus noise.
TensorMap makePhiAnyLayout(const fs::path& modelDir, const ExpertSelection& sel)
{
    MoeModelOptions opt;
    opt.computeDtype = torch::kFloat;
    auto model = MoeModel::load(modelDir, opt);
    TensorMap phi;
    auto g = at::detail::createCPUGenerator(23);
    for (const auto& n : selectedTensorNames(model->config(), sel)) {
        const auto base = model->tensor(n).to(torch::kFloat);
        phi[n] = base + at::randn(base.sizes(), g, torch::kFloat) * 0.05;
    }
    return phi;
}

// The merge as it was before it streamed: the whole model in memory, Φ applied, exportState()
// written by writeCheckpoint() with the shard size runMerge uses.
void inMemoryMerge(const fs::path& base, const TensorMap& phi, const ExpertSelection& sel, const fs::path& out,
                   std::uint64_t maxShardBytes)
{
    MoeModelOptions opt;
    opt.computeDtype = torch::kFloat;
    opt.selection = sel.layers();
    auto model = MoeModel::load(base, opt);
    applyExperts(*model, phi, "Φ");
    const auto files = CheckpointFiles::open(base);
    std::uint64_t shard = maxShardBytes;
    if (shard == 0) {
        shard = files.sharded() ? 0 : files.totalBytes() + 1;
        for (const auto& f : files.files())
            shard = std::max<std::uint64_t>(shard, f->dataSize());
    }
    writeCheckpoint(out, model->exportState(), shard);
}

std::string fileBytes(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The weight files (and index) of a folder, by name.
std::map<std::string, std::string> weightFiles(const fs::path& dir)
{
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const auto name = e.path().filename().string();
        if (name.find("safetensors") != std::string::npos)
            out[name] = fileBytes(e.path());
    }
    return out;
}

// Lowers the file-size limit (RLIMIT_FSIZE) so that writes past it fail with EFBIG, as a full
// disk fails them with ENOSPC; SIGXFSZ is ignored meanwhile. Restores both when destroyed.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &m_saved);
        m_savedHandler = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lowered = m_saved;
        lowered.rlim_cur = bytes;
        m_ok = ::setrlimit(RLIMIT_FSIZE, &lowered) == 0;
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_saved);
        std::signal(SIGXFSZ, m_savedHandler);
    }
    bool ok() const { return m_ok; }

private:
    rlimit m_saved{};
    void (*m_savedHandler)(int) = SIG_DFL;
    bool m_ok = false;
};

bool hasTemporaryFiles(const fs::path& dir)
{
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().find(".tmp-") != std::string::npos)
            return true;
    return false;
}

} // namespace

class TestMerge : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        configureThreads(1);
        setDataDir(teft::test::freshDir("merge-data"));
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("shards");
        QTest::newRow("single file") << 1;
        QTest::newRow("sharded") << 3;
    }

    void roundTrip()
    {
        QFETCH(int, shards);
        const auto root = teft::test::freshDir("merge-" + std::to_string(shards));
        GenerateOptions go;
        go.shards = shards;
        go.seed = 2;
        generateCheckpoint(root / "base", go);
        ExpertSelection sel;
        sel.setLayer(1, {0, 3});
        sel.setLayer(2, {7});
        const auto phi = makePhi(root / "base", sel);
        saveTensorFile(root / "phi.safetensors", phi);

        MergeSettings s;
        s.modelDir = root / "base";
        s.phiFile = root / "phi.safetensors";
        s.outDir = root / "merged";
        JobControl control;
        const auto r = runMerge(s, {}, control);
        QVERIFY(r.verification.ok());
        QCOMPARE(r.verification.mergedTensors, std::int64_t(9));

        const auto base = CheckpointFiles::open(root / "base");
        const auto merged = CheckpointFiles::open(root / "merged");
        QCOMPARE(merged.sharded(), base.sharded());
        QCOMPARE(merged.names().size(), base.names().size());
        QVERIFY(fs::exists(root / "merged" / "config.json"));
        QVERIFY(fs::exists(root / "merged" / "tokenizer.json"));
        int identical = 0;
        for (const auto& n : base.names()) {
            QVERIFY2(merged.contains(n), n.c_str());
            QCOMPARE(merged.info(n).dtype, base.info(n).dtype);
            if (phi.count(n)) {
                QCOMPARE(merged.tensor(n).scalar_type(), torch::kBFloat16);
                QVERIFY2(torch::equal(merged.tensor(n), phi.at(n).to(torch::kBFloat16)), n.c_str());
                QVERIFY(!sameBytes(base, merged, n));
            } else {
                QVERIFY2(sameBytes(base, merged, n), n.c_str());
                ++identical;
            }
        }
        QCOMPARE(identical, static_cast<int>(base.names().size()) - 9);
        // The model engine loads it, and it holds Φ.
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.selection = sel.layers();
        auto m = MoeModel::load(root / "merged", opt);
        for (const auto& [n, t] : phi)
            QVERIFY(torch::equal(m->tensor(n), t.to(torch::kBFloat16).to(torch::kFloat)));
    }

    void verifierDetectsTampering()
    {
        const auto root = teft::test::freshDir("merge-tamper");
        GenerateOptions go;
        generateCheckpoint(root / "base", go);
        generateCheckpoint(root / "other", [] {
            GenerateOptions o;
            o.seed = 99;
            return o;
        }());
        ExpertSelection sel;
        sel.setLayer(0, {2});
        const auto phi = makePhi(root / "base", sel);
        // "other" has different weights everywhere: every untouched tensor differs from the base.
        const auto v = verifyMerged(root / "base", root / "other", phi);
        QVERIFY(!v.ok());
        bool namesOne = false;
        for (const auto& p : v.problems)
            namesOne = namesOne || p.find("not byte-identical") != std::string::npos;
        QVERIFY(namesOne);
    }

    void badInputsAreRefused()
    {
        const auto root = teft::test::freshDir("merge-bad");
        GenerateOptions go;
        generateCheckpoint(root / "base", go);
        JobControl control;
        saveTensorFile(root / "phi.safetensors", {{"model.embed_tokens.weight", torch::zeros({384, 64})}});
        MergeSettings s;
        s.modelDir = root / "base";
        s.phiFile = root / "phi.safetensors";
        s.outDir = root / "merged";
        try {
            runMerge(s, {}, control);
            QFAIL("expected a refusal");
        } catch (const FormatError& e) {
            QVERIFY(std::string(e.what()).find("model.embed_tokens.weight") != std::string::npos);
        }
        s.outDir = root / "base";
        QVERIFY_THROWS_EXCEPTION(UsageError, runMerge(s, {}, control));
        s.outDir = root / "merged2";
        s.phiFile = root / "missing.safetensors";
        QVERIFY_THROWS_EXCEPTION(Error, runMerge(s, {}, control));
        // A Φ tensor of the wrong shape is refused before anything is written.
        saveTensorFile(root / "phi-shape.safetensors",
                       {{"model.layers.1.mlp.experts.0.gate_proj.weight", torch::zeros({3, 3})}});
        s.phiFile = root / "phi-shape.safetensors";
        s.outDir = root / "merged3";
        try {
            runMerge(s, {}, control);
            QFAIL("expected a refusal");
        } catch (const FormatError& e) {
            QVERIFY2(std::string(e.what()).find("must have shape") != std::string::npos, e.what());
        }
        QVERIFY(!fs::exists(root / "merged3" / "model.safetensors"));
    }

    void sameFilesAsInMemoryMerge_data()
    {
        QTest::addColumn<int>("shards");
        QTest::addColumn<bool>("fused");
        QTest::addColumn<qint64>("shardBytes");
        QTest::newRow("per-expert, single file") << 1 << false << qint64(0);
        QTest::newRow("per-expert, sharded") << 3 << false << qint64(0);
        QTest::newRow("per-expert, re-sharded") << 1 << false << qint64(200000);
        QTest::newRow("fused, single file") << 1 << true << qint64(0);
        QTest::newRow("fused, sharded") << 3 << true << qint64(0);
    }

    void sameFilesAsInMemoryMerge()
    {
        QFETCH(int, shards);
        QFETCH(bool, fused);
        QFETCH(qint64, shardBytes);
        const auto root = teft::test::freshDir("merge-same");
        GenerateOptions go;
        go.shards = shards;
        go.seed = 5;
        go.fusedExperts = fused;
        generateCheckpoint(root / "base", go);
        ExpertSelection sel;
        sel.setLayer(0, {1, 6});
        sel.setLayer(2, {0, 7});
        const auto phi = makePhiAnyLayout(root / "base", sel);
        saveTensorFile(root / "phi.safetensors", phi);
        inMemoryMerge(root / "base", phi, sel, root / "reference", static_cast<std::uint64_t>(shardBytes));

        MergeSettings s;
        s.modelDir = root / "base";
        s.phiFile = root / "phi.safetensors";
        s.outDir = root / "merged";
        s.maxShardBytes = static_cast<std::uint64_t>(shardBytes);
        s.chunkBytes = 4096; // many chunks per tensor
        JobControl control;
        std::int64_t lastDone = -1, lastTotal = 0;
        control.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.stage.rfind("writing", 0) == 0) {
                QVERIFY(p.done >= lastDone);
                lastDone = p.done;
                lastTotal = p.total;
            }
        });
        const auto r = runMerge(s, {}, control);
        QVERIFY(r.verification.ok());
        QCOMPARE(r.verification.mergedTensors, std::int64_t(fused ? 4 : 12));
        QCOMPARE(lastDone, lastTotal); // progress reached all bytes
        QVERIFY(lastTotal > 0);
        QCOMPARE(r.bytesWritten, static_cast<std::uint64_t>(lastTotal));
        QVERIFY(r.largestBuffer > 0 && r.largestBuffer <= 4096); // never a buffer above the chunk

        const auto expect = weightFiles(root / "reference");
        const auto got = weightFiles(root / "merged");
        QVERIFY(!expect.empty());
        QCOMPARE(got.size(), expect.size());
        for (const auto& [name, bytes] : expect) {
            QVERIFY2(got.count(name), name.c_str());
            QVERIFY2(got.at(name) == bytes, (name + " differs from the in-memory merge's").c_str());
        }
        QCOMPARE(fileBytes(root / "merged" / "config.json"), fileBytes(root / "base" / "config.json"));
        QVERIFY(!hasTemporaryFiles(root / "merged"));
        QVERIFY(!fs::exists(root / "merged" / kCheckpointProgressFile));

        // The model engine reads Φ back from the written files.
        auto m = MoeModel::load(root / "merged", [] {
            MoeModelOptions o;
            o.computeDtype = torch::kFloat;
            return o;
        }());
        for (const auto& [n, t] : phi)
            QVERIFY2(torch::equal(m->tensor(n), t.to(torch::kBFloat16).to(torch::kFloat)), n.c_str());

        // Tampering with one expert slice of a fused tensor (or an expert tensor) is caught.
        const auto merged = CheckpointFiles::open(root / "merged");
        const std::string victim = fused ? "model.layers.2.mlp.experts.gate_up_proj"
                                         : "model.layers.2.mlp.experts.7.up_proj.weight";
        const auto& file = merged.fileOf(victim);
        const auto& info = file.info(victim);
        const std::uint64_t at = 8 + file.headerSize() + info.begin + (fused ? info.byteSize() - 2 : 0);
        const fs::path path = file.path();
        {
            std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
            f.seekp(static_cast<std::streamoff>(at));
            const char flip[2] = {'\x5a', '\x5a'};
            f.write(flip, 2);
        }
        const auto v = verifyMerged(root / "base", root / "merged", phi);
        QVERIFY(!v.ok());
        QVERIFY2(v.problems.front().find(victim) != std::string::npos, v.problems.front().c_str());
    }

    void cancelledMergeResumes()
    {
        const auto root = teft::test::freshDir("merge-resume");
        GenerateOptions go;
        go.shards = 3;
        go.seed = 8;
        generateCheckpoint(root / "base", go);
        ExpertSelection sel;
        sel.setLayer(0, {2});
        sel.setLayer(2, {5});
        const auto phi = makePhi(root / "base", sel);
        saveTensorFile(root / "phi.safetensors", phi);
        MergeSettings s;
        s.modelDir = root / "base";
        s.phiFile = root / "phi.safetensors";
        s.chunkBytes = 8192;
        s.outDir = root / "reference";
        JobControl plain;
        runMerge(s, {}, plain);
        const auto expect = weightFiles(root / "reference");
        QVERIFY(expect.size() > 2);
        const std::string first = expect.begin()->first; // model-00001-of-...
        QVERIFY2(first.rfind("model-00001-of-", 0) == 0, first.c_str());

        // Cancel in the middle of the second shard.
        s.outDir = root / "merged";
        JobControl cancel;
        cancel.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.stage.find("model-00002-of-") != std::string::npos && p.done > 0)
                cancel.requestCancel();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, runMerge(s, {}, cancel));
        QVERIFY(!hasTemporaryFiles(root / "merged"));
        QVERIFY(fs::exists(root / "merged" / first));
        QVERIFY(!fs::exists(root / "merged" / CheckpointFiles::kIndexFile)); // the folder does not load
        QVERIFY_THROWS_EXCEPTION(Error, CheckpointFiles::open(root / "merged"));
        QVERIFY(fs::exists(root / "merged" / kCheckpointProgressFile));
        struct stat before {};
        QCOMPARE(::stat((root / "merged" / first).c_str(), &before), 0);

        // A writer killed outright leaves its temporary file: the next run removes it.
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        ::waitpid(child, nullptr, 0);
        const std::string second = std::next(expect.begin())->first;
        const fs::path stale = root / "merged" / (second + ".tmp-" + std::to_string(child) + "-0");
        std::ofstream(stale) << "half a shard";
        // ... or of the progress file, or of a config file copied after the shards (the crash
        // soak, scripts/crash-soak.py, found the progress file's left for good).
        const fs::path staleProgress = root / "merged" /
                                       (std::string(kCheckpointProgressFile) + ".tmp-" + std::to_string(child) + "-1");
        std::ofstream(staleProgress) << "{\"key\": ";
        const fs::path staleConfig = root / "merged" / ("config.json.tmp-" + std::to_string(child) + "-2");
        std::ofstream(staleConfig) << "{";

        JobControl again;
        const auto r = runMerge(s, {}, again);
        QVERIFY(r.verification.ok());
        QVERIFY(r.bytesKept > 0); // the first shard was kept
        struct stat after {};
        QCOMPARE(::stat((root / "merged" / first).c_str(), &after), 0);
        QCOMPARE(after.st_ino, before.st_ino);
        QVERIFY(!fs::exists(stale));
        QVERIFY(!fs::exists(staleProgress));
        QVERIFY(!fs::exists(staleConfig));
        QVERIFY(!fs::exists(root / "merged" / kCheckpointProgressFile));
        const auto got = weightFiles(root / "merged");
        QCOMPARE(got.size(), expect.size());
        for (const auto& [name, bytes] : expect)
            QVERIFY2(got.count(name) && got.at(name) == bytes, name.c_str());

        // Another Φ does not reuse the shards of an interrupted merge of the first.
        auto phi2 = phi;
        for (auto& [n, t] : phi2)
            t = t + 0.5;
        saveTensorFile(root / "phi2.safetensors", phi2);
        s.phiFile = root / "phi2.safetensors";
        JobControl cancel2;
        cancel2.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.stage.find("model-00002-of-") != std::string::npos && p.done > 0)
                cancel2.requestCancel();
        });
        QVERIFY_THROWS_EXCEPTION(Cancelled, runMerge(s, {}, cancel2));
        s.phiFile = root / "phi.safetensors";
        JobControl third;
        const auto r3 = runMerge(s, {}, third);
        QCOMPARE(r3.bytesKept, std::uint64_t(0));
        QVERIFY(r3.verification.ok());
    }

    void fullDiskIsReported()
    {
        const auto root = teft::test::freshDir("merge-full");
        GenerateOptions go;
        generateCheckpoint(root / "base", go);
        ExpertSelection sel;
        sel.setLayer(1, {0});
        saveTensorFile(root / "phi.safetensors", makePhi(root / "base", sel));
        MergeSettings s;
        s.modelDir = root / "base";
        s.phiFile = root / "phi.safetensors";
        s.outDir = root / "merged";
        fs::create_directories(s.outDir);
        JobControl control;
        {
            FileSizeLimit limit(256 * 1024); // far below the model's size
            QVERIFY(limit.ok());
            try {
                runMerge(s, {}, control);
                QFAIL("a merge past the file-size limit succeeded");
            } catch (const StorageError& e) {
                QVERIFY2(std::string(e.what()).find("Cannot write " + (s.outDir / "model.safetensors").string()) !=
                             std::string::npos,
                         e.what());
            }
        }
        QVERIFY(!fs::exists(s.outDir / "model.safetensors"));
        QVERIFY(!hasTemporaryFiles(s.outDir));

        // An output folder that cannot be created names it.
        std::ofstream(root / "plain") << "x";
        s.outDir = root / "plain" / "merged";
        try {
            runMerge(s, {}, control);
            QFAIL("merged into a folder inside a file");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find((root / "plain" / "merged").string()) != std::string::npos, e.what());
        }

        // A folder without write permission (not for root, whom permissions do not stop).
        if (::geteuid() == 0)
            return;
        fs::create_directories(root / "locked");
        fs::permissions(root / "locked", fs::perms::owner_read | fs::perms::owner_exec);
        s.outDir = root / "locked";
        try {
            runMerge(s, {}, control);
            QFAIL("merged into a read-only folder");
        } catch (const StorageError& e) {
            QVERIFY2(std::string(e.what()).find((root / "locked").string()) != std::string::npos, e.what());
        }
        fs::permissions(root / "locked", fs::perms::owner_all);
    }
};

QTEST_APPLESS_MAIN(TestMerge)
#include "test_merge.moc"
