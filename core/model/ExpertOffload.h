#pragma once

// Offloading the frozen routed experts of full-routing training (`teft train --offload`): on a
// CUDA device the frozen experts of each MoE layer stay in host memory (the memory-mapped
// checkpoint's bytes, or a host copy in the compute dtype when the checkpoint has another one)
// and are copied to the device just before that layer's experts run, into one of a few device
// "slots" of one layer's frozen experts each. The hub (embeddings, attention, routers, shared
// experts) and the trainable experts stay on the device.
//
// - ExpertStreamer is the schedule: which layer is in which slot, which slot a new upload goes
//   to (never the one in use; an empty one, else the least recently used), and the prefetch of
//   the layer needed next. It talks to an ExpertCopyEngine, so that it is tested on the CPU
//   with a fake one (tests/core/test_expert_offload.cpp).
// - StreamingCopyEngine is the real engine. On CUDA (device-generic c10 APIs: c10::Stream from
//   the device's stream pool, c10::Event, c10::StreamGuard, pinned host memory through at::empty;
//   core links no CUDA library) a worker thread copies each expert from host memory into a small
//   ring of pinned staging buffers (the memcpy split over the intra-op threads) and issues the
//   device copies from there on its own stream, so the host copy and the transfer both overlap
//   the layer that computes meanwhile; acquiring a layer waits (on the host) only until its copies
//   are issued, then the compute stream waits for them on the device. Events
//   order it: an upload into a slot waits for the release event of the compute that last read
//   the slot; the compute stream waits for the slot's ready event; a staging buffer is refilled
//   only after its previous transfer finished. On the CPU (tests only: the engine's own frozen
//   weights are mmap views already) the same staging runs synchronously on the caller's thread.
//
// The order with two slots (double buffering), layers a < b < c < d offloaded:
//   forward  acquire(a) [cold: upload, wait] prefetch(b) | acquire(b) prefetch(c) | ... | acquire(d)
//   backward acquire(d) (still resident) prefetch(c) (resident) | acquire(c) prefetch(b) | ...
// The backward pass needs the frozen experts again (the gradient of the hidden states through
// them): the graph keeps no reference to a slot (StreamedExpertsFn in MoeLayer.cpp saves only
// its activations), and the backward pass streams the layers again in reverse order; the last
// two layers of the forward pass are still resident, so the backward pass starts without a copy.
// Keeping more layers resident ("keep what fits") is only a matter of more slots
// (MoeModelOptions::offloadSlots); the memory plan counts two.
//
// Not thread-safe beyond what the engine needs: one forward or backward pass at a time, as the
// model itself (autograd's device thread runs the backward pass while the caller waits).

#include "core/model/ModelWeights.h"

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace teft {

// One offloaded MoE layer: its frozen experts in dispatch-slot order. The weights point into the
// model's LayerWeights (stable after load); their tensors are host (CPU) tensors in the compute
// dtype, read at each upload (so that a frozen expert written by setTensor is streamed as written).
struct OffloadedLayer {
    int layer = 0;
    std::vector<const GatedMlpWeights*> experts;
};

class ExpertCopyEngine {
public:
    virtual ~ExpertCopyEngine() = default;
    // Starts copying offloaded layer `index` (into the list the engine was built with) into
    // `slot`, ordered after the last release(slot). Returns at once on CUDA.
    virtual void upload(int index, int slot) = 0;
    // Makes the current compute stream wait until the slot's last upload is complete.
    virtual void waitReady(int slot) = 0;
    // Marks the end of the compute enqueued so far that reads the slot (on the current stream).
    virtual void release(int slot) = 0;
    // Waits until every upload issued so far has been issued to the device (the worker is idle).
    virtual void drain() = 0;
    // The slot's frozen experts on the device: gateUp [F, 2I, H] and down [F, H, I], F = the
    // frozen experts of offloaded layer `index`.
    virtual torch::Tensor gateUp(int slot, int index) = 0;
    virtual torch::Tensor down(int slot, int index) = 0;
    // Bytes of the device slots.
    virtual std::int64_t deviceBytes() const = 0;
};

class ExpertStreamer {
public:
    // layers: the offloaded MoE layers in increasing order; slots >= 2 (1 for a single layer).
    // Error otherwise.
    ExpertStreamer(std::vector<int> layers, int slotCount, std::unique_ptr<ExpertCopyEngine> engine);

    // The slot holding `layer`'s frozen experts, ready for the compute stream (uploaded now when
    // it was not resident); then prefetches `next` (-1: nothing) into another slot. The slot is in
    // use until release(slot). Error for a layer that is not offloaded.
    int acquire(int layer, int next);
    void release(int slot);
    // Starts uploading `layer` into a slot not in use unless it is resident (-1: nothing).
    void prefetch(int layer);
    // The layer's resident copy is stale (its host weights were written): dropped.
    void invalidate(int layer);
    void drain() { m_engine->drain(); }

    bool isOffloaded(int layer) const { return indexOf(layer) >= 0; }
    // The offloaded layer after / before `layer` in layer order (-1: none).
    int nextLayer(int layer) const;
    int previousLayer(int layer) const;
    const std::vector<int>& layers() const { return m_layers; }
    int slotCount() const { return static_cast<int>(m_slots.size()); }
    int residentLayer(int slot) const { return m_slots.at(static_cast<std::size_t>(slot)).layer; }
    std::int64_t uploads() const { return m_uploads; }
    ExpertCopyEngine& engine() { return *m_engine; }
    // The frozen experts of the layer resident in an acquired slot (ExpertCopyEngine::gateUp/down).
    torch::Tensor gateUp(int slot) { return m_engine->gateUp(slot, indexOf(residentLayer(slot))); }
    torch::Tensor down(int slot) { return m_engine->down(slot, indexOf(residentLayer(slot))); }

private:
    struct Slot {
        int layer = -1;           // resident (or being uploaded) layer, -1: empty
        bool inUse = false;       // acquired and not yet released
        std::int64_t lastUse = 0; // for least-recently-used eviction
    };
    int indexOf(int layer) const;
    int slotOf(int layer) const;
    // Uploads `layer` into a slot that is neither in use nor holding `keep`; -1 when none is free.
    int load(int layer, int keep);

    std::vector<int> m_layers;
    std::vector<Slot> m_slots;
    std::unique_ptr<ExpertCopyEngine> m_engine;
    std::int64_t m_tick = 0;
    std::int64_t m_uploads = 0;
};

struct StreamingCopyOptions {
    torch::Device device{torch::kCPU};
    torch::ScalarType dtype = torch::kBFloat16;
    int slotCount = 2;
    std::int64_t hidden = 0;       // H
    std::int64_t intermediate = 0; // I
    // The staging ring: `stagingBuffers` pinned host buffers of `stagingBytes` each.
    int stagingBuffers = 4;
    std::int64_t stagingBytes = std::int64_t{32} << 20;
};

// The engine described above. Device buffers: `slots` × (the largest offloaded layer's frozen
// experts); host: the staging ring. Throws teft::Error for inconsistent options.
class StreamingCopyEngine : public ExpertCopyEngine {
public:
    StreamingCopyEngine(std::vector<OffloadedLayer> layers, const StreamingCopyOptions& options);
    ~StreamingCopyEngine() override;

    void upload(int index, int slot) override;
    void waitReady(int slot) override;
    void release(int slot) override;
    void drain() override;
    torch::Tensor gateUp(int slot, int index) override;
    torch::Tensor down(int slot, int index) override;

    std::int64_t deviceBytes() const override;
    // Bytes of the staging ring (pinned host memory on CUDA).
    std::int64_t stagingBytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace teft
