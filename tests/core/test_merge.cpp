// Reintegration: Φ written into the base at the selected slots, the complete checkpoint in the
// base's own layout (sharded, fused) and dtype, verified; everything else bit for bit the base.
#include "core/io/CheckpointFiles.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/teft/ExpertMerge.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/ModelBinding.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

namespace {
TensorMap trainedPhi(const fs::path& base, const ModelConfig& cfg, const ExpertSelection& sel)
{
    MoeModelOptions opt;
    opt.computeDtype = torch::kFloat;
    auto model = MoeModel::load(base, opt);
    TensorMap phi = selectedExperts(*model, sel);
    torch::manual_seed(8);
    for (auto& [name, t] : phi)
        t = t + 0.1 * torch::randn(t.sizes());
    (void)cfg;
    return phi;
}
} // namespace

class TestMerge : public QObject {
    Q_OBJECT

    void mergeAndCheck(const GenerateOptions& g, const QString& tag)
    {
        const fs::path root = test::freshDir(tag.toStdString());
        const ModelConfig cfg = generateCheckpoint(root / "base", g);
        ExpertSelection sel;
        sel.setLayer(cfg.moeLayers().front(), {0, 3});
        sel.setLayer(cfg.moeLayers().back(), {2});
        const TensorMap phi = trainedPhi(root / "base", cfg, sel);
        const auto res = mergeExperts(root / "base", phi, root / "merged", {{"rounds", 2}});
        QVERIFY(res.verified);
        QCOMPARE(res.expertsMerged, std::int64_t(3));

        // Independently of the merge code: compare the files.
        const CheckpointFiles base = CheckpointFiles::open(root / "base");
        const CheckpointFiles out = CheckpointFiles::open(root / "merged");
        QCOMPARE(out.sharded(), base.sharded());
        QCOMPARE(out.names().size(), base.names().size());
        int differing = 0;
        for (const auto& name : base.names()) {
            QCOMPARE(out.info(name).dtype, base.info(name).dtype);
            QCOMPARE(out.info(name).shape, base.info(name).shape);
            if (!torch::equal(out.tensor(name), base.tensor(name)))
                ++differing;
        }
        // Reload with the engine: the selected experts hold Φ in the storage dtype.
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        auto merged = MoeModel::load(root / "merged", opt);
        auto original = MoeModel::load(root / "base", opt);
        const auto storage = cfg.storageDtype();
        for (const auto& [name, t] : phi)
            QVERIFY2(torch::equal(merged->tensor(name).to(storage), t.to(storage)), name.c_str());
        for (int l : cfg.moeLayers())
            for (int e = 0; e < cfg.numExperts; ++e) {
                if (sel.contains(l, e))
                    continue;
                for (const auto& n : cfg.expertTensorNames(l, e))
                    QVERIFY(torch::equal(merged->tensor(n), original->tensor(n)));
            }
        if (g.fusedExperts)
            QCOMPARE(differing, 4); // gate_up_proj and down_proj of the two layers touched
        else
            QCOMPARE(differing, 9); // 3 experts x 3 projections
        for (const char* f : {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"})
            QCOMPARE(readFile(root / "merged" / f), readFile(root / "base" / f));
        const auto prov = nlohmann::json::parse(readFile(root / "merged" / "teft_merge.json"));
        QCOMPARE(prov["rounds"].get<int>(), 2);
        QCOMPARE(prov["merged_experts"][std::to_string(cfg.moeLayers().back())], nlohmann::json::array({2}));
    }

private slots:
    void initTestCase() { configureThreads(0); }

    void shardedPerExpert()
    {
        GenerateOptions g;
        g.arch = "qwen3_moe";
        g.shards = 3;
        g.seed = 4;
        mergeAndCheck(g, "sharded");
    }

    void fusedExperts()
    {
        GenerateOptions g;
        g.arch = "qwen3_moe";
        g.fusedExperts = true;
        g.seed = 5;
        mergeAndCheck(g, "fused");
    }

    void refusals()
    {
        const fs::path root = test::freshDir("refusals");
        GenerateOptions g;
        const ModelConfig cfg = generateCheckpoint(root / "base", g);
        TensorMap bad{{"model.layers.0.self_attn.q_proj.weight", torch::zeros({2})}};
        try {
            mergeExperts(root / "base", bad, root / "out");
            QFAIL("a hub tensor was merged");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("q_proj"));
        }
        ExpertSelection sel;
        sel.setLayer(cfg.moeLayers().front(), {1});
        const TensorMap phi = trainedPhi(root / "base", cfg, sel);
        try {
            mergeExperts(root / "base", phi, root / "base");
            QFAIL("merged over the base");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("another folder"));
        }
    }
};

QTEST_APPLESS_MAIN(TestMerge)
#include "test_merge.moc"
