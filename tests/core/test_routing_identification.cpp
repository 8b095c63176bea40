// Routing identification on a real tiny checkpoint: the statistics equal a direct count of the
// captured routing, every token is counted once and makes exactly k choices. Layer by layer
// (the default) gives the statistics batch by batch gives, for every family, and leaves only
// about one layer of the memory-mapped checkpoint resident in the process.
#include "core/data/TokenDataset.h"
#include "core/io/CheckpointFiles.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/ModelFamily.h"
#include "core/model/MoeModel.h"
#include "core/train/RoutingIdentification.h"
#include "core/util/AtomicFile.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

class TestRoutingIdentification : public QObject {
    Q_OBJECT
private:
    static TokenDataset byteDataset(const fs::path& dir, int documents, std::int64_t seqLen)
    {
        std::string jsonl;
        for (int d = 0; d < documents; ++d)
            jsonl += "{\"text\": \"document " + std::to_string(d) +
                     " about the routing of tokens to experts, layer after layer\"}\n";
        writeFileAtomically(dir / "data.jsonl", jsonl);
        DatasetSpec spec;
        spec.paths = {dir / "data.jsonl"};
        TextEncoder enc;
        enc.encodeBatch = [](const std::vector<std::string>& texts, int) {
            std::vector<std::vector<std::int32_t>> out;
            for (const auto& t : texts)
                out.emplace_back(t.begin(), t.end()); // bytes as ids
            return out;
        };
        enc.fingerprint = "bytes";
        enc.eosId = 256;
        enc.vocabSize = 257;
        PackingOptions po;
        po.seqLen = seqLen;
        po.heldOutFraction = 0.0;
        po.useCache = false;
        JobControl control;
        return TokenDataset::build(spec, enc, po, control);
    }

    static void compareStats(const RoutingStats& a, const RoutingStats& b)
    {
        QCOMPARE(a.rows(), b.rows());
        QCOMPARE(a.numExperts(), b.numExperts());
        QVERIFY(a.tokens() > 0);
        for (int r = 0; r < a.rows(); ++r) {
            QCOMPARE(a.tokens(r), b.tokens(r));
            for (int e = 0; e < a.numExperts(); ++e) {
                QCOMPARE(a.count(r, e), b.count(r, e));       // exact: same routing
                QCOMPARE(a.gateMass(r, e), b.gateMass(r, e)); // exact: same sums in the same order
            }
        }
    }

    // Bytes of the mapped checkpoint's largest layer (the tensors named model.layers.<l>.*).
    static std::uint64_t largestLayerBytes(const fs::path& modelDir, int layers)
    {
        const auto files = CheckpointFiles::open(modelDir);
        std::vector<std::uint64_t> bytes(static_cast<std::size_t>(layers), 0);
        for (const auto& name : files.names())
            for (int l = 0; l < layers; ++l)
                if (name.rfind("model.layers." + std::to_string(l) + ".", 0) == 0)
                    bytes[static_cast<std::size_t>(l)] += files.info(name).byteSize();
        return *std::max_element(bytes.begin(), bytes.end());
    }

private slots:
    void initTestCase() { configureThreads(0); }

    void statsMatchCapturedRouting()
    {
        const fs::path dir = test::freshDir("ident");
        GenerateOptions g;
        g.seed = 2;
        const ModelConfig cfg = generateCheckpoint(dir / "model", g);
        std::string jsonl;
        for (int d = 0; d < 40; ++d)
            jsonl += "{\"text\": \"document " + std::to_string(d) + " about the routing of tokens to experts\"}\n";
        writeFileAtomically(dir / "data.jsonl", jsonl);
        DatasetSpec spec;
        spec.paths = {dir / "data.jsonl"};
        TextEncoder enc;
        enc.encodeBatch = [](const std::vector<std::string>& texts, int) {
            std::vector<std::vector<std::int32_t>> out;
            for (const auto& t : texts)
                out.emplace_back(t.begin(), t.end()); // bytes as ids
            return out;
        };
        enc.fingerprint = "bytes";
        enc.eosId = 256;
        enc.vocabSize = 257;
        PackingOptions po;
        po.seqLen = 16;
        po.heldOutFraction = 0.0;
        po.useCache = false;
        JobControl control;
        const TokenDataset ds = TokenDataset::build(spec, enc, po, control);
        QVERIFY(ds.numTrain() >= 6);

        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        auto model = MoeModel::load(dir / "model", opt);
        IdentifySettings is;
        is.batches = 2;
        is.batchSize = 3;
        const RoutingStats s = collectRoutingStats(*model, ds, is, control);

        ModelBatch b;
        b.inputIds = ds.trainBatch({0, 1, 2, 3, 4, 5});
        for (const auto& lr : model->captureRouting(b)) {
            const int r = s.rowOfLayer(lr.layer);
            QVERIFY(r >= 0);
            QCOMPARE(s.tokens(r), std::int64_t(6 * 16)); // each token once
            const auto ids = lr.ids.reshape({-1}).contiguous();
            std::vector<double> c(static_cast<std::size_t>(cfg.numExperts), 0.0);
            for (std::int64_t i = 0; i < ids.numel(); ++i)
                c[static_cast<std::size_t>(ids[i].item<std::int64_t>())] += 1;
            double shares = 0;
            for (int e = 0; e < s.numExperts(); ++e) {
                QCOMPARE(s.count(r, e), c[static_cast<std::size_t>(e)]);
                shares += s.tokenShare(r, e);
            }
            QVERIFY(std::abs(shares - 1.0) < 1e-9); // the token shares of a layer sum to 1
        }
    }
    // Every family, bf16 checkpoint and compute (the weights are views of the mapping): layer by
    // layer, in one block and in blocks of one batch, counts what batch by batch counts.
    void layerByLayerMatchesBatchByBatch()
    {
        for (const auto& family : familySpecs()) {
            const fs::path dir = test::freshDir("ident-layers-" + family.modelType);
            GenerateOptions g;
            g.arch = family.modelType;
            g.seed = 5;
            generateCheckpoint(dir / "model", g);
            const TokenDataset ds = byteDataset(dir, 30, 24);
            QVERIFY2(ds.numTrain() >= 9, family.modelType.c_str());

            MoeModelOptions opt;
            opt.computeDtype = torch::kBFloat16;
            auto model = MoeModel::load(dir / "model", opt);
            QVERIFY(model->memory().mappedBytes > 0); // views of the checkpoint: pages are released
            JobControl control;
            IdentifySettings is;
            is.batches = 3;
            is.batchSize = 3;
            is.layerByLayer = false;
            const RoutingStats batchByBatch = collectRoutingStats(*model, ds, is, control);
            is.layerByLayer = true;
            std::vector<JobControl::Progress> progress;
            JobControl watched([&](const JobControl::Progress& p) { progress.push_back(p); });
            const RoutingStats oneBlock = collectRoutingStats(*model, ds, is, watched);
            is.blockBytes = 1; // one batch a block
            const RoutingStats smallBlocks = collectRoutingStats(*model, ds, is, control);
            qInfo("%s: %lld tokens", family.modelType.c_str(), static_cast<long long>(batchByBatch.tokens()));
            compareStats(oneBlock, batchByBatch);
            compareStats(smallBlocks, batchByBatch);
            QVERIFY(!progress.empty());
            QCOMPARE(progress.back().stage, std::string("routing"));
            QCOMPARE(progress.back().done, progress.back().total);
            for (std::size_t i = 1; i < progress.size(); ++i)
                QVERIFY(progress[i].done >= progress[i - 1].done);
        }
    }

    // runLayer() over a padded batch returns what captureRouting() returns, layer for layer, and
    // refuses layers out of order.
    void runLayerMatchesCaptureRouting()
    {
        const fs::path dir = test::freshDir("ident-run-layer");
        GenerateOptions g;
        g.arch = "deepseek_v3"; // dense first layer, shared experts, sigmoid routing
        g.seed = 3;
        const ModelConfig cfg = generateCheckpoint(dir / "model", g);
        MoeModelOptions opt;
        auto model = MoeModel::load(dir / "model", opt);
        ModelBatch b;
        b.inputIds = torch::randint(0, cfg.vocabSize, {2, 10}, torch::kLong);
        b.attentionMask = torch::ones({2, 10}, torch::kLong);
        b.attentionMask.index_put_({1, torch::indexing::Slice(7, torch::indexing::None)}, 0);
        const auto expected = model->captureRouting(b);
        auto state = model->beginLayers(b);
        QVERIFY_THROWS_EXCEPTION(teft::Error, model->runLayer(1, state));
        std::size_t next = 0;
        for (int l = 0; l <= cfg.lastMoeLayer(); ++l) {
            const auto lr = model->runLayer(l, state);
            QCOMPARE(lr.has_value(), cfg.isMoeLayer(l));
            if (!lr)
                continue;
            QVERIFY(next < expected.size());
            QCOMPARE(lr->layer, expected[next].layer);
            QVERIFY(torch::equal(lr->ids, expected[next].ids));
            QVERIFY(torch::equal(lr->weights, expected[next].weights));
            ++next;
        }
        QCOMPARE(next, expected.size());
        QVERIFY(lr0Padding(expected.front()));
    }

    // After a layer-by-layer identification the process holds about one layer of the mapped
    // checkpoint; batch by batch without releasing it holds the whole model (so the measure can
    // tell the two apart).
    void layerByLayerReleasesMappedPages()
    {
        const fs::path dir = test::freshDir("ident-resident");
        GenerateOptions g;
        g.preset = "small"; // 6 layers of 32 experts: about 13 MB a layer
        g.seed = 4;
        const ModelConfig cfg = generateCheckpoint(dir / "model", g);
        const TokenDataset ds = byteDataset(dir, 20, 32);
        const std::uint64_t layer = largestLayerBytes(dir / "model", static_cast<int>(cfg.numLayers));
        const std::uint64_t model = CheckpointFiles::open(dir / "model").totalBytes();
        const std::uint64_t slack = 64 * 4096; // whole pages at tensor edges, the embedding rows
        JobControl control;
        IdentifySettings is;
        is.batches = 2;
        is.batchSize = 2;

        MoeModelOptions opt;
        opt.releaseMappedPages = true;
        auto m = MoeModel::load(dir / "model", opt);
        QVERIFY(m->memory().mappedBytes > static_cast<std::int64_t>(model / 2));
        qInfo("after load: %llu of %llu bytes resident (a layer: %llu)",
              static_cast<unsigned long long>(m->mappedResidentBytes()), static_cast<unsigned long long>(model),
              static_cast<unsigned long long>(layer));
        // The finite check read every layer, each released; what stays is the headers' pages.
        const std::uint64_t base = m->mappedResidentBytes();
        QVERIFY(base <= slack);
        std::uint64_t peak = 0;
        JobControl watched([&](const JobControl::Progress&) { peak = std::max(peak, m->mappedResidentBytes()); });
        const RoutingStats layered = collectRoutingStats(*m, ds, is, watched);
        qInfo("layer by layer: at most %llu bytes resident, %llu after", static_cast<unsigned long long>(peak),
              static_cast<unsigned long long>(m->mappedResidentBytes()));
        QVERIFY(peak > 0);
        QVERIFY(peak <= base + layer + slack);
        QVERIFY(m->mappedResidentBytes() <= base + slack);

        MoeModelOptions keep;
        auto k = MoeModel::load(dir / "model", keep);
        is.layerByLayer = false;
        const RoutingStats batched = collectRoutingStats(*k, ds, is, control);
        qInfo("batch by batch without release: %llu bytes resident",
              static_cast<unsigned long long>(k->mappedResidentBytes()));
        QVERIFY(k->mappedResidentBytes() > 3 * layer); // every layer read and kept
        compareStats(layered, batched);
    }

    // A cancel during a layer-by-layer pass stops it with Cancelled; bad settings are refused.
    void layerByLayerCancelsAndRefusesBadSettings()
    {
        const fs::path dir = test::freshDir("ident-cancel");
        GenerateOptions g;
        generateCheckpoint(dir / "model", g);
        const TokenDataset ds = byteDataset(dir, 20, 16);
        auto model = MoeModel::load(dir / "model", MoeModelOptions{});
        IdentifySettings is;
        is.batches = 4;
        is.batchSize = 2;
        int reports = 0;
        JobControl control;
        control.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.done > 0 && ++reports == 3)
                control.requestCancel();
        });
        QVERIFY_THROWS_EXCEPTION(teft::Cancelled, collectRoutingStats(*model, ds, is, control));
        QCOMPARE(reports, 3);
        JobControl plain;
        is.batchSize = 0;
        QVERIFY_THROWS_EXCEPTION(teft::UsageError, collectRoutingStats(*model, ds, is, plain));
        is.batchSize = 2;
        QVERIFY_THROWS_EXCEPTION(teft::Error, model->releaseMappedPages(static_cast<int>(model->config().numLayers)));
    }

private:
    static bool lr0Padding(const LayerRouting& lr)
    {
        // The padded positions of row 1 carry id -1 and weight 0.
        return lr.ids[1][8][0].item<std::int64_t>() == -1 && lr.weights[1][8][0].item<float>() == 0.0F;
    }
};

QTEST_APPLESS_MAIN(TestRoutingIdentification)
#include "test_routing_identification.moc"
