#include "core/train/BatchOrder.h"

#include "core/data/SplitMix64.h"
#include "core/util/Error.h"

#include <utility>

namespace teft {

BatchOrder::BatchOrder(std::vector<std::int64_t> rows, std::uint64_t seed) : m_rows(std::move(rows)), m_seed(seed)
{
    if (m_rows.empty())
        throw Error("Training data has no rows to read (the shard is empty: use more data or fewer shards)");
}

const std::vector<std::int64_t>& BatchOrder::epoch(std::int64_t e)
{
    if (e == m_cachedEpoch)
        return m_perm;
    m_perm = m_rows;
    SplitMix64 rng(SplitMix64::mix(m_seed ^ (0x5851F42D4C957F2DULL * static_cast<std::uint64_t>(e + 1))));
    for (std::size_t i = m_perm.size(); i > 1; --i)
        std::swap(m_perm[i - 1], m_perm[rng.below(i)]);
    m_cachedEpoch = e;
    return m_perm;
}

std::vector<std::int64_t> BatchOrder::take(std::int64_t position, std::int64_t count)
{
    std::vector<std::int64_t> out;
    out.reserve(static_cast<std::size_t>(count));
    const auto n = size();
    for (std::int64_t i = 0; i < count; ++i) {
        const auto p = position + i;
        out.push_back(epoch(p / n)[static_cast<std::size_t>(p % n)]);
    }
    return out;
}

} // namespace teft
