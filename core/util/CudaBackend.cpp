#include "core/util/CudaBackend.h"

#include "core/util/Error.h"

#include <torch/torch.h>

#include <dlfcn.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace teft {
namespace fs = std::filesystem;

namespace {

using AbiVersionFn = int (*)();
using DevicePropertiesFn = int (*)(int, char*, std::size_t, std::int64_t*, std::int64_t*, int*, int*);
using AllocatedBytesFn = std::int64_t (*)(int);
using EmptyCacheFn = int (*)();
using PeakAllocatedFn = std::int64_t (*)(int, int);

struct Backend {
    CudaBackendStatus status;
    DevicePropertiesFn deviceProperties = nullptr;
    AllocatedBytesFn allocatedBytes = nullptr;
    EmptyCacheFn emptyCache = nullptr;       // optional: absent in a module of an older build
    PeakAllocatedFn peakAllocated = nullptr; // optional, likewise
    void* module = nullptr;                  // libteft_cuda.so, for cudaBackendSymbol()
};

std::string envOr(const char* name, const std::string& fallback = {})
{
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

// The folder LibTorch's CPU library was loaded from.
fs::path loadedLibtorchDir()
{
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&torch::set_num_threads), &info) == 0 || !info.dli_fname)
        return {};
    std::error_code ec;
    const fs::path lib = fs::canonical(info.dli_fname, ec);
    return ec ? fs::path(info.dli_fname).parent_path() : lib.parent_path();
}

fs::path executableDir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

// libteft_cuda.so: $TEFT_CUDA_BACKEND, beside an installed program (<prefix>/lib/teft-studio), or
// the build tree's.
fs::path backendModule()
{
    const std::string env = envOr("TEFT_CUDA_BACKEND");
    if (!env.empty())
        return env;
    const fs::path exe = executableDir();
    const fs::path installed = exe / "../lib/teft-studio/libteft_cuda.so";
    if (!exe.empty() && fs::exists(installed))
        return installed;
#ifdef TEFT_CUDA_BACKEND_BUILD_PATH
    return TEFT_CUDA_BACKEND_BUILD_PATH;
#else
    return {};
#endif
}

// "2.11.0+cu130" from the wheel's torch/version.py next to torch/lib, or "" when absent.
std::string wheelVersion(const fs::path& libDir)
{
    std::ifstream in(libDir.parent_path() / "version.py");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("__version__", 0) != 0)
            continue;
        const auto q1 = line.find_first_of("'\"");
        const auto q2 = q1 == std::string::npos ? q1 : line.find(line[q1], q1 + 1);
        if (q2 != std::string::npos)
            return line.substr(q1 + 1, q2 - q1 - 1);
    }
    return {};
}

std::string dlError()
{
    const char* e = dlerror();
    return e ? std::string(e) : std::string("unknown error");
}

Backend load()
{
    Backend b;
    auto& s = b.status;
    if (envOr("TEFT_NO_CUDA") == "1") {
        s.message = "CUDA backend not loaded: TEFT_NO_CUDA=1";
        return b;
    }
    const std::string envDir = envOr("TEFT_LIBTORCH_DIR");
    const fs::path dir = envDir.empty() ? loadedLibtorchDir() : fs::path(envDir);
    s.libtorchDir = dir.string();
    const fs::path torchCuda = dir / "libtorch_cuda.so";
    if (dir.empty() || !fs::exists(torchCuda)) {
        s.message = "CPU only: no libtorch_cuda.so in " +
                    (dir.empty() ? std::string("LibTorch's folder") : dir.string()) +
                    " (for NVIDIA GPUs set TEFT_LIBTORCH_DIR to the torch/lib folder of a torch " TORCH_VERSION
                    " wheel)";
        return b;
    }
    const std::string version = wheelVersion(dir);
    if (!version.empty() && version.rfind(TORCH_VERSION, 0) != 0) {
        s.message = "CUDA backend not loaded: " + dir.string() + " holds LibTorch " + version + ", this build uses " +
                    TORCH_VERSION;
        return b;
    }
    // Its dependencies (libc10_cuda, cuDNN, cuBLAS, NCCL...) are found through its own run path;
    // libtorch_cpu and libc10 are the ones already loaded (same soname). Loading it registers
    // LibTorch's CUDA hooks and kernels.
    if (!dlopen(torchCuda.c_str(), RTLD_NOW | RTLD_GLOBAL)) {
        s.message = "CUDA backend not loaded: " + dlError();
        return b;
    }
    const fs::path module = backendModule();
    void* handle = module.empty() ? nullptr : dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        s.message = "CUDA backend not loaded: " +
                    (module.empty() ? std::string("libteft_cuda.so not found") : dlError());
        return b;
    }
    auto abi = reinterpret_cast<AbiVersionFn>(dlsym(handle, "teft_cuda_abi_version"));
    b.deviceProperties = reinterpret_cast<DevicePropertiesFn>(dlsym(handle, "teft_cuda_device_properties"));
    b.allocatedBytes = reinterpret_cast<AllocatedBytesFn>(dlsym(handle, "teft_cuda_allocated_bytes"));
    b.emptyCache = reinterpret_cast<EmptyCacheFn>(dlsym(handle, "teft_cuda_empty_cache"));
    b.peakAllocated = reinterpret_cast<PeakAllocatedFn>(dlsym(handle, "teft_cuda_peak_allocated_bytes"));
    if (!abi || abi() != 1 || !b.deviceProperties || !b.allocatedBytes) {
        s.message = "CUDA backend not loaded: " + module.string() + " is from another version of TEFT Studio";
        b.deviceProperties = nullptr;
        b.allocatedBytes = nullptr;
        return b;
    }
    s.loaded = true;
    b.module = handle;
    s.message = "LibTorch " + (version.empty() ? std::string(TORCH_VERSION) : version) + " CUDA backend from " +
                dir.string();
    return b;
}

const Backend& backend()
{
    static std::once_flag once;
    static Backend b;
    std::call_once(once, [] { b = load(); });
    return b;
}

} // namespace

const CudaBackendStatus& cudaBackend() { return backend().status; }

CudaDeviceProperties cudaDeviceProperties(int index)
{
    const Backend& b = backend();
    if (!b.status.loaded)
        throw DeviceError(b.status.message);
    CudaDeviceProperties p;
    std::array<char, 256> name{};
    const int rc = b.deviceProperties(index, name.data(), name.size(), &p.memoryFree, &p.memoryTotal, &p.major,
                                      &p.minor);
    if (rc != 0)
        throw DeviceError("CUDA device " + std::to_string(index) + ": " + std::string(name.data()) + " (CUDA error " +
                          std::to_string(rc) + ")");
    p.name = name.data();
    return p;
}

std::int64_t cudaAllocatedBytes(int index)
{
    const Backend& b = backend();
    const std::int64_t bytes = b.status.loaded ? b.allocatedBytes(index) : 0;
    return bytes < 0 ? 0 : bytes;
}

std::int64_t cudaPeakAllocatedBytes(int index, bool reset)
{
    const Backend& b = backend();
    const std::int64_t bytes = b.status.loaded && b.peakAllocated ? b.peakAllocated(index, reset ? 1 : 0) : 0;
    return bytes < 0 ? 0 : bytes;
}

bool cudaEmptyCache()
{
    const Backend& b = backend();
    return b.status.loaded && b.emptyCache && b.emptyCache() == 0;
}

void* cudaBackendSymbol(const char* name)
{
    const Backend& b = backend();
    return b.status.loaded && b.module ? dlsym(b.module, name) : nullptr;
}

} // namespace teft
