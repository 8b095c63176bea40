#pragma once

#include <cstdint>

namespace teft {

// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose output sequence is fixed
// by its definition, so seeded choices (demo corpus, evaluation subsets) are identical on every
// platform, unlike std:: distributions whose algorithms the standard leaves open.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ULL);
        return mix(z);
    }
    // Uniform in [0, n) for n >= 1 (multiply-shift; bias below 2^-32 for n < 2^32).
    std::uint64_t below(std::uint64_t n)
    {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }
    // Uniform in [lo, hi].
    std::int64_t range(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
    }
    // Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return uniform() < p; }
    template <typename T, std::size_t N>
    const T& pick(const T (&items)[N])
    {
        return items[below(N)];
    }
    template <typename V>
    const typename V::value_type& pick(const V& items)
    {
        return items[below(items.size())];
    }

    // The SplitMix64 finaliser: a bijective 64-bit mixer.
    static std::uint64_t mix(std::uint64_t z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

private:
    std::uint64_t m_state;
};

} // namespace teft
