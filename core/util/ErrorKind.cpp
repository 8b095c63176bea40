#include "core/util/ErrorKind.h"

#include <c10/util/Exception.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <new>
#include <string_view>
#include <system_error>

namespace teft {

namespace {

bool isStorageCode(const std::error_code& code)
{
    if (code.category() == std::generic_category() || code.category() == std::system_category())
        return isStorageErrno(code.value());
    return false;
}

// Fixed texts of LibTorch's allocators that throw a plain c10::Error (CAFFE_ENFORCE) instead of
// c10::OutOfMemoryError when memory runs out.
bool saysOutOfMemory(std::string_view message)
{
    static constexpr std::array<std::string_view, 2> kTexts = {
        "DefaultCPUAllocator: can't allocate memory", // c10/core/impl/alloc_cpu.cpp
        "C10 Out of Memory. Trying to allocate",      // c10's other CPU allocation path
    };
    for (std::string_view text : kTexts)
        if (message.find(text) != std::string_view::npos)
            return true;
    return false;
}

// Fixed texts of LibTorch and the CUDA runtime when CUDA cannot be used at all (as opposed to a
// kernel failing on a working GPU). Matched in torch's message only, never in the engine's own.
bool saysCudaUnavailable(std::string_view message)
{
    static constexpr std::array<std::string_view, 9> kTexts = {
        "Found no NVIDIA driver",                            // LibTorch's check at CUDA initialisation
        "NVIDIA driver on your system is too old",           // the same check, driver older than the runtime
        "CUDA driver version is insufficient",               // cudaErrorInsufficientDriver
        "no CUDA-capable device is detected",                // cudaErrorNoDevice
        "Torch not compiled with CUDA enabled",              // CPU-only build
        "CUDA library has not been loaded",                  // libtorch_cuda missing (CUDAHooksInterface)
        "without ATen_cuda library",                         // "Cannot initialize CUDA without ATen_cuda library"
        "from the 'CUDA' backend",                           // dispatcher: no CUDA kernels registered
        "CUDA-capable device(s) is/are busy or unavailable", // cudaErrorDevicesUnavailable
    };
    for (std::string_view text : kTexts)
        if (message.find(text) != std::string_view::npos)
            return true;
    return false;
}

} // namespace

bool isStorageErrno(int errnoValue) noexcept
{
    switch (errnoValue) {
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
    case EROFS:
    case EACCES:
    case EPERM:
    case EIO:
    case EFBIG: return true;
    default: return false;
    }
}

ErrorKind errorKindOf(const std::exception& error) noexcept
{
    if (const auto* own = dynamic_cast<const Error*>(&error))
        return own->kind();
    if (dynamic_cast<const c10::OutOfMemoryError*>(&error) || dynamic_cast<const std::bad_alloc*>(&error))
        return ErrorKind::OutOfMemory;
    if (dynamic_cast<const c10::EnforceFiniteError*>(&error))
        return ErrorKind::NonFinite;
    if (dynamic_cast<const c10::DistNetworkError*>(&error))
        return ErrorKind::Network;
    // filesystem_error derives from system_error: one test covers both.
    if (const auto* system = dynamic_cast<const std::system_error*>(&error))
        return isStorageCode(system->code()) ? ErrorKind::Storage : ErrorKind::General;
    if (const auto* accelerator = dynamic_cast<const c10::AcceleratorError*>(&error)) {
        // cudaErrorInsufficientDriver (35), cudaErrorDevicesUnavailable (46), cudaErrorNoDevice (100).
        const int code = accelerator->get_error_code();
        if (code == 35 || code == 46 || code == 100)
            return ErrorKind::DeviceUnavailable;
    }
    if (const auto* torch = dynamic_cast<const c10::Error*>(&error)) {
        if (saysOutOfMemory(torch->msg()))
            return ErrorKind::OutOfMemory;
        if (saysCudaUnavailable(torch->msg()))
            return ErrorKind::DeviceUnavailable;
    }
    return ErrorKind::General;
}

ErrorKind currentErrorKind() noexcept
{
    const std::exception_ptr current = std::current_exception();
    if (!current)
        return ErrorKind::General;
    try {
        std::rethrow_exception(current);
    } catch (const std::exception& e) {
        return errorKindOf(e);
    } catch (...) {
        return ErrorKind::General;
    }
}

} // namespace teft
