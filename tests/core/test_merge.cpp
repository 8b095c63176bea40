// Merge round trip: Φ written into a generated base (single file and sharded, bf16), the merged
// checkpoint reloads, the merged experts equal Φ in the base dtype, every other tensor is
// byte-identical to the base (checked here against the files directly), and bad inputs are
// refused with a message naming them.
#include "core/io/CheckpointFiles.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/teft/ExpertSelection.h"
#include "core/train/MergeJob.h"
#include "core/train/ModelIdentity.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <cstring>
#include <torch/torch.h>

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
    }
};

QTEST_APPLESS_MAIN(TestMerge)
#include "test_merge.moc"
