#pragma once

#include "core/util/Error.h"

#include <exception>

namespace teft {

// The kind of any exception that reaches a job boundary, so that the CLI and the GUI can react
// (advice, exit code) without reading the message text:
//  - teft::Error and its subclasses: their own kind();
//  - c10::OutOfMemoryError, std::bad_alloc and the c10::Error of LibTorch's CPU allocator when
//    it cannot allocate: OutOfMemory;
//  - c10::EnforceFiniteError: NonFinite; c10::DistNetworkError: Network;
//  - std::filesystem::filesystem_error / std::system_error whose code is ENOSPC, EDQUOT, EROFS,
//    EACCES, EPERM, EIO or EFBIG (isStorageErrno): Storage;
//  - c10 errors raised because CUDA cannot be used (no driver, no device, CPU-only build, the CUDA
//    library not loaded): DeviceUnavailable. Torch has no type for these (nor for the CPU
//    allocator's failure), so they are recognised by the fixed texts torch writes, never by text
//    the engine writes itself;
//  - anything else: General.
ErrorKind errorKindOf(const std::exception& error) noexcept;

// True for the errno values that mean the disk or its permissions refused (full, quota, read-only,
// no permission, I/O error, file too large) rather than that a path or an input is wrong.
bool isStorageErrno(int errnoValue) noexcept;

// The same for the exception being handled; call inside a catch block. General when there is none
// or it is not a std::exception.
ErrorKind currentErrorKind() noexcept;

} // namespace teft
