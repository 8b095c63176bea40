// safetensors reader/writer and sharded checkpoints: round trips, zero-copy reads, and a corpus
// of malformed files, each refused with a message that names the problem.
#include "core/io/CheckpointFiles.h"
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <cstring>
#include <fstream>

using namespace teft;
namespace fs = std::filesystem;

namespace {

// A file written byte by byte, independently of SafetensorsWriter.
void writeRaw(const fs::path& path, const std::string& header, const std::string& data,
              std::uint64_t declaredLength = UINT64_MAX)
{
    const std::uint64_t n = declaredLength == UINT64_MAX ? header.size() : declaredLength;
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i)
        bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    std::ofstream out(path, std::ios::binary);
    out << bytes << header << data;
}

std::string rawBytes(const torch::Tensor& t)
{
    const torch::Tensor c = t.contiguous();
    return std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
}

// Runs f and returns the FormatError's message; fails the test when nothing is thrown.
template <typename F>
std::string formatErrorOf(F&& f)
{
    try {
        f();
    } catch (const FormatError& e) {
        return e.what();
    }
    return "<no FormatError thrown>";
}

// Runs f and returns the teft::Error's message.
template <typename F>
std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "<no Error thrown>";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::pair<std::string, torch::Tensor>> sampleTensors()
{
    torch::manual_seed(7);
    std::vector<std::pair<std::string, torch::Tensor>> t;
    t.emplace_back("bool.mask", torch::rand({3, 5}) > 0.5);
    t.emplace_back("u8.bytes", torch::randint(0, 256, {7}, torch::kUInt8));
    t.emplace_back("i8.small", torch::randint(-128, 128, {2, 3}, torch::kInt8));
    t.emplace_back("i16.values", torch::randint(-30000, 30000, {4, 1, 3}, torch::kInt16));
    t.emplace_back("i32.ids", torch::randint(-100000, 100000, {5}, torch::kInt32));
    t.emplace_back("i64.ids", torch::randint(-(1LL << 40), 1LL << 40, {2, 2}, torch::kInt64));
    t.emplace_back("f16.w", torch::randn({3, 4}).to(torch::kHalf));
    t.emplace_back("bf16.w", torch::randn({5, 3}).to(torch::kBFloat16));
    t.emplace_back("f32.w", torch::randn({6, 2}));
    t.emplace_back("f64.w", torch::randn({3}, torch::kDouble));
    t.emplace_back("c64.w", torch::randn({2, 2}, torch::kComplexFloat));
    t.emplace_back("scalar.f32", torch::tensor(3.25f).reshape({}));
    t.emplace_back("scalar.i64", torch::tensor(static_cast<int64_t>(-42)).reshape({}));
    t.emplace_back("empty.rows", torch::zeros({0, 4}));
    t.emplace_back("empty.middle", torch::zeros({2, 0, 3}, torch::kBFloat16));
    // Non-contiguous input: written as its logical (C-order) content.
    t.emplace_back("transposed", torch::arange(12, torch::kFloat).reshape({3, 4}).t());
    return t;
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { configureThreads(0); }

    void roundTripEveryDtype()
    {
        const fs::path dir = test::freshDir("roundtrip");
        const auto tensors = sampleTensors();
        writeSafetensors(dir / "a.safetensors", tensors, {{"note", "hello"}});

        // The file layout, checked by hand: LE length, header padded to 8, format=pt.
        const std::string bytes = readFile(dir / "a.safetensors");
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | static_cast<unsigned char>(bytes[i]);
        QCOMPARE(n % 8, 0u);
        const auto header = nlohmann::json::parse(bytes.substr(8, n));
        QCOMPARE(header["__metadata__"]["format"].get<std::string>(), std::string("pt"));
        QCOMPARE(header["__metadata__"]["note"].get<std::string>(), std::string("hello"));
        QCOMPARE(header["bf16.w"]["dtype"].get<std::string>(), std::string("BF16"));
        QCOMPARE(header["c64.w"]["dtype"].get<std::string>(), std::string("C64"));
        QCOMPARE(header["scalar.f32"]["shape"].size(), 0u);

        const auto file = SafetensorsFile::open(dir / "a.safetensors");
        QCOMPARE(file->tensors().size(), tensors.size());
        QCOMPARE(file->metadata().at("format"), std::string("pt"));
        QCOMPARE(file->metadata().at("note"), std::string("hello"));
        QCOMPARE(file->fileSize(), static_cast<std::uint64_t>(bytes.size()));
        for (const auto& [name, original] : tensors) {
            QVERIFY2(file->contains(name), name.c_str());
            const torch::Tensor t = file->tensor(name);
            QCOMPARE(t.scalar_type(), original.scalar_type());
            QCOMPARE(t.sizes().vec(), original.sizes().vec());
            QVERIFY2(torch::equal(t, original.contiguous()), name.c_str());
            // The stored bytes are the tensor's little-endian C-order bytes.
            QVERIFY2(std::string(file->bytes(name)) == rawBytes(original), name.c_str());
            // Offsets in the header match the bytes the reader hands out.
            const auto& info = file->info(name);
            const auto offsets = header[name]["data_offsets"];
            QCOMPARE(info.begin, offsets[0].get<std::uint64_t>());
            QCOMPARE(info.end, offsets[1].get<std::uint64_t>());
            QVERIFY(std::memcmp(bytes.data() + 8 + n + info.begin, rawBytes(original).data(), info.byteSize()) == 0);
        }
        QCOMPARE(file->tensor("scalar.f32").dim(), 0);
        QCOMPARE(file->tensor("scalar.f32").item<float>(), 3.25f);
        QCOMPARE(file->tensor("empty.middle").numel(), 0);
    }

    void zeroCopyAndLifetime()
    {
        const fs::path dir = test::freshDir("zerocopy");
        const torch::Tensor w = torch::randn({64, 32});
        writeSafetensors(dir / "w.safetensors", {{"w", w}, {"b", torch::randn({32}).to(torch::kBFloat16)}});
        auto file = SafetensorsFile::open(dir / "w.safetensors");
        torch::Tensor t = file->tensor("w");
        torch::Tensor b = file->tensor("b");
        const char* view = file->bytes("w").data();
        QCOMPARE(static_cast<const char*>(t.data_ptr()), view); // no copy: the tensor views the mapping
        QVERIFY(static_cast<const char*>(b.data_ptr()) == file->bytes("b").data());
        file.reset(); // the tensors keep the mapping alive
        QVERIFY(torch::equal(t, w));
        torch::Tensor writable = t.clone();
        writable.add_(1);
        QVERIFY(torch::allclose(writable, w + 1));
    }

    void misalignedDataIsCopied()
    {
        const fs::path dir = test::freshDir("misaligned");
        // One byte of U8 first, so the F32 tensor starts at an odd offset.
        const std::string header =
            R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"f":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})";
        std::string data(9, '\0');
        data[0] = 5;
        const float values[2] = {1.5f, -2.0f};
        std::memcpy(&data[1], values, 8);
        // Pad the header so that the data buffer itself is 8-aligned; only the offset is odd.
        writeRaw(dir / "m.safetensors", header + std::string((8 - header.size() % 8) % 8, ' '), data);
        const auto file = SafetensorsFile::open(dir / "m.safetensors");
        const torch::Tensor f = file->tensor("f");
        QVERIFY(reinterpret_cast<std::uintptr_t>(f.data_ptr()) % 4 == 0);
        QVERIFY(static_cast<const char*>(f.data_ptr()) != file->bytes("f").data());
        QCOMPARE(f[0].item<float>(), 1.5f);
        QCOMPARE(f[1].item<float>(), -2.0f);
        QCOMPARE(file->tensor("a").item<int>(), 5);
    }

    void typesTorchLacksAreReadableAsBytes()
    {
        const fs::path dir = test::freshDir("f6");
        // F6_E3M2 (no LibTorch type): 4 elements of 6 bits in 3 bytes.
        writeRaw(dir / "u.safetensors", R"({"u":{"dtype":"F6_E3M2","shape":[4],"data_offsets":[0,3]}})",
                 std::string("\x01\x00\xff", 3));
        const auto file = SafetensorsFile::open(dir / "u.safetensors");
        QCOMPARE(file->bytes("u").size(), 3u);
        const std::string msg = formatErrorOf([&] { file->tensor("u"); });
        QVERIFY2(contains(msg, "F6_E3M2") && contains(msg, "\"u\""), msg.c_str());
        const std::string missing = formatErrorOf([&] { file->info("nope"); });
        QVERIFY2(contains(missing, "\"nope\"") && contains(missing, "u.safetensors"), missing.c_str());
    }

    void writerRefusals()
    {
        const fs::path dir = test::freshDir("writer");
        SafetensorsWriter w(dir / "x.safetensors");
        w.add("a", torch::zeros({2}));
        QVERIFY_THROWS_EXCEPTION(Error, w.add("a", torch::zeros({3})));
        QVERIFY_THROWS_EXCEPTION(Error, w.add("__metadata__", torch::zeros({3})));
        QVERIFY_THROWS_EXCEPTION(Error, w.add("q", torch::zeros({2}, torch::kComplexDouble)));
        QVERIFY(!fs::exists(dir / "x.safetensors"));
    }

    void malformedFilesAreRefused_data()
    {
        QTest::addColumn<QString>("header");
        QTest::addColumn<QString>("dataHex");
        QTest::addColumn<qlonglong>("declaredLength"); // -1: the header's size
        QTest::addColumn<int>("truncateTo");           // -1: whole file
        QTest::addColumn<QString>("expected");

        const QString ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        const QString eight = "0000000000000000";
        QTest::newRow("empty file") << ok << eight << -1LL << 0 << "truncated";
        QTest::newRow("truncated length") << ok << eight << -1LL << 5 << "truncated";
        QTest::newRow("header beyond file") << ok << eight << 5000LL << -1 << "exceeds the";
        QTest::newRow("header over limit") << ok << eight << 100000001LL << -1 << "limit of 100000000";
        QTest::newRow("truncated data") << ok << eight << -1LL << 8 + 55 + 4 << "out of range";
        QTest::newRow("not json") << R"({"a": nope})"
                                  << "" << -1LL << -1 << "not valid JSON";
        QTest::newRow("not utf8") << QString::fromLatin1("{\"a\xff\": 1}") << "" << -1LL << -1 << "not valid JSON";
        QTest::newRow("json array") << "[1, 2]"
                                    << "" << -1LL << -1 << "does not start with '{'";
        QTest::newRow("leading space") << " {}"
                                       << "" << -1LL << -1 << "does not start with '{'";
        QTest::newRow("trailing garbage") << "{} x"
                                          << "" << -1LL << -1 << "not valid JSON";
        QTest::newRow("unknown dtype") << R"({"a":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}})" << eight << -1LL
                                       << -1 << "tensor \"a\" has unknown dtype \"F31\"";
        QTest::newRow("missing dtype") << R"({"a":{"shape":[2],"data_offsets":[0,8]}})" << eight << -1LL << -1
                                       << "tensor \"a\" has no dtype";
        QTest::newRow("negative dim") << R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})" << eight << -1LL
                                      << -1 << "not a non-negative integer: -2";
        QTest::newRow("fractional dim") << R"({"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})" << eight
                                        << -1LL << -1 << "not a non-negative integer";
        QTest::newRow("one offset") << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8]}})" << eight << -1LL << -1
                                    << "needs data_offsets";
        QTest::newRow("offsets out of range")
            << R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})" << eight << -1LL << -1
            << "tensor \"a\" has data_offsets [0, 16] out of range: the data buffer holds only 8 bytes";
        QTest::newRow("end before begin") << R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})" << eight
                                          << -1LL << -1 << "tensor \"a\" has data_offsets [8, 0]: the end is before";
        QTest::newRow("size mismatch") << R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})" << eight << -1LL
                                       << -1 << "tensor \"a\" has 8 bytes but its shape [3] of F32 needs 12";
        QTest::newRow("dtype size mismatch")
            << R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})" << eight << -1LL << -1 << "of F64 needs 16";
        QTest::newRow("numel overflow")
            << R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})" << eight << -1LL << -1
            << "more than 2^64";
        QTest::newRow("sub-byte remainder") << R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})"
                                            << "0000" << -1LL << -1 << "whole number of bytes";
        QTest::newRow("overlap")
            << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})"
            << "000000000000000000000000" << -1LL << -1 << "tensors \"a\" (bytes 0-8) and \"b\" (bytes 4-12) overlap";
        QTest::newRow("same offsets")
            << R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})"
            << eight << -1LL << -1 << "overlap";
        QTest::newRow("gap")
            << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})"
            << "000000000000000000000000" << -1LL << -1
            << "a gap of 4 bytes in the data buffer between tensors \"a\" and \"b\"";
        QTest::newRow("gap at start") << R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})" << eight << -1LL
                                      << -1 << "before the first tensor \"b\"";
        QTest::newRow("trailing bytes") << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})" << eight << -1LL
                                        << -1 << "the last 4 bytes of the data buffer belong to no tensor";
        QTest::newRow("duplicate names")
            << R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})"
            << eight << -1LL << -1 << "lists the key \"a\" twice";
        QTest::newRow("metadata not strings") << R"({"__metadata__":{"format":"pt","step":3}})"
                                              << "" << -1LL << -1 << "__metadata__ value of \"step\" is not a string";
        QTest::newRow("metadata not object") << R"({"__metadata__":["pt"]})"
                                             << "" << -1LL << -1 << "__metadata__ is not an object";
        QTest::newRow("entry not object") << R"({"a":[1]})"
                                          << "" << -1LL << -1 << "tensor \"a\" is not described by a JSON object";
    }

    void malformedFilesAreRefused()
    {
        QFETCH(QString, header);
        QFETCH(QString, dataHex);
        QFETCH(qlonglong, declaredLength);
        QFETCH(int, truncateTo);
        QFETCH(QString, expected);
        const fs::path dir = test::freshDir("malformed");
        const fs::path path = dir / "bad.safetensors";
        const QByteArray headerBytes = header.contains(QChar(0xff)) ? header.toLatin1() : header.toUtf8();
        const QByteArray data = QByteArray::fromHex(dataHex.toLatin1());
        writeRaw(path, headerBytes.toStdString(), data.toStdString(),
                 declaredLength < 0 ? UINT64_MAX : static_cast<std::uint64_t>(declaredLength));
        if (truncateTo >= 0)
            fs::resize_file(path, static_cast<std::uintmax_t>(truncateTo));
        const std::string msg = formatErrorOf([&] { SafetensorsFile::open(path); });
        QVERIFY2(contains(msg, expected.toStdString()), msg.c_str());
        QVERIFY2(contains(msg, path.string()), msg.c_str()); // names the file
    }

    void legalEdgeCasesAreAccepted()
    {
        const fs::path dir = test::freshDir("legal");
        // Empty header object, trailing spaces, zero-size tensors sharing an offset.
        writeRaw(dir / "empty.safetensors", "{}      ", "");
        QCOMPARE(SafetensorsFile::open(dir / "empty.safetensors")->tensors().size(), 0u);
        writeRaw(dir / "nullmeta.safetensors", R"({"__metadata__":null})", "");
        QVERIFY(SafetensorsFile::open(dir / "nullmeta.safetensors")->metadata().empty());
        writeRaw(
            dir / "zeros.safetensors",
            R"({"z1":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"I32","shape":[],"data_offsets":[0,4]},"z2":{"dtype":"BF16","shape":[3,0],"data_offsets":[4,4]}})",
            std::string("\x07\x00\x00\x00", 4));
        const auto f = SafetensorsFile::open(dir / "zeros.safetensors");
        QCOMPARE(f->tensor("a").item<int>(), 7);
        QCOMPARE(f->tensor("z2").sizes().vec(), (std::vector<int64_t>{3, 0}));
        // A sub-byte type whose bits fill whole bytes.
        writeRaw(dir / "f4.safetensors", R"({"q":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}})", "ab");
        QCOMPARE(SafetensorsFile::open(dir / "f4.safetensors")->bytes("q"), std::string_view("ab"));
    }

    void shardedRoundTrip()
    {
        const fs::path dir = test::freshDir("sharded");
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        for (int i = 0; i < 9; ++i)
            tensors.emplace_back("layers." + std::to_string(i) + ".w",
                                 torch::randn({4 + i}).to(i % 2 ? torch::kBFloat16 : torch::kFloat));
        tensors.emplace_back("big", torch::randn({50})); // 200 bytes: larger than a shard, gets its own
        std::uint64_t total = 0;
        for (const auto& [n, t] : tensors)
            total += t.numel() * t.element_size();

        std::int64_t lastDone = -1, lastTotal = -1;
        JobControl control([&](const JobControl::Progress& p) {
            QVERIFY(p.done >= lastDone);
            lastDone = p.done;
            lastTotal = p.total;
        });
        writeCheckpoint(dir, tensors, 64, &control);
        QCOMPARE(lastDone, static_cast<std::int64_t>(total));
        QCOMPARE(lastTotal, static_cast<std::int64_t>(total));

        // Expected shards by the greedy rule, computed here independently.
        std::vector<std::uint64_t> shardSizes;
        std::uint64_t current = 0;
        for (const auto& [n, t] : tensors) {
            const std::uint64_t s = t.numel() * t.element_size();
            if (shardSizes.empty() || (current > 0 && current + s > 64)) {
                shardSizes.push_back(0);
                current = 0;
            }
            current += s;
            shardSizes.back() += s;
        }
        const int count = static_cast<int>(shardSizes.size());
        QVERIFY(count > 3);
        QVERIFY(!fs::exists(dir / "model.safetensors"));
        const auto index = nlohmann::json::parse(readFile(dir / "model.safetensors.index.json"));
        QCOMPARE(index["metadata"]["total_size"].get<std::uint64_t>(), total);
        QCOMPARE(index["weight_map"].size(), tensors.size());
        for (int s = 0; s < count; ++s) {
            char name[64];
            std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", s + 1, count);
            QVERIFY2(fs::exists(dir / name), name);
            QCOMPARE(SafetensorsFile::open(dir / name)->dataSize(), shardSizes[s]);
        }
        QCOMPARE(index["weight_map"]["big"].get<std::string>(), shardFileName(count, count));

        const CheckpointFiles ckpt = CheckpointFiles::open(dir);
        QVERIFY(ckpt.sharded());
        QCOMPARE(ckpt.totalBytes(), total);
        QCOMPARE(ckpt.names().size(), tensors.size());
        QCOMPARE(static_cast<int>(ckpt.files().size()), count);
        for (const auto& [n, t] : tensors) {
            QVERIFY(ckpt.contains(n));
            QVERIFY2(torch::equal(ckpt.tensor(n), t), n.c_str());
            QCOMPARE(ckpt.info(n).dtype, std::string(t.scalar_type() == torch::kFloat ? "F32" : "BF16"));
        }
        const std::string msg = formatErrorOf([&] { ckpt.tensor("nope"); });
        QVERIFY2(contains(msg, "\"nope\""), msg.c_str());

        // Rewriting as a single file removes the shards and the index.
        writeCheckpoint(dir, tensors, 1 << 20);
        QVERIFY(fs::exists(dir / "model.safetensors"));
        QVERIFY(!fs::exists(dir / "model.safetensors.index.json"));
        QVERIFY(!fs::exists(dir / shardFileName(1, count)));
        const CheckpointFiles single = CheckpointFiles::open(dir);
        QVERIFY(!single.sharded());
        for (const auto& [n, t] : tensors)
            QVERIFY(torch::equal(single.tensor(n), t));
        for (const auto& e : fs::directory_iterator(dir))
            QVERIFY2(e.path().filename().string().find(".tmp-") == std::string::npos, e.path().c_str());
    }

    void cancelledWriteLeavesNothing()
    {
        const fs::path dir = test::freshDir("cancel");
        JobControl control;
        control.requestCancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, writeCheckpoint(dir, {{"a", torch::zeros({4})}}, 1024, &control));
        QVERIFY(fs::is_empty(dir));
    }

    void streamWriterChecksItsData()
    {
        const fs::path dir = test::freshDir("stream");
        const std::vector<SafetensorsEntry> entries = {{"b", "BF16", {3}}, {"a", "F32", {2, 2}}};
        const std::string tooLong(7, 'x');
        {
            SafetensorsStreamWriter w(dir / "x.safetensors", entries);
            QCOMPARE(w.layout().dataBytes, std::uint64_t(22));
            QCOMPARE(w.currentTensor(), std::string("a")); // four-byte elements first
            w.writeTensor(torch::ones({2, 2}));
            QCOMPARE(w.currentTensor(), std::string("b"));
            const std::string msg = errorOf([&] { w.write(tooLong.data(), tooLong.size()); });
            QVERIFY2(contains(msg, "more bytes of data than its header announces"), msg.c_str());
            const std::string early = errorOf([&] { w.commit(); });
            QVERIFY2(contains(early, "16 of the 22 bytes"), early.c_str());
            const std::string missing = errorOf([&] { w.copyFrom(dir / "missing.bin", 0, 6); });
            QVERIFY2(contains(missing, (dir / "missing.bin").string()), missing.c_str());
        }
        QVERIFY(fs::is_empty(dir)); // neither the file nor its temporary

        // Copies in chunks no larger than asked; a cancelled copy leaves nothing.
        const auto src = torch::arange(5000, torch::kFloat);
        writeSafetensors(dir / "src.safetensors", {{"t", src}});
        const auto f = SafetensorsFile::open(dir / "src.safetensors");
        {
            SafetensorsStreamWriter w(dir / "copy.safetensors", {{"t", "F32", {5000}}}, {}, 1000);
            int calls = 0;
            w.setProgress([&](std::uint64_t) {
                if (++calls == 3)
                    throw Cancelled();
            });
            QVERIFY_THROWS_EXCEPTION(Cancelled, w.copyFrom(dir / "src.safetensors", 8 + f->headerSize(), 20000));
            QCOMPARE(w.largestBuffer(), std::size_t(1000));
        }
        QVERIFY(!fs::exists(dir / "copy.safetensors"));
        SafetensorsStreamWriter w(dir / "copy.safetensors", {{"t", "F32", {5000}}}, {}, 1000);
        w.copyFrom(dir / "src.safetensors", 8 + f->headerSize(), 20000);
        w.commit();
        QCOMPARE(w.largestBuffer(), std::size_t(1000));
        QCOMPARE(readFile(dir / "copy.safetensors"), readFile(dir / "src.safetensors"));
        std::size_t files = 0;
        for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
            ++files;
        QCOMPARE(files, std::size_t(2));
    }

    void badIndexesAreRefused()
    {
        const fs::path dir = test::freshDir("badindex");
        writeSafetensors(dir / "s1.safetensors", {{"a", torch::zeros({2})}, {"b", torch::ones({2})}});
        writeSafetensors(dir / "s2.safetensors", {{"c", torch::zeros({3})}, {"a", torch::ones({1})}});
        auto writeIndex = [&](const std::string& map) {
            writeFileAtomically(dir / "model.safetensors.index.json",
                                R"({"metadata":{"total_size":0},"weight_map":)" + map + "}");
        };
        auto openError = [&] { return formatErrorOf([&] { CheckpointFiles::open(dir); }); };

        writeIndex(R"({"a":"s1.safetensors","x":"missing.safetensors"})");
        std::string msg = openError();
        QVERIFY2(contains(msg, "\"x\"") && contains(msg, "missing.safetensors") && contains(msg, "does not exist"),
                 msg.c_str());

        writeIndex(R"({"a":"s1.safetensors","zz":"s1.safetensors"})");
        msg = openError();
        QVERIFY2(contains(msg, "\"zz\"") && contains(msg, "does not contain it"), msg.c_str());

        writeIndex(R"({"a":"s1.safetensors","c":"s2.safetensors"})");
        msg = openError();
        QVERIFY2(contains(msg, "\"a\"") && contains(msg, "two shards"), msg.c_str());

        writeIndex(R"({"a":"s1.safetensors","a":"s2.safetensors"})");
        msg = openError();
        QVERIFY2(contains(msg, "\"a\" twice"), msg.c_str());

        writeIndex(R"({"a":"../s1.safetensors"})");
        msg = openError();
        QVERIFY2(contains(msg, "not a file in the model folder"), msg.c_str());

        writeIndex(R"({"a":3})");
        msg = openError();
        QVERIFY2(contains(msg, "not a file name"), msg.c_str());

        writeFileAtomically(dir / "model.safetensors.index.json", R"({"metadata":{}})");
        msg = openError();
        QVERIFY2(contains(msg, "weight_map"), msg.c_str());

        writeFileAtomically(dir / "model.safetensors.index.json", R"({"weight_map":{)");
        msg = openError();
        QVERIFY2(contains(msg, "not valid JSON"), msg.c_str());

        // A good index over the same shards (s2 without the duplicate "a").
        writeSafetensors(dir / "s2.safetensors", {{"c", torch::full({3}, 2.0f)}});
        writeIndex(R"({"a":"s1.safetensors","b":"s1.safetensors","c":"s2.safetensors"})");
        const CheckpointFiles ok = CheckpointFiles::open(dir);
        QCOMPARE(ok.tensor("c")[1].item<float>(), 2.0f);
        QCOMPARE(ok.totalBytes(), 28u);

        fs::remove(dir / "model.safetensors.index.json");
        try {
            CheckpointFiles::open(dir);
            QFAIL("opened a folder without weights");
        } catch (const Error& e) {
            QVERIFY2(contains(e.what(), "model.safetensors"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
