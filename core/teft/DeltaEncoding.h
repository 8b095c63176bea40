#pragma once

// How a miner's update Δ travels: the encodings of a submission's tensors, and the error
// feedback that keeps a lossy encoding from losing what it rounds away.
//
//   f32   the Δ as computed (4 bytes a value);
//   bf16  each value rounded to bfloat16, to nearest, ties to even (2 bytes a value; the default
//         for the network: half the bytes, and the error feedback carries the rounding);
//   int8  symmetric per-row quantisation: a tensor of shape [..., C] is rows of C values (a 1-D
//         tensor is one row); row r has scale s_r = max|x_r| / 127 (F32) and values
//         q = round(x / s_r) (ties to even) in [-127, 127] (I8); decoded x̂ = q · s_r. The scales
//         travel as the tensor "<name>" + kInt8ScaleSuffix, shape [rows]. About 1 byte a value.
//
// The validator scores exactly the decoded Δ (decodeDeltas), never the miner's unrounded one.
// Error feedback (Seide et al. 2014; Karimireddy et al. 2019, "EF-SGD"): the miner keeps the
// residual e = (Δ + e_prev) − decode(encode(Δ + e_prev)) and adds it to its next round's Δ, so
// that over rounds nothing is lost to rounding, only delayed.

#include "core/teft/TensorMap.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace teft {

enum class DeltaEncoding { F32, BF16, Int8 };

// "f32", "bf16", "int8": the names the manifest, the CLI and the GUI use.
const char* deltaEncodingName(DeltaEncoding encoding);
// UsageError naming the allowed names for anything else.
DeltaEncoding parseDeltaEncoding(const std::string& name);
// The safetensors dtype of the payload: "F32", "BF16", "I8".
const char* deltaPayloadDtype(DeltaEncoding encoding);

// The name suffix of an int8 tensor's row scales.
inline constexpr const char* kInt8ScaleSuffix = ".int8_row_scale";

// Rows of a tensor of this shape under int8 (the product of all but the last dimension; 1 for
// a 0-D or 1-D tensor).
std::int64_t int8Rows(const std::vector<std::int64_t>& shape);
// Bytes one tensor of this shape takes encoded (payload plus int8 scales), as it travels.
std::uint64_t encodedBytes(const std::vector<std::int64_t>& shape, DeltaEncoding encoding);

// Encodes floating-point Δ tensors (any float dtype, any device; read, not modified) to CPU
// tensors to write: f32 → "<name>" F32; bf16 → "<name>" BF16; int8 → "<name>" I8 and
// "<name>" + kInt8ScaleSuffix F32. NonFiniteError naming the tensor when a value is NaN or
// infinite; UsageError for a non-floating tensor or a name that ends in kInt8ScaleSuffix.
TensorMap encodeDeltas(const TensorMap& deltas, DeltaEncoding encoding);

// Decodes what encodeDeltas wrote (read from a file: nothing is trusted) to F32 CPU tensors
// under the Δ names. FormatError naming the tensor for: a payload of the wrong dtype, an int8
// payload without its scales (or scales without a payload), scales of the wrong dtype or shape,
// a negative or non-finite scale, an int8 value of -128 (outside the symmetric range), a
// tensor that is neither a payload nor a scale.
TensorMap decodeDeltas(const TensorMap& encoded, DeltaEncoding encoding);

// The residual a miner keeps between rounds (in its run folder), by Δ tensor name.
class QuantizationResidual {
public:
    // An empty residual when `file` does not exist; FormatError naming the file for a damaged one.
    static QuantizationResidual load(const std::filesystem::path& file);
    // Written atomically (temporary name, then rename).
    void save(const std::filesystem::path& file) const;

    // Encodes Δ + residual and keeps the new residual. A residual tensor whose name Δ does not
    // have, or whose shape differs (another selection), is dropped; a missing one counts as 0.
    // f32 leaves a zero residual. Returns encodeDeltas' tensors.
    TensorMap encode(const TensorMap& deltas, DeltaEncoding encoding);

    const TensorMap& tensors() const { return m_residual; }
    // Σ‖e‖² over every tensor: how much the next round will carry.
    double squaredNorm() const;

private:
    TensorMap m_residual; // F32 CPU
};

} // namespace teft
