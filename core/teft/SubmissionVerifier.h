#pragma once

#include "core/teft/KnownMiners.h"
#include "core/teft/Submission.h"

#include <cstdint>
#include <filesystem>
#include <map>
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
    MinerIdMismatch,         // "wrong_miner_id": a valid signature by a known key claiming another miner id
    BaseFingerprintMismatch, // "wrong_base": built on another Φ(t) or model
    SelectionMismatch,       // "wrong_selection": another expert selection
    RoundMismatch,           // "wrong_round"
    MissingTensor,           // "missing_tensor"
    ExtraTensor,             // "extra_tensor"
    ShapeMismatch,           // "wrong_shape"
    DtypeMismatch,           // "wrong_dtype"
    NonFinite,               // "non_finite": NaN or Inf
    NormTooLarge,            // "norm_too_large"
    DuplicateCopy,           // "duplicate": the same Δ as an earlier submission, or a near copy of it
    EncodingNotAllowed,      // "wrong_encoding": an update encoding the policy does not accept
};
std::string reasonCode(RefusalReason reason);

// What an acceptable submission must look like. Stateless w.r.t. the model: the caller gives
// the expected tensors (the selected experts' checkpoint names, shapes). The stored dtypes follow
// the manifest's encoding: F32, BF16, or I8 plus "<name>.int8_row_scale" F32 [rows].
struct ExpectedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::string dtype = "F32"; // of the decoded Δ (informational: the encoding sets what is stored)
};

// The default near-copy threshold (VerifierPolicy::nearCopyCosine), measured (docs/protocol.md,
// "Update encodings"): honest miners on different shards of the demo from the same Φ have cosine
// 0.36 to 0.72; a copy with relative Gaussian noise of 1 %, 5 %, 20 % has 0.99995, 0.9988, 0.981.
// 0.95 refuses copies with noise up to a third of the update's norm.
inline constexpr double kDefaultNearCopyCosine = 0.95;

struct VerifierPolicy {
    std::string baseFingerprint;
    std::string selectionHash;
    std::optional<std::int64_t> round; // checked when set
    std::vector<ExpectedTensor> expected;
    double maxUpdateNorm = 0.0; // L2 norm over all Δ tensors; 0 = no bound
    // Per tensor: ||Δ_t|| at most this multiple of ||Φ_t||, the weights it changes (referenceNorms,
    // by tensor name; tensors without a reference norm are bounded by maxUpdateNorm only); 0 = off.
    double maxRelativeNorm = 0.0;
    std::map<std::string, double> referenceNorms;
    // The update encodings accepted; any other is refused as "wrong_encoding".
    std::vector<DeltaEncoding> allowedEncodings{DeltaEncoding::F32, DeltaEncoding::BF16, DeltaEncoding::Int8};
    // A decoded Δ whose cosine similarity with an earlier submission's decoded Δ (over all
    // tensors) is at least this is a near copy, refused as "duplicate"; > 1 turns the test off.
    double nearCopyCosine = kDefaultNearCopyCosine;
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
    std::string packageSha256;                    // hash of manifest + tensors (what is signed)
    std::int64_t receivedScan = -1;               // ReceiptLog scan that first saw it; -1 without a log
    std::shared_ptr<const Submission> submission; // set when the folder could be read

    nlohmann::json toJson() const;
};

// The validator's checks, in order: readable; package hash (and the manifest's content hash);
// signature (present, key known, verifies); base fingerprint; selection hash; round; tensor
// encoding allowed; tensor names exactly the expected ones (int8: with their row scales); shapes;
// dtypes of the encoding; the decoding well formed; finite values; update norm (of the decoded
// Δ); and, across a batch, exact and near copies (the same encoded Δ as an earlier submission in
// arrival order, or a decoded Δ whose cosine with an earlier one's is at least nearCopyCosine).
// A manifest key the format does not have is malformed.
// A refusal is a Verdict, never an exception.
// The validator's own record of when it first saw each submission (its folder name and package
// hash), kept in a file it owns (the validator's state folder). The order among identical updates
// comes from here, never from anything a sender controls (file times, folder names). Each
// verifyAll() is one scan; a submission first seen in scan k keeps k for good.
class ReceiptLog {
public:
    // Loads `file` when it exists (a malformed one is an error naming it); otherwise empty.
    explicit ReceiptLog(std::filesystem::path file);
    // Starts the next scan; receive() records new submissions under its number.
    void beginScan();
    std::int64_t scan() const { return m_scan; }
    // The scan that first saw this submission, recording the current scan for a new one.
    std::int64_t receive(const std::string& folder, const std::string& packageSha256);
    // Written to a temporary name and renamed.
    void save() const;

private:
    struct Receipt {
        std::int64_t scan = 0;
        std::string receivedAt; // UTC, for people
    };
    std::filesystem::path m_file;
    std::int64_t m_scan = 0;
    std::map<std::pair<std::string, std::string>, Receipt> m_receipts;
};

class SubmissionVerifier {
public:
    explicit SubmissionVerifier(VerifierPolicy policy);

    Verdict verify(const std::filesystem::path& dir) const;
    // Verifies every folder. Of identical Δs one is kept, the others are refused as duplicates:
    // with a receipt log (one scan per call), the one the validator received first; copies from
    // different miners first received in the same scan are all refused, since which came first
    // cannot be established. Without a log, the order of `dirs`. control: checkpoint between
    // submissions, progress.
    std::vector<Verdict> verifyAll(const std::vector<std::filesystem::path>& dirs, JobControl* control = nullptr,
                                   ReceiptLog* receipts = nullptr) const;

    // Every entry of `folder` that may be a submission, by name: each sub-folder (a symbolic link
    // too, which check() then refuses) whose name does not start with '.', with or without a
    // manifest, so that a broken one is listed as refused rather than dropped; but not a miner's
    // training checkpoint (a folder with checkpoint.json and no manifest.json), which sits beside
    // the submission in a run folder.
    static std::vector<std::filesystem::path> listSubmissions(const std::filesystem::path& folder);

    const VerifierPolicy& policy() const { return m_policy; }

private:
    Verdict check(const std::filesystem::path& dir) const;
    VerifierPolicy m_policy;
};

} // namespace teft
