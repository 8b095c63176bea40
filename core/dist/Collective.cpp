#include "core/dist/Collective.h"

#include "core/util/Hash.h"

#include <torch/torch.h>

#include <cstring>

namespace teft {

void requireSameOnAllRanks(Collective& collective, const std::string& value, const std::string& what)
{
    // Two 62-bit words of the value's SHA-256, and their negations: one MAX all-reduce gives the
    // largest value and minus the smallest, equal only when every rank holds the same words.
    const std::string hex = sha256Hex(value);
    auto words = torch::empty({4}, torch::kLong);
    for (int i = 0; i < 2; ++i) {
        const auto w = static_cast<std::int64_t>(
            std::stoull(hex.substr(static_cast<std::size_t>(16 * i), 16), nullptr, 16) >> 2);
        words[i] = w;
        words[i + 2] = -w;
    }
    collective.allReduce(words, ReduceOp::Max, "the check that all ranks agree on " + what);
    const auto* w = words.data_ptr<std::int64_t>();
    if (w[0] != -w[2] || w[1] != -w[3])
        throw Error("The ranks disagree on " + what +
                    ": every rank must run the same command on the same model and data (only the launcher's "
                    "RANK and LOCAL_RANK differ)");
}

std::string broadcastString(Collective& collective, const std::string& value, int root, const std::string& what)
{
    auto size = torch::full({1}, static_cast<std::int64_t>(value.size()), torch::kLong);
    collective.broadcast(size, root, what);
    const auto n = size.item<std::int64_t>();
    if (n == 0)
        return {};
    auto bytes = torch::empty({n}, torch::kUInt8);
    if (collective.rank() == root)
        std::memcpy(bytes.data_ptr(), value.data(), value.size());
    collective.broadcast(bytes, root, what);
    return std::string(reinterpret_cast<const char*>(bytes.data_ptr()), static_cast<std::size_t>(bytes.numel()));
}

std::pair<std::int64_t, std::int64_t> rankShare(std::int64_t rows, int rank, int ranks)
{
    return {rows * rank / ranks, rows * (rank + 1) / ranks};
}

} // namespace teft
