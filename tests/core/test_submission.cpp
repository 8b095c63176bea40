// Submission packages: write/read round trip, keys and signatures, and a corpus of bad
// submissions each refused by the verifier for the right reason.
#include "core/io/SafetensorsFile.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "support/TestSupport.h"

#include <QtTest/QtTest>
#include <chrono>
#include <cmath>
#include <fstream>
#include <unistd.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <torch/torch.h>

using namespace teft;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
const std::string kConfigId = "config-sha-123";

std::string expertName(int layer, int expert, const char* proj)
{
    return "model.layers." + std::to_string(layer) + ".mlp.experts." + std::to_string(expert) + "." + proj + ".weight";
}

// Two selected experts (layer 1 expert 2, layer 3 expert 0), each with three projections.
TensorMap makeTensors(double scale, std::int64_t seed)
{
    torch::manual_seed(seed);
    TensorMap t;
    for (auto [layer, expert] : {std::pair{1, 2}, std::pair{3, 0}}) {
        t[expertName(layer, expert, "gate_proj")] = torch::randn({6, 4}) * scale;
        t[expertName(layer, expert, "up_proj")] = torch::randn({6, 4}) * scale;
        t[expertName(layer, expert, "down_proj")] = torch::randn({4, 6}) * scale;
    }
    return t;
}

std::vector<ExpectedTensor> expectedOf(const TensorMap& t)
{
    std::vector<ExpectedTensor> out;
    for (const auto& [name, v] : t)
        out.push_back({name, v.sizes().vec(), "F32"});
    return out;
}

double l2(const TensorMap& t)
{
    double s = 0;
    for (const auto& [name, v] : t) {
        auto a = v.to(torch::kDouble).contiguous();
        const double* p = a.data_ptr<double>();
        for (std::int64_t i = 0; i < a.numel(); ++i)
            s += p[i] * p[i];
    }
    return std::sqrt(s);
}

void flipLastByte(const fs::path& file)
{
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-1, std::ios::end);
    char c = 0;
    f.get(c);
    f.seekp(-1, std::ios::end);
    f.put(static_cast<char>(c ^ 0x01));
}
} // namespace

class TestSubmission : public QObject {
    Q_OBJECT

    fs::path m_root;
    MinerKey m_alice, m_bob, m_mallory;
    TensorMap m_base, m_delta;
    std::string m_baseFp, m_selectionHash = "sel-hash-abc";

    SubmissionManifest manifest(std::int64_t round = 4) const
    {
        SubmissionManifest m;
        m.baseFingerprint = m_baseFp;
        m.selectionHash = m_selectionHash;
        m.round = round;
        m.innerSteps = 20;
        m.tokensSeen = 20480;
        m.dataShard = "code/shard-1";
        m.training = {{"lr", 1e-4}, {"mode", "masked"}};
        return m;
    }
    VerifierPolicy policy() const
    {
        VerifierPolicy p;
        p.baseFingerprint = m_baseFp;
        p.selectionHash = m_selectionHash;
        p.round = 4;
        p.expected = expectedOf(m_delta);
        p.maxUpdateNorm = 2.0 * l2(m_delta);
        p.knownMiners.add(m_alice.publicKey());
        p.knownMiners.add(m_bob.publicKey());
        return p;
    }
    fs::path write(const std::string& name, const TensorMap& delta, const MinerKey* key, SubmissionManifest m)
    {
        const fs::path dir = m_root / name;
        writeEncodedSubmission(dir, std::move(m), delta, key);
        return dir;
    }
    void expectRefused(const fs::path& dir, RefusalReason reason, const QString& needle,
                       const VerifierPolicy* p = nullptr)
    {
        const Verdict v = SubmissionVerifier(p ? *p : policy()).verify(dir);
        if (v.reason != reason || !QString::fromStdString(v.message).contains(needle))
            qWarning("%s: got %s: %s", dir.filename().c_str(), v.code.c_str(), v.message.c_str());
        QVERIFY(!v.accepted);
        QCOMPARE(QString::fromStdString(v.code), QString::fromStdString(reasonCode(reason)));
        QVERIFY(QString::fromStdString(v.message).contains(needle));
    }

private slots:
    void initTestCase()
    {
        m_root = test::freshDir("submissions");
        m_alice = MinerKey::generate("alice");
        m_bob = MinerKey::generate("bob");
        m_mallory = MinerKey::generate("mallory");
        m_base = makeTensors(1.0, 1);
        m_delta = makeTensors(0.01, 2);
        m_baseFp = baseFingerprint(m_base, kConfigId);
    }

    void keysAreKeptAndProtected()
    {
        const fs::path dir = test::freshDir("keys");
        const MinerKey k1 = MinerKey::loadOrCreate(dir, "carol");
        struct stat st {};
        QCOMPARE(::stat((dir / "miner.key").c_str(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        const MinerKey k2 = MinerKey::loadOrCreate(dir);
        QCOMPARE(k2.publicKeyHex(), k1.publicKeyHex());
        QCOMPARE(k2.minerId(), std::string("carol"));
        QVERIFY(MinerKey::verify("hello", k2.sign("hello"), k1.publicKeyHex()));
        QVERIFY(!MinerKey::verify("hellp", k2.sign("hello"), k1.publicKeyHex()));
        QVERIFY(!MinerKey::verify("hello", "zz", k1.publicKeyHex()));

        // Public key export / import into a known-miners list.
        const MinerPublicKey pub = MinerPublicKey::load(dir / "miner.pub");
        QCOMPARE(pub.publicKeyHex, k1.publicKeyHex());
        KnownMiners known;
        known.add(pub);
        known.add(m_alice.publicKey());
        known.save(dir / "known.json");
        const KnownMiners back = KnownMiners::load(dir / "known.json");
        QCOMPARE(back.size(), std::size_t(2));
        QCOMPARE(back.findByKey(k1.publicKeyHex())->minerId, std::string("carol"));
        QCOMPARE(back.findById("alice")->publicKeyHex, m_alice.publicKeyHex());
        try {
            known.add({"carol", m_bob.publicKeyHex()});
            QFAIL("a second key for the same id was accepted");
        } catch (const UsageError& e) {
            QVERIFY(QString(e.what()).contains("carol"));
        }
        try {
            known.add({"x", "abcd"});
            QFAIL("a malformed key was accepted");
        } catch (const UsageError& e) {
            QVERIFY(QString(e.what()).contains("abcd"));
        }
        QVERIFY(known.remove(pub.publicKeyHex));
        QVERIFY(!known.findByKey(pub.publicKeyHex));
    }

    void roundTripAndSignature()
    {
        const auto res = writeSubmission(m_root / "good", manifest(), m_delta, &m_alice);
        QVERIFY(!fs::exists(m_root / ("good.tmp-" + std::to_string(::getpid()))));
        const auto sub = Submission::open(m_root / "good");
        const auto& m = sub->manifest();
        QCOMPARE(m.minerId, std::string("alice"));
        QCOMPARE(m.publicKey, m_alice.publicKeyHex());
        QCOMPARE(m.round, std::int64_t(4));
        QCOMPARE(m.innerSteps, std::int64_t(20));
        QCOMPARE(m.tokensSeen, std::int64_t(20480));
        QCOMPARE(m.dataShard, std::string("code/shard-1"));
        QCOMPARE(m.training["mode"].get<std::string>(), std::string("masked"));
        QCOMPARE(m.tensorCount, std::int64_t(6));
        QVERIFY(!m.createdAt.empty());
        QCOMPARE(sub->tensorNames().size(), m_delta.size());
        for (const auto& [name, t] : m_delta)
            QVERIFY(torch::equal(sub->delta(name), t)); // bit for bit
        // The package hash is independent of our code path: recompute it here by hand.
        Sha256 h;
        const std::string manifestBytes = readFile(m_root / "good" / "manifest.json");
        h.update("teft-submission-v1\n" + std::to_string(manifestBytes.size()) + "\n");
        h.update(manifestBytes);
        h.update(readFile(m_root / "good" / "experts.safetensors"));
        const std::string sha = h.hex();
        QCOMPARE(res.packageSha256, sha);
        QCOMPARE(sub->packageSha256(), sha);
        QCOMPARE(sub->signature()->sha256, sha);
        QVERIFY(MinerKey::verify(signatureMessage(sha), sub->signature()->signature, m_alice.publicKeyHex()));
        QCOMPARE(sub->deltaSha256(), tensorsDigest(m_delta));

        const Verdict v = SubmissionVerifier(policy()).verify(m_root / "good");
        QVERIFY2(v.accepted, v.message.c_str());
        QVERIFY(v.signatureVerified);
        QVERIFY(v.knownMiner);
        QVERIFY(std::abs(v.updateNorm - l2(m_delta)) < 1e-6 * l2(m_delta));
        // The base fingerprint depends on every base byte and the config.
        TensorMap base2 = m_base;
        base2.begin()->second = base2.begin()->second.clone();
        base2.begin()->second.view(-1)[3] += 1e-3f;
        QVERIFY(baseFingerprint(base2, kConfigId) != m_baseFp);
        QVERIFY(baseFingerprint(m_base, "other-config") != m_baseFp);
        QCOMPARE(baseFingerprint(m_base, kConfigId), m_baseFp);
    }

    void tamperingIsDetected()
    {
        const fs::path t = write("tampered-tensor", m_delta, &m_alice, manifest());
        flipLastByte(t / "experts.safetensors");
        expectRefused(t, RefusalReason::HashMismatch, "delta_sha256");

        const fs::path m = write("tampered-manifest", m_delta, &m_alice, manifest());
        json j = json::parse(readFile(m / "manifest.json"));
        j["tokens_seen"] = 999999;
        writeFileAtomically(m / "manifest.json", j.dump(1) + "\n");
        expectRefused(m, RefusalReason::HashMismatch, "signed hash");

        // Re-hashing without the key does not help: the signature no longer verifies.
        const fs::path r = write("rehashed", m_delta, &m_alice, manifest());
        j = json::parse(readFile(r / "manifest.json"));
        j["round"] = 4; // unchanged value, new bytes
        j["tokens_seen"] = 1;
        writeFileAtomically(r / "manifest.json", j.dump(2) + "\n");
        json sig = json::parse(readFile(r / "signature.json"));
        sig["sha256"] = Submission::open(r)->packageSha256();
        writeFileAtomically(r / "signature.json", sig.dump(1));
        expectRefused(r, RefusalReason::BadSignature, "does not verify");
    }

    void keysAreChecked()
    {
        // Signed by mallory while claiming alice's key.
        const fs::path w = write("wrong-key", m_delta, &m_alice, manifest());
        json sig = json::parse(readFile(w / "signature.json"));
        sig["signature"] = m_mallory.sign(signatureMessage(sig["sha256"].get<std::string>()));
        writeFileAtomically(w / "signature.json", sig.dump(1));
        expectRefused(w, RefusalReason::BadSignature, "does not verify");

        const fs::path u = write("unknown-key", m_delta, &m_mallory, manifest());
        expectRefused(u, RefusalReason::UnknownKey, m_mallory.publicKeyHex().c_str());
        VerifierPolicy open = policy();
        open.allowUnknownKeys = true;
        Verdict v = SubmissionVerifier(open).verify(u);
        QVERIFY2(v.accepted, v.message.c_str());
        QVERIFY(v.signatureVerified && !v.knownMiner);

        const fs::path n = write("unsigned", m_delta, nullptr, manifest());
        QVERIFY(!fs::exists(n / "signature.json"));
        expectRefused(n, RefusalReason::Unsigned, "not signed");
        open.allowUnsigned = true;
        v = SubmissionVerifier(open).verify(n);
        QVERIFY2(v.accepted, v.message.c_str());
        QVERIFY(!v.signatureVerified);

        // A known key whose manifest claims somebody else's name.
        SubmissionManifest claim = manifest();
        claim.minerId = "bob";
        const fs::path c = write("claims-bob", m_delta, &m_alice, claim);
        expectRefused(c, RefusalReason::MinerIdMismatch, "known miner 'alice'");
    }

    void contentIsChecked()
    {
        SubmissionManifest m = manifest();
        m.baseFingerprint = baseFingerprint(makeTensors(1.0, 7), kConfigId);
        expectRefused(write("wrong-base", m_delta, &m_alice, m), RefusalReason::BaseFingerprintMismatch,
                      "current base");
        m = manifest();
        m.selectionHash = "another-selection";
        expectRefused(write("wrong-selection", m_delta, &m_alice, m), RefusalReason::SelectionMismatch,
                      "another-selection");
        expectRefused(write("wrong-round", m_delta, &m_alice, manifest(3)), RefusalReason::RoundMismatch, "round 3");

        TensorMap extra = m_delta;
        extra[expertName(1, 5, "up_proj")] = torch::zeros({6, 4});
        expectRefused(write("extra", extra, &m_alice, manifest()), RefusalReason::ExtraTensor,
                      expertName(1, 5, "up_proj").c_str());
        TensorMap missing = m_delta;
        missing.erase(expertName(3, 0, "down_proj"));
        expectRefused(write("missing", missing, &m_alice, manifest()), RefusalReason::MissingTensor,
                      expertName(3, 0, "down_proj").c_str());
        TensorMap shape = m_delta;
        shape[expertName(1, 2, "gate_proj")] = torch::zeros({4, 6});
        expectRefused(write("shape", shape, &m_alice, manifest()), RefusalReason::ShapeMismatch,
                      "[4, 6], expected [6, 4]");
        TensorMap dtype = m_delta;
        dtype[expertName(1, 2, "up_proj")] = dtype[expertName(1, 2, "up_proj")].to(torch::kBFloat16);
        expectRefused(write("dtype", dtype, &m_alice, manifest()), RefusalReason::DtypeMismatch, "BF16, expected F32");
        TensorMap nan = m_delta;
        nan[expertName(3, 0, "up_proj")] = nan[expertName(3, 0, "up_proj")].clone();
        nan[expertName(3, 0, "up_proj")][2][1] = std::nanf("");
        expectRefused(write("nan", nan, &m_alice, manifest()), RefusalReason::NonFinite,
                      expertName(3, 0, "up_proj").c_str());
        TensorMap inf = m_delta;
        inf[expertName(1, 2, "down_proj")] = inf[expertName(1, 2, "down_proj")].clone();
        inf[expertName(1, 2, "down_proj")][0][0] = -INFINITY;
        expectRefused(write("inf", inf, &m_alice, manifest()), RefusalReason::NonFinite, "infinite");
        TensorMap big = m_delta;
        for (auto& [name, t] : big)
            t = t * 3.0;
        expectRefused(write("big", big, &m_alice, manifest()), RefusalReason::NormTooLarge, "exceeds");
        // Exactly at 2x the good norm bound minus a little passes.
        TensorMap ok = m_delta;
        for (auto& [name, t] : ok)
            t = t * 1.9;
        QVERIFY(SubmissionVerifier(policy()).verify(write("big-ok", ok, &m_alice, manifest())).accepted);

        const fs::path broken = m_root / "broken";
        fs::create_directories(broken);
        expectRefused(broken, RefusalReason::Malformed, "manifest.json");
        const fs::path garbage = write("garbage", m_delta, &m_alice, manifest());
        writeFileAtomically(garbage / "experts.safetensors", "not a safetensors file");
        expectRefused(garbage, RefusalReason::Malformed, "experts.safetensors");
        const fs::path count = write("count", m_delta, &m_alice, manifest());
        nlohmann::json cj = nlohmann::json::parse(readFile(count / "manifest.json"));
        cj["tensor_count"] = 5;
        writeFileAtomically(count / "manifest.json", cj.dump(1) + "\n");
        expectRefused(count, RefusalReason::Malformed, "lists 5 tensors");
        const fs::path pickle = write("pickle", m_delta, &m_alice, manifest());
        writeFileAtomically(pickle / "manifest.json", "\x80\x04\x95");
        expectRefused(pickle, RefusalReason::Malformed, "not valid JSON");
    }

    void copiesKeepTheEarliest()
    {
        const fs::path root = test::freshDir("round");
        const fs::path a = root / "a";
        const fs::path b = root / "b";
        const fs::path c = root / "c";
        writeSubmission(a, manifest(), m_delta, &m_alice);
        // Bob copies alice's Δ and signs it as his own.
        writeSubmission(b, manifest(), m_delta, &m_bob);
        TensorMap own = makeTensors(0.01, 3);
        writeSubmission(c, manifest(), own, &m_bob);
        const auto verdicts = SubmissionVerifier(policy()).verifyAll({a, b, c});
        QCOMPARE(verdicts.size(), std::size_t(3));
        QVERIFY(verdicts[0].accepted);
        QCOMPARE(verdicts[1].reason, RefusalReason::DuplicateCopy);
        QVERIFY(QString::fromStdString(verdicts[1].message).contains("copy of the earlier submission a"));
        QVERIFY(verdicts[2].accepted);
        // In the other arrival order, bob's is the one kept.
        const auto swapped = SubmissionVerifier(policy()).verifyAll({b, a});
        QVERIFY(swapped[0].accepted);
        QCOMPARE(swapped[1].reason, RefusalReason::DuplicateCopy);
        const auto listed = SubmissionVerifier::listSubmissions(root);
        QCOMPARE(listed.size(), std::size_t(3));
        QCOMPARE(verdicts[0].toJson()["code"].get<std::string>(), std::string("accepted"));
        QCOMPARE(verdicts[1].toJson()["code"].get<std::string>(), std::string("duplicate"));
    }

    // The order among copies is the validator's receipt order: a copier who back-dates the
    // manifest (touch -d 2020-01-01) or picks an earlier name does not take the credit.
    void copiesKeepTheFirstReceived()
    {
        const fs::path root = test::freshDir("receipts");
        const fs::path state = test::freshDir("receipts-state");
        writeSubmission(root / "zz-alice", manifest(), m_delta, &m_alice);
        {
            ReceiptLog log(state / "receipts.json");
            const auto first = SubmissionVerifier(policy()).verifyAll(SubmissionVerifier::listSubmissions(root),
                                                                      nullptr, &log);
            QCOMPARE(first.size(), std::size_t(1));
            QVERIFY(first[0].accepted);
            QCOMPARE(first[0].receivedScan, std::int64_t(1));
            log.save();
        }
        // Bob re-signs alice's Δ, names it to sort first and back-dates every file.
        const fs::path copy = root / "aa-bob";
        writeSubmission(copy, manifest(), m_delta, &m_bob);
        for (const auto& f : fs::directory_iterator(copy))
            fs::last_write_time(f.path(), fs::file_time_type::clock::now() - std::chrono::hours(24 * 365 * 5));
        ReceiptLog log(state / "receipts.json"); // read back from the file
        const auto dirs = SubmissionVerifier::listSubmissions(root);
        QCOMPARE(dirs.front().filename().string(), std::string("aa-bob"));
        const auto second = SubmissionVerifier(policy()).verifyAll(dirs, nullptr, &log);
        QCOMPARE(second[0].reason, RefusalReason::DuplicateCopy);
        QVERIFY2(QString::fromStdString(second[0].message).contains("copy of the earlier submission zz-alice"),
                 second[0].message.c_str());
        QVERIFY(second[1].accepted);
        QCOMPARE(second[1].receivedScan, std::int64_t(1));
        QCOMPARE(second[0].receivedScan, std::int64_t(2));

        // Copies from two miners first seen in the same scan: neither is credited.
        const fs::path both = test::freshDir("receipts-tie");
        writeSubmission(both / "a", manifest(), m_delta, &m_alice);
        writeSubmission(both / "b", manifest(), m_delta, &m_bob);
        ReceiptLog fresh(test::freshDir("receipts-tie-state") / "receipts.json");
        const auto tie = SubmissionVerifier(policy()).verifyAll(SubmissionVerifier::listSubmissions(both), nullptr,
                                                                &fresh);
        QCOMPARE(tie[0].reason, RefusalReason::DuplicateCopy);
        QCOMPARE(tie[1].reason, RefusalReason::DuplicateCopy);
        QVERIFY(QString::fromStdString(tie[0].message).contains("cannot be established"));

        // A malformed receipt log is an error naming it, not a silent reset.
        writeFileAtomically(state / "bad.json", R"({"scans": 1, "receipts": [{"folder": 3}]})");
        QVERIFY_THROWS_EXCEPTION(FormatError, ReceiptLog(state / "bad.json"));
    }

    // Near copies (another miner's Δ plus a little noise, re-signed, or re-encoded) are
    // duplicates by the cosine of the decoded updates: the first received keeps the credit (the
    // order of the folders given, never names or file times), both are refused when first
    // received in the same scan, and an update of its own (an honest-like pair, cosine far below
    // the threshold) is accepted.
    void nearCopiesAreDuplicates()
    {
        TensorMap near, reencoded, own;
        const TensorMap noise = makeTensors(0.01, 9);
        const double rel = l2(noise) / l2(m_delta); // ~1: the noise is as large as the update
        const TensorMap other = makeTensors(0.01, 11);
        for (const auto& [name, t] : m_delta) {
            near[name] = t + noise.at(name) * (0.05 / rel); // cosine ~ 1/sqrt(1 + 0.05²) = 0.99875
            // Half its own, half alice's: cosine ~ 0.7, like two honest miners on other shards.
            own[name] = 0.5 * t + 0.5 * other.at(name) * (l2(m_delta) / l2(other));
        }
        const fs::path root = test::freshDir("near");
        writeSubmission(root / "a", manifest(), m_delta, &m_alice);
        writeSubmission(root / "b", manifest(), near, &m_bob);
        writeSubmission(root / "c", manifest(), own, &m_bob);
        SubmissionManifest int8 = manifest();
        int8.encoding = DeltaEncoding::Int8;
        writeSubmission(root / "d", int8, m_delta, &m_mallory); // alice's Δ re-encoded: another hash
        VerifierPolicy p = policy();
        p.knownMiners.add(m_mallory.publicKey());
        const auto dirs = SubmissionVerifier::listSubmissions(root);
        const auto inOrder = SubmissionVerifier(p).verifyAll(dirs);
        QVERIFY2(inOrder[0].accepted, inOrder[0].message.c_str());
        QCOMPARE(inOrder[1].reason, RefusalReason::DuplicateCopy);
        QVERIFY2(QString::fromStdString(inOrder[1].message).contains("near copy of the earlier submission a"),
                 inOrder[1].message.c_str());
        QVERIFY2(QString::fromStdString(inOrder[1].message).contains("cosine similarity 0.998"),
                 inOrder[1].message.c_str());
        QVERIFY2(inOrder[2].accepted, inOrder[2].message.c_str());
        QCOMPARE(inOrder[3].reason, RefusalReason::DuplicateCopy);
        QVERIFY2(QString::fromStdString(inOrder[3].message).contains("near copy of the earlier submission a"),
                 inOrder[3].message.c_str());
        // The order is the one given (the network's commit order), not the names: b first.
        const auto reversed = SubmissionVerifier(p).verifyAll({dirs[1], dirs[0]});
        QVERIFY2(reversed[0].accepted, reversed[0].message.c_str());
        QCOMPARE(reversed[1].reason, RefusalReason::DuplicateCopy);
        QVERIFY2(QString::fromStdString(reversed[1].message).contains("near copy of the earlier submission b"),
                 reversed[1].message.c_str());
        // The threshold is the policy's: at 0.9999 the 5 % copy is an update of its own.
        VerifierPolicy strict = p;
        strict.nearCopyCosine = 0.9999;
        const auto lenient = SubmissionVerifier(strict).verifyAll({dirs[0], dirs[1]});
        QVERIFY2(lenient[1].accepted, lenient[1].message.c_str());
        // Alice's and bob's first received in the same scan: neither is credited.
        ReceiptLog log(test::freshDir("near-state") / "receipts.json");
        const auto tie = SubmissionVerifier(p).verifyAll({dirs[0], dirs[1], dirs[2]}, nullptr, &log);
        QCOMPARE(tie[0].reason, RefusalReason::DuplicateCopy);
        QCOMPARE(tie[1].reason, RefusalReason::DuplicateCopy);
        QVERIFY(QString::fromStdString(tie[0].message).contains("cannot be established"));
        QVERIFY(tie[2].accepted);
    }

    // Each encoding round-trips: the manifest names it, the hash covers the encoded bytes, the
    // bytes reported are those on disk, and delta() is exactly decodeDeltas of what travels.
    void encodingsRoundTrip()
    {
        for (auto e : {DeltaEncoding::F32, DeltaEncoding::BF16, DeltaEncoding::Int8}) {
            const std::string name = std::string("enc-") + deltaEncodingName(e);
            SubmissionManifest m = manifest();
            m.encoding = e;
            const auto res = writeSubmission(m_root / name, m, m_delta, &m_alice);
            const auto sub = Submission::open(m_root / name);
            QCOMPARE(sub->encoding(), e);
            QCOMPARE(sub->manifest().formatVersion, 2);
            const json j = json::parse(readFile(m_root / name / "manifest.json"));
            QCOMPARE(j.at("encoding").get<std::string>(), std::string(deltaEncodingName(e)));
            const TensorMap encoded = encodeDeltas(m_delta, e);
            const TensorMap decoded = decodeDeltas(encoded, e);
            QCOMPARE(sub->manifest().deltaSha256, tensorsDigest(encoded));
            QCOMPARE(sub->deltaSha256(), tensorsDigest(encoded));
            QCOMPARE(sub->manifest().tensorCount, static_cast<std::int64_t>(encoded.size()));
            std::uint64_t bytes = 0;
            for (const auto& [n, t] : m_delta)
                bytes += encodedBytes(t.sizes().vec(), e);
            QCOMPARE(res.tensorBytes, bytes);
            QCOMPARE(sub->encodedBytes(), bytes);
            QCOMPARE(sub->tensorNames().size(), m_delta.size());
            double squares = 0;
            for (const auto& [n, t] : m_delta) {
                const at::Tensor d = sub->delta(n);
                QCOMPARE(d.scalar_type(), torch::kFloat);
                QVERIFY2(torch::equal(d, decoded.at(n)), n.c_str());
                if (e == DeltaEncoding::F32)
                    QVERIFY(torch::equal(d, t));
                else
                    QVERIFY(!torch::equal(d, t)); // rounded
                squares += d.to(torch::kDouble).pow(2).sum().item<double>();
            }
            const Verdict v = SubmissionVerifier(policy()).verify(m_root / name);
            QVERIFY2(v.accepted, v.message.c_str());
            // The norm checked is the decoded Δ's.
            QVERIFY(std::abs(v.updateNorm - std::sqrt(squares)) <= 1e-9 * std::sqrt(squares));
        }
        QCOMPARE(fs::file_size(m_root / "enc-bf16" / "experts.safetensors") <
                     fs::file_size(m_root / "enc-f32" / "experts.safetensors"),
                 true);
    }

    // Python's safetensors reads a bf16 submission, and the reference implementation
    // (tests/reference/delta_encoding.py) decodes it to the Δ the engine scores.
    void pythonReadsABf16Submission()
    {
        SubmissionManifest m = manifest();
        m.encoding = DeltaEncoding::BF16;
        writeSubmission(m_root / "py-bf16", m, m_delta, &m_alice);
        const fs::path out = test::freshDir("py-bf16-decoded") / "decoded.safetensors";
        const auto r = test::runProcess(
            test::python(), {(test::sourceDir() / "tests" / "reference" / "delta_encoding.py").string(), "decode",
                             (m_root / "py-bf16" / "experts.safetensors").string(), "bf16", out.string()},
            120000);
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto sub = Submission::open(m_root / "py-bf16");
        const auto f = SafetensorsFile::open(out);
        QCOMPARE(f->tensors().size(), m_delta.size());
        for (const auto& n : sub->tensorNames())
            QVERIFY2(torch::equal(f->tensor(n), sub->delta(n)), n.c_str());
    }

    // A version 1 manifest (before the encodings: no "encoding" key) still reads as f32; a
    // version 2 one must name its encoding, one the format has.
    void version1ManifestsReadAsF32()
    {
        auto resign = [&](const fs::path& dir, json j) {
            const std::string manifestBytes = j.dump(1) + "\n";
            writeFileAtomically(dir / "manifest.json", manifestBytes);
            Sha256 h; // the package hash by hand: the manifest need not parse
            h.update("teft-submission-v1\n" + std::to_string(manifestBytes.size()) + "\n");
            h.update(manifestBytes);
            h.update(readFile(dir / "experts.safetensors"));
            const std::string sha = h.hex();
            SubmissionSignature sig;
            sig.publicKey = m_alice.publicKeyHex();
            sig.sha256 = sha;
            sig.signature = m_alice.sign(signatureMessage(sha));
            writeFileAtomically(dir / "signature.json", sig.toJson().dump(1) + "\n");
        };
        const fs::path v1 = write("v1", m_delta, &m_alice, manifest());
        json j = json::parse(readFile(v1 / "manifest.json"));
        QCOMPARE(j.at("version").get<int>(), 2);
        j.erase("encoding");
        j["version"] = 1;
        resign(v1, j);
        const Verdict ok = SubmissionVerifier(policy()).verify(v1);
        QVERIFY2(ok.accepted, ok.message.c_str());
        QCOMPARE(ok.submission->encoding(), DeltaEncoding::F32);

        const fs::path v1enc = write("v1-encoding", m_delta, &m_alice, manifest());
        j = json::parse(readFile(v1enc / "manifest.json"));
        j["version"] = 1;
        resign(v1enc, j);
        expectRefused(v1enc, RefusalReason::Malformed, "unknown key \"encoding\"");

        const fs::path v2none = write("v2-no-encoding", m_delta, &m_alice, manifest());
        j = json::parse(readFile(v2none / "manifest.json"));
        j.erase("encoding");
        resign(v2none, j);
        expectRefused(v2none, RefusalReason::Malformed, "\"encoding\" is missing");

        const fs::path fp8 = write("v2-fp8", m_delta, &m_alice, manifest());
        j = json::parse(readFile(fp8 / "manifest.json"));
        j["encoding"] = "fp8";
        resign(fp8, j);
        expectRefused(fp8, RefusalReason::Malformed, "\"encoding\" is \"fp8\"");
    }

    // Hostile encodings: each refused with its reason, naming the tensor, never an exception.
    void hostileEncodingsAreRefused()
    {
        SubmissionManifest int8 = manifest();
        int8.encoding = DeltaEncoding::Int8;
        const TensorMap good = encodeDeltas(m_delta, DeltaEncoding::Int8);
        const std::string victim = expertName(1, 2, "up_proj");

        TensorMap noScales = good;
        noScales.erase(victim + kInt8ScaleSuffix);
        expectRefused(write("int8-no-scales", noScales, &m_alice, int8), RefusalReason::Malformed,
                      QString::fromStdString(victim + " has no row scales"));

        TensorMap minus128 = good;
        minus128[victim] = minus128[victim].clone();
        minus128[victim].view(-1)[5] = -128;
        expectRefused(write("int8-minus-128", minus128, &m_alice, int8), RefusalReason::Malformed, "-128");

        TensorMap negativeScale = good;
        negativeScale[victim + kInt8ScaleSuffix] = negativeScale[victim + kInt8ScaleSuffix].clone();
        negativeScale[victim + kInt8ScaleSuffix][0] = -1.0f;
        expectRefused(write("int8-negative-scale", negativeScale, &m_alice, int8), RefusalReason::Malformed,
                      QString::fromStdString(victim));
        TensorMap nanScale = good;
        nanScale[victim + kInt8ScaleSuffix] = nanScale[victim + kInt8ScaleSuffix].clone();
        nanScale[victim + kInt8ScaleSuffix][1] = std::nanf("");
        expectRefused(write("int8-nan-scale", nanScale, &m_alice, int8), RefusalReason::Malformed,
                      "finite and not negative");
        TensorMap shortScale = good;
        shortScale[victim + kInt8ScaleSuffix] = torch::ones({2});
        expectRefused(write("int8-short-scale", shortScale, &m_alice, int8), RefusalReason::ShapeMismatch,
                      "expected [6]");

        // F32 tensors under a bf16 manifest, int8 payloads under an f32 one.
        SubmissionManifest bf16 = manifest();
        bf16.encoding = DeltaEncoding::BF16;
        expectRefused(write("bf16-holding-f32", m_delta, &m_alice, bf16), RefusalReason::DtypeMismatch,
                      "has dtype F32, expected BF16 (a bf16 update)");
        TensorMap int8Payloads;
        for (const auto& [n, t] : good)
            if (!QString::fromStdString(n).endsWith(kInt8ScaleSuffix))
                int8Payloads[n] = t;
        expectRefused(write("f32-holding-i8", int8Payloads, &m_alice, manifest()), RefusalReason::DtypeMismatch,
                      "has dtype I8, expected F32");
        // Scales beside an f32 update are tensors of no selected expert.
        expectRefused(write("f32-with-scales", good, &m_alice, manifest()), RefusalReason::ExtraTensor,
                      kInt8ScaleSuffix);

        // NaN in a bf16 payload: non-finite, like an f32 one.
        TensorMap nan = encodeDeltas(m_delta, DeltaEncoding::BF16);
        nan[victim] = nan[victim].clone();
        nan[victim].view(-1)[2] = std::nanf("");
        expectRefused(write("bf16-nan", nan, &m_alice, bf16), RefusalReason::NonFinite, QString::fromStdString(victim));

        // An encoding the validator does not accept.
        VerifierPolicy onlyBf16 = policy();
        onlyBf16.allowedEncodings = {DeltaEncoding::BF16};
        const fs::path int8Dir = write("int8-not-allowed", good, &m_alice, int8);
        QVERIFY(SubmissionVerifier(policy()).verify(int8Dir).accepted);
        expectRefused(int8Dir, RefusalReason::EncodingNotAllowed, "encoded as int8, which this validator does not "
                                                                   "accept (it accepts bf16)",
                      &onlyBf16);
        QCOMPARE(reasonCode(RefusalReason::EncodingNotAllowed), std::string("wrong_encoding"));
        // A batch with hostile encodings is verified to the end, each refused.
        const auto all = SubmissionVerifier(policy()).verifyAll(
            {m_root / "int8-minus-128", m_root / "int8-no-scales", m_root / "bf16-nan", int8Dir});
        QCOMPARE(all.size(), std::size_t(4));
        QVERIFY(!all[0].accepted && !all[1].accepted && !all[2].accepted);
        QVERIFY2(all[3].accepted, all[3].message.c_str());
    }

    // A signed manifest key the format does not have is refused, naming it.
    void unknownManifestKeysAreRefused()
    {
        const fs::path d = write("unknown-manifest-key", m_delta, &m_alice, manifest());
        json j = json::parse(readFile(d / "manifest.json"));
        j["max_norm_override"] = 1e9;
        writeFileAtomically(d / "manifest.json", j.dump(1) + "\n");
        expectRefused(d, RefusalReason::Malformed, "unknown key \"max_norm_override\"");
    }

    // The relative bound: each tensor's update against the norm of the weights it changes.
    void relativeNormBound()
    {
        VerifierPolicy p = policy();
        p.maxUpdateNorm = 0; // only the relative bound
        p.maxRelativeNorm = 0.5;
        for (const auto& [name, t] : m_base)
            p.referenceNorms[name] = t.to(torch::kDouble).norm().item<double>();
        // m_delta is 1 % of the base's scale: accepted.
        QVERIFY(SubmissionVerifier(p).verify(write("relative-ok", m_delta, &m_alice, manifest())).accepted);
        // One tensor changed by twice its own norm, the rest untouched: refused, naming it.
        TensorMap one = m_delta;
        const std::string name = expertName(3, 0, "down_proj");
        one[name] = m_base.at(name) * 2.0;
        expectRefused(write("relative-one", one, &m_alice, manifest()), RefusalReason::NormTooLarge,
                      QString::fromStdString(name + " has norm"), &p);
        // 10^6 times an honest update: refused before any scoring.
        TensorMap huge;
        for (const auto& [n, t] : m_delta)
            huge[n] = t * 1e6;
        expectRefused(write("relative-huge", huge, &m_alice, manifest()), RefusalReason::NormTooLarge,
                      "--max-relative-norm", &p);
    }

    // Links: a folder that links to another miner's submission, a file inside that links out.
    void linksAreRefused()
    {
        const fs::path root = test::freshDir("links");
        const fs::path real = root / "alice";
        writeSubmission(real, manifest(), m_delta, &m_alice);
        fs::create_directory_symlink(real, root / "mallory");
        const auto dirs = SubmissionVerifier::listSubmissions(root);
        QCOMPARE(dirs.size(), std::size_t(2));
        const auto verdicts = SubmissionVerifier(policy()).verifyAll(dirs);
        QVERIFY(verdicts[0].accepted);
        QCOMPARE(verdicts[1].reason, RefusalReason::Malformed);
        QVERIFY2(QString::fromStdString(verdicts[1].message).contains("symbolic link"), verdicts[1].message.c_str());

        const fs::path inner = write("inner-link", m_delta, &m_alice, manifest());
        fs::remove(inner / "signature.json");
        fs::create_symlink("/dev/zero", inner / "signature.json");
        expectRefused(inner, RefusalReason::Malformed, "symbolic link, signature.json");
    }

    // Files that are not regular files, or far too large: refused at once, never read whole or
    // waited on (a FIFO would block the validator forever).
    void specialAndHugeFilesAreRefused()
    {
        const fs::path fifo = write("fifo", m_delta, &m_alice, manifest());
        fs::remove(fifo / "manifest.json");
        QCOMPARE(::mkfifo((fifo / "manifest.json").c_str(), 0600), 0);
        expectRefused(fifo, RefusalReason::Malformed, "FIFO");
        const fs::path fifoTensors = write("fifo-tensors", m_delta, &m_alice, manifest());
        fs::remove(fifoTensors / "experts.safetensors");
        QCOMPARE(::mkfifo((fifoTensors / "experts.safetensors").c_str(), 0600), 0);
        expectRefused(fifoTensors, RefusalReason::Malformed, "FIFO");
        QVERIFY_THROWS_EXCEPTION(FormatError, SafetensorsFile::open(fifoTensors / "experts.safetensors"));

        // A 2 GB sparse manifest: refused by its size before a byte is read.
        const fs::path sparse = write("sparse", m_delta, &m_alice, manifest());
        fs::resize_file(sparse / "manifest.json", std::uintmax_t(2) << 30);
        expectRefused(sparse, RefusalReason::Malformed, "more than the");

        // readFile itself: a device is named as such.
        try {
            readFile("/dev/zero");
            QFAIL("/dev/zero was read");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains("character device"), e.what());
        }
        // An entry without a manifest is listed, and refused with its reason, not dropped.
        const fs::path root = test::freshDir("no-manifest");
        fs::create_directories(root / "empty");
        fs::create_directories(root / ".in-transfer");
        const auto dirs = SubmissionVerifier::listSubmissions(root);
        QCOMPARE(dirs.size(), std::size_t(1));
        const auto verdicts = SubmissionVerifier(policy()).verifyAll(dirs);
        QCOMPARE(verdicts[0].reason, RefusalReason::Malformed);
        QVERIFY(QString::fromStdString(verdicts[0].message).contains("manifest.json"));
    }
};

QTEST_APPLESS_MAIN(TestSubmission)
#include "test_submission.moc"
