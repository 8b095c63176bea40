// safetensors interoperability with the `safetensors` package (tests/reference/safetensors_interop.py):
//
// * files the engine writes (SafetensorsWriter) load with safetensors.torch.load_file (and
//   safetensors.numpy.load_file when every dtype has a numpy type) with the same names, dtypes,
//   shapes, bytes and metadata: every dtype the engine can write, random bit patterns (NaNs,
//   infinities, subnormals), non-contiguous tensors, empty tensors, scalars;
// * files the package writes (safetensors.torch.save_file: BF16, F16, F32, F64, the five F8 types,
//   F4, I8..I64, U8..U64, BOOL, C64, empty tensors, scalars, metadata; safetensors.numpy.save_file)
//   open in the engine (SafetensorsFile) with the same dtypes, shapes, bytes, values and metadata.
//
// * files the streaming writer (SafetensorsStreamWriter) writes are byte-identical to
//   SafetensorsWriter's and load in the package the same way.
//
// Needs the project's Python environment (scripts/python-env.sh); fails when it is missing.
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/Error.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <random>
#include <set>

using namespace teft;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// safetensors dtype names and torch types, written out independently of core/io/SafetensorsDtype.
const std::vector<std::pair<std::string, c10::ScalarType>>& dtypeTable()
{
    static const std::vector<std::pair<std::string, c10::ScalarType>> t = {
        {"BOOL", c10::ScalarType::Bool},
        {"U8", c10::ScalarType::Byte},
        {"I8", c10::ScalarType::Char},
        {"I16", c10::ScalarType::Short},
        {"U16", c10::ScalarType::UInt16},
        {"I32", c10::ScalarType::Int},
        {"U32", c10::ScalarType::UInt32},
        {"I64", c10::ScalarType::Long},
        {"U64", c10::ScalarType::UInt64},
        {"F16", c10::ScalarType::Half},
        {"BF16", c10::ScalarType::BFloat16},
        {"F32", c10::ScalarType::Float},
        {"F64", c10::ScalarType::Double},
        {"C64", c10::ScalarType::ComplexFloat},
        {"F8_E4M3", c10::ScalarType::Float8_e4m3fn},
        {"F8_E5M2", c10::ScalarType::Float8_e5m2},
        {"F8_E4M3FNUZ", c10::ScalarType::Float8_e4m3fnuz},
        {"F8_E5M2FNUZ", c10::ScalarType::Float8_e5m2fnuz},
        {"F8_E8M0", c10::ScalarType::Float8_e8m0fnu},
    };
    return t;
}

std::optional<c10::ScalarType> torchType(const std::string& name)
{
    for (const auto& [n, t] : dtypeTable())
        if (n == name)
            return t;
    return std::nullopt;
}

std::string hex(std::string_view bytes)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string rawBytes(const torch::Tensor& t)
{
    const torch::Tensor c = t.contiguous();
    return std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
}

// A tensor of `type` holding random bytes (BOOL: 0 or 1).
torch::Tensor randomTensor(std::mt19937& rng, c10::ScalarType type, std::vector<int64_t> shape)
{
    int64_t n = 1;
    for (auto s : shape)
        n *= s;
    const std::size_t size = c10::elementSize(type);
    auto bytes = torch::empty({n * static_cast<int64_t>(size)}, torch::kUInt8);
    auto* p = bytes.data_ptr<uint8_t>();
    for (int64_t i = 0; i < bytes.numel(); ++i)
        p[i] = static_cast<uint8_t>(type == c10::ScalarType::Bool ? rng() % 2 : rng() % 256);
    return bytes.view(type).reshape(shape);
}

struct Expected {
    std::string dtype;
    std::vector<int64_t> shape;
    std::string bytes;
};

} // namespace

class TestSafetensorsInterop : public QObject {
    Q_OBJECT

    fs::path script() const { return test::sourceDir() / "tests" / "reference" / "safetensors_interop.py"; }

    static std::string pythonFailed(const test::ProcessResult& r)
    {
        return "the safetensors reference failed (exit " + std::to_string(r.exitCode) + ") with " + test::python() +
               ": run scripts/python-env.sh to create the Python environment (or set TEFT_PYTHON).\n" + r.out + r.err;
    }

    // Writes `tensors` with SafetensorsWriter, then has the safetensors package load and compare.
    void engineFileLoadsInPython(const std::string& name,
                                 const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                 const std::vector<std::string>& dtypeNames,
                                 const std::map<std::string, std::string>& metadata)
    {
        const fs::path dir = test::freshDir(name);
        SafetensorsWriter w(dir / "engine.safetensors");
        for (const auto& [n, t] : tensors)
            w.add(n, t);
        for (const auto& [k, v] : metadata)
            w.setMetadata(k, v);
        w.write();

        json expected = {{"metadata", json::object()}, {"tensors", json::object()}};
        expected["metadata"]["format"] = "pt"; // always written
        for (const auto& [k, v] : metadata)
            expected["metadata"][k] = v;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const auto& t = tensors[i].second;
            expected["tensors"][tensors[i].first] = {{"dtype", dtypeNames[i]},
                                                     {"shape", t.sizes().vec()},
                                                     {"bytes_hex", hex(rawBytes(t))}};
        }
        std::ofstream(dir / "expected.json") << expected.dump();
        const auto r = test::runProcess(test::python(),
                                        {script().string(), "check", (dir / "engine.safetensors").string(),
                                         (dir / "expected.json").string()});
        if (r.exitCode != 0 && r.out.find("\"problems\"") == std::string::npos)
            QFAIL(pythonFailed(r).c_str());
        QVERIFY2(r.exitCode == 0, (name + ": safetensors disagrees with the engine's file:\n" + r.out + r.err).c_str());
        const json report = json::parse(r.out);
        QCOMPARE(report["checked"].get<std::size_t>(), tensors.size());
        qInfo("%s: %s", name.c_str(), r.out.c_str());

        // The streaming writer (header first, then data) writes the same file: every other
        // tensor from memory, the rest copied from the first file in 7-byte chunks.
        const auto engine = SafetensorsFile::open(dir / "engine.safetensors");
        std::vector<SafetensorsEntry> entries;
        for (const auto& t : engine->tensors())
            entries.push_back({t.name, t.dtype, t.shape});
        SafetensorsStreamWriter stream(dir / "streamed.safetensors", entries, metadata, 7);
        for (std::size_t k = 0; k < stream.layout().order.size(); ++k) {
            const auto& e = entries[stream.layout().order[k]];
            const auto& info = engine->info(e.name);
            if (k % 2 == 0)
                stream.write(engine->bytes(e.name).data(), engine->bytes(e.name).size());
            else
                stream.copyFrom(dir / "engine.safetensors", 8 + engine->headerSize() + info.begin, info.byteSize());
        }
        stream.commit();
        QVERIFY(stream.largestBuffer() <= 7);
        auto slurp = [](const fs::path& p) {
            std::ifstream in(p, std::ios::binary);
            return std::string(std::istreambuf_iterator<char>(in), {});
        };
        QVERIFY2(slurp(dir / "streamed.safetensors") == slurp(dir / "engine.safetensors"),
                 (name + ": the streaming writer's file differs from SafetensorsWriter's").c_str());
        const auto rs = test::runProcess(test::python(),
                                         {script().string(), "check", (dir / "streamed.safetensors").string(),
                                          (dir / "expected.json").string()});
        QVERIFY2(rs.exitCode == 0,
                 (name + ": safetensors disagrees with the streamed file:\n" + rs.out + rs.err).c_str());
    }

private slots:
    void engineWritesSafetensorsReads()
    {
        std::mt19937 rng(42);
        std::vector<std::pair<std::string, torch::Tensor>> tensors;
        std::vector<std::string> names;
        int k = 0;
        for (const auto& [name, type] : dtypeTable()) {
            std::vector<int64_t> shape = k++ % 2 ? std::vector<int64_t>{3, 5} : std::vector<int64_t>{11};
            tensors.emplace_back("random." + name, randomTensor(rng, type, shape));
            names.push_back(name);
        }
        // Values through torch conversions, a non-contiguous tensor, empty tensors and scalars.
        const auto values = torch::tensor({0.0f, -0.0f, 1.0f, -2.5f, 448.0f, 65504.0f, 1e-40f, INFINITY, NAN});
        for (const auto& [name, type] :
             std::vector<std::pair<std::string, c10::ScalarType>>{{"BF16", torch::kBFloat16},
                                                                  {"F16", torch::kHalf},
                                                                  {"F8_E4M3", c10::ScalarType::Float8_e4m3fn},
                                                                  {"F8_E5M2", c10::ScalarType::Float8_e5m2}}) {
            tensors.emplace_back("values." + name, values.to(type));
            names.push_back(name);
        }
        tensors.emplace_back("transposed.F32", torch::arange(12, torch::kFloat).reshape({3, 4}).t());
        names.push_back("F32");
        tensors.emplace_back("sliced.BF16", torch::arange(20, torch::kFloat).to(torch::kBFloat16).slice(0, 1, 20, 3));
        names.push_back("BF16");
        tensors.emplace_back("empty.F32", torch::empty({0}));
        names.push_back("F32");
        tensors.emplace_back("empty.BF16", torch::empty({3, 0}, torch::kBFloat16));
        names.push_back("BF16");
        tensors.emplace_back("scalar.F32", torch::tensor(2.5f).reshape({}));
        names.push_back("F32");
        tensors.emplace_back("scalar.I64", torch::tensor(-(int64_t(1) << 40)).reshape({}));
        names.push_back("I64");
        tensors.emplace_back("scalar.F8_E4M3", torch::tensor(0.75f).reshape({}).to(c10::ScalarType::Float8_e4m3fn));
        names.push_back("F8_E4M3");
        const std::map<std::string, std::string> metadata = {{"note", "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80"},
                                                             {"empty", ""},
                                                             {"json", R"({"a": [1, 2]})"}};
        engineFileLoadsInPython("all_dtypes", tensors, names, metadata);
        if (QTest::currentTestFailed())
            return;

        // Only types numpy has: safetensors.numpy.load_file reads the file as well.
        std::vector<std::pair<std::string, torch::Tensor>> plain;
        std::vector<std::string> plainNames;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const std::string& n = names[i];
            if (n == "BF16" || n.rfind("F8", 0) == 0)
                continue;
            plain.push_back(tensors[i]);
            plainNames.push_back(n);
        }
        engineFileLoadsInPython("numpy_dtypes", plain, plainNames, {});
    }

    void safetensorsWritesEngineReads()
    {
        const fs::path dir = test::freshDir("from_python");
        const auto r = test::runProcess(test::python(), {script().string(), "write", dir.string()});
        if (r.exitCode != 0)
            QFAIL(pythonFailed(r).c_str());
        std::ifstream in(dir / "expected.json");
        const json doc = json::parse(in);
        std::set<std::string> dtypesSeen;
        int tensorsChecked = 0;
        for (const auto& [fileName, want] : doc["files"].items()) {
            const auto file = SafetensorsFile::open(dir / fileName);
            using Metadata = std::map<std::string, std::string>;
            QCOMPARE(file->metadata(), want["metadata"].get<Metadata>());
            QCOMPARE(file->tensors().size(), want["tensors"].size());
            for (const auto& [name, w] : want["tensors"].items()) {
                const std::string where = fileName + ": " + name;
                const std::string dtype = w["dtype"].get<std::string>();
                const auto shape = w["shape"].get<std::vector<int64_t>>();
                const TensorInfo& info = file->info(name);
                QVERIFY2(info.dtype == dtype, where.c_str());
                QVERIFY2(info.shape == shape, where.c_str());
                QVERIFY2(hex(file->bytes(name)) == w["bytes_hex"].get<std::string>(), where.c_str());
                dtypesSeen.insert(dtype);
                ++tensorsChecked;
                const auto type = torchType(dtype);
                if (!type) { // F4: LibTorch's type packs two elements per byte; bytes only
                    QVERIFY2(dtype == "F4", where.c_str());
                    bool refused = false;
                    try {
                        file->tensor(name);
                    } catch (const FormatError& e) {
                        refused = std::string(e.what()).find("F4") != std::string::npos;
                    }
                    QVERIFY2(refused, where.c_str());
                    continue;
                }
                const torch::Tensor t = file->tensor(name);
                QVERIFY2(t.scalar_type() == *type, (where + ": " + c10::toString(t.scalar_type())).c_str());
                QVERIFY2(t.sizes().vec() == shape, where.c_str());
                QVERIFY2(hex(rawBytes(t)) == w["bytes_hex"].get<std::string>(), where.c_str());
                if (w.contains("f64_hex")) {
                    // The values as torch converts them (NaN payloads aside): checks the type's meaning.
                    torch::Tensor v = t.is_complex() ? torch::view_as_real(t) : t;
                    const std::string got = rawBytes(v.to(torch::kDouble));
                    const std::string wantHex = w["f64_hex"].get<std::string>();
                    QVERIFY2(got.size() * 2 == wantHex.size(), where.c_str());
                    int differ = 0;
                    for (std::size_t i = 0; i < got.size() / 8; ++i) {
                        double a = 0, b = 0;
                        std::memcpy(&a, got.data() + 8 * i, 8);
                        uint64_t bits = 0;
                        for (int k = 7; k >= 0; --k)
                            bits = (bits << 8) | std::stoul(wantHex.substr(16 * i + 2 * k, 2), nullptr, 16);
                        std::memcpy(&b, &bits, 8);
                        if (!(a == b && std::signbit(a) == std::signbit(b)) && !(std::isnan(a) && std::isnan(b)))
                            ++differ;
                    }
                    QVERIFY2(differ == 0, (where + ": " + std::to_string(differ) + " values differ").c_str());
                }
            }
        }
        // Every dtype the engine reads as a tensor, and F4 as bytes.
        for (const auto& [name, type] : dtypeTable())
            QVERIFY2(dtypesSeen.count(name), ("not covered: " + name).c_str());
        QVERIFY(dtypesSeen.count("F4"));
        QVERIFY(tensorsChecked >= 40);
    }
};

QTEST_GUILESS_MAIN(TestSafetensorsInterop)
#include "test_safetensors_interop.moc"
