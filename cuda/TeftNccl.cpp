// libteft_cuda.so's NCCL process group (LibTorch's ProcessGroupNCCL, in libtorch_cuda.so) for
// data-parallel training with `--dist-backend nccl` (core/dist/Distributed.cpp): CUDA tensors are
// then reduced on the GPUs, without the trip through host memory that Gloo needs.
//
// A plain C entry point like the module's others. The group goes back as a c10d::Backend* that
// holds one reference (the engine takes it over with intrusive_ptr::reclaim and calls it through
// Backend's virtual interface, which libtorch_cpu.so declares); the store comes in as a
// c10d::Store* the caller keeps alive, and the group keeps its own reference to it.
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>

extern "C" {

// 0 on success (*group set); otherwise an error with its message in `message`.
__attribute__((visibility("default"))) int teft_cuda_nccl_process_group(void* store, int rank, int size,
                                                                        std::int64_t timeoutMs, int device,
                                                                        void** group, char* message,
                                                                        std::size_t capacity)
{
    try {
        auto base = c10::intrusive_ptr<c10d::Store>::reclaim_copy(static_cast<c10d::Store*>(store));
        auto prefixed = c10::make_intrusive<c10d::PrefixStore>("teft/nccl", base);
        auto options = c10d::ProcessGroupNCCL::Options::create();
        options->timeout = std::chrono::milliseconds(timeoutMs);
        auto pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, size, options);
        // The communicator on this rank's GPU, now: a wrong device or a missing peer fails here
        // rather than in the first step.
        const at::Device cuda(at::kCUDA, static_cast<c10::DeviceIndex>(device));
        pg->setBoundDeviceId(cuda);
        pg->eagerConnectSingleDevice(cuda);
        c10d::Backend* raw = pg.release();
        *group = raw;
        return 0;
    } catch (const std::exception& e) {
        if (message && capacity > 0)
            std::snprintf(message, capacity, "%s", e.what());
        return 1;
    } catch (...) {
        if (message && capacity > 0)
            std::snprintf(message, capacity, "%s", "unexpected error creating the NCCL process group");
        return 1;
    }
}

} // extern "C"
