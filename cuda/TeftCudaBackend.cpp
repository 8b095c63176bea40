// libteft_cuda.so: the calls of the engine that need the CUDA runtime or LibTorch's CUDA library.
// Loaded by core/util/CudaBackend.cpp after libtorch_cuda.so; a plain C interface, so that the
// engine itself links only LibTorch's CPU libraries. Bump kAbiVersion when a signature changes.
#include <c10/cuda/CUDACachingAllocator.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {
constexpr int kAbiVersion = 1;

void copyMessage(const char* text, char* out, std::size_t capacity)
{
    if (!out || capacity == 0)
        return;
    std::snprintf(out, capacity, "%s", text);
}
} // namespace

extern "C" {

__attribute__((visibility("default"))) int teft_cuda_abi_version() { return kAbiVersion; }

// 0 on success; otherwise the CUDA error code, with its message in `name`.
__attribute__((visibility("default"))) int teft_cuda_device_properties(int index, char* name, std::size_t nameCapacity,
                                                                       std::int64_t* memoryFree,
                                                                       std::int64_t* memoryTotal, int* major,
                                                                       int* minor)
try {
    cudaDeviceProp prop{};
    cudaError_t rc = cudaGetDeviceProperties(&prop, index);
    if (rc != cudaSuccess) {
        copyMessage(cudaGetErrorString(rc), name, nameCapacity);
        return static_cast<int>(rc);
    }
    int previous = 0;
    cudaGetDevice(&previous);
    std::size_t freeBytes = 0, totalBytes = 0;
    rc = cudaSetDevice(index);
    if (rc == cudaSuccess)
        rc = cudaMemGetInfo(&freeBytes, &totalBytes);
    cudaSetDevice(previous);
    if (rc != cudaSuccess) {
        copyMessage(cudaGetErrorString(rc), name, nameCapacity);
        return static_cast<int>(rc);
    }
    copyMessage(prop.name, name, nameCapacity);
    *memoryFree = static_cast<std::int64_t>(freeBytes);
    *memoryTotal = static_cast<std::int64_t>(totalBytes);
    *major = prop.major;
    *minor = prop.minor;
    return 0;
} catch (...) {
    copyMessage("unexpected error in the CUDA module", name, nameCapacity);
    return -1;
}

// -1 when LibTorch refuses (no such device, no driver): no exception crosses this C interface.
__attribute__((visibility("default"))) std::int64_t teft_cuda_allocated_bytes(int index)
{
    try {
        using c10::CachingDeviceAllocator::StatType;
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(index));
        return stats.allocated_bytes[static_cast<std::size_t>(StatType::AGGREGATE)].current;
    } catch (...) {
        return -1;
    }
}

// The most bytes allocated for tensors on GPU `index` since the last reset (reset != 0: reset that
// peak to the current figure after reading it). -1 when LibTorch refuses.
__attribute__((visibility("default"))) std::int64_t teft_cuda_peak_allocated_bytes(int index, int reset)
{
    try {
        using c10::CachingDeviceAllocator::StatType;
        const auto device = static_cast<c10::DeviceIndex>(index);
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device);
        const auto peak = stats.allocated_bytes[static_cast<std::size_t>(StatType::AGGREGATE)].peak;
        if (reset != 0)
            c10::cuda::CUDACachingAllocator::resetPeakStats(device);
        return peak;
    } catch (...) {
        return -1;
    }
}

// Returns the blocks LibTorch's CUDA caching allocator holds but no tensor uses to the driver
// (after an out-of-memory error, so that the memory is free for the next job). 0 on success,
// -1 when LibTorch refuses.
__attribute__((visibility("default"))) int teft_cuda_empty_cache()
{
    try {
        c10::cuda::CUDACachingAllocator::emptyCache();
        return 0;
    } catch (...) {
        return -1;
    }
}

} // extern "C"
