#pragma once

#include "core/teft/DeltaEncoding.h"
#include "core/teft/TensorMap.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace teft {

class JobControl;
class MinerKey;
class SafetensorsFile;

// A miner's submission is a folder:
//   experts.safetensors  the displacement Δ = Φ(t) − Φ_i(t,H) of the selected experts only,
//                        under their real checkpoint tensor names, encoded as the manifest's
//                        "encoding" says (core/teft/DeltaEncoding.h: f32, bf16, or int8 with a
//                        "<name>.int8_row_scale" F32 tensor beside each payload);
//   manifest.json        SubmissionManifest below;
//   signature.json       {"format": "teft-submission-signature", "version": 1,
//                         "algorithm": "ed25519", "public_key": hex, "sha256": hex,
//                         "signature": hex} — absent for an unsigned submission.
// The package hash is SHA-256 of "teft-submission-v1\n" + <manifest byte length> + "\n" +
// manifest.json bytes + experts.safetensors bytes; the signature is Ed25519 over
// "teft-submission-v1:" + that hex digest. No pickles: JSON and safetensors only. Both hashes
// cover the encoded bytes that travel, never a decoding of them.
//
// Manifest versions: 2 (written) requires "encoding"; 1 (read only) has no such key and is f32.
struct SubmissionManifest {
    static constexpr int kFormatVersion = 2;
    int formatVersion = kFormatVersion;
    DeltaEncoding encoding = DeltaEncoding::F32;
    std::string baseFingerprint; // baseFingerprint() of the selected experts of Φ(t)
    std::string selectionHash;   // ExpertSelection::hash()
    std::int64_t round = 0;
    std::string minerId;
    std::string publicKey; // hex; empty for unsigned
    std::int64_t innerSteps = 0;
    std::int64_t tokensSeen = 0;
    std::string dataShard;
    nlohmann::json training = nlohmann::json::object(); // lr, batch, mode, ... (free form)
    std::string createdAt;                              // ISO 8601 UTC; filled on write when empty
    std::string deltaSha256;   // tensorsDigest() of the encoded tensors as written; filled on write
    std::int64_t tensorCount = 0; // tensors in experts.safetensors (int8: payloads and scales); filled on write

    nlohmann::json toJson() const;
    // FormatError naming the key at fault.
    static SubmissionManifest fromJson(const nlohmann::json& j);
};

struct SubmissionSignature {
    std::string algorithm = "ed25519";
    std::string publicKey;
    std::string sha256;
    std::string signature;

    nlohmann::json toJson() const;
    static SubmissionSignature fromJson(const nlohmann::json& j);
};

// Content hash of named tensors, independent of file layout: SHA-256 over, in name order,
// name, safetensors dtype, shape and the little-endian bytes of each tensor.
std::string tensorsDigest(const TensorMap& tensors);
std::string tensorsDigest(const SafetensorsFile& file);

// What a submission is built on: the selected experts' base bytes of Φ(t) and the model's
// config identity (e.g. the hash of config.json). SHA-256 hex.
std::string baseFingerprint(const TensorMap& baseExperts, const std::string& configIdentity);

// The message an Ed25519 signature covers.
std::string signatureMessage(const std::string& packageSha256);

struct SubmissionWriteResult {
    std::filesystem::path dir;
    std::string packageSha256;
    std::string deltaSha256;
    std::uint64_t tensorBytes = 0; // encoded bytes on disk: payloads plus int8 scales
    SubmissionManifest manifest;
};

// Writes the folder (into a temporary sibling, then renamed into place; an existing folder of
// that name is replaced). Encodes the F32 Δ with manifest.encoding (encodeDeltas: NonFiniteError
// for a NaN or infinite value). Fills deltaSha256, tensorCount, createdAt (when empty), and with
// a key: publicKey and minerId (when empty). key == nullptr writes an unsigned submission.
SubmissionWriteResult writeSubmission(const std::filesystem::path& dir, SubmissionManifest manifest,
                                      const TensorMap& deltas, const MinerKey* key, JobControl* control = nullptr);

// The same with tensors already encoded with manifest.encoding, written as given: for a miner
// with error feedback (QuantizationResidual::encode returns them), and for tests that need a
// malformed file. Nothing is checked here; the validator's SubmissionVerifier checks everything.
SubmissionWriteResult writeEncodedSubmission(const std::filesystem::path& dir, SubmissionManifest manifest,
                                             const TensorMap& encoded, const MinerKey* key,
                                             JobControl* control = nullptr);

// A submission folder opened for checking: the manifest parsed, the tensors memory-mapped.
// open() throws FormatError for a folder that is not a submission (missing or malformed
// manifest / tensors file, malformed signature file).
class Submission {
public:
    static std::shared_ptr<const Submission> open(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return m_dir; }
    const SubmissionManifest& manifest() const { return m_manifest; }
    const std::optional<SubmissionSignature>& signature() const { return m_signature; }
    // The encoded tensors as stored (int8: payloads and their row scales).
    const SafetensorsFile& tensors() const { return *m_tensors; }
    DeltaEncoding encoding() const { return m_manifest.encoding; }
    // The Δ names, sorted (int8 row scales left out).
    std::vector<std::string> tensorNames() const;
    // One Δ decoded to F32 on the CPU (decodeDeltas), what every consumer scores and applies.
    // FormatError naming the tensor when its encoding is malformed (wrong dtype, missing or bad
    // scales, -128, non-finite values).
    at::Tensor delta(const std::string& name) const;
    // Encoded bytes on disk (payloads plus scales): what travels.
    std::uint64_t encodedBytes() const;

    // Recomputed from the files on disk (not the claimed values).
    std::string packageSha256() const;
    std::string deltaSha256() const;

private:
    std::filesystem::path m_dir;
    std::string m_manifestBytes;
    SubmissionManifest m_manifest;
    std::optional<SubmissionSignature> m_signature;
    std::shared_ptr<const SafetensorsFile> m_tensors;
};

} // namespace teft
