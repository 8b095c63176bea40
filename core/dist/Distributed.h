#pragma once

// Data-parallel training across processes, GPUs and machines on LibTorch's c10d.
//
// Each process ("rank") learns its place from the launcher's standard variables, the ones torchrun
// and the usual Slurm scripts set:
//   WORLD_SIZE   number of ranks (unset or 1: a single process, no process group)
//   RANK         this rank, 0 .. WORLD_SIZE-1 (required with WORLD_SIZE > 1)
//   LOCAL_RANK   its index on this machine (default 0); a CUDA rank uses cuda:LOCAL_RANK
//   LOCAL_WORLD_SIZE  ranks on this machine (default 1), which share its cores
//   MASTER_ADDR  where rank 0 hosts the rendezvous (default 127.0.0.1)
//   MASTER_PORT  its TCP port (default 29500)
// connectProcessGroup() meets the other ranks at MASTER_ADDR:MASTER_PORT through c10d's
// TCPStore (hosted by rank 0) and opens a Gloo process group (ProcessGroupGloo, in
// libtorch_cpu.so) on the CPU; CUDA tensors are staged through host memory (or reduced by NCCL,
// ProcessGroupOptions::nccl). Gloo's network
// interface: $GLOO_SOCKET_IFNAME when set, loopback when MASTER_ADDR is a loopback address,
// else the address this machine's host name resolves to (as torch.distributed does).
//
// Every rank also increments a heartbeat key in the store once a second; when a collective
// fails, the survivors read the heartbeats to name the rank that died or disconnected (and the
// error a failing rank announced with announceFailure(), if it could).

#include "core/dist/Collective.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace teft {

struct DistributedEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;

    // nullopt when WORLD_SIZE is unset. UsageError naming a malformed or inconsistent variable.
    static std::optional<DistributedEnv> fromEnvironment();
    // "rank 1 of 4 (local rank 1), rendezvous at 10.0.0.1:29500"
    std::string describe() const;
};

// The default time a collective (and the rendezvous) waits for a peer before failing.
constexpr std::chrono::seconds kDefaultDistributedTimeout{600};

class ProcessGroup : public Collective {
public:
    // Tells the other ranks, through the rendezvous store, why this rank is about to stop (they
    // quote it when their next collective fails). Never throws.
    virtual void announceFailure(const std::string& message) = 0;
};

struct ProcessGroupOptions {
    // How long the rendezvous and each collective may wait for a peer.
    std::chrono::milliseconds timeout = kDefaultDistributedTimeout;
    // Also an NCCL process group (LibTorch's ProcessGroupNCCL, created by the CUDA module,
    // cuda/TeftNccl.cpp) on cuda:<ncclDevice>: CUDA tensors are then reduced on the GPUs, the
    // rest still through Gloo. NCCL reports a dead peer through its own watchdog (which ends the
    // process after the timeout), not through PeerFailure.
    bool nccl = false;
    int ncclDevice = 0;
};

// Rendezvous and a Gloo process group for `env` (WORLD_SIZE > 1). Throws NetworkError naming the
// address when the ranks cannot meet in time; DeviceError when NCCL was asked for and the CUDA
// backend has none.
std::unique_ptr<ProcessGroup> connectProcessGroup(const DistributedEnv& env, const ProcessGroupOptions& options = {});

// The device rank `env` computes on when `requested` is asked for: a CUDA device ("cuda",
// "cuda:N", or "auto" on a machine with a GPU) becomes cuda:LOCAL_RANK (DeviceError when this
// machine shows no such GPU); "cpu" and anything else are returned as they are.
std::string deviceForRank(const std::string& requested, const DistributedEnv& env);

} // namespace teft
