// Fused SwiGLU kernels on the CPU: one pass over the rows, fp32 math, each output rounded once to
// the storage dtype. LibTorch 1.13's bf16 elementwise kernels (silu, mul, silu_backward) convert
// element by element and run several times slower than this; the composite also needs a
// temporary per step and a concatenation of the two gradients in the backward pass.
#include "core/model/SwiGluKernels.h"

#include "core/model/KernelSupport.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace teft {
namespace {

using kernels::loadValue;
using kernels::storeValue;

// 1 / (1 + exp(-x)) with a Cephes-style expf (range reduction by ln 2, degree-6 polynomial,
// about 1 ulp), written so that the compiler vectorises it.
TEFT_ALWAYS_INLINE float sigmoid(float x)
{
    float t = -x;
    t = t < -87.0f ? -87.0f : t;
    t = t > 88.0f ? 88.0f : t;
    const float n = (t * 1.44269504088896341f + 12582912.0f) - 12582912.0f; // round to nearest
    float r = t - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const std::uint32_t bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return 1.0f / (1.0f + p * scale);
}

template <typename T>
TEFT_KERNEL_BODY void forwardRowsBody(std::int64_t r0, std::int64_t r1, std::int64_t cols, const T* g, std::int64_t gs,
                                      const T* u, std::int64_t us, T* out, std::int64_t os)
{
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* gr = g + r * gs;
        const T* ur = u + r * us;
        T* o = out + r * os;
        for (std::int64_t j = 0; j < cols; ++j) {
            const float gv = loadValue(gr, j);
            storeValue(o, j, gv * sigmoid(gv) * loadValue(ur, j));
        }
    }
}
TEFT_KERNEL_VARIANTS(forwardRows, forwardRowsBody)

template <typename T>
TEFT_KERNEL_BODY void backwardRowsBody(std::int64_t r0, std::int64_t r1, std::int64_t cols, const T* ga,
                                       std::int64_t as, const T* g, std::int64_t gs, const T* u, std::int64_t us, T* dg,
                                       std::int64_t dgs, T* du, std::int64_t dus)
{
    for (std::int64_t r = r0; r < r1; ++r) {
        const T* ar = ga + r * as;
        const T* gr = g + r * gs;
        const T* ur = u + r * us;
        T* dgr = dg + r * dgs;
        T* dur = du + r * dus;
        for (std::int64_t j = 0; j < cols; ++j) {
            const float a = loadValue(ar, j), gv = loadValue(gr, j), uv = loadValue(ur, j);
            const float s = sigmoid(gv);
            storeValue(dur, j, a * gv * s);
            storeValue(dgr, j, a * uv * s * (1.0f + gv * (1.0f - s)));
        }
    }
}
TEFT_KERNEL_VARIANTS(backwardRows, backwardRowsBody)

// Rows per task: enough elements that a task outweighs the cost of waking a thread.
std::int64_t grain(std::int64_t cols) { return std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(1, cols)); }

bool rowsContiguous(const torch::Tensor& t) { return t.dim() == 2 && t.stride(1) == 1; }

template <typename T>
const T* ptr(const torch::Tensor& t)
{
    return reinterpret_cast<const T*>(t.data_ptr());
}
template <typename T>
T* mutablePtr(const torch::Tensor& t)
{
    return reinterpret_cast<T*>(t.data_ptr());
}

} // namespace

bool swigluKernelApplies(const torch::Tensor& gate, const torch::Tensor& up)
{
    const auto st = gate.scalar_type();
    return gate.is_cpu() && up.is_cpu() && st == up.scalar_type() && (st == torch::kBFloat16 || st == torch::kFloat) &&
           rowsContiguous(gate) && rowsContiguous(up) && gate.sizes() == up.sizes();
}

torch::Tensor swigluForwardKernel(const torch::Tensor& gate, const torch::Tensor& up)
{
    const auto rows = gate.size(0), cols = gate.size(1);
    auto out = torch::empty({rows, cols}, gate.options());
    const bool bf16 = gate.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, grain(cols), [&](std::int64_t r0, std::int64_t r1) {
        if (bf16)
            forwardRows(r0, r1, cols, ptr<std::uint16_t>(gate), gate.stride(0), ptr<std::uint16_t>(up), up.stride(0),
                        mutablePtr<std::uint16_t>(out), cols);
        else
            forwardRows(r0, r1, cols, ptr<float>(gate), gate.stride(0), ptr<float>(up), up.stride(0),
                        mutablePtr<float>(out), cols);
    });
    return out;
}

void swigluBackwardKernel(const torch::Tensor& grad, const torch::Tensor& gate, const torch::Tensor& up,
                          const torch::Tensor& gradGate, const torch::Tensor& gradUp)
{
    const auto rows = gate.size(0), cols = gate.size(1);
    const auto ga = rowsContiguous(grad) && grad.scalar_type() == gate.scalar_type()
                        ? grad
                        : grad.to(gate.scalar_type()).contiguous();
    const bool bf16 = gate.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, rows, grain(cols), [&](std::int64_t r0, std::int64_t r1) {
        if (bf16)
            backwardRows(r0, r1, cols, ptr<std::uint16_t>(ga), ga.stride(0), ptr<std::uint16_t>(gate), gate.stride(0),
                         ptr<std::uint16_t>(up), up.stride(0), mutablePtr<std::uint16_t>(gradGate), gradGate.stride(0),
                         mutablePtr<std::uint16_t>(gradUp), gradUp.stride(0));
        else
            backwardRows(r0, r1, cols, ptr<float>(ga), ga.stride(0), ptr<float>(gate), gate.stride(0), ptr<float>(up),
                         up.stride(0), mutablePtr<float>(gradGate), gradGate.stride(0), mutablePtr<float>(gradUp),
                         gradUp.stride(0));
    });
}

} // namespace teft
