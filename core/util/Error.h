#pragma once

#include <stdexcept>
#include <string>

namespace teft {

// An error a user can cause (bad file, wrong shape, missing key, bad flag...). The message is a
// sentence the user understands, naming the file / key / value at fault. Caught at job
// boundaries (CLI: exit code 1, GUI: a dialog); never an abort.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A malformed or inconsistent input file.
class FormatError : public Error {
public:
    using Error::Error;
};

// Wrong command-line usage (CLI exit code 2).
class UsageError : public Error {
public:
    using Error::Error;
};

// The user (or a signal) asked the running job to stop. Not a failure: the job leaves a
// resumable state behind.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace teft
