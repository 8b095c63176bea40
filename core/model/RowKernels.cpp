// Scatter of expert outputs back to their tokens, and its gradients (see RowKernels.h). ATen's
// bf16 index_add_ rounds after every addition and, with the routing-weight multiplication and
// its autograd backward (two multiplications and a row sum), makes several passes over [N*k, H]
// blocks; these make one each.
#include "core/model/RowKernels.h"

#include "core/model/KernelSupport.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

namespace teft {
namespace {

using kernels::loadValue;
using kernels::storeValue;

// Columns [c0, c1) of every row: acc[index[m]] += w[m] * rows[m].
template <typename T>
TEFT_KERNEL_BODY void scatterColumnsBody(std::int64_t c0, std::int64_t c1, std::int64_t M, std::int64_t H,
                                         const T* rows, const std::int64_t* index, const T* weight, float* acc)
{
    for (std::int64_t m = 0; m < M; ++m) {
        const float w = weight ? loadValue(weight, m) : 1.0f;
        const T* r = rows + m * H;
        float* a = acc + index[m] * H;
        for (std::int64_t c = c0; c < c1; ++c)
            a[c] += w * loadValue(r, c);
    }
}
TEFT_KERNEL_VARIANTS(scatterColumns, scatterColumnsBody)

template <typename T>
TEFT_KERNEL_BODY void roundRowsBody(std::int64_t r0, std::int64_t r1, std::int64_t H, const float* acc, T* out)
{
    for (std::int64_t i = r0 * H; i < r1 * H; ++i)
        storeValue(out, i, acc[i]);
}
TEFT_KERNEL_VARIANTS(roundRows, roundRowsBody)

template <typename T>
TEFT_KERNEL_BODY void backwardRowsBody(std::int64_t m0, std::int64_t m1, std::int64_t H, const T* grad, const T* rows,
                                       const std::int64_t* index, const T* weight, T* gradRows, T* gradWeight)
{
    for (std::int64_t m = m0; m < m1; ++m) {
        const T* g = grad + index[m] * H;
        if (gradRows) {
            const float w = loadValue(weight, m);
            T* o = gradRows + m * H;
            for (std::int64_t c = 0; c < H; ++c)
                storeValue(o, c, w * loadValue(g, c));
        }
        if (gradWeight) {
            const T* r = rows + m * H;
            float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0}; // eight partial sums: vectorises
            std::int64_t c = 0;
            for (; c + 8 <= H; c += 8)
                for (int l = 0; l < 8; ++l)
                    lanes[l] += loadValue(g, c + l) * loadValue(r, c + l);
            float s = 0;
            for (; c < H; ++c)
                s += loadValue(g, c) * loadValue(r, c);
            for (int l = 0; l < 8; ++l)
                s += lanes[l];
            storeValue(gradWeight, m, s);
        }
    }
}
TEFT_KERNEL_VARIANTS(backwardRows, backwardRowsBody)

template <typename T>
TEFT_ALWAYS_INLINE float rowDot(const T* a, const T* b, std::int64_t n)
{
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::int64_t c = 0;
    for (; c + 8 <= n; c += 8)
        for (int l = 0; l < 8; ++l)
            lanes[l] += loadValue(a, c + l) * loadValue(b, c + l);
    float s = 0;
    for (; c < n; ++c)
        s += loadValue(a, c) * loadValue(b, c);
    for (int l = 0; l < 8; ++l)
        s += lanes[l];
    return s;
}

TEFT_ALWAYS_INLINE float roundTrip(float v, const float*) { return v; }
TEFT_ALWAYS_INLINE float roundTrip(float v, const std::uint16_t*)
{
    std::uint16_t b;
    storeValue(&b, 0, v);
    return loadValue(&b, 0);
}

template <typename T>
TEFT_KERNEL_BODY void rmsNormRowsBody(std::int64_t r0, std::int64_t r1, std::int64_t D, const T* x, const T* w,
                                      double eps, T* out, float* rstd)
{
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* xr = x + r * D;
        T* o = out + r * D;
        const float rs = static_cast<float>(1.0 / std::sqrt(static_cast<double>(rowDot(xr, xr, D)) / D + eps));
        rstd[r] = rs;
        for (std::int64_t c = 0; c < D; ++c)
            storeValue(o, c, loadValue(w, c) * roundTrip(loadValue(xr, c) * rs, x));
    }
}
TEFT_KERNEL_VARIANTS(rmsNormRows, rmsNormRowsBody)

template <typename T>
TEFT_KERNEL_BODY void rmsNormBackwardRowsBody(std::int64_t r0, std::int64_t r1, std::int64_t D, const T* g, const T* x,
                                              const T* w, const float* rstd, T* gx)
{
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* gr = g + r * D;
        const T* xr = x + r * D;
        T* o = gx + r * D;
        const float rs = rstd[r];
        float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        std::int64_t c = 0;
        for (; c + 8 <= D; c += 8)
            for (int l = 0; l < 8; ++l)
                lanes[l] += loadValue(gr, c + l) * loadValue(w, c + l) * loadValue(xr, c + l);
        float s = 0;
        for (; c < D; ++c)
            s += loadValue(gr, c) * loadValue(w, c) * loadValue(xr, c);
        for (int l = 0; l < 8; ++l)
            s += lanes[l];
        const float dot = s * rs / static_cast<float>(D); // mean(g * w * n)
        for (c = 0; c < D; ++c) {
            const float n = loadValue(xr, c) * rs;
            storeValue(o, c, (loadValue(gr, c) * loadValue(w, c) - n * dot) * rs);
        }
    }
}
TEFT_KERNEL_VARIANTS(rmsNormBackwardRows, rmsNormBackwardRowsBody)

// One row of d values: forward (sign +1) rotates by the angle, backward (sign -1) by its
// negative: gx1 = g1 c1 + g2 s2, gx2 = g2 c2 - g1 s1.
template <typename T>
TEFT_KERNEL_BODY void ropeRowBody(const T* x, T* out, const float* c, const float* s, std::int64_t half, bool forward)
{
    for (std::int64_t j = 0; j < half; ++j) {
        const float x1 = loadValue(x, j), x2 = loadValue(x, j + half);
        const float c1 = c[j], c2 = c[j + half], s1 = s[j], s2 = s[j + half];
        const float o1 = forward ? x1 * c1 - x2 * s1 : x1 * c1 + x2 * s2;
        const float o2 = forward ? x2 * c2 + x1 * s2 : x2 * c2 - x1 * s1;
        storeValue(out, j, o1);
        storeValue(out, j + half, o2);
    }
}
TEFT_KERNEL_VARIANTS(ropeRow, ropeRowBody)

template <typename T>
const T* ptr(const torch::Tensor& t)
{
    return t.defined() ? reinterpret_cast<const T*>(t.data_ptr()) : nullptr;
}
template <typename T>
T* mutablePtr(const torch::Tensor& t)
{
    return t.defined() ? reinterpret_cast<T*>(t.data_ptr()) : nullptr;
}

std::int64_t rowGrain(std::int64_t H) { return std::max<std::int64_t>(1, 32768 / std::max<std::int64_t>(1, H)); }

} // namespace

bool rowKernelsApply(const torch::Tensor& rows)
{
    const auto st = rows.scalar_type();
    return rows.is_cpu() && rows.dim() == 2 && rows.is_contiguous() && (st == torch::kBFloat16 || st == torch::kFloat);
}

torch::Tensor scatterAddRows(const torch::Tensor& rows, const torch::Tensor& index, const torch::Tensor& weight,
                             std::int64_t outRows)
{
    const auto M = rows.size(0), H = rows.size(1);
    const bool bf16 = rows.scalar_type() == torch::kBFloat16;
    const auto idx = index.to(torch::kLong).contiguous();
    const auto w = weight.defined() ? weight.to(rows.scalar_type()).contiguous() : torch::Tensor();
    auto acc = bf16 ? torch::zeros({outRows, H}, rows.options().dtype(torch::kFloat))
                    : torch::zeros({outRows, H}, rows.options());
    // Each task owns a band of columns of every output row: no two tasks write the same value.
    const std::int64_t band = 64;
    const auto bands = (H + band - 1) / band;
    const auto bandGrain = std::max<std::int64_t>(1, (bands * 65536) / std::max<std::int64_t>(1, M * H));
    at::parallel_for(0, bands, bandGrain, [&](std::int64_t b0, std::int64_t b1) {
        const auto c0 = b0 * band, c1 = std::min(H, b1 * band);
        if (bf16)
            scatterColumns(c0, c1, M, H, ptr<std::uint16_t>(rows), idx.data_ptr<std::int64_t>(), ptr<std::uint16_t>(w),
                           acc.data_ptr<float>());
        else
            scatterColumns(c0, c1, M, H, ptr<float>(rows), idx.data_ptr<std::int64_t>(), ptr<float>(w),
                           acc.data_ptr<float>());
    });
    if (!bf16)
        return acc;
    auto out = torch::empty({outRows, H}, rows.options());
    at::parallel_for(0, outRows, rowGrain(H), [&](std::int64_t r0, std::int64_t r1) {
        roundRows(r0, r1, H, acc.data_ptr<float>(), mutablePtr<std::uint16_t>(out));
    });
    return out;
}

void weightedScatterBackward(const torch::Tensor& grad, const torch::Tensor& rows, const torch::Tensor& index,
                             const torch::Tensor& weight, torch::Tensor* gradRows, torch::Tensor* gradWeight)
{
    const auto M = rows.size(0), H = rows.size(1);
    const auto dtype = rows.scalar_type();
    const bool bf16 = dtype == torch::kBFloat16;
    const auto g = grad.to(dtype).contiguous();
    const auto idx = index.to(torch::kLong).contiguous();
    const auto w = weight.to(dtype).contiguous();
    torch::Tensor gr, gw;
    if (gradRows)
        gr = torch::empty({M, H}, rows.options());
    if (gradWeight)
        gw = torch::empty({M}, rows.options());
    at::parallel_for(0, M, rowGrain(H), [&](std::int64_t m0, std::int64_t m1) {
        if (bf16)
            backwardRows(m0, m1, H, ptr<std::uint16_t>(g), ptr<std::uint16_t>(rows), idx.data_ptr<std::int64_t>(),
                         ptr<std::uint16_t>(w), mutablePtr<std::uint16_t>(gr), mutablePtr<std::uint16_t>(gw));
        else
            backwardRows(m0, m1, H, ptr<float>(g), ptr<float>(rows), idx.data_ptr<std::int64_t>(), ptr<float>(w),
                         mutablePtr<float>(gr), mutablePtr<float>(gw));
    });
    if (gradRows)
        *gradRows = gr;
    if (gradWeight)
        *gradWeight = gw;
}

bool rmsNormKernelApplies(const torch::Tensor& x, const torch::Tensor& weight)
{
    const auto st = x.scalar_type();
    return x.is_cpu() && weight.is_cpu() && (st == torch::kBFloat16 || st == torch::kFloat) &&
           weight.scalar_type() == st && x.dim() >= 1 && x.is_contiguous() && weight.is_contiguous() &&
           weight.dim() == 1 && weight.size(0) == x.size(-1) && x.numel() > 0;
}

std::pair<torch::Tensor, torch::Tensor> rmsNormForwardKernel(const torch::Tensor& x, const torch::Tensor& weight,
                                                             double eps)
{
    const auto D = x.size(-1), rows = x.numel() / D;
    auto out = torch::empty(x.sizes(), x.options());
    auto rstd = torch::empty({rows}, x.options().dtype(torch::kFloat));
    const bool bf16 = x.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, rowGrain(D), [&](std::int64_t r0, std::int64_t r1) {
        if (bf16)
            rmsNormRows(r0, r1, D, ptr<std::uint16_t>(x), ptr<std::uint16_t>(weight), eps,
                        mutablePtr<std::uint16_t>(out), rstd.data_ptr<float>());
        else
            rmsNormRows(r0, r1, D, ptr<float>(x), ptr<float>(weight), eps, mutablePtr<float>(out),
                        rstd.data_ptr<float>());
    });
    return {out, rstd};
}

torch::Tensor rmsNormBackwardKernel(const torch::Tensor& grad, const torch::Tensor& x, const torch::Tensor& weight,
                                    const torch::Tensor& rstd)
{
    const auto D = x.size(-1), rows = x.numel() / D;
    const auto g = grad.to(x.scalar_type()).contiguous();
    auto gx = torch::empty(x.sizes(), x.options());
    const bool bf16 = x.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, rowGrain(D), [&](std::int64_t r0, std::int64_t r1) {
        if (bf16)
            rmsNormBackwardRows(r0, r1, D, ptr<std::uint16_t>(g), ptr<std::uint16_t>(x), ptr<std::uint16_t>(weight),
                                rstd.data_ptr<float>(), mutablePtr<std::uint16_t>(gx));
        else
            rmsNormBackwardRows(r0, r1, D, ptr<float>(g), ptr<float>(x), ptr<float>(weight), rstd.data_ptr<float>(),
                                mutablePtr<float>(gx));
    });
    return gx;
}

bool ropeKernelApplies(const torch::Tensor& x)
{
    const auto st = x.scalar_type();
    return x.is_cpu() && x.dim() == 4 && x.stride(3) == 1 && x.size(3) % 2 == 0 &&
           (st == torch::kBFloat16 || st == torch::kFloat);
}

namespace {

// in [B, A1, A2, d] (strides from `in`) -> out [B, A2, A1, d] contiguous, rotated per position
// (positions along A1 when `positionsOnFirst`, else along A2).
torch::Tensor ropeTransposed(const torch::Tensor& in, const torch::Tensor& cos, const torch::Tensor& sin, bool forward,
                             bool positionsOnFirst)
{
    const auto B = in.size(0), A1 = in.size(1), A2 = in.size(2), d = in.size(3);
    auto out = torch::empty({B, A2, A1, d}, in.options());
    const bool bf16 = in.scalar_type() == torch::kBFloat16;
    const auto s0 = in.stride(0), s1 = in.stride(1), s2 = in.stride(2);
    const float* c = cos.data_ptr<float>();
    const float* sn = sin.data_ptr<float>();
    at::parallel_for(0, B * A1 * A2, std::max<std::int64_t>(1, 32768 / d), [&](std::int64_t r0, std::int64_t r1) {
        for (auto r = r0; r < r1; ++r) {
            const auto b = r / (A1 * A2), i = (r / A2) % A1, j = r % A2;
            const auto pos = positionsOnFirst ? i : j;
            const auto src = b * s0 + i * s1 + j * s2;
            const auto dst = ((b * A2 + j) * A1 + i) * d;
            if (bf16)
                ropeRow(ptr<std::uint16_t>(in) + src, mutablePtr<std::uint16_t>(out) + dst, c + pos * d, sn + pos * d,
                        d / 2, forward);
            else
                ropeRow(ptr<float>(in) + src, mutablePtr<float>(out) + dst, c + pos * d, sn + pos * d, d / 2, forward);
        }
    });
    return out;
}

} // namespace

torch::Tensor ropeForwardKernel(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin)
{
    return ropeTransposed(x, cos, sin, true, true); // x [B, T, h, d] -> [B, h, T, d]
}

torch::Tensor ropeBackwardKernel(const torch::Tensor& grad, const torch::Tensor& cos, const torch::Tensor& sin)
{
    return ropeTransposed(grad, cos, sin, false, false); // grad [B, h, T, d] -> [B, T, h, d]
}

} // namespace teft
