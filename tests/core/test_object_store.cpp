// The object-store transport (core/net) against a real S3 server on 127.0.0.1: the moto server
// from the project's Python environment, started on a free port with signature checking on (an
// IAM user created by tests/net/s3_helper.py during moto's first unauthenticated calls), boto3 as
// the independent client (what the engine uploads boto3 reads, and the other way round), and
// tests/net/fault_proxy.py in front of moto for the fault tests (a connection dropped mid-upload,
// a 500 storm, a stalled server). The file:// store goes through the same checks.
//
// Needs the project's Python environment (scripts/python-env.sh: moto[server], boto3).
#include "core/net/AwsConfig.h"
#include "core/net/ObjectStore.h"
#include "core/net/S3Store.h"
#include "core/net/SigV4.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"
#include "support/TestSupport.h"

#include <QProcess>
#include <QtTest>

#include <arpa/inet.h>
#include <fstream>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <csignal>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace teft;
using namespace teft::net;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kBucket = "teft-test";
// Spaces, Unicode (Latin, Cyrillic, CJK) and the characters SigV4 must percent-encode in a path.
const std::string kSpecialKey = "dir/with space/ünïcödé ключ 模型 (1)+&=.bin";

bool portAnswers(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

std::string randomBytes(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = char(rng() & 0xff);
    return s;
}

void writeBytes(const fs::path& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

// Sets (or, with nullptr, unsets) environment variables for one scope.
class ScopedEnv {
public:
    void set(const char* name, const char* value)
    {
        const char* old = std::getenv(name);
        m_saved.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
        if (value)
            ::setenv(name, value, 1);
        else
            ::unsetenv(name);
    }
    ~ScopedEnv()
    {
        for (auto it = m_saved.rbegin(); it != m_saved.rend(); ++it) {
            if (it->second)
                ::setenv(it->first.c_str(), it->second->c_str(), 1);
            else
                ::unsetenv(it->first.c_str());
        }
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> m_saved;
};

// What a failing call threw (QVERIFY_THROWS_EXCEPTION cannot look inside).
template <class F>
std::optional<ObjectStoreError> storeError(F&& f)
{
    try {
        f();
    } catch (const ObjectStoreError& e) {
        return e;
    }
    return std::nullopt;
}

} // namespace

class TestObjectStore : public QObject {
    Q_OBJECT

    QProcess m_moto;    // checks signatures
    QProcess m_lenient; // does not (see lenientRoundTripWithSpecialKeys)
    QProcess m_proxy;
    int m_motoPort = 0;
    int m_proxyPort = 0;
    std::string m_endpoint;
    std::string m_lenientEndpoint;
    std::string m_proxyEndpoint;
    fs::path m_work;
    fs::path m_control;
    fs::path m_log;
    std::string m_accessKey;
    std::string m_secret;

    static void startAndWait(QProcess& p, const QStringList& args, int port, const QProcessEnvironment& env)
    {
        p.setProcessEnvironment(env);
        // The servers end with the test even when it crashes.
        p.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QString::fromStdString(test::python()), args);
        if (!p.waitForStarted(30000))
            QFAIL(qPrintable("cannot start " + QString::fromStdString(test::python()) + " " + args.join(' ')));
        for (int i = 0; i < 600 && !portAnswers(port); ++i) {
            if (p.state() != QProcess::Running)
                QFAIL(qPrintable(args.join(' ') + " ended: " + QString::fromUtf8(p.readAll()) +
                                 " (run scripts/python-env.sh for moto[server] and boto3)"));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        QVERIFY2(portAnswers(port), qPrintable(args.join(' ') + " does not answer on its port"));
    }

    // Runs tests/net/s3_helper.py against moto directly, as the test's IAM user.
    std::string boto(const std::vector<std::string>& args, const std::string& endpoint = {})
    {
        std::vector<std::string> all{(test::sourceDir() / "tests/net/s3_helper.py").string(), "--endpoint",
                                     endpoint.empty() ? m_endpoint : endpoint};
        all.insert(all.end(), args.begin(), args.end());
        const auto r = test::runProcess(test::python(), all, 120000,
                                        {{"AWS_ACCESS_KEY_ID", m_accessKey},
                                         {"AWS_SECRET_ACCESS_KEY", m_secret},
                                         {"AWS_SESSION_TOKEN", ""}});
        if (r.exitCode != 0)
            throw std::runtime_error("s3_helper.py " + args.front() + " failed: " + r.out + r.err);
        return r.out;
    }

    ObjectStoreOptions options(bool viaProxy = false) const
    {
        ObjectStoreOptions o;
        o.endpoint = viaProxy ? m_proxyEndpoint : m_endpoint;
        o.region = "us-east-1";
        o.connectTimeoutSeconds = 5;
        o.lowSpeedSeconds = 20;
        o.maxAttempts = 3;
        o.backoffBaseMs = 10;
        o.backoffMaxMs = 100;
        o.multipartThreshold = 5ull << 20;
        o.partSize = 5ull << 20;
        o.parallelParts = 3;
        return o;
    }

    void setFault(const json& control) { writeFileAtomically(m_control, control.dump()); }

    std::vector<json> proxyLog()
    {
        std::vector<json> out;
        std::ifstream in(m_log);
        std::string line;
        while (std::getline(in, line))
            if (!line.empty())
                out.push_back(json::parse(line));
        return out;
    }

    void clearProxyLog() { writeFileAtomically(m_log, ""); }

    // The behaviour both stores share; `replace` swaps key's content behind the store's back.
    void exerciseStore(ObjectStore& store, const std::function<void(const std::string&, const std::string&)>& replace,
                       const fs::path& dir, const std::string& spaced)
    {
        const std::string content = randomBytes(300000, 1);
        writeBytes(dir / "in.bin", content);
        JobControl job;
        std::int64_t lastDone = -1, lastTotal = -1;
        job.setProgressCallback([&](const JobControl::Progress& p) {
            lastDone = p.done;
            lastTotal = p.total;
        });
        QVERIFY(!store.putFile(spaced, dir / "in.bin", {}, &job).empty());
        QCOMPARE(lastDone, std::int64_t(content.size()));
        QCOMPARE(lastTotal, std::int64_t(content.size()));

        const auto info = store.head(spaced);
        QVERIFY(info.has_value());
        QCOMPARE(info->size, std::uint64_t(content.size()));
        QVERIFY(!info->etag.empty());
        QVERIFY(!store.head("dir/missing").has_value());

        GetOptions verified;
        verified.expectedSha256 = sha256Hex(content);
        store.getFile(spaced, dir / "out.bin", verified);
        QCOMPARE(sha256File(dir / "out.bin"), sha256Hex(content));
        QVERIFY(!fs::exists(dir / "out.bin.part"));
        QCOMPARE(store.getBytes(spaced, verified), content);

        // Ranges.
        GetOptions range;
        range.range = GetOptions::Range{1000, 5000};
        QCOMPARE(store.getBytes(spaced, range), content.substr(1000, 5000));
        range.expectedSha256 = sha256Hex(content.substr(1000, 5000));
        store.getFile(spaced, dir / "range.bin", range);
        QCOMPARE(sha256File(dir / "range.bin"), sha256Hex(content.substr(1000, 5000)));
        range.range = GetOptions::Range{content.size() + 1, 0};
        auto outside = storeError([&] { store.getFile(spaced, dir / "x.bin", range); });
        QVERIFY(outside && outside->failure() == StoreFailure::BadAddress);

        // Conditional create never overwrites.
        PutOptions create;
        create.ifNoneMatch = true;
        auto taken = storeError([&] { store.putBytes(spaced, "other", create); });
        QVERIFY(taken);
        QCOMPARE(taken->failure(), StoreFailure::AlreadyExists);
        QVERIFY2(std::string(taken->what()).find("already exists") != std::string::npos, taken->what());
        QCOMPARE(store.getBytes(spaced, verified), content);
        QVERIFY(!store.putBytes("fresh/one", "first", create).empty());
        QCOMPARE(store.getBytes("fresh/one"), std::string("first"));
        // ...while a plain put replaces.
        store.putBytes("fresh/one", "second");
        QCOMPARE(store.getBytes("fresh/one"), std::string("second"));

        // Listing, in key order, relative to the store's prefix.
        for (int i = 0; i < 5; ++i)
            store.putBytes("listing/k" + std::to_string(i), std::string(std::size_t(i), 'x'));
        store.putBytes("listingX", "not under listing/");
        const auto listed = store.list("listing/");
        QCOMPARE(listed.size(), std::size_t(5));
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(listed[std::size_t(i)].key, "listing/k" + std::to_string(i));
            QCOMPARE(listed[std::size_t(i)].size, std::uint64_t(i));
        }
        QCOMPARE(store.list("listing").size(), std::size_t(6));
        QCOMPARE(store.list("dir/").size(), std::size_t(1));
        QCOMPARE(store.list("dir/").front().key, spaced);
        QVERIFY(store.list("nothing/").empty());

        // A download whose bytes are not the expected ones is refused and leaves nothing behind.
        replace(spaced, "tampered content");
        auto mismatch = storeError([&] { store.getFile(spaced, dir / "tampered.bin", verified); });
        QVERIFY(mismatch);
        QCOMPARE(mismatch->failure(), StoreFailure::HashMismatch);
        const std::string message = mismatch->what();
        QVERIFY2(message.find(spaced) != std::string::npos, message.c_str());
        QVERIFY2(message.find(sha256Hex(content)) != std::string::npos, message.c_str());
        QVERIFY2(message.find(sha256Hex("tampered content")) != std::string::npos, message.c_str());
        QVERIFY(!fs::exists(dir / "tampered.bin"));
        QVERIFY(!fs::exists(dir / "tampered.bin.part"));
        auto bytesMismatch = storeError([&] { store.getBytes(spaced, verified); });
        QVERIFY(bytesMismatch && bytesMismatch->failure() == StoreFailure::HashMismatch);

        // The empty object.
        store.putBytes("empty", "");
        QCOMPARE(store.head("empty")->size, std::uint64_t(0));
        QCOMPARE(store.getBytes("empty"), std::string());
        GetOptions emptyHash;
        emptyHash.expectedSha256 = sha256Hex("");
        store.getFile("empty", dir / "empty.bin", emptyHash);
        QCOMPARE(fs::file_size(dir / "empty.bin"), std::uintmax_t(0));

        // A missing key, bad keys.
        auto missing = storeError([&] { store.getFile("no/such/key", dir / "none.bin"); });
        QVERIFY(missing && missing->failure() == StoreFailure::NotFound);
        for (const std::string& bad : std::vector<std::string>{"", "/abs", "a//b", "a/../b", "a/./b", "trailing/",
                                                               std::string("ctl\x01"), std::string("bad\xff utf8")}) {
            auto e = storeError([&] { store.putBytes(bad, "x"); });
            QVERIFY2(e && e->failure() == StoreFailure::BadAddress, bad.c_str());
        }

        // A download interrupted (cancelled) half-way resumes from its .part file.
        const std::string big = randomBytes(6u << 20, 2);
        writeBytes(dir / "big.bin", big);
        PutOptions single;
        store.putFile("resume/big", dir / "big.bin", single);
        JobControl cancelling;
        cancelling.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.stage == "downloading" && p.done >= (1 << 20))
                cancelling.requestCancel();
        });
        GetOptions whole;
        whole.expectedSha256 = sha256Hex(big);
        QVERIFY_THROWS_EXCEPTION(Cancelled, store.getFile("resume/big", dir / "big.out", whole, &cancelling));
        QVERIFY(!fs::exists(dir / "big.out"));
        QVERIFY(fs::exists(dir / "big.out.part"));
        const auto partial = fs::file_size(dir / "big.out.part");
        QVERIFY(partial > 0 && partial < big.size());
        std::int64_t firstDone = -1;
        JobControl resuming([&](const JobControl::Progress& p) {
            if (p.stage == "downloading" && firstDone < 0)
                firstDone = p.done;
        });
        store.getFile("resume/big", dir / "big.out", whole, &resuming);
        QCOMPARE(sha256File(dir / "big.out"), sha256Hex(big));
        QVERIFY2(firstDone >= std::int64_t(partial), "the second download started again from the beginning");
        QVERIFY(!fs::exists(dir / "big.out.part"));
    }

private slots:
    void initTestCase()
    {
        m_work = test::freshDir("object_store");
        m_motoPort = test::freeTcpPort();
        m_endpoint = "http://127.0.0.1:" + std::to_string(m_motoPort);
        auto env = QProcessEnvironment::systemEnvironment();
        // The first four calls (s3_helper.py setup: user, key, policy, bucket) need no signature;
        // every later one is checked against the IAM user's secret.
        env.insert("INITIAL_NO_AUTH_ACTION_COUNT", "4");
        env.insert("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
        env.insert("AWS_SECRET_ACCESS_KEY", "setup");
        startAndWait(m_moto, {"-m", "moto.server", "-H", "127.0.0.1", "-p", QString::number(m_motoPort)}, m_motoPort,
                     env);
        QVERIFY(!QTest::currentTestFailed());
        m_accessKey = "AKIAIOSFODNN7EXAMPLE";
        m_secret = "setup";
        const json keys = json::parse(boto({"setup", kBucket}));
        m_accessKey = keys.at("access_key_id");
        m_secret = keys.at("secret_access_key");

        const int lenientPort = test::freeTcpPort();
        m_lenientEndpoint = "http://127.0.0.1:" + std::to_string(lenientPort);
        startAndWait(m_lenient, {"-m", "moto.server", "-H", "127.0.0.1", "-p", QString::number(lenientPort)},
                     lenientPort, QProcessEnvironment::systemEnvironment());
        QVERIFY(!QTest::currentTestFailed());
        boto({"mb", kBucket}, m_lenientEndpoint);

        m_control = m_work / "fault.json";
        m_log = m_work / "proxy.log";
        setFault(json::object());
        clearProxyLog();
        m_proxyPort = test::freeTcpPort();
        m_proxyEndpoint = "http://127.0.0.1:" + std::to_string(m_proxyPort);
        startAndWait(m_proxy,
                     {QString::fromStdString((test::sourceDir() / "tests/net/fault_proxy.py").string()), "--listen",
                      QString::number(m_proxyPort), "--upstream", QString::fromStdString(m_endpoint), "--control",
                      QString::fromStdString(m_control.string()), "--log", QString::fromStdString(m_log.string())},
                     m_proxyPort, QProcessEnvironment::systemEnvironment());
        QVERIFY(!QTest::currentTestFailed());

        // The engine finds the credentials where every AWS tool does; nothing from the machine's
        // own ~/.aws may leak in.
        ::setenv("AWS_ACCESS_KEY_ID", m_accessKey.c_str(), 1);
        ::setenv("AWS_SECRET_ACCESS_KEY", m_secret.c_str(), 1);
        ::unsetenv("AWS_SESSION_TOKEN");
        ::unsetenv("AWS_PROFILE");
        ::unsetenv("AWS_ENDPOINT_URL");
        ::unsetenv("AWS_ENDPOINT_URL_S3");
        ::setenv("AWS_SHARED_CREDENTIALS_FILE", (m_work / "no-credentials").c_str(), 1);
        ::setenv("AWS_CONFIG_FILE", (m_work / "no-config").c_str(), 1);
    }

    void cleanupTestCase()
    {
        for (QProcess* p : {&m_proxy, &m_moto, &m_lenient}) {
            if (p->state() != QProcess::NotRunning) {
                p->terminate();
                if (!p->waitForFinished(5000)) {
                    p->kill();
                    p->waitForFinished(5000);
                }
            }
        }
    }

    // AWS's published example (Amazon S3 API reference, "Example: GET Object").
    void signatureMatchesAwsExample()
    {
        SignedRequest r;
        r.method = "GET";
        r.canonicalUri = "/test.txt";
        r.headers = {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"}};
        r.payloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        AwsCredentials c;
        c.accessKeyId = "AKIAIOSFODNN7EXAMPLE";
        c.secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        signV4(r, c, "us-east-1", "s3", std::time_t(1369353600)); // 2013-05-24T00:00:00Z
        QCOMPARE(r.headers.back().first, std::string("Authorization"));
        QCOMPARE(r.headers.back().second,
                 std::string("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                             "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                             "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
        QCOMPARE(uriEncode("a b/ü~+", true), std::string("a%20b/%C3%BC~%2B"));
        QCOMPARE(uriEncode("a/b", false), std::string("a%2Fb"));
    }

    // Every request here is signature-checked by moto, so this is also the engine's SigV4 against
    // botocore's. (Listing and special characters in keys: see s3RoundTripWithBoto.)
    void s3SignedRoundTrip()
    {
        const fs::path dir = test::freshDir("signed");
        auto store = openObjectStore(std::string("s3://") + kBucket + "/signed", options());
        const std::string content = randomBytes(123457, 3);
        const std::string key = "dir/a file.bin";
        writeBytes(dir / "in.bin", content);
        QVERIFY(!store->putFile(key, dir / "in.bin").empty());
        const auto info = store->head(key);
        QVERIFY(info && info->size == content.size() && info->sha256 == sha256Hex(content));
        QVERIFY(!store->head("dir/none").has_value());
        // What the engine uploaded, boto3 reads (content, hash, the recorded sha256).
        const json got = json::parse(boto({"get", kBucket, "signed/" + key, (dir / "boto.bin").string()}));
        QCOMPARE(got.at("sha256").get<std::string>(), sha256Hex(content));
        QCOMPARE(got.at("size").get<std::uint64_t>(), std::uint64_t(content.size()));
        QCOMPARE(got.at("metadata").at("sha256").get<std::string>(), sha256Hex(content));
        // The engine reads back, checked against the recorded hash; ranges.
        store->getFile(key, dir / "out.bin");
        QCOMPARE(sha256File(dir / "out.bin"), sha256Hex(content));
        GetOptions range;
        range.range = GetOptions::Range{100, 1000};
        QCOMPARE(store->getBytes(key, range), content.substr(100, 1000));
        // Conditional create.
        PutOptions create;
        create.ifNoneMatch = true;
        auto taken = storeError([&] { store->putBytes(key, "x", create); });
        QVERIFY(taken && taken->failure() == StoreFailure::AlreadyExists);
        store->putBytes("dir/new", "y", create);
        // What boto3 uploads, the engine reads and verifies; a replaced object is refused.
        const std::string other = randomBytes(65536, 4);
        writeBytes(dir / "boto-up.bin", other);
        boto({"put", kBucket, "signed/from-boto/x y.bin", (dir / "boto-up.bin").string()});
        GetOptions check;
        check.expectedSha256 = sha256Hex(other);
        store->getFile("from-boto/x y.bin", dir / "engine.bin", check);
        QCOMPARE(sha256File(dir / "engine.bin"), sha256Hex(other));
        writeBytes(dir / "boto-up.bin", "replaced");
        boto({"put", kBucket, "signed/from-boto/x y.bin", (dir / "boto-up.bin").string()});
        auto mismatch = storeError([&] { store->getFile("from-boto/x y.bin", dir / "engine2.bin", check); });
        QVERIFY(mismatch && mismatch->failure() == StoreFailure::HashMismatch);
        QVERIFY(!fs::exists(dir / "engine2.bin"));
    }

    // moto 5.2.1 checks signatures against the path and query as werkzeug re-quotes them, which
    // differ from the raw ones for any byte outside [A-Za-z0-9-_.~ ] in a key and for a '/' in a
    // query value (a list prefix): boto3's own requests for those are refused there too
    // (docs/protocol.md, "Testing against moto"). They go to a second moto without signature
    // checks; real S3 signs the raw path and query, as the engine and boto3 do.
    void s3RoundTripWithBoto()
    {
        const fs::path dir = test::freshDir("s3-special");
        ObjectStoreOptions o = options();
        o.endpoint = m_lenientEndpoint;
        auto store = openObjectStore(std::string("s3://") + kBucket + "/special", o);
        exerciseStore(
            *store,
            [&](const std::string& key, const std::string& bytes) {
                writeBytes(dir / "replacement", bytes);
                boto({"put", kBucket, "special/" + key, (dir / "replacement").string()}, m_lenientEndpoint);
            },
            dir, kSpecialKey);
        const json got = json::parse(
            boto({"get", kBucket, "special/" + kSpecialKey, (dir / "boto.bin").string()}, m_lenientEndpoint));
        QCOMPARE(got.at("sha256").get<std::string>(), sha256Hex("tampered content"));
        const json listed = json::parse(boto({"list", kBucket, "special/dir/"}, m_lenientEndpoint));
        QCOMPARE(listed.size(), std::size_t(1));
        QCOMPARE(listed.at(0).at("key").get<std::string>(), "special/" + kSpecialKey);
        const json listing = json::parse(boto({"list", kBucket, "special/listing/"}, m_lenientEndpoint));
        QCOMPARE(listing.size(), std::size_t(5));
        QCOMPARE(listing.at(0).at("key").get<std::string>(), std::string("special/listing/k0"));
        // What boto3 uploads under such a key, the engine reads.
        writeBytes(dir / "up.bin", "from boto3");
        const std::string odd = "from-boto/ß ñ 文件 #?%.bin";
        boto({"put", kBucket, "special/" + odd, (dir / "up.bin").string()}, m_lenientEndpoint);
        GetOptions check;
        check.expectedSha256 = sha256Hex("from boto3");
        QCOMPARE(store->getBytes(odd, check), std::string("from boto3"));
        QCOMPARE(store->list("from-boto/").front().key, odd);
    }

    void s3ListPaginates()
    {
        auto o = options();
        o.listPageSize = 2;
        // At the bucket's root, with a prefix without '/': moto checks these signatures too.
        auto store = openObjectStore(std::string("s3://") + kBucket, o);
        for (int i = 0; i < 7; ++i)
            store->putBytes("page-" + std::to_string(i), "x");
        const auto listed = store->list("page-");
        QCOMPARE(listed.size(), std::size_t(7));
        for (int i = 0; i < 7; ++i)
            QCOMPARE(listed[std::size_t(i)].key, "page-" + std::to_string(i));
        QVERIFY(store->stats().requests >= 4 + 7);
    }

    void s3MultipartReadByBoto()
    {
        const fs::path dir = test::freshDir("multipart");
        const std::string content = randomBytes((11u << 20) + 12345, 5); // three parts of 5 MiB
        writeBytes(dir / "big.bin", content);
        auto store = openObjectStore(std::string("s3://") + kBucket + "/multi", options());
        JobControl job;
        std::int64_t lastDone = 0;
        job.setProgressCallback([&](const JobControl::Progress& p) {
            if (p.stage == "uploading")
                lastDone = p.done;
        });
        PutOptions create;
        create.ifNoneMatch = true;
        store->putFile("big.bin", dir / "big.bin", create, &job);
        QCOMPARE(lastDone, std::int64_t(content.size()));
        QCOMPARE(store->stats().partsUploaded, std::uint64_t(3));
        QVERIFY(!fs::exists(dir / "big.bin.teft-upload.json"));
        QCOMPARE(boto({"parts", kBucket, "multi/big.bin"}), std::string("3\n"));
        const json got = json::parse(boto({"get", kBucket, "multi/big.bin", (dir / "boto.bin").string()}));
        QCOMPARE(got.at("sha256").get<std::string>(), sha256Hex(content));
        QCOMPARE(got.at("metadata").at("sha256").get<std::string>(), sha256Hex(content));
        // The engine reads it back checked against the recorded hash.
        store->getFile("big.bin", dir / "back.bin");
        QCOMPARE(sha256File(dir / "back.bin"), sha256Hex(content));
        // A second create of the same key is refused before any part is sent.
        const auto parts = store->stats().partsUploaded;
        auto taken = storeError([&] { store->putFile("big.bin", dir / "big.bin", create); });
        QVERIFY(taken && taken->failure() == StoreFailure::AlreadyExists);
        QCOMPARE(store->stats().partsUploaded, parts);
    }

    // Another party creates the key while the parts go up: the completion's If-None-Match: * is
    // refused (412), the upload is aborted and theirs stays.
    void s3MultipartCreateRaceIsRefusedAtCompletion()
    {
        const fs::path dir = test::freshDir("race");
        const std::string content = randomBytes((10u << 20) + 1, 8);
        writeBytes(dir / "big.bin", content);
        writeBytes(dir / "theirs.bin", "theirs");
        auto store = openObjectStore(std::string("s3://") + kBucket + "/race", options());
        JobControl job;
        bool raced = false;
        int helperExit = -1;
        job.setProgressCallback([&](const JobControl::Progress& p) {
            // Once every byte is up, before the completion (a worker thread: no QProcess here).
            if (p.stage == "uploading" && p.done == std::int64_t(content.size()) && !raced) {
                raced = true;
                const std::string command = "AWS_ACCESS_KEY_ID='" + m_accessKey + "' AWS_SECRET_ACCESS_KEY='" +
                                            m_secret + "' '" + test::python() + "' '" +
                                            (test::sourceDir() / "tests/net/s3_helper.py").string() + "' --endpoint " +
                                            m_endpoint + " put " + kBucket + " race/big.bin '" +
                                            (dir / "theirs.bin").string() + "'";
                helperExit = std::system(command.c_str());
            }
        });
        PutOptions create;
        create.ifNoneMatch = true;
        auto e = storeError([&] { store->putFile("big.bin", dir / "big.bin", create, &job); });
        QVERIFY(raced);
        QCOMPARE(helperExit, 0);
        QVERIFY(e);
        QCOMPARE(e->failure(), StoreFailure::AlreadyExists);
        QCOMPARE(store->getBytes("big.bin"), std::string("theirs"));
        QVERIFY(!fs::exists(dir / "big.bin.teft-upload.json"));
    }

    void credentialsFromProfileFiles()
    {
        const fs::path dir = test::freshDir("profile");
        writeFileAtomically(dir / "credentials", "[default]\naws_access_key_id = AKIAWRONGWRONGWRONG0\n"
                                                 "aws_secret_access_key = wrong\n\n[teft-test]\naws_access_key_id = " +
                                                     m_accessKey + "\naws_secret_access_key = " + m_secret + "\n");
        writeFileAtomically(dir / "config",
                            "[profile teft-test]\nregion = us-east-1\nendpoint_url = " + m_endpoint + "\n");
        ScopedEnv env;
        env.set("AWS_ACCESS_KEY_ID", nullptr);
        env.set("AWS_SECRET_ACCESS_KEY", nullptr);
        env.set("AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").c_str());
        env.set("AWS_CONFIG_FILE", (dir / "config").c_str());
        env.set("AWS_PROFILE", "teft-test");
        ObjectStoreOptions o = options();
        o.endpoint.clear(); // from the profile's endpoint_url
        o.region.clear();
        auto store = openObjectStore(std::string("s3://") + kBucket + "/profile", o);
        const auto* s3 = dynamic_cast<S3Store*>(store.get());
        QVERIFY(s3);
        QCOMPARE(s3->settings().endpoint, m_endpoint);
        QVERIFY2(s3->settings().credentials.source.find("teft-test") != std::string::npos,
                 s3->settings().credentials.source.c_str());
        store->putBytes("hello", "from a profile");
        QCOMPARE(store->getBytes("hello"), std::string("from a profile"));

        // A profile that does not exist: the error names it and the files searched.
        env.set("AWS_PROFILE", "nobody");
        auto missing = storeError([&] { openObjectStore(std::string("s3://") + kBucket, o); });
        QVERIFY(missing);
        QCOMPARE(missing->failure(), StoreFailure::Credentials);
        const std::string message = missing->what();
        QVERIFY2(message.find("nobody") != std::string::npos, message.c_str());
        QVERIFY2(message.find((dir / "credentials").string()) != std::string::npos, message.c_str());
        QVERIFY2(message.find("AWS_ACCESS_KEY_ID") != std::string::npos, message.c_str());
        // Half of the environment pair.
        env.set("AWS_ACCESS_KEY_ID", "AKIAONLYTHEID0000000");
        auto half = storeError([&] { openObjectStore(std::string("s3://") + kBucket, o); });
        QVERIFY(half && half->failure() == StoreFailure::Credentials);
        QVERIFY2(std::string(half->what()).find("AWS_SECRET_ACCESS_KEY") != std::string::npos, half->what());
    }

    void wrongSecretIsASignatureError()
    {
        ObjectStoreOptions o = options();
        AwsCredentials wrong;
        wrong.accessKeyId = m_accessKey;
        wrong.secretAccessKey = m_secret + "x";
        o.credentials = wrong;
        auto store = openObjectStore(std::string("s3://") + kBucket + "/wrong", o);
        auto e = storeError([&] { store->putBytes("k", "v"); });
        QVERIFY(e);
        QCOMPARE(e->failure(), StoreFailure::Refused);
        QCOMPARE(e->code(), std::string("SignatureDoesNotMatch"));
        QCOMPARE(e->httpStatus(), 403);
        QVERIFY2(std::string(e->what()).find("SignatureDoesNotMatch") != std::string::npos, e->what());
        QVERIFY2(std::string(e->what()).find(m_accessKey) != std::string::npos, e->what());
        QCOMPARE(store->stats().retries, std::uint64_t(0)); // a 403 is not retried
    }

    void badStoreUrls()
    {
        for (const std::string url : {"http://x", "s3://", "s3://UPPER", "s3://ab", "file://relative", "s3://b_x"}) {
            auto e = storeError([&] { openObjectStore(url, options()); });
            QVERIFY2(e && e->failure() == StoreFailure::BadAddress, url.c_str());
        }
        ObjectStoreOptions o = options();
        o.endpoint = "ftp://host";
        auto e = storeError([&] { openObjectStore("s3://bucket", o); });
        QVERIFY(e && e->failure() == StoreFailure::BadAddress);
        auto missing = storeError([&] { openObjectStore("file://" + (m_work / "does-not-exist").string()); });
        QVERIFY(missing && missing->failure() == StoreFailure::NotFound);
    }

    void fileStoreBehavesTheSame()
    {
        const fs::path root = test::freshDir("file-store");
        const fs::path dir = test::freshDir("file-store-local");
        auto store = openObjectStore("file://" + root.string());
        exerciseStore(
            *store,
            [&](const std::string& key, const std::string& bytes) { writeBytes(root / fs::u8path(key), bytes); }, dir,
            kSpecialKey);
        // Multipart does not apply; large files are copied whole, atomically.
        const std::string content = randomBytes(3u << 20, 6);
        writeBytes(dir / "f.bin", content);
        PutOptions create;
        create.ifNoneMatch = true;
        store->putFile("f.bin", dir / "f.bin", create);
        QCOMPARE(sha256File(root / "f.bin"), sha256Hex(content));
        auto taken = storeError([&] { store->putFile("f.bin", dir / "f.bin", create); });
        QVERIFY(taken && taken->failure() == StoreFailure::AlreadyExists);
        // No temporary file is left in the store's folders.
        for (const auto& entry : fs::recursive_directory_iterator(root))
            QVERIFY2(entry.path().filename().string().rfind(".teft-tmp-", 0) != 0, entry.path().c_str());
    }

    void droppedConnectionResumesMultipart()
    {
        const fs::path dir = test::freshDir("drop");
        const std::string content = randomBytes((15u << 20) + 777, 7); // four parts
        writeBytes(dir / "big.bin", content);
        ObjectStoreOptions o = options(true);
        o.maxAttempts = 2;
        o.parallelParts = 1;
        {
            // Every upload of part 2 is cut off half-way: the put gives up, part 1 stays uploaded.
            setFault({{"drop_part", 2}});
            clearProxyLog();
            auto store = openObjectStore(std::string("s3://") + kBucket + "/drop", o);
            auto e = storeError([&] { store->putFile("big.bin", dir / "big.bin"); });
            QVERIFY(e);
            QCOMPARE(e->failure(), StoreFailure::Connection);
            QVERIFY2(std::string(e->what()).find("part 2/4") != std::string::npos, e->what());
            QVERIFY2(std::string(e->what()).find("2 attempts") != std::string::npos, e->what());
            int drops = 0;
            for (const json& line : proxyLog())
                drops += line.at("action") == "drop";
            QCOMPARE(drops, 2);
        }
        const json state = json::parse(readFile(dir / "big.bin.teft-upload.json"));
        std::set<std::string> uploaded;
        for (const auto& [n, etag] : state.at("parts").items())
            uploaded.insert(n);
        QCOMPARE(uploaded, std::set<std::string>{"1"});

        // The connection is back: the second put lists the parts and sends only the missing ones.
        setFault(json::object());
        clearProxyLog();
        o.parallelParts = 3;
        auto store = openObjectStore(std::string("s3://") + kBucket + "/drop", o);
        store->putFile("big.bin", dir / "big.bin");
        std::set<std::string> sent;
        bool listedParts = false;
        for (const json& line : proxyLog()) {
            const std::string query = line.at("query");
            if (line.at("method") == "PUT" && query.find("partNumber=") != std::string::npos)
                sent.insert(query.substr(query.find("partNumber=") + 11, 1));
            if (line.at("method") == "GET" && query.find("uploadId=") != std::string::npos)
                listedParts = true;
        }
        QVERIFY(listedParts);
        QCOMPARE(sent, (std::set<std::string>{"2", "3", "4"}));
        QCOMPARE(store->stats().partsUploaded, std::uint64_t(3));
        QVERIFY(!fs::exists(dir / "big.bin.teft-upload.json"));
        const json got = json::parse(boto({"get", kBucket, "drop/big.bin", (dir / "boto.bin").string()}));
        QCOMPARE(got.at("sha256").get<std::string>(), sha256Hex(content));
    }

    void serverErrorsAreRetriedWithBackoff()
    {
        ObjectStoreOptions o = options(true);
        o.maxAttempts = 5;
        auto store = openObjectStore(std::string("s3://") + kBucket + "/storm", o);
        setFault({{"fail500", 3}});
        clearProxyLog();
        store->putBytes("k", "survives the storm");
        QCOMPARE(store->stats().retries, std::uint64_t(3));
        QCOMPARE(store->stats().requests, std::uint64_t(4));
        const auto log = proxyLog();
        QCOMPARE(log.size(), std::size_t(4));
        QCOMPARE(log.back().at("action").get<std::string>(), std::string("forward"));
        setFault(json::object());
        QCOMPARE(store->getBytes("k"), std::string("survives the storm"));

        // A storm longer than the attempts: a clear error with the server's code.
        setFault({{"fail500", 100}});
        auto e = storeError([&] { store->putBytes("k2", "never"); });
        setFault(json::object());
        QVERIFY(e);
        QCOMPARE(e->failure(), StoreFailure::Server);
        QCOMPARE(e->httpStatus(), 500);
        QVERIFY2(std::string(e->what()).find("InternalError") != std::string::npos, e->what());
        QVERIFY2(std::string(e->what()).find("5 attempts") != std::string::npos, e->what());
        QVERIFY(!store->head("k2").has_value());
    }

    // Last: the stalled requests keep proxy threads asleep.
    void stalledServerTimesOut()
    {
        ObjectStoreOptions o = options(true);
        o.lowSpeedSeconds = 1;
        o.maxAttempts = 2;
        auto store = openObjectStore(std::string("s3://") + kBucket + "/stall", o);
        setFault({{"stall", true}, {"stall_seconds", 30}});
        auto e = storeError([&] { store->putBytes("slow/key", "waiting"); });
        auto g = storeError([&] { store->getBytes("slow/key"); });
        setFault(json::object());
        for (const auto& error : {e, g}) {
            QVERIFY(error);
            QCOMPARE(error->failure(), StoreFailure::TimedOut);
            const std::string message = error->what();
            QVERIFY2(message.find("timed out") != std::string::npos, message.c_str());
            QVERIFY2(message.find(m_proxyEndpoint) != std::string::npos, message.c_str());
            QVERIFY2(message.find("slow/key") != std::string::npos, message.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestObjectStore)
#include "test_object_store.moc"
