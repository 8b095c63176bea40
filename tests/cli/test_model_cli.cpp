// `teft model create | info | forward` through the real binary.
#include "core/io/SafetensorsFile.h"
#include "core/model/ModelConfig.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

using namespace teft;
namespace fs = std::filesystem;

class TestModelCli : public QObject {
    Q_OBJECT

private slots:
    void createInfoForward()
    {
        const auto dir = test::freshDir("cli");
        const auto model = dir / "olmoe";
        auto r = test::runProcess(TEFT_CLI_PATH, {"model", "create", "--arch", "olmoe", "--shards", "2", "--seed", "5",
                                                  "--out", model.string(), "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        for (const char* f : {"config.json", "model.safetensors.index.json", "tokenizer.json", "tokenizer_config.json",
                              "generation_config.json"})
            QVERIFY2(fs::exists(model / f), f);
        const auto tok = nlohmann::json::parse(std::ifstream(model / "tokenizer.json"));
        QCOMPARE(tok["model"]["vocab"].size(), std::size_t(256));
        QCOMPARE(tok["model"]["vocab"]["!"].get<int>(), 0);
        QCOMPARE(tok["model"]["vocab"]["\xc4\xa0"].get<int>(), 220); // 'Ġ' (space) as in Qwen2
        QCOMPARE(tok["added_tokens"][1]["content"].get<std::string>(), std::string("<|im_start|>"));

        r = test::runProcess(TEFT_CLI_PATH, {"model", "info", model.string(), "--json"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto info = nlohmann::json::parse(r.out);
        const auto cfg = ModelConfig::load(model);
        QCOMPARE(info["model_type"].get<std::string>(), std::string("olmoe"));
        QCOMPARE(info["experts"].get<std::int64_t>(), cfg.numExperts);
        QCOMPARE(info["top_k"].get<std::int64_t>(), cfg.topK);
        QCOMPARE(info["params_total"].get<std::int64_t>(), cfg.paramsTotal());
        QCOMPARE(info["bytes_per_expert"].get<std::int64_t>(), cfg.bytesPerExpert());
        QCOMPARE(info["moe_layers"].size(), cfg.moeLayers().size());
        QVERIFY(info["sharded"].get<bool>());
        QVERIFY(info["size_on_disk"].get<std::int64_t>() > cfg.paramsTotal() * 2);

        const auto ids = dir / "ids.json";
        std::ofstream(ids) << "[[1, 2, 3, 4, 5], [9, 8]]";
        const auto out = dir / "out.safetensors";
        r = test::runProcess(TEFT_CLI_PATH, {"model", "forward", model.string(), "--input-ids", ids.string(), "--out",
                                             out.string(), "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto f = SafetensorsFile::open(out);
        const auto logits = f->tensor("logits");
        QCOMPARE(logits.sizes(), (at::IntArrayRef{2, 5, cfg.vocabSize}));
        QVERIFY(torch::isfinite(logits).all().item<bool>());
        for (int l : cfg.moeLayers()) {
            const auto lid = f->tensor("routing." + std::to_string(l) + ".ids");
            const auto w = f->tensor("routing." + std::to_string(l) + ".weights");
            QCOMPARE(lid.sizes(), (at::IntArrayRef{2, 5, cfg.topK}));
            QCOMPARE(w.sizes(), lid.sizes());
            QVERIFY(lid[1].narrow(0, 2, 3).eq(-1).all().item<bool>()); // padding
            QVERIFY(lid[0].ge(0).all().item<bool>() && lid[0].lt(cfg.numExperts).all().item<bool>());
        }

        // --out inside the model folder it reads (here over its own shard index) is refused
        // before anything is written.
        const auto shard = model / "model.safetensors.index.json";
        QVERIFY(fs::exists(shard));
        const auto before = fs::file_size(shard);
        r = test::runProcess(TEFT_CLI_PATH, {"model", "forward", model.string(), "--input-ids", ids.string(), "--out",
                                             shard.string(), "--quiet"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("inside the model folder") != std::string::npos, r.err.c_str());
        QCOMPARE(fs::file_size(shard), before);
    }

    void refusals()
    {
        auto r = test::runProcess(TEFT_CLI_PATH, {"model", "create", "--arch", "gpt2", "--out", "/tmp/never"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("gpt2") != std::string::npos);
        r = test::runProcess(TEFT_CLI_PATH,
                             {"model", "create", "--arch", "olmoe", "--preset", "huge", "--out", "/tmp/never"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("huge") != std::string::npos);
        r = test::runProcess(TEFT_CLI_PATH, {"model", "info", (test::freshDir("empty")).string()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.find("config.json") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestModelCli)
#include "test_model_cli.moc"
