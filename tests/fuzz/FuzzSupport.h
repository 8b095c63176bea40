#pragma once

// Shared by the fuzz targets (tests/fuzz/fuzz_*.cpp): a scratch folder for readers that take a
// path, the rule for which exceptions a reader may throw, and a check that aborts on a broken
// invariant. A target's LLVMFuzzerTestOneInput runs under libFuzzer (scripts/fuzz.sh) and under the
// replay driver (ReplayMain.cpp, the CTest tests fuzz_replay_<target>).

#include "core/util/Error.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

namespace teft::fuzz {

// A folder of this process's own under the temporary folder, removed at exit.
inline const std::filesystem::path& scratchDir()
{
    static const std::filesystem::path dir = [] {
        const auto d = std::filesystem::temp_directory_path() / ("teft-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                            ("teft-fuzz-" + std::to_string(::getpid())),
                                        ec);
        });
        return d;
    }();
    return dir;
}

// Writes bytes to scratchDir()/name (replacing it) and returns the path.
inline std::filesystem::path writeScratch(const std::string& name, std::string_view bytes)
{
    const auto path = scratchDir() / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
        std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
        std::abort();
    }
    return path;
}

// Runs body; a teft::Error (a refusal that names the problem, as every reader promises for bad
// input) is an accepted outcome, anything else escapes and is reported as a crash.
template <class Body>
int acceptTeftErrors(Body&& body)
{
    try {
        body();
    } catch (const teft::Error&) {
    }
    return 0;
}

// A broken invariant: print it and abort (libFuzzer and the replay driver report the input).
#define TEFT_FUZZ_CHECK(cond)                                                                                          \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);                     \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)

} // namespace teft::fuzz
