// `teft safetensors inspect` on a good file, a sharded folder and a malformed file.
#include "core/io/CheckpointFiles.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/AtomicFile.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;

class TestCliSafetensors : public QObject {
    Q_OBJECT

private slots:
    void inspectListsTensors()
    {
        const fs::path dir = test::freshDir("good");
        writeSafetensors(dir / "w.safetensors",
                         {{"model.embed_tokens.weight", torch::zeros({10, 4}, torch::kBFloat16)},
                          {"scale", torch::ones({}, torch::kFloat)}},
                         {{"origin", "test"}});
        const auto r = test::runProcess(TEFT_CLI_PATH,
                                        {"safetensors", "inspect", (dir / "w.safetensors").string(), "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto doc = nlohmann::json::parse(r.out);
        QCOMPARE(doc["tensor_count"].get<int>(), 2);
        QCOMPARE(doc["data_bytes"].get<int>(), 10 * 4 * 2 + 4);
        const auto& f = doc["files"][0];
        QCOMPARE(f["metadata"]["origin"].get<std::string>(), std::string("test"));
        QCOMPARE(f["metadata"]["format"].get<std::string>(), std::string("pt"));
        bool seen = false;
        for (const auto& t : f["tensors"])
            if (t["name"] == "model.embed_tokens.weight") {
                seen = true;
                QCOMPARE(t["dtype"].get<std::string>(), std::string("BF16"));
                QCOMPARE(t["shape"].get<std::vector<int>>(), (std::vector<int>{10, 4}));
                QCOMPARE(t["bytes"].get<int>(), 80);
            }
        QVERIFY(seen);

        const auto text = test::runProcess(TEFT_CLI_PATH, {"safetensors", "inspect", (dir / "w.safetensors").string()});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.find("model.embed_tokens.weight") != std::string::npos);
        QVERIFY(text.out.find("[10, 4]") != std::string::npos);
    }

    void inspectShardedFolder()
    {
        const fs::path dir = test::freshDir("sharded");
        writeCheckpoint(dir, {{"a", torch::zeros({16})}, {"b", torch::zeros({16})}, {"c", torch::zeros({4})}}, 64);
        const auto r = test::runProcess(TEFT_CLI_PATH, {"safetensors", "inspect", dir.string(), "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto doc = nlohmann::json::parse(r.out);
        QCOMPARE(doc["files"].size(), 3u);
        QCOMPARE(doc["tensor_count"].get<int>(), 3);
    }

    void malformedFileExitsWithTheProblem()
    {
        const fs::path dir = test::freshDir("bad");
        const std::string header = R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})";
        std::string bytes(8, '\0');
        bytes[0] = static_cast<char>(header.size());
        writeFileAtomically(dir / "bad.safetensors", bytes + header + std::string(8, '\0'));
        const auto r = test::runProcess(TEFT_CLI_PATH, {"safetensors", "inspect", (dir / "bad.safetensors").string()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("tensor \"a\" has 8 bytes but its shape [3] of F32 needs 12") != std::string::npos,
                 r.err.c_str());
        QVERIFY2(r.err.find("bad.safetensors") != std::string::npos, r.err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestCliSafetensors)
#include "test_cli_safetensors.moc"
