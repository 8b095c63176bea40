#pragma once

// Shared pieces of the engine's CPU kernels (SwiGluKernels.cpp, RowKernels.cpp): bf16 <-> fp32
// conversion written so that loops vectorise, and per-ISA variants of a loop chosen at run time.
// The loops are plain C++; each variant is the same body compiled for AVX-512 (512-bit
// vectors), AVX2+FMA or the baseline, picked once from the CPU's features. Results may differ
// in the last fp32 bit between variants (FMA contraction), never by more than that before the
// rounding to the storage dtype.

#include <cstdint>
#include <cstring>

#if defined(__GNUC__)
#define TEFT_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TEFT_ALWAYS_INLINE inline
#endif

namespace teft::kernels {

TEFT_ALWAYS_INLINE float loadValue(const float* p, std::int64_t i) { return p[i]; }
TEFT_ALWAYS_INLINE float loadValue(const std::uint16_t* p, std::int64_t i)
{
    const std::uint32_t u = static_cast<std::uint32_t>(p[i]) << 16;
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}
TEFT_ALWAYS_INLINE void storeValue(float* p, std::int64_t i, float v) { p[i] = v; }
// Round to nearest even, as c10::BFloat16; NaN stays a (quiet) NaN. Branch-free.
TEFT_ALWAYS_INLINE void storeValue(std::uint16_t* p, std::int64_t i, float v)
{
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    const std::uint32_t rounded = (u + 0x7FFFu + ((u >> 16) & 1u)) >> 16;
    const bool nan = (u & 0x7FFFFFFFu) > 0x7F800000u;
    p[i] = static_cast<std::uint16_t>(nan ? 0x7FC0u : rounded);
}

enum class Isa { Baseline, Avx2, Avx512 };

inline Isa cpuIsa()
{
#if defined(__GNUC__) && defined(__x86_64__)
    static const Isa isa = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
            return Isa::Avx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            return Isa::Avx2;
        return Isa::Baseline;
    }();
    return isa;
#else
    return Isa::Baseline;
#endif
}

} // namespace teft::kernels

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define TEFT_KERNEL_BODY TEFT_ALWAYS_INLINE
// NAME(args...) runs BODY(args...) compiled for the best ISA of this CPU.
#define TEFT_KERNEL_VARIANTS(NAME, BODY)                                                                               \
    template <typename... A>                                                                                           \
    __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,prefer-vector-width=512"))) void NAME##Avx512(A... a)    \
    {                                                                                                                  \
        BODY(a...);                                                                                                    \
    }                                                                                                                  \
    template <typename... A>                                                                                           \
    __attribute__((target("avx2,fma"))) void NAME##Avx2(A... a)                                                        \
    {                                                                                                                  \
        BODY(a...);                                                                                                    \
    }                                                                                                                  \
    template <typename... A>                                                                                           \
    void NAME##Baseline(A... a)                                                                                        \
    {                                                                                                                  \
        BODY(a...);                                                                                                    \
    }                                                                                                                  \
    template <typename... A>                                                                                           \
    void NAME(A... a)                                                                                                  \
    {                                                                                                                  \
        switch (::teft::kernels::cpuIsa()) {                                                                           \
        case ::teft::kernels::Isa::Avx512: return NAME##Avx512(a...);                                                  \
        case ::teft::kernels::Isa::Avx2: return NAME##Avx2(a...);                                                      \
        default: return NAME##Baseline(a...);                                                                          \
        }                                                                                                              \
    }
#else
#define TEFT_KERNEL_BODY inline
#define TEFT_KERNEL_VARIANTS(NAME, BODY)                                                                               \
    template <typename... A>                                                                                           \
    void NAME(A... a)                                                                                                  \
    {                                                                                                                  \
        BODY(a...);                                                                                                    \
    }
#endif
