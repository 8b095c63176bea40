#include "core/dist/Distributed.h"

#include "core/util/CudaBackend.h"
#include "core/util/Runtime.h"

#include <spdlog/spdlog.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace teft {

namespace {

std::optional<std::string> env(const char* name)
{
    const char* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

int envInt(const char* name, int fallback)
{
    const auto v = env(name);
    if (!v)
        return fallback;
    try {
        std::size_t used = 0;
        const long long x = std::stoll(*v, &used);
        if (used != v->size() || x < 0 || x > 1000000)
            throw std::invalid_argument(*v);
        return static_cast<int>(x);
    } catch (const std::exception&) {
        throw UsageError(std::string("The environment variable ") + name + " must be a non-negative integer, got '" +
                         *v + "'");
    }
}

std::string heartbeatKey(int rank) { return "teft/heartbeat/" + std::to_string(rank); }
std::string failureKey(int rank) { return "teft/failed/" + std::to_string(rank); }

bool isLoopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1"; }

c10d::ReduceOp toC10d(ReduceOp op)
{
    switch (op) {
    case ReduceOp::Sum: return c10d::ReduceOp::SUM;
    case ReduceOp::Min: return c10d::ReduceOp::MIN;
    case ReduceOp::Max: return c10d::ReduceOp::MAX;
    }
    return c10d::ReduceOp::SUM;
}

// The first line of a LibTorch / Gloo message (they carry C++ backtraces).
std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

// LibTorch's c10d logs the socket errors of a failing peer itself, with C++ backtraces, on
// stderr ("[c10d] recvValue failed ... Connection was likely closed"), also when rank 0 ends
// normally and takes the store with it. Its failures reach the engine as exceptions, which
// describeFailure() turns into one sentence: while a process group lives, only LibTorch's errors
// are logged, not its warnings.
class QuietC10dWarnings {
public:
    QuietC10dWarnings() : m_saved(FLAGS_caffe2_log_level) { FLAGS_caffe2_log_level = std::max(m_saved, 2); }
    ~QuietC10dWarnings() { FLAGS_caffe2_log_level = m_saved; }
    QuietC10dWarnings(const QuietC10dWarnings&) = delete;
    QuietC10dWarnings& operator=(const QuietC10dWarnings&) = delete;

private:
    int m_saved;
};

class GlooProcessGroup : public ProcessGroup {
public:
    GlooProcessGroup(const DistributedEnv& e, const ProcessGroupOptions& po) : m_env(e), m_timeout(po.timeout)
    {
        const auto timeout = po.timeout;
        const std::string where = e.masterAddr + ":" + std::to_string(e.masterPort);
        c10d::TCPStoreOptions so;
        so.port = static_cast<std::uint16_t>(e.masterPort);
        so.isServer = e.rank == 0;
        so.numWorkers = static_cast<std::size_t>(e.worldSize);
        so.waitWorkers = true;
        so.timeout = timeout;
        try {
            m_store = c10::make_intrusive<c10d::TCPStore>(e.masterAddr, so);
        } catch (const std::exception& ex) {
            throw NetworkError("Rank " + std::to_string(e.rank) + " of " + std::to_string(e.worldSize) +
                               " could not meet the other ranks at " + where + " within " +
                               std::to_string(timeout.count() / 1000) + " s (" +
                               (e.rank == 0 ? "rank 0 hosts the rendezvous there: is the port free?"
                                            : "rank 0 hosts the rendezvous there: is it running and reachable?") +
                               " Not every rank may have started.): " + firstLine(ex.what()));
        }
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        if (const auto ifname = env("GLOO_SOCKET_IFNAME"))
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(*ifname));
        else if (isLoopback(e.masterAddr))
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else
            options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        try {
            m_group = c10::make_intrusive<c10d::ProcessGroupGloo>(m_store, e.rank, e.worldSize, options);
        } catch (const std::exception& ex) {
            throw NetworkError("Rank " + std::to_string(e.rank) + " could not connect to the other ranks (Gloo, " +
                               "rendezvous at " + where + "): " + firstLine(ex.what()));
        }
        if (po.nccl)
            connectNccl(po.ncclDevice);
        m_heartbeatStore = m_store->clone();
        m_heartbeat = std::thread([this] { heartbeatLoop(); });
        spdlog::info("distributed: {} joined the {} process group (timeout {} s)", m_env.describe(),
                     m_nccl ? "Gloo + NCCL" : "Gloo", m_timeout.count() / 1000);
    }

    ~GlooProcessGroup() override
    {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_heartbeat.joinable())
            m_heartbeat.join();
    }

    int rank() const override { return m_env.rank; }
    int size() const override { return m_env.worldSize; }

    void allReduce(at::Tensor& tensor, ReduceOp op, const std::string& what) override
    {
        staged(tensor, what, [&](c10d::Backend& group, at::Tensor& t) {
            std::vector<at::Tensor> list{t};
            c10d::AllreduceOptions o;
            o.reduceOp = toC10d(op);
            o.timeout = m_timeout;
            issue([&] { return group.allreduce(list, o); })->wait();
        });
    }

    void broadcast(at::Tensor& tensor, int root, const std::string& what) override
    {
        staged(tensor, what, [&](c10d::Backend& group, at::Tensor& t) {
            std::vector<at::Tensor> list{t};
            c10d::BroadcastOptions o;
            o.rootRank = root;
            o.rootTensor = 0;
            o.timeout = m_timeout;
            issue([&] { return group.broadcast(list, o); })->wait();
        });
    }

    void barrier(const std::string& what) override
    {
        guarded(what, [&] {
            c10d::BarrierOptions o;
            o.timeout = m_timeout;
            issue([&] { return m_group->barrier(o); })->wait();
        });
    }

    void announceFailure(const std::string& message) override
    {
        try {
            const std::string text = message.substr(0, 2000);
            m_store->set(failureKey(m_env.rank), std::vector<std::uint8_t>(text.begin(), text.end()));
        } catch (const std::exception&) {
            // The store is gone with rank 0: the others learn it from their own errors.
        }
    }

private:
    // Starts a collective (returns its Work; the wait is outside the lock). c10d records every
    // collective it enqueues in a process-wide flight recorder whose bookkeeping is not safe
    // against two process groups enqueueing at the same moment: with two ranks as threads of one
    // process (the tests) that crashed in std::map insertion once in a few runs under load. One
    // rank per process, as real runs are, never contends.
    template <class F>
    static c10::intrusive_ptr<c10d::Work> issue(F&& start)
    {
        static std::mutex mutex;
        std::lock_guard<std::mutex> lock(mutex);
        return start();
    }

    // Runs op(group, tensor) on the group that takes the tensor: NCCL for a CUDA tensor when
    // there is one, else Gloo, which works on the host (a CUDA tensor goes there and back).
    template <class F>
    void staged(at::Tensor& tensor, const std::string& what, F&& op)
    {
        if (!tensor.is_contiguous())
            throw Error("Internal error: " + what + " needs a contiguous tensor");
        if (tensor.is_cuda() && m_nccl) {
            guarded(what, [&] { op(*m_nccl, tensor); });
        } else if (tensor.is_cuda()) {
            auto host = tensor.to(torch::kCPU);
            guarded(what, [&] { op(*m_group, host); });
            tensor.copy_(host);
        } else {
            guarded(what, [&] { op(*m_group, tensor); });
        }
    }

    void connectNccl(int device)
    {
        using NcclGroupFn = int (*)(void*, int, int, std::int64_t, int, void**, char*, std::size_t);
        const auto create = reinterpret_cast<NcclGroupFn>(cudaBackendSymbol("teft_cuda_nccl_process_group"));
        if (!create)
            throw DeviceError("The NCCL backend needs LibTorch's CUDA half and a CUDA module built with NCCL (" +
                              cudaBackend().message + ")");
        void* group = nullptr;
        char message[2048] = {0};
        c10d::Store* store = m_store.get();
        if (create(store, m_env.rank, m_env.worldSize, static_cast<std::int64_t>(m_timeout.count()), device, &group,
                   message, sizeof message) != 0 ||
            !group)
            throw NetworkError("Rank " + std::to_string(m_env.rank) +
                               " could not open the NCCL process group on cuda:" + std::to_string(device) + ": " +
                               firstLine(message));
        m_nccl = c10::intrusive_ptr<c10d::Backend>::reclaim(static_cast<c10d::Backend*>(group));
    }

    template <class F>
    void guarded(const std::string& what, F&& op)
    {
        try {
            op();
        } catch (const std::exception& e) {
            throw PeerFailure(describeFailure(what, firstLine(e.what())));
        }
    }

    void heartbeatLoop()
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_stop) {
            lock.unlock();
            try {
                m_heartbeatStore->add(heartbeatKey(m_env.rank), 1);
            } catch (const std::exception&) {
                return; // the store is gone (rank 0 ended): collectives will say so
            }
            lock.lock();
            m_wake.wait_for(lock, std::chrono::seconds(1), [this] { return m_stop; });
        }
    }

    // After a collective failed: which ranks stopped? A rank whose heartbeat does not move for
    // 2.5 s has died or lost its connection; a rank that could say why it stopped left a message.
    std::string describeFailure(const std::string& what, const std::string& cause)
    {
        const std::string me = "rank " + std::to_string(m_env.rank) + " of " + std::to_string(m_env.worldSize);
        const std::string during = "Distributed training stopped (" + me + ", during " + what + "): ";
        const std::string detail = " [" + cause + "]";
        std::vector<std::int64_t> before(static_cast<std::size_t>(m_env.worldSize), 0);
        try {
            for (int r = 0; r < m_env.worldSize; ++r)
                before[static_cast<std::size_t>(r)] = m_store->add(heartbeatKey(r), 0);
        } catch (const std::exception&) {
            return during + "rank 0, which hosts the rendezvous at " + m_env.masterAddr + ":" +
                   std::to_string(m_env.masterPort) + ", is gone (its process ended or the connection to it dropped)." +
                   detail;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        std::vector<int> stopped;
        std::string messages;
        try {
            for (int r = 0; r < m_env.worldSize; ++r) {
                if (r == m_env.rank)
                    continue;
                if (m_store->add(heartbeatKey(r), 0) == before[static_cast<std::size_t>(r)])
                    stopped.push_back(r);
                if (m_store->check({failureKey(r)})) {
                    const auto v = m_store->get(failureKey(r));
                    messages += " Rank " + std::to_string(r) + " reported: " + std::string(v.begin(), v.end());
                }
            }
        } catch (const std::exception&) {
            return during +
                   "rank 0, which hosts the rendezvous, is gone (its process ended or the connection to "
                   "it dropped)." +
                   detail;
        }
        if (stopped.empty())
            return during + "a peer did not answer within the timeout of " + std::to_string(m_timeout.count() / 1000) +
                   " s or dropped its connection, though every rank still runs (a rank is stuck, much slower, or "
                   "the network failed; the timeout is --dist-timeout)." +
                   messages + detail;
        std::string list;
        for (std::size_t i = 0; i < stopped.size(); ++i)
            list += (i == 0 ? "" : i + 1 == stopped.size() ? " and " : ", ") + std::to_string(stopped[i]);
        return during + (stopped.size() == 1 ? "rank " + list + " has" : "ranks " + list + " have") +
               " stopped responding (the process ended, was killed or froze, or its connection dropped)." + messages +
               detail;
    }

    QuietC10dWarnings m_quiet; // first in, last out
    DistributedEnv m_env;
    std::chrono::milliseconds m_timeout;
    c10::intrusive_ptr<c10d::TCPStore> m_store;
    c10::intrusive_ptr<c10d::Store> m_heartbeatStore;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_group;
    c10::intrusive_ptr<c10d::Backend> m_nccl; // optional
    std::thread m_heartbeat;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
};

} // namespace

std::optional<DistributedEnv> DistributedEnv::fromEnvironment()
{
    if (!env("WORLD_SIZE"))
        return std::nullopt;
    DistributedEnv e;
    e.worldSize = envInt("WORLD_SIZE", 1);
    if (e.worldSize < 1)
        throw UsageError("WORLD_SIZE must be at least 1, got " + std::to_string(e.worldSize));
    if (e.worldSize > 1 && !env("RANK"))
        throw UsageError("WORLD_SIZE is " + std::to_string(e.worldSize) + " but RANK is not set");
    e.rank = envInt("RANK", 0);
    if (e.rank >= e.worldSize)
        throw UsageError("RANK " + std::to_string(e.rank) + " is outside 0.." + std::to_string(e.worldSize - 1) +
                         " (WORLD_SIZE " + std::to_string(e.worldSize) + ")");
    e.localRank = envInt("LOCAL_RANK", 0);
    e.localWorldSize = std::max(1, envInt("LOCAL_WORLD_SIZE", 1));
    if (const auto addr = env("MASTER_ADDR"))
        e.masterAddr = *addr;
    e.masterPort = envInt("MASTER_PORT", e.masterPort);
    if (e.masterPort < 1 || e.masterPort > 65535)
        throw UsageError("MASTER_PORT must be a TCP port (1..65535), got " + std::to_string(e.masterPort));
    return e;
}

std::string DistributedEnv::describe() const
{
    return "rank " + std::to_string(rank) + " of " + std::to_string(worldSize) + " (local rank " +
           std::to_string(localRank) + "), rendezvous at " + masterAddr + ":" + std::to_string(masterPort);
}

std::unique_ptr<ProcessGroup> connectProcessGroup(const DistributedEnv& env, const ProcessGroupOptions& options)
{
    if (options.timeout.count() <= 0)
        throw UsageError("The distributed timeout must be positive");
    return std::make_unique<GlooProcessGroup>(env, options);
}

std::string deviceForRank(const std::string& requested, const DistributedEnv& env)
{
    const bool cuda = requested.rfind("cuda", 0) == 0 || (requested == "auto" && cudaAvailable());
    if (!cuda)
        return requested == "auto" ? "cpu" : requested;
    const int count = cudaDeviceCount();
    if (env.localRank >= count)
        throw DeviceError("Rank " + std::to_string(env.rank) + " (LOCAL_RANK " + std::to_string(env.localRank) +
                          ") computes on cuda:" + std::to_string(env.localRank) + ", but this machine shows " +
                          std::to_string(count) + " GPU" + (count == 1 ? "" : "s") +
                          " (start at most as many ranks per machine as it has GPUs)");
    return "cuda:" + std::to_string(env.localRank);
}

} // namespace teft
