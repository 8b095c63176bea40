#pragma once

#include <stdexcept>
#include <string>

namespace teft {

// What went wrong, as the caller needs to know it: the GUI picks its advice by kind and the CLI
// may pick an exit code by kind, so neither has to search the (English) message text. The
// message stays the sentence for the user; the kind is for code. Classify any exception, torch's
// and the standard library's included, with errorKindOf() in util/ErrorKind.h.
enum class ErrorKind {
    General,           // anything else
    BadInput,          // a malformed or inconsistent input file, key or value
    Usage,             // wrong command-line usage
    OutOfMemory,       // host or device memory exhausted
    NonFinite,         // a loss or a weight became NaN / infinite
    DeviceUnavailable, // the requested device (CUDA) is missing, has no driver, or cannot be used
    Network,           // a peer or server could not be reached or answered badly
    Storage,           // a write or read failed on the disk itself (full, read-only, permission)
    Cancelled,         // the user or a signal stopped the job; not a failure
};

// A stable lower-case name ("bad-input", "out-of-memory"...), for logs, JSON and tests. Not
// called toString(): QTest finds a toString() next to a type by ADL to print a failed QCOMPARE
// and delete[]s what it returns, which would crash on these literals.
inline const char* errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::General: return "general";
    case ErrorKind::BadInput: return "bad-input";
    case ErrorKind::Usage: return "usage";
    case ErrorKind::OutOfMemory: return "out-of-memory";
    case ErrorKind::NonFinite: return "non-finite";
    case ErrorKind::DeviceUnavailable: return "device-unavailable";
    case ErrorKind::Network: return "network";
    case ErrorKind::Storage: return "storage";
    case ErrorKind::Cancelled: return "cancelled";
    }
    return "general";
}

// An error a user can cause (bad file, wrong shape, missing key, bad flag...). The message is a
// sentence the user understands, naming the file / key / value at fault. Caught at job
// boundaries (CLI: exit code 1, GUI: a dialog); never an abort.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, ErrorKind kind = ErrorKind::General)
        : std::runtime_error(message), kind_(kind)
    {
    }

    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

// A malformed or inconsistent input file.
class FormatError : public Error {
public:
    explicit FormatError(const std::string& message) : Error(message, ErrorKind::BadInput) {}
};

// Wrong command-line usage (CLI exit code 2).
class UsageError : public Error {
public:
    explicit UsageError(const std::string& message) : Error(message, ErrorKind::Usage) {}
};

// Memory ran out in a way the engine noticed itself (a planned allocation that cannot fit).
// Torch's own c10::OutOfMemoryError and std::bad_alloc are classified the same by errorKindOf().
class OutOfMemoryError : public Error {
public:
    explicit OutOfMemoryError(const std::string& message) : Error(message, ErrorKind::OutOfMemory) {}
};

// A loss, gradient or weight became NaN or infinite: training diverged or the input is broken.
class NonFiniteError : public Error {
public:
    explicit NonFiniteError(const std::string& message) : Error(message, ErrorKind::NonFinite) {}
};

// The requested device cannot be used (no CUDA build, no driver, no such device index).
class DeviceError : public Error {
public:
    explicit DeviceError(const std::string& message) : Error(message, ErrorKind::DeviceUnavailable) {}
};

// A peer or server could not be reached, or answered with something unusable.
class NetworkError : public Error {
public:
    explicit NetworkError(const std::string& message) : Error(message, ErrorKind::Network) {}
};

// The disk refused: full, read-only, quota exceeded, no permission, or an I/O failure.
class StorageError : public Error {
public:
    explicit StorageError(const std::string& message) : Error(message, ErrorKind::Storage) {}
};

// The user (or a signal) asked the running job to stop. Not a failure: the job leaves a
// resumable state behind.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled", ErrorKind::Cancelled) {}
};

} // namespace teft
