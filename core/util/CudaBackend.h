#pragma once

// LibTorch's CUDA half, loaded at run time.
//
// The programs link only LibTorch's CPU libraries (libtorch_cpu, libc10). Its CUDA half
// (libtorch_cuda.so with cuDNN, cuBLAS, NCCL: ~3 GB in the torch wheel) is loaded on first use
// from the LibTorch folder, followed by our own small CUDA module (libteft_cuda.so, the few calls
// that need the CUDA runtime). A machine without an NVIDIA GPU, or a package installed without
// the wheel, then runs on the CPU instead of failing to start; with them, the GPU path is the
// same code.
//
// Where LibTorch's CUDA half is looked for, first match wins:
//   $TEFT_LIBTORCH_DIR      a torch 2.11.0 wheel's torch/lib folder
//   the folder LibTorch's CPU library was loaded from (the build tree: the project's venv)
// $TEFT_NO_CUDA=1 skips loading (CPU only).

#include <cstdint>
#include <string>

namespace teft {

struct CudaBackendStatus {
    bool loaded = false;     // libtorch_cuda.so and libteft_cuda.so are loaded
    std::string libtorchDir; // where LibTorch's libraries were found
    std::string message;     // why it is not loaded, or what was loaded
};

// Loads the CUDA backend once (thread-safe) and says how that went. Cheap after the first call.
const CudaBackendStatus& cudaBackend();

struct CudaDeviceProperties {
    std::string name;
    std::int64_t memoryTotal = 0;
    std::int64_t memoryFree = 0;
    int major = 0;
    int minor = 0;
};

// Properties of GPU `index` through the CUDA runtime. Throws teft::Error when the backend is not
// loaded or the runtime reports an error (its message included).
CudaDeviceProperties cudaDeviceProperties(int index);

// Bytes LibTorch's CUDA caching allocator holds for tensors on GPU `index` (0 without a backend
// or without that GPU).
std::int64_t cudaAllocatedBytes(int index);

// The most bytes LibTorch's CUDA caching allocator held for tensors on GPU `index` since the last
// reset; reset = true then starts a new peak from the current figure (tests, benchmarks). 0
// without a backend or without that GPU.
std::int64_t cudaPeakAllocatedBytes(int index, bool reset = false);

// Hands the memory LibTorch's CUDA caching allocator keeps cached (blocks no tensor uses) back
// to the driver, on every GPU: after an out-of-memory error, so that the GPU is free for the
// next job. False without a backend (nothing to release) or when LibTorch refused.
bool cudaEmptyCache();

// A symbol of the loaded CUDA module (libteft_cuda.so), for the optional parts of its C interface
// that one subsystem alone calls (core/dist: its NCCL process group); null without a backend or
// when this module lacks it.
void* cudaBackendSymbol(const char* name);

} // namespace teft
