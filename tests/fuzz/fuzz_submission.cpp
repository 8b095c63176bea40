// Fuzz target: a submission's manifest (core/teft/Submission): the input is manifest.json,
// optionally followed by a NUL byte and signature.json; the folder also holds a small valid
// experts.safetensors (one F32 tensor). Opened with Submission::open as the validator does; an
// accepted submission then has its names and digests computed.

#include "core/teft/Submission.h"
#include "tests/fuzz/FuzzSupport.h"

#include <cstring>

namespace {

// {"delta": F32 [2], 8 bytes}: a valid safetensors file.
std::string tensorsFile()
{
    const std::string header = R"({"delta":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    std::string out(8, '\0');
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    out += header;
    const float values[2] = {0.5f, -0.25f};
    out.append(reinterpret_cast<const char*>(values), sizeof values);
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    namespace fs = std::filesystem;
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto nul = input.find('\0');
    const fs::path dir = teft::fuzz::scratchDir() / "submission";
    fs::create_directories(dir);
    static const std::string tensors = tensorsFile();
    teft::fuzz::writeScratch("submission/experts.safetensors", tensors);
    teft::fuzz::writeScratch("submission/manifest.json", input.substr(0, nul));
    std::error_code ec;
    fs::remove(dir / "signature.json", ec);
    if (nul != std::string::npos)
        teft::fuzz::writeScratch("submission/signature.json", input.substr(nul + 1));
    return teft::fuzz::acceptTeftErrors([&] {
        const auto s = teft::Submission::open(dir);
        TEFT_FUZZ_CHECK(s->tensorNames() == std::vector<std::string>{"delta"});
        TEFT_FUZZ_CHECK(s->packageSha256().size() == 64);
        TEFT_FUZZ_CHECK(s->deltaSha256().size() == 64);
        (void)s->manifest().toJson().dump();
    });
}
