#include "core/teft/DeltaEncoding.h"

#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/Error.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

namespace teft {

namespace fs = std::filesystem;

namespace {

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shapeText(at::IntArrayRef shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// The CPU F32 values of a Δ, checked finite.
at::Tensor finiteF32(const std::string& name, const at::Tensor& t)
{
    if (!t.defined() || !t.is_floating_point())
        throw UsageError("Δ tensor '" + name + "' is not a floating-point tensor: it cannot be encoded");
    if (endsWith(name, kInt8ScaleSuffix))
        throw UsageError("Δ tensor '" + name + "' ends in the reserved suffix '" + kInt8ScaleSuffix + "'");
    at::Tensor x = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    if (!torch::isfinite(x).all().item<bool>())
        throw NonFiniteError("Δ tensor '" + name + "' has NaN or infinite values: it cannot be encoded");
    return x;
}

} // namespace

const char* deltaEncodingName(DeltaEncoding encoding)
{
    switch (encoding) {
    case DeltaEncoding::F32:
        return "f32";
    case DeltaEncoding::BF16:
        return "bf16";
    case DeltaEncoding::Int8:
        return "int8";
    }
    return "f32";
}

DeltaEncoding parseDeltaEncoding(const std::string& name)
{
    for (auto e : {DeltaEncoding::F32, DeltaEncoding::BF16, DeltaEncoding::Int8})
        if (name == deltaEncodingName(e))
            return e;
    throw UsageError("Unknown update encoding '" + name + "' (use f32, bf16 or int8)");
}

const char* deltaPayloadDtype(DeltaEncoding encoding)
{
    switch (encoding) {
    case DeltaEncoding::F32:
        return "F32";
    case DeltaEncoding::BF16:
        return "BF16";
    case DeltaEncoding::Int8:
        return "I8";
    }
    return "F32";
}

std::int64_t int8Rows(const std::vector<std::int64_t>& shape)
{
    std::int64_t rows = 1;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i)
        rows *= shape[i];
    return rows;
}

std::uint64_t encodedBytes(const std::vector<std::int64_t>& shape, DeltaEncoding encoding)
{
    std::uint64_t n = 1;
    for (auto d : shape)
        n *= static_cast<std::uint64_t>(d);
    switch (encoding) {
    case DeltaEncoding::F32:
        return 4 * n;
    case DeltaEncoding::BF16:
        return 2 * n;
    case DeltaEncoding::Int8:
        return n + 4 * static_cast<std::uint64_t>(int8Rows(shape));
    }
    return 4 * n;
}

TensorMap encodeDeltas(const TensorMap& deltas, DeltaEncoding encoding)
{
    TensorMap out;
    for (const auto& [name, t] : deltas) {
        const at::Tensor x = finiteF32(name, t);
        switch (encoding) {
        case DeltaEncoding::F32:
            out[name] = x;
            break;
        case DeltaEncoding::BF16:
            out[name] = x.to(torch::kBFloat16); // round to nearest, ties to even
            break;
        case DeltaEncoding::Int8: {
            const auto shape = x.sizes().vec();
            const std::int64_t rows = int8Rows(shape);
            const at::Tensor m = x.reshape({rows, rows == 0 ? 0 : x.numel() / std::max<std::int64_t>(rows, 1)});
            const at::Tensor scale = m.numel() ? m.abs().amax(1) / 127.0f : torch::zeros({rows}, torch::kFloat);
            const at::Tensor divisor = torch::where(scale > 0, scale, torch::ones_like(scale));
            const at::Tensor q = (m / divisor.unsqueeze(1)).round().clamp(-127, 127).to(torch::kChar);
            out[name] = q.reshape(shape).contiguous();
            out[name + kInt8ScaleSuffix] = scale.contiguous();
            break;
        }
        }
    }
    return out;
}

TensorMap decodeDeltas(const TensorMap& encoded, DeltaEncoding encoding)
{
    const auto payloadDtype = encoding == DeltaEncoding::F32    ? torch::kFloat
                              : encoding == DeltaEncoding::BF16 ? torch::kBFloat16
                                                                : torch::kChar;
    TensorMap out;
    for (const auto& [name, t] : encoded) {
        if (endsWith(name, kInt8ScaleSuffix)) {
            const std::string payload = name.substr(0, name.size() - std::string(kInt8ScaleSuffix).size());
            if (encoding != DeltaEncoding::Int8 || !encoded.count(payload))
                throw FormatError("Tensor '" + name + "' holds int8 row scales but there is no " +
                                  (encoding == DeltaEncoding::Int8 ? "tensor '" + payload + "' they belong to"
                                                                   : std::string("int8 payload in a ") +
                                                                         deltaEncodingName(encoding) + " update"));
            continue;
        }
        if (t.scalar_type() != payloadDtype)
            throw FormatError("Δ tensor '" + name + "' is " + std::string(c10::toString(t.scalar_type())) + ", but a " +
                              deltaEncodingName(encoding) + " update stores " + deltaPayloadDtype(encoding));
        const at::Tensor x = t.to(torch::kCPU);
        if (encoding != DeltaEncoding::Int8) {
            at::Tensor f = x.to(torch::kFloat).contiguous();
            if (!torch::isfinite(f).all().item<bool>())
                throw FormatError("Δ tensor '" + name + "' has NaN or infinite values");
            out[name] = f;
            continue;
        }
        const auto scaleIt = encoded.find(name + kInt8ScaleSuffix);
        if (scaleIt == encoded.end())
            throw FormatError("Int8 Δ tensor '" + name + "' has no row scales (tensor '" + name + kInt8ScaleSuffix + "')");
        const at::Tensor& scale = scaleIt->second;
        const auto shape = x.sizes().vec();
        const std::int64_t rows = int8Rows(shape);
        if (scale.scalar_type() != torch::kFloat || scale.dim() != 1 || scale.size(0) != rows)
            throw FormatError("Row scales of int8 Δ tensor '" + name + "' must be F32 of shape [" +
                              std::to_string(rows) + "] for a tensor of shape " + shapeText(x.sizes()) + ", not " +
                              std::string(c10::toString(scale.scalar_type())) + " " + shapeText(scale.sizes()));
        const at::Tensor s = scale.to(torch::kCPU).contiguous();
        if (!torch::isfinite(s).all().item<bool>() || (s < 0).any().item<bool>())
            throw FormatError("Row scales of int8 Δ tensor '" + name + "' must be finite and not negative");
        if (x.numel() && (x == -128).any().item<bool>())
            throw FormatError("Int8 Δ tensor '" + name + "' holds -128, outside the symmetric range [-127, 127]");
        const std::int64_t columns = rows ? x.numel() / rows : 0;
        out[name] = (x.reshape({rows, columns}).to(torch::kFloat) * s.unsqueeze(1)).reshape(shape).contiguous();
    }
    return out;
}

QuantizationResidual QuantizationResidual::load(const fs::path& file)
{
    QuantizationResidual r;
    std::error_code ec;
    if (!fs::exists(file, ec))
        return r;
    const auto f = SafetensorsFile::open(file);
    for (const auto& info : f->tensors()) {
        at::Tensor t = f->tensor(info.name);
        if (t.scalar_type() != torch::kFloat)
            throw FormatError("Quantisation residual " + file.string() + ": tensor '" + info.name + "' is " +
                              std::string(c10::toString(t.scalar_type())) + ", not F32");
        t = t.clone();
        if (!torch::isfinite(t).all().item<bool>())
            throw FormatError("Quantisation residual " + file.string() + ": tensor '" + info.name +
                              "' has NaN or infinite values");
        r.m_residual[info.name] = t;
    }
    return r;
}

void QuantizationResidual::save(const fs::path& file) const
{
    std::vector<std::pair<std::string, at::Tensor>> tensors(m_residual.begin(), m_residual.end());
    writeSafetensors(file, tensors, {{"teft", "quantization-residual"}});
}

TensorMap QuantizationResidual::encode(const TensorMap& deltas, DeltaEncoding encoding)
{
    TensorMap target;
    for (const auto& [name, t] : deltas) {
        at::Tensor x = finiteF32(name, t);
        const auto it = m_residual.find(name);
        if (it != m_residual.end() && it->second.sizes() == x.sizes())
            x = x + it->second;
        target[name] = x;
    }
    TensorMap encoded = encodeDeltas(target, encoding);
    const TensorMap decoded = decodeDeltas(encoded, encoding);
    TensorMap next;
    for (const auto& [name, x] : target)
        next[name] = (x - decoded.at(name)).contiguous();
    m_residual = std::move(next);
    return encoded;
}

double QuantizationResidual::squaredNorm() const
{
    double sum = 0.0;
    for (const auto& [name, t] : m_residual)
        sum += t.to(torch::kDouble).pow(2).sum().item<double>();
    return sum;
}

} // namespace teft
