// The update encodings (core/teft/DeltaEncoding.h): f32, bf16 and int8 with per-row scales,
// checked against an independent numpy implementation (tests/reference/delta_encoding.py: bit
// arithmetic, no torch) in both directions; the decoder's refusals of malformed encodings; the
// error feedback (what one round rounds away is carried into the next, so the sum of the decoded
// updates stays within one rounding of the sum of the true ones); the residual's file.
//
// Needs the project's Python environment (scripts/python-env.sh) for the reference.
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/teft/DeltaEncoding.h"
#include "core/util/Error.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <cstring>
#include <fstream>

using namespace teft;
namespace fs = std::filesystem;

namespace {

// Δ-like tensors of every shape the decoder must handle: a scalar, a vector, matrices (one with
// an all-zero row and exact ties for the rounding), a 3-D tensor, an empty one.
TensorMap sampleDeltas()
{
    torch::manual_seed(7);
    TensorMap d;
    d["scalar"] = torch::tensor(-0.3f);
    d["vector"] = torch::randn({37}) * 1e-3;
    at::Tensor m = torch::randn({16, 48}) * 2e-4;
    m[3].zero_();
    m[5] = torch::linspace(-1.0, 1.0, 48); // scale 1/127: many values land near .5 steps
    d["model.layers.0.mlp.experts.1.up_proj.weight"] = m;
    d["model.layers.1.mlp.experts.0.down_proj.weight"] = torch::randn({4, 6, 10}) * 5e-3;
    d["empty"] = torch::zeros({0, 8});
    return d;
}

std::vector<std::pair<std::string, at::Tensor>> asList(const TensorMap& m)
{
    return {m.begin(), m.end()};
}

TensorMap readAll(const fs::path& file)
{
    const auto f = SafetensorsFile::open(file);
    TensorMap out;
    for (const auto& info : f->tensors())
        out[info.name] = f->tensor(info.name).clone();
    return out;
}

void runReference(const std::vector<std::string>& args)
{
    std::vector<std::string> all{(test::sourceDir() / "tests" / "reference" / "delta_encoding.py").string()};
    all.insert(all.end(), args.begin(), args.end());
    const auto r = test::runProcess(test::python(), all, 120000);
    QVERIFY2(r.exitCode == 0, r.err.c_str());
}

bool sameBytes(const at::Tensor& a, const at::Tensor& b)
{
    if (a.sizes() != b.sizes() || a.element_size() != b.element_size())
        return false;
    if (a.numel() == 0)
        return true; // an empty tensor has no data pointer (memcmp of null is undefined)
    const at::Tensor x = a.contiguous(), y = b.contiguous();
    return std::memcmp(x.data_ptr(), y.data_ptr(), x.numel() * x.element_size()) == 0;
}

QString refusal(const TensorMap& encoded, DeltaEncoding encoding)
{
    try {
        decodeDeltas(encoded, encoding);
    } catch (const FormatError& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestDeltaEncoding : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesAndSizes()
    {
        for (auto e : {DeltaEncoding::F32, DeltaEncoding::BF16, DeltaEncoding::Int8})
            QCOMPARE(parseDeltaEncoding(deltaEncodingName(e)), e);
        QVERIFY_THROWS_EXCEPTION(UsageError, parseDeltaEncoding("fp8"));
        QCOMPARE(int8Rows({}), std::int64_t(1));
        QCOMPARE(int8Rows({7}), std::int64_t(1));
        QCOMPARE(int8Rows({4, 6, 10}), std::int64_t(24));
        // What travels is what encodeDeltas writes: payload bytes plus the int8 scales.
        for (auto e : {DeltaEncoding::F32, DeltaEncoding::BF16, DeltaEncoding::Int8}) {
            std::uint64_t expected = 0;
            for (const auto& [name, t] : sampleDeltas())
                expected += encodedBytes(t.sizes().vec(), e);
            std::uint64_t written = 0;
            for (const auto& [name, t] : encodeDeltas(sampleDeltas(), e))
                written += static_cast<std::uint64_t>(t.numel() * t.element_size());
            QCOMPARE(written, expected);
        }
    }

    void roundTripsWithinTheirPrecision()
    {
        const TensorMap d = sampleDeltas();
        const TensorMap f32 = decodeDeltas(encodeDeltas(d, DeltaEncoding::F32), DeltaEncoding::F32);
        for (const auto& [name, t] : d)
            QVERIFY2(torch::equal(f32.at(name), t.to(torch::kFloat)), name.c_str());

        const TensorMap bf16 = encodeDeltas(d, DeltaEncoding::BF16);
        for (const auto& [name, t] : d) {
            QCOMPARE(bf16.at(name).scalar_type(), torch::kBFloat16);
            QVERIFY2(torch::equal(decodeDeltas(bf16, DeltaEncoding::BF16).at(name), t.to(torch::kBFloat16).to(torch::kFloat)),
                     name.c_str());
        }

        const TensorMap int8 = encodeDeltas(d, DeltaEncoding::Int8);
        const TensorMap back = decodeDeltas(int8, DeltaEncoding::Int8);
        for (const auto& [name, t] : d) {
            const at::Tensor q = int8.at(name);
            const at::Tensor s = int8.at(name + kInt8ScaleSuffix);
            QCOMPARE(q.scalar_type(), torch::kChar);
            QCOMPARE(s.size(0), int8Rows(t.sizes().vec()));
            if (!t.numel())
                continue;
            const at::Tensor rows = t.reshape({s.size(0), -1});
            // Each row's largest magnitude maps to ±127; every value is within half a step.
            QVERIFY(torch::allclose(s, rows.abs().amax(1) / 127.0f));
            const at::Tensor err = (back.at(name) - t).abs().reshape({s.size(0), -1});
            QVERIFY2((err <= s.unsqueeze(1) * 0.5f * (1 + 1e-5f) + 1e-12f).all().item<bool>(), name.c_str());
            QVERIFY(q.abs().max().item<int>() <= 127);
        }
        // The all-zero row: scale 0, values 0, decoded exactly.
        const std::string m = "model.layers.0.mlp.experts.1.up_proj.weight";
        QCOMPARE(int8.at(m + kInt8ScaleSuffix)[3].item<float>(), 0.0f);
        QVERIFY(back.at(m)[3].eq(0).all().item<bool>());
    }

    // The numpy reference encodes the same input to the same bytes, and decodes the engine's
    // encodings to the same values.
    void matchesTheIndependentImplementation()
    {
        const fs::path dir = test::freshDir("reference");
        const TensorMap d = sampleDeltas();
        TensorMap f32;
        for (const auto& [name, t] : d)
            f32[name] = t.to(torch::kFloat).contiguous();
        writeSafetensors(dir / "input.safetensors", asList(f32));
        runReference({"encode", (dir / "input.safetensors").string(), dir.string()});

        const TensorMap refBf16 = readAll(dir / "bf16.safetensors"); // bits stored as I16
        const TensorMap bf16 = encodeDeltas(d, DeltaEncoding::BF16);
        QCOMPARE(refBf16.size(), bf16.size());
        for (const auto& [name, t] : bf16)
            QVERIFY2(sameBytes(t, refBf16.at(name)), name.c_str());

        const TensorMap refInt8 = readAll(dir / "int8.safetensors");
        const TensorMap int8 = encodeDeltas(d, DeltaEncoding::Int8);
        QCOMPARE(refInt8.size(), int8.size());
        for (const auto& [name, t] : int8)
            QVERIFY2(sameBytes(t, refInt8.at(name)), name.c_str());

        for (auto e : {DeltaEncoding::BF16, DeltaEncoding::Int8}) {
            const std::string tag = deltaEncodingName(e);
            const fs::path encoded = dir / (tag + "-engine.safetensors");
            writeSafetensors(encoded, asList(encodeDeltas(d, e)));
            runReference({"decode", encoded.string(), tag, (dir / (tag + "-decoded.safetensors")).string()});
            const TensorMap ref = readAll(dir / (tag + "-decoded.safetensors"));
            const TensorMap ours = decodeDeltas(readAll(encoded), e);
            QCOMPARE(ref.size(), ours.size());
            for (const auto& [name, t] : ours)
                QVERIFY2(sameBytes(t, ref.at(name)), (tag + " " + name).c_str());
        }
    }

    void refusesMalformedEncodings()
    {
        const std::string w = "model.layers.0.mlp.experts.1.up_proj.weight";
        const TensorMap good = encodeDeltas(sampleDeltas(), DeltaEncoding::Int8);
        QVERIFY(refusal(good, DeltaEncoding::Int8).isEmpty());

        TensorMap noScale = good;
        noScale.erase(w + kInt8ScaleSuffix);
        QVERIFY(refusal(noScale, DeltaEncoding::Int8).contains("has no row scales"));

        TensorMap orphan = good;
        orphan.erase(w);
        QVERIFY(refusal(orphan, DeltaEncoding::Int8).contains("no tensor '" + QString::fromStdString(w)));

        TensorMap wrongShape = good;
        wrongShape[w + kInt8ScaleSuffix] = torch::ones({15});
        QVERIFY(refusal(wrongShape, DeltaEncoding::Int8).contains("[16]"));

        TensorMap negative = good;
        negative[w + kInt8ScaleSuffix] = -torch::ones({16});
        QVERIFY(refusal(negative, DeltaEncoding::Int8).contains("not negative"));

        TensorMap nanScale = good;
        nanScale[w + kInt8ScaleSuffix] = torch::full({16}, NAN);
        QVERIFY(refusal(nanScale, DeltaEncoding::Int8).contains("finite"));

        TensorMap minus128 = good;
        minus128[w] = minus128[w].clone();
        minus128[w][0][0] = -128;
        QVERIFY(refusal(minus128, DeltaEncoding::Int8).contains("-128"));

        // A payload of another encoding's dtype, and int8 scales in a bf16 update.
        QVERIFY(refusal(encodeDeltas(sampleDeltas(), DeltaEncoding::F32), DeltaEncoding::BF16).contains("stores BF16"));
        TensorMap mixed = encodeDeltas(sampleDeltas(), DeltaEncoding::BF16);
        mixed[w + kInt8ScaleSuffix] = torch::ones({16});
        QVERIFY(refusal(mixed, DeltaEncoding::BF16).contains("int8 payload in a bf16 update"));

        TensorMap nanBf16 = encodeDeltas(sampleDeltas(), DeltaEncoding::BF16);
        nanBf16["vector"] = torch::full({37}, NAN).to(torch::kBFloat16);
        QVERIFY(refusal(nanBf16, DeltaEncoding::BF16).contains("NaN"));

        // The encoder refuses what cannot be encoded.
        TensorMap nan = sampleDeltas();
        nan["vector"][2] = NAN;
        QVERIFY_THROWS_EXCEPTION(NonFiniteError, encodeDeltas(nan, DeltaEncoding::Int8));
        TensorMap ints;
        ints["counts"] = torch::ones({3}, torch::kLong);
        QVERIFY_THROWS_EXCEPTION(UsageError, encodeDeltas(ints, DeltaEncoding::BF16));
    }

    // Error feedback: the same small update every round. Without feedback int8 rounds the same
    // way every time and the error grows with the rounds; with it, the decoded sum after K rounds
    // differs from K·Δ by exactly the residual left, which stays within half a step of each row.
    void errorFeedbackCarriesWhatRoundingDrops()
    {
        torch::manual_seed(3);
        TensorMap d;
        d["w"] = torch::randn({8, 64}) * 1e-3;
        d["w"][0][0] = 0.05f; // a large value per row makes the small ones round to few levels
        for (int r = 1; r < 8; ++r)
            d["w"][r][0] = 0.05f;
        const int rounds = 40;
        for (auto e : {DeltaEncoding::BF16, DeltaEncoding::Int8}) {
            QuantizationResidual residual;
            at::Tensor withFeedback = torch::zeros({8, 64});
            at::Tensor without = torch::zeros({8, 64});
            for (int k = 0; k < rounds; ++k) {
                withFeedback += decodeDeltas(residual.encode(d, e), e).at("w");
                without += decodeDeltas(encodeDeltas(d, e), e).at("w");
            }
            const at::Tensor truth = d.at("w") * rounds;
            const double errWith = (withFeedback - truth).norm().item<double>();
            const double errWithout = (without - truth).norm().item<double>();
            // The identity of error feedback: Σ decoded = K·Δ − e_K.
            QVERIFY(torch::allclose(withFeedback + residual.tensors().at("w"), truth, 1e-5, 1e-6));
            QVERIFY2(errWith < errWithout / 5, qPrintable(QStringLiteral("%1: %2 vs %3")
                                                               .arg(QLatin1String(deltaEncodingName(e)))
                                                               .arg(errWith)
                                                               .arg(errWithout)));
            QVERIFY(residual.squaredNorm() > 0);
        }
        // f32 is exact: nothing to carry.
        QuantizationResidual exact;
        exact.encode(d, DeltaEncoding::F32);
        QCOMPARE(exact.squaredNorm(), 0.0);
    }

    void residualFile()
    {
        const fs::path dir = test::freshDir("residual");
        const fs::path file = dir / "residual.safetensors";
        QCOMPARE(QuantizationResidual::load(file).tensors().size(), std::size_t(0)); // none yet
        QuantizationResidual r;
        r.encode(sampleDeltas(), DeltaEncoding::Int8);
        r.save(file);
        const auto back = QuantizationResidual::load(file);
        QCOMPARE(back.tensors().size(), r.tensors().size());
        for (const auto& [name, t] : r.tensors())
            QVERIFY(torch::equal(back.tensors().at(name), t));

        // Another selection next round: a residual of another shape or name is dropped.
        QuantizationResidual next = back;
        TensorMap other;
        other["vector"] = torch::zeros({5});
        next.encode(other, DeltaEncoding::Int8);
        QCOMPARE(next.tensors().size(), std::size_t(1));
        QVERIFY(next.tensors().at("vector").eq(0).all().item<bool>());

        // A damaged file is an error naming it, not an empty residual.
        { std::ofstream(file, std::ios::binary | std::ios::trunc) << "not a safetensors file"; }
        bool threw = false;
        try {
            QuantizationResidual::load(file);
        } catch (const Error& e) {
            threw = QString::fromUtf8(e.what()).contains(QString::fromStdString(file.filename().string()));
        }
        QVERIFY(threw);
    }
};

QTEST_MAIN(TestDeltaEncoding)
#include "test_delta_encoding.moc"
