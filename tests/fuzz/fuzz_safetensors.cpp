// Fuzz target: a safetensors file (core/io/SafetensorsFile): the input is the whole file. Opening
// validates the header; then every tensor is read as bytes and as a LibTorch tensor, and both must
// have the size the header promised.

#include "core/io/SafetensorsFile.h"
#include "tests/fuzz/FuzzSupport.h"

#include <ATen/ATen.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto path = teft::fuzz::writeScratch("input.safetensors", {reinterpret_cast<const char*>(data), size});
    return teft::fuzz::acceptTeftErrors([&] {
        const auto file = teft::SafetensorsFile::open(path);
        TEFT_FUZZ_CHECK(file->fileSize() == size);
        std::uint64_t covered = 0;
        for (const auto& info : file->tensors()) {
            TEFT_FUZZ_CHECK(file->contains(info.name));
            TEFT_FUZZ_CHECK(&file->info(info.name) == &info);
            const auto bytes = file->bytes(info.name);
            TEFT_FUZZ_CHECK(bytes.size() == info.byteSize());
            unsigned sum = 0;
            for (char c : bytes)
                sum += static_cast<unsigned char>(c);
            (void)sum;
            covered += bytes.size();
            try {
                const at::Tensor t = file->tensor(info.name);
                TEFT_FUZZ_CHECK(t.numel() == info.numel());
                TEFT_FUZZ_CHECK(static_cast<std::uint64_t>(t.nbytes()) == info.byteSize());
                TEFT_FUZZ_CHECK(static_cast<std::size_t>(t.dim()) == info.shape.size());
                (void)t.contiguous().clone();
            } catch (const teft::FormatError&) {
                // a dtype LibTorch cannot hold (F4, F6_*): documented refusal
            }
        }
        TEFT_FUZZ_CHECK(covered == file->dataSize());
    });
}
