// Routing identification on a real tiny checkpoint: the statistics equal a direct count of the
// captured routing, every token is counted once and makes exactly k choices.
#include "core/data/TokenDataset.h"
#include "core/model/CheckpointGenerator.h"
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
};

QTEST_APPLESS_MAIN(TestRoutingIdentification)
#include "test_routing_identification.moc"
