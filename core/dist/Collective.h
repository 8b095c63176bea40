#pragma once

// The collective operations of data-parallel training, behind an interface, so that the training
// loop (core/train) does not see LibTorch's c10d headers. One object per process (a "rank"); every
// rank must make the same calls in the same order with tensors of the same shapes and dtypes.
// The implementation over c10d (TCPStore rendezvous, ProcessGroupGloo) is core/dist/Distributed.h.
//
// A peer that dies, hangs past the timeout or drops its connection makes the call throw
// PeerFailure on the surviving ranks, naming the rank(s) at fault where they can be told.

#include "core/util/Error.h"

#include <ATen/core/Tensor.h>

#include <string>

namespace teft {

enum class ReduceOp { Sum, Min, Max };

// A collective failed because of another rank (died, hung, connection lost).
class PeerFailure : public NetworkError {
public:
    explicit PeerFailure(const std::string& message) : NetworkError(message) {}
};

class Collective {
public:
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;

    // In place, over all ranks, in one call. tensor: contiguous, on the CPU or a CUDA device
    // (staged through host memory when the backend works on the host). `what` names the operation
    // in error messages ("the gradient all-reduce").
    virtual void allReduce(at::Tensor& tensor, ReduceOp op, const std::string& what) = 0;
    // root's tensor into every rank's (same shape and dtype everywhere).
    virtual void broadcast(at::Tensor& tensor, int root, const std::string& what) = 0;
    virtual void barrier(const std::string& what) = 0;
};

// Throws teft::Error on every rank (the same message) unless all ranks passed the same `value`
// (compared by a hash); `what` names it in the message, e.g. "the training settings".
void requireSameOnAllRanks(Collective& collective, const std::string& value, const std::string& what);

// root's `value` on every rank.
std::string broadcastString(Collective& collective, const std::string& value, int root, const std::string& what);

// Rows [begin, end) of a micro-batch of `rows` rows that `rank` of `ranks` reads: contiguous,
// balanced shares (sizes differ by at most one) that together cover the micro-batch in order.
std::pair<std::int64_t, std::int64_t> rankShare(std::int64_t rows, int rank, int ranks);

} // namespace teft
