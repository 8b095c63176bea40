#pragma once

// The order in which a training run reads its rows: epoch after epoch, each epoch a seeded
// Fisher-Yates permutation of the rows (SplitMix64, platform independent). The whole state is
// (seed, position): position p is row p % n of the permutation of epoch p / n, so a resumed run
// continues with exactly the rows an uninterrupted run would have read.

#include <cstdint>
#include <vector>

namespace teft {

class BatchOrder {
public:
    BatchOrder() = default;
    // Throws teft::Error when rows is empty.
    BatchOrder(std::vector<std::int64_t> rows, std::uint64_t seed);

    // `count` rows starting at `position` (crossing epochs as needed).
    std::vector<std::int64_t> take(std::int64_t position, std::int64_t count);
    std::int64_t size() const { return static_cast<std::int64_t>(m_rows.size()); }
    std::uint64_t seed() const { return m_seed; }

private:
    const std::vector<std::int64_t>& epoch(std::int64_t e);
    std::vector<std::int64_t> m_rows;
    std::uint64_t m_seed = 0;
    std::int64_t m_cachedEpoch = -1;
    std::vector<std::int64_t> m_perm;
};

} // namespace teft
