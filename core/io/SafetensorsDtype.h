#pragma once

#include <c10/core/ScalarType.h>

#include <cstdint>
#include <optional>
#include <string>

namespace teft {

// The element types of the safetensors format (huggingface/safetensors `Dtype`) and their
// torch equivalents where LibTorch has one.

// Bits per element ("BF16" -> 16, "F4" -> 4); 0 for a name the format does not define.
int safetensorsDtypeBits(const std::string& name);

// The torch type for a safetensors dtype (U16/U32/U64 -> UInt16/32/64, F8_E4M3 -> Float8_e4m3fn,
// F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ, F8_E8M0 -> Float8_e8m0fnu); empty for F6_E2M3, F6_E3M2 and F4
// (LibTorch has no type for F6; its Float4_e2m1fn_x2 packs two elements per byte) and for
// unknown names.
std::optional<c10::ScalarType> torchDtypeFor(const std::string& name);

// The safetensors name for a torch type; throws teft::Error for a type the format cannot hold.
std::string safetensorsDtypeName(c10::ScalarType type);

} // namespace teft
