// The model side of TEFT on a real tiny checkpoint: routing statistics collection, the model
// bindings (layout, expected tensors, fingerprints), and in-place evaluation with an update
// that restores the model bit for bit.
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/HeldOutEvaluator.h"
#include "core/teft/ModelBinding.h"
#include "core/teft/RoutingCollector.h"
#include "core/teft/SelectionPolicy.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

class TestIdentify : public QObject {
    Q_OBJECT

    fs::path m_dir;
    ModelConfig m_cfg;
    at::Tensor m_corpus;

    at::Tensor fetch(const std::vector<std::int64_t>& idx) const
    {
        return m_corpus.index_select(0, torch::tensor(idx, torch::kLong));
    }

private slots:
    void initTestCase()
    {
        configureThreads(0);
        m_dir = test::freshDir("model");
        GenerateOptions g;
        g.arch = "qwen3_moe";
        g.preset = "tiny";
        g.seed = 9;
        m_cfg = generateCheckpoint(m_dir / "base", g);
        torch::manual_seed(1);
        m_corpus = torch::randint(0, m_cfg.vocabSize, {10, 24}, torch::kLong);
    }

    void routingStatsCountEveryToken()
    {
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        auto model = MoeModel::load(m_dir / "base", opt);
        std::vector<std::int64_t> rows{0, 1, 2, 3, 4, 5, 6};
        JobControl control;
        const RoutingStats s = collectRoutingStats(
            *model, [this](const std::vector<std::int64_t>& i) { return fetch(i); }, rows, 3, control);
        QCOMPARE(s.moeLayers(), m_cfg.moeLayers());
        QCOMPARE(s.numExperts(), int(m_cfg.numExperts));
        QCOMPARE(s.topK(), int(m_cfg.topK));
        // Independently: count the captured routing of all rows at once.
        ModelBatch b;
        b.inputIds = fetch(rows);
        const auto routing = model->captureRouting(b);
        for (const auto& lr : routing) {
            const int r = s.rowOfLayer(lr.layer);
            QCOMPARE(s.tokens(r), std::int64_t(7 * 24));
            double total = 0;
            const auto ids = lr.ids.reshape({-1}).contiguous();
            const auto w = lr.weights.reshape({-1}).to(torch::kDouble).contiguous();
            std::vector<double> c(static_cast<std::size_t>(m_cfg.numExperts), 0.0), g(c.size(), 0.0);
            for (std::int64_t i = 0; i < ids.numel(); ++i) {
                c[static_cast<std::size_t>(ids[i].item<std::int64_t>())] += 1;
                g[static_cast<std::size_t>(ids[i].item<std::int64_t>())] += w[i].item<double>();
            }
            for (int e = 0; e < s.numExperts(); ++e) {
                QCOMPARE(s.count(r, e), c[static_cast<std::size_t>(e)]);
                QVERIFY(std::abs(s.gateMass(r, e) - g[static_cast<std::size_t>(e)]) < 1e-4);
                total += s.count(r, e);
            }
            QCOMPARE(total, double(7 * 24 * m_cfg.topK)); // every token picked k experts
        }
        // The statistics drive a selection that validates against the model.
        SelectionPolicy p;
        p.kind = SelectionPolicy::Kind::TopKPerLayer;
        p.k = 2;
        ExpertSelection sel = selectExperts(s, p);
        sel.setModelFingerprint(modelFingerprint(m_dir / "base"));
        QCOMPARE(sel.count(), int(2 * m_cfg.moeLayers().size()));
        QVERIFY(sel.validate(moeLayout(m_cfg, modelFingerprint(m_dir / "base"))).empty());
    }

    void bindings()
    {
        const std::string fp = modelFingerprint(m_dir / "base");
        QCOMPARE(fp, modelFingerprint(m_dir / "base"));
        fs::create_directories(m_dir / "copy");
        fs::copy(m_dir / "base", m_dir / "copy", fs::copy_options::recursive | fs::copy_options::overwrite_existing);
        QCOMPARE(modelFingerprint(m_dir / "copy"), fp);
        auto cfgJson = nlohmann::json::parse(readFile(m_dir / "copy" / "config.json"));
        cfgJson["rms_norm_eps"] = 1e-5;
        writeFileAtomically(m_dir / "copy" / "config.json", cfgJson.dump(2));
        QVERIFY(modelFingerprint(m_dir / "copy") != fp);
        QVERIFY(configIdentity(m_dir / "copy") != configIdentity(m_dir / "base"));

        const int layer = m_cfg.moeLayers().back();
        ExpertSelection sel;
        sel.setLayer(layer, {1, 3});
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        auto model = MoeModel::load(m_dir / "base", opt);
        const auto expected = expectedTensors(m_cfg, sel);
        QCOMPARE(expected.size(), std::size_t(6));
        for (const auto& e : expected) {
            QVERIFY(model->hasTensor(e.name));
            QCOMPARE(model->tensor(e.name).sizes().vec(), e.shape);
        }
        ExpertSelection bad;
        bad.setLayer(layer, {int(m_cfg.numExperts)});
        try {
            expectedTensors(m_cfg, bad);
            QFAIL("an expert out of range was accepted");
        } catch (const FormatError& e) {
            QVERIFY(QString(e.what()).contains("expert " + QString::number(m_cfg.numExperts)));
        }
        const auto cost = selectionCost(sel, m_cfg, 1000000);
        QCOMPARE(cost.experts, std::int64_t(2));
        QCOMPARE(cost.trainableParameters, 2 * m_cfg.paramsPerExpert());
    }

    void evaluationWithAnUpdateRestoresTheModel()
    {
        const int layer = m_cfg.moeLayers().front();
        ExpertSelection sel;
        sel.setLayer(layer, {0, 1});
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.selection = engineSelection(sel);
        auto model = MoeModel::load(m_dir / "base", opt);
        HeldOutEvaluator eval(*model, [this](const std::vector<std::int64_t>& i) { return fetch(i); },
                              {{0, 1}, {2, 3}, {4}});
        JobControl control;
        const auto before = model->exportState();
        const auto baseLosses = eval.batchLosses(nullptr, control);
        QCOMPARE(baseLosses.size(), std::size_t(3));

        TensorMap delta;
        torch::manual_seed(3);
        for (const auto& name : selectedTensorNames(m_cfg, sel))
            delta[name] = 0.05 * torch::randn(model->tensor(name).sizes());
        const auto withUpdate = eval.batchLosses(&delta, control);
        const auto after = model->exportState();
        QCOMPARE(after.size(), before.size());
        for (std::size_t i = 0; i < before.size(); ++i)
            QVERIFY2(torch::equal(before[i].second, after[i].second), before[i].first.c_str()); // restored bit for bit
        QVERIFY(withUpdate != baseLosses);

        // The same as setting Φ − Δ by hand.
        for (const auto& [name, d] : delta)
            model->setTensor(name, model->tensor(name) - d);
        const auto manual = eval.batchLosses(nullptr, control);
        for (std::size_t b = 0; b < manual.size(); ++b)
            QVERIFY(std::abs(manual[b] - withUpdate[b]) < 1e-6);

        // A bad update is refused and leaves the model untouched.
        TensorMap wrong = delta;
        wrong.begin()->second = torch::zeros({2, 2});
        const auto beforeWrong = model->exportState();
        try {
            eval.batchLosses(&wrong, control);
            QFAIL("a wrong shape was applied");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("shape"));
        }
        const auto afterWrong = model->exportState();
        for (std::size_t i = 0; i < beforeWrong.size(); ++i)
            QVERIFY(torch::equal(beforeWrong[i].second, afterWrong[i].second));
    }
};

QTEST_APPLESS_MAIN(TestIdentify)
#include "test_identify.moc"
