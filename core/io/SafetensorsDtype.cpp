#include "core/io/SafetensorsDtype.h"

#include "core/util/Error.h"

#include <c10/util/Exception.h>

namespace teft {
namespace {

struct DtypeEntry {
    const char* name;
    int bits;
    std::optional<c10::ScalarType> torch;
};

// Every dtype of huggingface/safetensors (0.8). F6_* have no LibTorch type; F4 has one,
// Float4_e2m1fn_x2, but it packs two elements per byte and so has another shape: both are
// readable as bytes only.
const DtypeEntry kDtypes[] = {
    {"BOOL", 8, c10::ScalarType::Bool},
    {"U8", 8, c10::ScalarType::Byte},
    {"I8", 8, c10::ScalarType::Char},
    {"I16", 16, c10::ScalarType::Short},
    {"U16", 16, c10::ScalarType::UInt16},
    {"I32", 32, c10::ScalarType::Int},
    {"U32", 32, c10::ScalarType::UInt32},
    {"I64", 64, c10::ScalarType::Long},
    {"U64", 64, c10::ScalarType::UInt64},
    {"F16", 16, c10::ScalarType::Half},
    {"BF16", 16, c10::ScalarType::BFloat16},
    {"F32", 32, c10::ScalarType::Float},
    {"F64", 64, c10::ScalarType::Double},
    {"C64", 64, c10::ScalarType::ComplexFloat},
    {"F8_E4M3", 8, c10::ScalarType::Float8_e4m3fn},
    {"F8_E5M2", 8, c10::ScalarType::Float8_e5m2},
    {"F8_E4M3FNUZ", 8, c10::ScalarType::Float8_e4m3fnuz},
    {"F8_E5M2FNUZ", 8, c10::ScalarType::Float8_e5m2fnuz},
    {"F8_E8M0", 8, c10::ScalarType::Float8_e8m0fnu},
    {"F6_E2M3", 6, std::nullopt},
    {"F6_E3M2", 6, std::nullopt},
    {"F4", 4, std::nullopt},
};

const DtypeEntry* findDtype(const std::string& name)
{
    for (const auto& d : kDtypes)
        if (name == d.name)
            return &d;
    return nullptr;
}

} // namespace

int safetensorsDtypeBits(const std::string& name)
{
    const DtypeEntry* d = findDtype(name);
    return d ? d->bits : 0;
}

std::optional<c10::ScalarType> torchDtypeFor(const std::string& name)
{
    const DtypeEntry* d = findDtype(name);
    return d ? d->torch : std::nullopt;
}

std::string safetensorsDtypeName(c10::ScalarType type)
{
    for (const auto& d : kDtypes)
        if (d.torch && *d.torch == type)
            return d.name;
    throw Error(std::string("Tensors of type ") + c10::toString(type) + " cannot be stored in a safetensors file");
}

} // namespace teft
