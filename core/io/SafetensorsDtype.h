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

// The torch type for a safetensors dtype; empty for types LibTorch 1.13 lacks (U16, U32, U64,
// F8_*, F6_*, F4) and for unknown names.
std::optional<c10::ScalarType> torchDtypeFor(const std::string& name);

// The safetensors name for a torch type; throws teft::Error for a type the format cannot hold.
std::string safetensorsDtypeName(c10::ScalarType type);

} // namespace teft
