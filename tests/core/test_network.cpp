// The round protocol (core/net/Network.h) on a file:// store: signed objects refuse tampering;
// a network is defined once; a round opens with a seed commitment; miners commit in slots the
// store orders and upload; a second commitment, a near copy under another key and a commitment
// after the seal are refused with their reasons; the result reveals the seed and moves Φ by the
// honest update only; anyone recomputes it (`teft round verify`); a tampered upload fails the
// check; the next round chains to the result and miners pull its Φ by hash.
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/net/Network.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/text/Tokenizer.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <fstream>

using namespace teft;
using namespace teft::net;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    fs::path root;
    fs::path modelDir;
    fs::path corpus;
    TokenDataset data;
    ExpertSelection selection;
    nlohmann::json heldOutRecord;
};

Fixture& fixture()
{
    static Fixture f = [] {
        Fixture f;
        f.root = teft::test::freshDir("network-fixture");
        setDataDir(f.root / "data");
        f.modelDir = f.root / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 5;
        generateCheckpoint(f.modelDir, go);
        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.03;
        co.domains = {"code"};
        const auto files = writeDemoCorpus(f.root / "corpus", co, control);
        f.corpus = files.front().path;
        DatasetSpec spec;
        spec.paths = {f.corpus};
        PackingOptions po;
        po.seqLen = 24;
        po.heldOutFraction = 0.1;
        po.useCache = false;
        f.data = TokenDataset::build(spec, Tokenizer::fromFile(f.modelDir), po, control);
        f.heldOutRecord = datasetRecordJson(spec, po);
        f.selection.setLayer(0, {1, 4});
        f.selection.setLayer(2, {6});
        return f;
    }();
    return f;
}

NetworkRules rules()
{
    NetworkRules r;
    r.roundSeconds = 3600;
    r.evalBatches = 3;
    r.evalBatchSize = 2;
    r.confidence = 0.6;
    r.aggregation.policy = AggregationSettings::Policy::TopK;
    r.aggregation.topK = 1;
    return r;
}

// Trains a miner's submission for `round` from Φ (empty: the base), signed with `key`.
fs::path train(const fs::path& dir, const MinerKey& key, std::int64_t round, const fs::path& phi, double lr,
               std::uint64_t seed)
{
    key.save(dir / "keys");
    MinerSettings m;
    m.modelDir = fixture().modelDir;
    m.phiFile = phi;
    m.selection = fixture().selection;
    m.computeDtype = torch::kFloat;
    m.train.innerSteps = 4;
    m.train.batchSize = 2;
    m.train.lr = lr;
    m.train.warmupSteps = 1;
    m.train.seed = seed;
    m.round = round;
    m.keyDir = dir / "keys";
    m.outDir = dir / "run";
    JobControl control;
    runMiner(m, fixture().data, control);
    return dir / "run" / "submission";
}

std::string fileUrl(const fs::path& p) { return "file://" + p.string(); }

std::string slotKeyOf(std::int64_t round, std::int64_t slot)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(slot));
    return "rounds/" + std::to_string(round) + "/commits/" + buf + ".json";
}

} // namespace

class TestNetwork : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { fixture(); }

    void signedObjectsRefuseTampering()
    {
        const auto key = MinerKey::generate("v");
        const auto obj = SignedObject::sign("commitment", nlohmann::json{{"round", 3}, {"x", "é"}}, key);
        const auto back = SignedObject::parse(obj.bytes, "commitment", "test");
        QCOMPARE(back.payload["round"].get<int>(), 3);
        QCOMPARE(back.signer, key.publicKeyHex());
        QCOMPARE(back.sha256, sha256Hex(obj.bytes));

        auto env = nlohmann::json::parse(obj.bytes);
        env["payload"]["round"] = 4;
        QVERIFY_THROWS_EXCEPTION(ProtocolError, SignedObject::parse(env.dump(), "commitment", "test"));
        auto other = nlohmann::json::parse(obj.bytes);
        other["signer"] = MinerKey::generate("w").publicKeyHex();
        QVERIFY_THROWS_EXCEPTION(ProtocolError, SignedObject::parse(other.dump(), "commitment", "test"));
        QVERIFY_THROWS_EXCEPTION(ProtocolError, SignedObject::parse(obj.bytes, "result", "test"));
        QVERIFY_THROWS_EXCEPTION(FormatError, SignedObject::parse("{not json", "commitment", "test"));
        QVERIFY_THROWS_EXCEPTION(FormatError, SignedObject::parse("{\"format\":\"x\"}", "commitment", "test"));
        // Canonical JSON: keys sorted, compact, so any implementation can recompute the digest.
        QCOMPARE(canonicalJson(nlohmann::json{{"b", 1}, {"a", "x"}}), std::string("{\"a\":\"x\",\"b\":1}"));
    }

    void twoRoundsOnAFolderStore()
    {
        const auto& f = fixture();
        const fs::path root = teft::test::freshDir("network-rounds");
        fs::create_directories(root / "store");
        auto store = openObjectStore(fileUrl(root / "store"));
        const auto validator = MinerKey::generate("validator");
        const auto a = MinerKey::generate("honest");
        const auto c = MinerKey::generate("copier");
        const auto late = MinerKey::generate("late");
        JobControl control;

        QVERIFY_THROWS_EXCEPTION(ProtocolError, Network{*store});
        NetworkInit init;
        init.name = "test network";
        init.modelDir = f.modelDir;
        init.selection = f.selection;
        init.rules = rules();
        init.publicHeldOut = f.heldOutRecord;
        const auto def = initNetwork(*store, init, validator);
        QCOMPARE(def.validatorKey, validator.publicKeyHex());
        QVERIFY_THROWS_EXCEPTION(ProtocolError, initNetwork(*store, init, validator)); // once only
        Network net(*store);
        QCOMPARE(net.definition().name, std::string("test network"));
        QVERIFY(!net.latestRound());

        // Only the validator opens; round 0 builds on the base model.
        OpenRoundSettings os;
        os.modelDir = f.modelDir;
        os.stateDir = root / "validator";
        QVERIFY_THROWS_EXCEPTION(ProtocolError, openRound(net, os, a));
        const auto opening = openRound(net, os, validator);
        QCOMPARE(opening.round, std::int64_t(0));
        QVERIFY(opening.phi.empty());
        QCOMPARE(opening.phiFingerprint, def.baseFingerprint);
        QCOMPARE(*net.latestRound(), std::int64_t(0));
        QVERIFY_THROWS_EXCEPTION(ProtocolError, openRound(net, os, validator)); // already open

        // Miner A: pulls (nothing to fetch in round 0), trains, commits and uploads.
        const auto pulled = pullRound(net, root / "a");
        QVERIFY(pulled.phiFile.empty());
        QVERIFY(pulled.secondsToDeadline > 3000);
        const fs::path subA = train(root / "a", a, 0, {}, 5e-3, 3);
        const auto ra = submitToRound(net, subA, a);
        QCOMPARE(ra.slot, std::int64_t(0));
        QVERIFY(ra.bytes > 0);
        // Submitting the same again resumes (same slot); another update by the same key is refused.
        QCOMPARE(submitToRound(net, subA, a).slot, std::int64_t(0));
        const fs::path otherA = train(root / "a2", a, 0, {}, 1e-3, 7);
        QVERIFY_THROWS_EXCEPTION(ProtocolError, submitToRound(net, otherA, a));
        // A submission signed by another key than the committing one is refused.
        QVERIFY_THROWS_EXCEPTION(ProtocolError, submitToRound(net, subA, c));

        // Miner C re-uploads A's update with 1 % noise under its own key, after A's commitment.
        {
            const auto sa = Submission::open(subA);
            TensorMap noisy;
            torch::manual_seed(11);
            for (const auto& n : sa->tensorNames()) {
                const auto d = sa->delta(n).clone();
                noisy[n] = d + 0.01 * d.norm() / std::sqrt(static_cast<double>(d.numel())) * torch::randn_like(d);
            }
            auto m = sa->manifest();
            m.minerId.clear();
            m.publicKey.clear();
            m.deltaSha256.clear();
            m.createdAt.clear();
            writeSubmission(root / "c" / "submission", m, noisy, &c);
        }
        QCOMPARE(submitToRound(net, root / "c" / "submission", c).slot, std::int64_t(1));
        auto view = net.round(0);
        QCOMPARE(view.entries.size(), std::size_t(2));
        QCOMPARE(view.entries[0].state, EntryState::Uploaded);
        QCOMPARE(view.entries[1].state, EntryState::Uploaded);

        // A squatter's junk in a slot is listed as invalid and does not stop anyone.
        store->putBytes("rounds/0/commits/000002.json", "{junk", {});
        view = net.round(0);
        QCOMPARE(view.entries.size(), std::size_t(3));
        QCOMPARE(view.entries[2].state, EntryState::Invalid);

        // Closing before the deadline needs force; the result reveals the seed.
        CloseRoundSettings cs;
        cs.modelDir = f.modelDir;
        cs.stateDir = os.stateDir;
        cs.device = "cpu";
        QVERIFY_THROWS_EXCEPTION(ProtocolError, closeRound(net, cs, validator, control));
        cs.force = true;
        const auto closed = closeRound(net, cs, validator, control);
        QVERIFY(closed.view.resultObject.has_value());
        QVERIFY(closed.view.seal.has_value());
        QCOMPARE(closed.view.seal->slot, std::int64_t(3));
        const auto& res = closed.view.result;
        QCOMPARE(sha256Hex("teft-seed-v1:" + res["seed"].get<std::string>()), opening.seedCommitment);
        std::map<std::int64_t, RoundEntry> bySlot;
        for (const auto& e : closed.view.entries)
            bySlot[e.slot] = e;
        QVERIFY2(bySlot[0].state == EntryState::Accepted, bySlot[0].row.dump().c_str());
        QCOMPARE(bySlot[0].row["weight"].get<double>(), 1.0);
        QCOMPARE(bySlot[1].state, EntryState::Refused);
        QCOMPARE(bySlot[1].code, std::string("duplicate"));
        QVERIFY2(bySlot[1].message.find("cosine") != std::string::npos, bySlot[1].message.c_str());
        QCOMPARE(bySlot[2].state, EntryState::Invalid);

        // Φ moved by A's update only: Φ(1) = the outer step of A's Δ from Φ(0).
        QVERIFY(res["updated"].get<bool>());
        QVERIFY(!res["phi"].get<std::string>().empty());

        // A commitment after the seal is refused as late (written with force, as a clock-skewed
        // miner would); without force submit refuses it itself.
        const fs::path subLate = train(root / "late", late, 0, {}, 5e-3, 5);
        QVERIFY_THROWS_EXCEPTION(ProtocolError, submitToRound(net, subLate, late));
        SubmitOptions force;
        force.force = true;
        const auto rl = submitToRound(net, subLate, late, force);
        view = net.round(0);
        bool sawLate = false;
        for (const auto& e : view.entries)
            if (e.slot == rl.slot) {
                QCOMPARE(e.state, EntryState::Refused);
                QCOMPARE(e.code, std::string("late"));
                sawLate = true;
            }
        QVERIFY(sawLate);
        QVERIFY_THROWS_EXCEPTION(ProtocolError, closeRound(net, cs, validator, control)); // closed once

        // An independent implementation (Python, `cryptography`) checks the envelopes, the
        // canonical JSON and the seed reveal.
        {
            const fs::path st = root / "store";
            std::vector<std::string> args{(teft::test::sourceDir() / "tests/reference/verify_signed.py").string(),
                                          (st / "network.json").string(),
                                          (st / slotKeyOf(0, 0)).string(),
                                          (st / slotKeyOf(0, closed.view.seal->slot)).string(),
                                          "--opening",
                                          (st / ("rounds/0/open/" + closed.view.openingObject.sha256 + ".json")).string(),
                                          "--result",
                                          (st / ("rounds/0/result/" + closed.resultSha256 + ".json")).string()};
            const auto py = teft::test::runProcess(teft::test::python(), args, 120000);
            QVERIFY2(py.exitCode == 0, (py.out + py.err).c_str());
            QVERIFY(py.out.find(closed.resultSha256 + " result ok") != std::string::npos);
            QVERIFY(py.out.find("seed ok") != std::string::npos);
            // And it refuses a payload changed after signing.
            auto env = nlohmann::json::parse(readFile(st / "network.json"));
            env["payload"]["name"] = "another network";
            writeFileAtomically(root / "forged.json", env.dump());
            const auto bad = teft::test::runProcess(teft::test::python(), {args[0], (root / "forged.json").string()});
            QVERIFY(bad.exitCode != 0);
        }

        // Anyone recomputes the result from the public objects and the model.
        VerifyRoundSettings vs;
        vs.modelDir = f.modelDir;
        vs.workDir = root / "verify";
        vs.device = "cpu";
        auto report = verifyRound(net, 0, vs, control);
        QVERIFY2(report.ok, report.toJson().dump(2).c_str());
        QVERIFY(report.recomputed);

        // Before round 1 opens, a miner already pulls the Φ round 0's result published.
        const auto early = pullRound(net, root / "early");
        QVERIFY(!early.open);
        QCOMPARE(early.round, std::int64_t(1));
        QCOMPARE(sha256File(early.phiFile), res["phi"].get<std::string>());

        // Round 1 chains to round 0's result; miners pull Φ(1) by hash.
        const auto opening1 = openRound(net, os, validator);
        QCOMPARE(opening1.round, std::int64_t(1));
        QCOMPARE(opening1.previousResult, closed.resultSha256);
        QCOMPARE(opening1.phi, res["phi"].get<std::string>());
        QVERIFY(opening1.phiFingerprint != def.baseFingerprint);
        const auto pulled1 = pullRound(net, root / "a");
        QCOMPARE(sha256File(pulled1.phiFile), opening1.phi);
        QVERIFY_THROWS_EXCEPTION(ProtocolError, submitToRound(net, subA, a)); // trained for round 0
        const fs::path subA1 = train(root / "a1", a, 1, pulled1.phiFile, 5e-3, 4);
        QCOMPARE(submitToRound(net, subA1, a).slot, std::int64_t(0));
        const auto closed1 = closeRound(net, cs, validator, control);
        QCOMPARE(closed1.view.entries.size(), std::size_t(1));
        QVERIFY(closed1.view.entries[0].state == EntryState::Accepted ||
                closed1.view.entries[0].state == EntryState::Scored);
        report = verifyRound(net, 1, vs, control);
        QVERIFY2(report.ok, report.toJson().dump(2).c_str());

        // A round nobody commits to closes with Φ unchanged.
        const auto opening2 = openRound(net, os, validator);
        QCOMPARE(opening2.phi, closed1.view.result["phi"].get<std::string>());
        const auto closed2 = closeRound(net, cs, validator, control);
        QVERIFY(closed2.view.entries.empty());
        QVERIFY(!closed2.view.result["updated"].get<bool>());
        QCOMPARE(tensorsDigest(loadTensorFile(pullRound(net, root / "a").phiFile)), // Φ(3) = Φ(2)
                 closed2.view.result["phi_digest"].get<std::string>());
        QVERIFY(verifyRound(net, 2, vs, control).ok);
        // A close killed after the outer step (the state moved on, no result published) publishes
        // the same result when run again.
        fs::remove(root / "store" / ("rounds/2/result/" + closed2.resultSha256 + ".json"));
        const auto again = closeRound(net, cs, validator, control);
        QCOMPARE(again.view.result["phi_digest"], closed2.view.result["phi_digest"]);
        QCOMPARE(again.view.result["seed"], closed2.view.result["seed"]);
        QCOMPARE(ValidatorState::load(os.stateDir).round, std::int64_t(3));

        // A tampered upload: the bytes no longer match the commitment, and verify says so.
        const auto& up = bySlot[0].uploadPrefix;
        QVERIFY(!up.empty());
        const fs::path experts = root / "store" / (up + "experts.safetensors");
        {
            const auto size = fs::file_size(experts);
            std::fstream io(experts, std::ios::in | std::ios::out | std::ios::binary);
            io.seekp(static_cast<std::streamoff>(size - 3));
            io.put('\x7f');
        }
        report = verifyRound(net, 0, vs, control);
        QVERIFY(!report.ok);
    }
};

QTEST_GUILESS_MAIN(TestNetwork)
#include "test_network.moc"
