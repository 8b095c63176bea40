#pragma once

#include "core/teft/KnownMiners.h"
#include "core/teft/Submission.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace teft {

class JobControl;

// Why a submission was refused. Each has a stable code (for JSON, the job store, the GUI).
enum class RefusalReason {
    None,
    Malformed,               // "malformed": not a readable submission folder
    HashMismatch,            // "hash_mismatch": files differ from what was hashed/signed
    Unsigned,                // "unsigned": no signature and unsigned submissions not allowed
    UnknownKey,              // "unknown_key": signed by a key not in the known-miners list
    BadSignature,            // "bad_signature": the signature does not verify
    BaseFingerprintMismatch, // "wrong_base": built on another Φ(t) or model
    SelectionMismatch,       // "wrong_selection": another expert selection
    RoundMismatch,           // "wrong_round"
    MissingTensor,           // "missing_tensor"
    ExtraTensor,             // "extra_tensor"
    ShapeMismatch,           // "wrong_shape"
    DtypeMismatch,           // "wrong_dtype"
    NonFinite,               // "non_finite": NaN or Inf
    NormTooLarge,            // "norm_too_large"
    DuplicateCopy,           // "duplicate": the same Δ as an earlier submission
};
std::string reasonCode(RefusalReason reason);

// What an acceptable submission must look like. Stateless w.r.t. the model: the caller gives
// the expected tensors (the selected experts' checkpoint names, shapes, dtype).
struct ExpectedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::string dtype = "F32"; // safetensors name
};

struct VerifierPolicy {
    std::string baseFingerprint;
    std::string selectionHash;
    std::optional<std::int64_t> round; // checked when set
    std::vector<ExpectedTensor> expected;
    double maxUpdateNorm = 0.0;    // L2 norm over all Δ tensors; 0 = no bound
    bool allowUnsigned = false;    // accept submissions without signature.json
    bool allowUnknownKeys = false; // accept valid signatures by keys not in `knownMiners`
    KnownMiners knownMiners;
};

struct Verdict {
    std::filesystem::path dir;
    bool accepted = false;
    RefusalReason reason = RefusalReason::None;
    std::string code;    // reasonCode(reason); "accepted" when accepted
    std::string message; // a sentence naming what is wrong
    std::string minerId; // from the manifest (as claimed) when readable
    bool signatureVerified = false;
    bool knownMiner = false;
    double updateNorm = 0.0;
    std::string deltaSha256;                      // recomputed content hash
    std::shared_ptr<const Submission> submission; // set when the folder could be read

    nlohmann::json toJson() const;
};

// The validator's checks, in order: readable; package hash (and the manifest's content hash);
// signature (present, key known, verifies); base fingerprint; selection hash; round; tensor
// names exactly the expected ones; shapes; dtypes; finite values; update norm; and, across a
// batch, exact copies (the same Δ content as an earlier submission in arrival order).
// A refusal is a Verdict, never an exception.
class SubmissionVerifier {
public:
    explicit SubmissionVerifier(VerifierPolicy policy);

    Verdict verify(const std::filesystem::path& dir) const;
    // `dirs` in arrival order: of identical Δs the earliest is kept, the later ones are refused
    // as duplicates. control: checkpoint between submissions, progress.
    std::vector<Verdict> verifyAll(const std::vector<std::filesystem::path>& dirs, JobControl* control = nullptr) const;

    // The sub-folders of `folder` holding a manifest.json, by modification time of that file
    // (earliest first, then by name): the arrival order.
    static std::vector<std::filesystem::path> listSubmissions(const std::filesystem::path& folder);

    const VerifierPolicy& policy() const { return m_policy; }

private:
    Verdict check(const std::filesystem::path& dir) const;
    VerifierPolicy m_policy;
};

} // namespace teft
