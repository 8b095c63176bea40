#include "core/model/ExpertOffload.h"

#include "core/util/Error.h"

#include <c10/core/DeviceGuard.h>
#include <c10/core/Event.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace teft {

// ---------------------------------------------------------------------------------------------
// The schedule.

ExpertStreamer::ExpertStreamer(std::vector<int> layers, int slotCount, std::unique_ptr<ExpertCopyEngine> engine)
    : m_layers(std::move(layers)), m_engine(std::move(engine))
{
    if (!m_engine)
        throw Error("Expert offload: no copy engine");
    if (m_layers.empty())
        throw Error("Expert offload: no layer to offload");
    if (slotCount < std::min<int>(2, static_cast<int>(m_layers.size())) || slotCount < 1)
        throw Error("Expert offload needs at least 2 device slots (one in use, one being filled), got " +
                    std::to_string(slotCount));
    for (std::size_t i = 0; i < m_layers.size(); ++i)
        if (m_layers[i] < 0 || (i > 0 && m_layers[i] <= m_layers[i - 1]))
            throw Error("Expert offload: the offloaded layers must be distinct, non-negative and in increasing order");
    m_slots.resize(static_cast<std::size_t>(slotCount));
}

int ExpertStreamer::indexOf(int layer) const
{
    const auto it = std::lower_bound(m_layers.begin(), m_layers.end(), layer);
    return it != m_layers.end() && *it == layer ? static_cast<int>(it - m_layers.begin()) : -1;
}

int ExpertStreamer::slotOf(int layer) const
{
    for (std::size_t s = 0; s < m_slots.size(); ++s)
        if (m_slots[s].layer == layer)
            return static_cast<int>(s);
    return -1;
}

int ExpertStreamer::nextLayer(int layer) const
{
    const auto it = std::upper_bound(m_layers.begin(), m_layers.end(), layer);
    return it == m_layers.end() ? -1 : *it;
}

int ExpertStreamer::previousLayer(int layer) const
{
    const auto it = std::lower_bound(m_layers.begin(), m_layers.end(), layer);
    return it == m_layers.begin() ? -1 : *(it - 1);
}

int ExpertStreamer::load(int layer, int keep)
{
    int best = -1;
    for (std::size_t s = 0; s < m_slots.size(); ++s) {
        const auto& slot = m_slots[s];
        if (slot.inUse || (keep >= 0 && slot.layer == keep))
            continue;
        if (best < 0)
            best = static_cast<int>(s);
        const auto& b = m_slots[static_cast<std::size_t>(best)];
        if (slot.layer < 0 && b.layer >= 0)
            best = static_cast<int>(s); // an empty slot first
        else if ((slot.layer < 0) == (b.layer < 0) && slot.lastUse < b.lastUse)
            best = static_cast<int>(s); // else the least recently used
    }
    if (best < 0)
        return -1;
    auto& slot = m_slots[static_cast<std::size_t>(best)];
    slot.layer = -1; // until the upload is issued
    m_engine->upload(indexOf(layer), best);
    slot.layer = layer;
    slot.lastUse = ++m_tick;
    ++m_uploads;
    return best;
}

int ExpertStreamer::acquire(int layer, int next)
{
    if (indexOf(layer) < 0)
        throw Error("Expert offload: the frozen experts of layer " + std::to_string(layer) + " are not offloaded");
    int s = slotOf(layer);
    if (s < 0)
        s = load(layer, -1);
    if (s < 0)
        throw Error("Expert offload: every device slot is in use; layer " + std::to_string(layer) +
                    " cannot be copied to the device");
    auto& slot = m_slots[static_cast<std::size_t>(s)];
    if (slot.inUse)
        throw Error("Expert offload: the frozen experts of layer " + std::to_string(layer) +
                    " are already in use (acquired twice without a release)");
    slot.inUse = true;
    slot.lastUse = ++m_tick;
    m_engine->waitReady(s);
    if (next >= 0 && next != layer)
        prefetch(next);
    return s;
}

void ExpertStreamer::release(int slot)
{
    if (slot < 0 || slot >= slotCount() || !m_slots[static_cast<std::size_t>(slot)].inUse)
        throw Error("Expert offload: release of device slot " + std::to_string(slot) + ", which is not in use");
    m_engine->release(slot);
    m_slots[static_cast<std::size_t>(slot)].inUse = false;
}

void ExpertStreamer::prefetch(int layer)
{
    if (layer < 0)
        return;
    if (indexOf(layer) < 0)
        throw Error("Expert offload: the frozen experts of layer " + std::to_string(layer) + " are not offloaded");
    const int s = slotOf(layer);
    if (s >= 0) {
        m_slots[static_cast<std::size_t>(s)].lastUse = ++m_tick; // keep it
        return;
    }
    load(layer, -1); // no free slot: it is uploaded when acquired
}

void ExpertStreamer::invalidate(int layer)
{
    const int s = slotOf(layer);
    if (s < 0)
        return;
    if (m_slots[static_cast<std::size_t>(s)].inUse)
        throw Error("Expert offload: the frozen experts of layer " + std::to_string(layer) +
                    " were written while a pass uses them");
    m_slots[static_cast<std::size_t>(s)].layer = -1;
}

// ---------------------------------------------------------------------------------------------
// The engine.

struct StreamingCopyEngine::Impl {
    std::vector<OffloadedLayer> layers;
    StreamingCopyOptions opt;
    bool cuda = false;
    std::int64_t maxFrozen = 0;
    std::vector<torch::Tensor> slotGateUp, slotDown; // per slot: [maxFrozen, 2I, H], [maxFrozen, H, I]
    std::vector<torch::Tensor> staging;              // the staging ring (pinned on CUDA)
    std::size_t nextStaging = 0;

    // CUDA: the copy stream and the events that order it against the compute stream.
    std::optional<c10::Stream> copyStream;
    std::vector<c10::Event> ready;       // per slot: its last upload is complete
    std::vector<c10::Event> released;    // per slot: the compute that last read it is complete
    std::vector<c10::Event> stagingDone; // per staging buffer: its last transfer is complete

    // The worker thread (CUDA): uploads in the order they were asked for.
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::pair<int, int>> jobs; // (offloaded layer index, slot), front = being copied
    std::vector<int> pending;             // per slot: jobs not yet issued
    std::string error;                    // the first failure of the worker
    bool stop = false;
    std::thread worker;

    c10::Stream computeStream() const { return c10::impl::VirtualGuardImpl(opt.device.type()).getStream(opt.device); }

    void throwIfFailed()
    {
        if (!error.empty())
            throw Error(error);
    }

    // src (host, contiguous, the compute dtype) into dst (a contiguous part of a slot), through
    // the staging ring.
    void copyInto(const torch::Tensor& src, const torch::Tensor& dst, int layer, std::size_t expert)
    {
        if (!src.defined() || src.device().type() != torch::kCPU || src.scalar_type() != opt.dtype ||
            !src.is_contiguous() || src.numel() != dst.numel())
            throw Error("Expert offload: frozen expert " + std::to_string(expert) + " (slot order) of layer " +
                        std::to_string(layer) + " is not a contiguous host tensor of " + std::to_string(dst.numel()) +
                        " elements in the compute dtype");
        const auto d = dst.view(-1);
        const auto elem = static_cast<std::int64_t>(src.element_size());
        const auto chunk = staging.front().numel();
        const auto* from = static_cast<const char*>(src.data_ptr());
        for (std::int64_t off = 0; off < src.numel(); off += chunk) {
            const auto n = std::min(chunk, src.numel() - off);
            auto& buf = staging[nextStaging];
            if (cuda)
                stagingDone[nextStaging].synchronize(); // its previous transfer is done
            // The host copy out of the page cache is the slow part (a transfer from pinned memory
            // runs at the bus's rate): split over the intra-op threads in 4 MiB pieces.
            auto* to = static_cast<char*>(buf.data_ptr());
            const char* piece = from + off * elem;
            at::parallel_for(0, n * elem, std::int64_t{4} << 20, [&](std::int64_t b, std::int64_t e) {
                std::memcpy(to + b, piece + b, static_cast<std::size_t>(e - b));
            });
            d.narrow(0, off, n).copy_(buf.narrow(0, 0, n), /*non_blocking=*/cuda);
            if (cuda)
                stagingDone[nextStaging].record(*copyStream);
            nextStaging = (nextStaging + 1) % staging.size();
        }
    }

    // Runs on the worker (CUDA, the copy stream current) or on the caller (CPU).
    void stage(int index, int slot)
    {
        const auto& L = layers[static_cast<std::size_t>(index)];
        torch::NoGradGuard noGrad;
        if (cuda)
            released[static_cast<std::size_t>(slot)].block(*copyStream); // no-op before the first release
        const auto gu = slotGateUp[static_cast<std::size_t>(slot)];
        const auto dn = slotDown[static_cast<std::size_t>(slot)];
        const auto I = opt.intermediate;
        for (std::size_t f = 0; f < L.experts.size(); ++f) {
            const GatedMlpWeights& w = *L.experts[f];
            const auto target = gu[static_cast<std::int64_t>(f)];
            if (w.gateUp.defined()) {
                copyInto(w.gateUp, target, L.layer, f);
            } else {
                copyInto(w.gate, target.narrow(0, 0, I), L.layer, f);
                copyInto(w.up, target.narrow(0, I, I), L.layer, f);
            }
            copyInto(w.down, dn[static_cast<std::int64_t>(f)], L.layer, f);
        }
        if (cuda)
            ready[static_cast<std::size_t>(slot)].record(*copyStream);
    }

    void run()
    {
        try {
            const c10::DeviceGuard deviceGuard(opt.device);
            const c10::StreamGuard streamGuard(*copyStream);
            for (;;) {
                std::pair<int, int> job;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    cv.wait(lock, [&] { return stop || !jobs.empty(); });
                    if (jobs.empty())
                        return;
                    job = jobs.front();
                }
                std::string failure;
                bool failed = false;
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    failed = !error.empty();
                }
                try {
                    if (!failed)
                        stage(job.first, job.second);
                } catch (const std::exception& e) {
                    failure = e.what();
                }
                std::lock_guard<std::mutex> lock(mutex);
                if (!failure.empty() && error.empty())
                    error = "Expert offload: copying the frozen experts of layer " +
                            std::to_string(layers[static_cast<std::size_t>(job.first)].layer) + " to " +
                            opt.device.str() + " failed: " + failure;
                jobs.pop_front();
                --pending[static_cast<std::size_t>(job.second)];
                cv.notify_all();
            }
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(mutex);
            error = std::string("Expert offload: the copy thread stopped: ") + e.what();
            jobs.clear();
            std::fill(pending.begin(), pending.end(), 0);
            cv.notify_all();
        }
    }
};

StreamingCopyEngine::StreamingCopyEngine(std::vector<OffloadedLayer> layers, const StreamingCopyOptions& options)
    : m_impl(std::make_unique<Impl>())
{
    auto& m = *m_impl;
    m.layers = std::move(layers);
    m.opt = options;
    m.cuda = options.device.is_cuda();
    if (!m.cuda && !options.device.is_cpu())
        throw Error("Expert offload: device " + options.device.str() + " is neither the CPU nor a CUDA device");
    if (options.slotCount < 1 || options.hidden <= 0 || options.intermediate <= 0 || options.stagingBuffers < 1 ||
        options.stagingBytes < static_cast<std::int64_t>(c10::elementSize(options.dtype)))
        throw Error("Expert offload: bad engine options (slots " + std::to_string(options.slotCount) + ", hidden " +
                    std::to_string(options.hidden) + ", intermediate " + std::to_string(options.intermediate) +
                    ", staging " + std::to_string(options.stagingBuffers) + " x " +
                    std::to_string(options.stagingBytes) + " bytes)");
    for (const auto& L : m.layers) {
        if (L.experts.empty())
            throw Error("Expert offload: layer " + std::to_string(L.layer) + " has no frozen expert to offload");
        m.maxFrozen = std::max<std::int64_t>(m.maxFrozen, static_cast<std::int64_t>(L.experts.size()));
    }
    if (m.layers.empty())
        throw Error("Expert offload: no layer to offload");
    const auto H = options.hidden, I = options.intermediate;
    const auto dev = torch::TensorOptions().device(options.device).dtype(options.dtype);
    for (int s = 0; s < options.slotCount; ++s) {
        m.slotGateUp.push_back(torch::empty({m.maxFrozen, 2 * I, H}, dev));
        m.slotDown.push_back(torch::empty({m.maxFrozen, H, I}, dev));
    }
    const auto chunk = options.stagingBytes / static_cast<std::int64_t>(c10::elementSize(options.dtype));
    const auto host = torch::TensorOptions().dtype(options.dtype).pinned_memory(m.cuda);
    for (int b = 0; b < options.stagingBuffers; ++b)
        m.staging.push_back(torch::empty({chunk}, host));
    m.pending.assign(static_cast<std::size_t>(options.slotCount), 0);
    if (!m.cuda)
        return;
    const c10::impl::VirtualGuardImpl impl(options.device.type());
    m.copyStream = impl.getStreamFromGlobalPool(options.device, /*isHighPriority=*/false);
    for (int s = 0; s < options.slotCount; ++s) {
        m.ready.emplace_back(options.device.type());
        m.released.emplace_back(options.device.type());
    }
    for (int b = 0; b < options.stagingBuffers; ++b)
        m.stagingDone.emplace_back(options.device.type());
    m.worker = std::thread([this] { m_impl->run(); });
}

StreamingCopyEngine::~StreamingCopyEngine()
{
    auto& m = *m_impl;
    if (m.worker.joinable()) {
        {
            std::lock_guard<std::mutex> lock(m.mutex);
            m.stop = true;
        }
        m.cv.notify_all();
        m.worker.join();
    }
    if (m.copyStream) {
        try {
            m.copyStream->synchronize(); // no copy into a slot outlives it
        } catch (const std::exception&) {
            // the device is gone: nothing is copied any more
        }
    }
}

void StreamingCopyEngine::upload(int index, int slot)
{
    auto& m = *m_impl;
    if (index < 0 || index >= static_cast<int>(m.layers.size()) || slot < 0 || slot >= m.opt.slotCount)
        throw Error("Expert offload: upload of offloaded layer " + std::to_string(index) + " into slot " +
                    std::to_string(slot) + " is out of range");
    if (!m.cuda) {
        m.stage(index, slot);
        return;
    }
    std::lock_guard<std::mutex> lock(m.mutex);
    m.throwIfFailed();
    m.jobs.emplace_back(index, slot);
    ++m.pending[static_cast<std::size_t>(slot)];
    m.cv.notify_all();
}

void StreamingCopyEngine::waitReady(int slot)
{
    auto& m = *m_impl;
    if (!m.cuda)
        return;
    {
        std::unique_lock<std::mutex> lock(m.mutex);
        m.cv.wait(lock, [&] { return m.pending[static_cast<std::size_t>(slot)] == 0; });
        m.throwIfFailed();
    }
    m.ready[static_cast<std::size_t>(slot)].block(m.computeStream());
}

void StreamingCopyEngine::release(int slot)
{
    auto& m = *m_impl;
    if (m.cuda)
        m.released[static_cast<std::size_t>(slot)].record(m.computeStream());
}

void StreamingCopyEngine::drain()
{
    auto& m = *m_impl;
    if (!m.cuda)
        return;
    std::unique_lock<std::mutex> lock(m.mutex);
    m.cv.wait(lock, [&] { return m.jobs.empty(); });
    m.throwIfFailed();
}

torch::Tensor StreamingCopyEngine::gateUp(int slot, int index)
{
    auto& m = *m_impl;
    const auto f = static_cast<std::int64_t>(m.layers.at(static_cast<std::size_t>(index)).experts.size());
    return m.slotGateUp.at(static_cast<std::size_t>(slot)).narrow(0, 0, f);
}

torch::Tensor StreamingCopyEngine::down(int slot, int index)
{
    auto& m = *m_impl;
    const auto f = static_cast<std::int64_t>(m.layers.at(static_cast<std::size_t>(index)).experts.size());
    return m.slotDown.at(static_cast<std::size_t>(slot)).narrow(0, 0, f);
}

std::int64_t StreamingCopyEngine::deviceBytes() const
{
    std::int64_t n = 0;
    for (std::size_t s = 0; s < m_impl->slotGateUp.size(); ++s)
        n += static_cast<std::int64_t>(m_impl->slotGateUp[s].nbytes() + m_impl->slotDown[s].nbytes());
    return n;
}

std::int64_t StreamingCopyEngine::stagingBytes() const
{
    std::int64_t n = 0;
    for (const auto& b : m_impl->staging)
        n += static_cast<std::int64_t>(b.nbytes());
    return n;
}

} // namespace teft
