// `teft keys ...` and `teft submission show` through the real binary.
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/util/AtomicFile.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <torch/torch.h>

using teft::test::runProcess;
namespace fs = std::filesystem;

class TestCliKeys : public QObject {
    Q_OBJECT
    fs::path m_dir;

    teft::test::ProcessResult teft(std::vector<std::string> args)
    {
        args.push_back("--data-dir");
        args.push_back((m_dir / "data").string());
        return runProcess(TEFT_CLI_PATH, args);
    }

private Q_SLOTS:
    void initTestCase() { m_dir = teft::test::freshDir("keys"); }

    void keysLifecycle()
    {
        auto r = teft({"keys", "show", "--miner-id", "alice", "--export", (m_dir / "alice.pub").string(), "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto shown = nlohmann::json::parse(r.out);
        QVERIFY(shown["created"].get<bool>());
        QCOMPARE(shown["miner_id"].get<std::string>(), std::string("alice"));
        struct stat st {};
        QCOMPARE(::stat((m_dir / "data" / "keys" / "miner.key").c_str(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        // The same key next time.
        r = teft({"keys", "show", "--json"});
        QCOMPARE(nlohmann::json::parse(r.out)["public_key"], shown["public_key"]);
        QVERIFY(!nlohmann::json::parse(r.out)["created"].get<bool>());

        r = teft({"keys", "trust", (m_dir / "alice.pub").string()});
        QCOMPARE(r.exitCode, 0);
        r = teft({"keys", "trust", "--key", std::string(64, 'a'), "--id", "bob"});
        QCOMPARE(r.exitCode, 0);
        r = teft({"keys", "trust", "--key", "xyz"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.find("xyz") != std::string::npos);
        r = teft({"keys", "list", "--json"});
        const auto list = nlohmann::json::parse(r.out);
        QCOMPARE(list["miners"].size(), std::size_t(2));
        QCOMPARE(list["miners"][0]["public_key"], shown["public_key"]);
        r = teft({"keys", "remove", "bob"});
        QCOMPARE(r.exitCode, 0);
        r = teft({"keys", "remove", "bob"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.find("bob") != std::string::npos);
    }

    void submissionShow()
    {
        const teft::MinerKey key = teft::MinerKey::load(m_dir / "data" / "keys");
        teft::SubmissionManifest m;
        m.baseFingerprint = "base";
        m.selectionHash = "sel";
        m.round = 2;
        teft::TensorMap delta{{"model.layers.1.mlp.experts.0.up_proj.weight", torch::ones({2, 3})}};
        teft::writeSubmission(m_dir / "sub", m, delta, &key);
        auto r = teft({"submission", "show", (m_dir / "sub").string(), "--json"});
        QCOMPARE(r.exitCode, 0);
        auto doc = nlohmann::json::parse(r.out);
        QVERIFY(doc["signature_ok"].get<bool>());
        QCOMPARE(doc["signer"].get<std::string>(), std::string("known miner 'alice'"));
        QCOMPARE(doc["manifest"]["round"].get<int>(), 2);
        QCOMPARE(doc["tensors"].size(), std::size_t(1));

        auto j = nlohmann::json::parse(teft::readFile(m_dir / "sub" / "manifest.json"));
        j["round"] = 3;
        teft::writeFileAtomically(m_dir / "sub" / "manifest.json", j.dump(1));
        r = teft({"submission", "show", (m_dir / "sub").string()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.find("package hash: MISMATCH") != std::string::npos);
        r = teft({"submission", "show", (m_dir / "nothing").string()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.find("nothing") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestCliKeys)
#include "test_cli_keys.moc"
