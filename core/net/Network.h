#pragma once

// The TEFT round protocol over an ObjectStore (docs/protocol.md, "Round protocol"): the objects
// the parties publish, who writes which, in which order, and the checks that refuse them.
//
// Store layout (keys relative to the store's prefix):
//   network.json                              the network's definition (validator; created once)
//   rounds/<t>/open/<sha256>.json             round t's opening (validator)
//   rounds/<t>/commits/<seq>.json             commitments (miners) and the seal (validator), in
//                                             slots 000000, 000001, ... each created once: the
//                                             store's conditional create orders them
//   rounds/<t>/updates/<package>/<nonce>/     a revealed submission (manifest.json,
//                                             experts.safetensors, signature.json)
//   rounds/<t>/result/<sha256>.json           round t's result (validator)
//   phi/<sha256>.safetensors                  Φ(t) files, content-addressed
//   optimizer/<sha256>.safetensors            the outer optimizer's momentum, content-addressed
//   data/<sha256>                             the public held-out files, content-addressed
//
// Every JSON object is a signed envelope (SignedObject): {"format": "teft-signed", "version": 1,
// "type": T, "payload": {...}, "signer": <Ed25519 public key hex>, "signature": <hex>}, the
// signature over "teft-" + T + "-v1:" + SHA-256 hex of the payload's canonical JSON (keys sorted,
// no spaces, UTF-8). An object is named by the SHA-256 of its file bytes.

#include "core/net/ObjectStore.h"
#include "core/teft/Aggregation.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/OuterOptimizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace teft {
class JobControl;
class MinerKey;
} // namespace teft

namespace teft::net {

// A refused protocol object or step: the message names the object (its key) and the check.
class ProtocolError : public Error {
public:
    explicit ProtocolError(const std::string& message);
};

struct SignedObject {
    std::string type; // "network", "round-open", "commitment", "seal", "result"
    nlohmann::json payload;
    std::string signer;    // public key hex
    std::string signature; // hex
    std::string bytes;     // the file as stored
    std::string sha256;    // of bytes

    static SignedObject sign(const std::string& type, nlohmann::json payload, const MinerKey& key);
    // Parses and verifies: FormatError for a malformed envelope, ProtocolError for another type
    // or a signature that does not verify. `where` names the object in messages.
    static SignedObject parse(const std::string& bytes, const std::string& expectedType, const std::string& where);
};

// Canonical JSON (sorted keys, compact) and what a signature covers.
std::string canonicalJson(const nlohmann::json& j);
std::string signedMessage(const std::string& type, const nlohmann::json& payload);

struct NetworkRules {
    std::int64_t roundSeconds = 3600; // from opening to deadline
    std::vector<std::string> encodings = {"f32", "bf16", "int8"};
    double maxRelativeNorm = 2.0;
    double nearCopyCosine = 0.0; // 0: the verifier's default
    int evalBatches = 16;
    int evalBatchSize = 8;
    double confidence = 0.95;
    AggregationSettings aggregation;
    OuterOptimizer::Settings outer;
    bool openToAllMiners = true;        // any key may commit; else only `miners`
    std::vector<std::string> miners;    // public keys (hex) allowed when not open
    nlohmann::json toJson() const;
    static NetworkRules fromJson(const nlohmann::json& j);
};

struct NetworkDefinition {
    std::string name;
    std::string configIdentity;  // SHA-256 of the base model's config.json
    std::string baseFingerprint; // of the selected experts of the base model, Φ(0)
    ExpertSelection selection;
    std::string validatorKey; // public key hex; signs openings, seals and results
    NetworkRules rules;
    // The public held-out data (a dataset record, core/data/TokenDataset.h, whose files are
    // "data/<sha256>" keys); null when the validator scores on a private set.
    nlohmann::json heldOut;
    std::string createdAt;

    nlohmann::json toJson() const;
    static NetworkDefinition fromJson(const nlohmann::json& j);
};

struct RoundOpening {
    std::int64_t round = 0;
    std::string network;          // SHA-256 of network.json
    std::string previousResult;   // SHA-256 of round t-1's result object; empty for round 0
    std::string phi;              // SHA-256 of phi/<sha>.safetensors; empty: the base model's experts
    std::string phiFingerprint;   // baseFingerprint() of Φ(t): what submissions must be built on
    std::string optimizer;        // SHA-256 of the momentum file; empty: fresh
    std::string deadline;         // ISO 8601 UTC: commitments must come before it
    std::string seedCommitment;   // SHA-256 hex of "teft-seed-v1:" + seed hex
    std::string openedAt;

    nlohmann::json toJson() const;
    static RoundOpening fromJson(const nlohmann::json& j);
};

struct Commitment {
    std::int64_t round = 0;
    std::int64_t slot = 0;
    std::string opening;       // SHA-256 of the opening object
    std::string minerId;
    std::string packageSha256; // Submission::packageSha256() of the update it will reveal
    std::string encoding;      // "f32" | "bf16" | "int8"
    std::uint64_t bytes = 0;   // encoded bytes that will travel
    std::string committedAt;   // the miner's clock (information only; order is the slot)

    nlohmann::json toJson() const;
    static Commitment fromJson(const nlohmann::json& j);
};

struct Seal {
    std::int64_t round = 0;
    std::int64_t slot = 0;
    std::string opening;
    std::string sealedAt;
    nlohmann::json toJson() const;
    static Seal fromJson(const nlohmann::json& j);
};

// The state of one commitment slot in a round.
enum class EntryState {
    Committed, // a valid commitment, no matching upload yet
    Uploaded,  // an upload whose package hash matches the commitment
    Verified,  // the validator's checks passed (from the result)
    Scored,    // scored, not aggregated
    Accepted,  // aggregated with a weight > 0
    Refused,   // refused: `code` and `message` say why
    Invalid,   // the slot holds no valid commitment (malformed, bad signature, wrong round)
};
const char* entryStateName(EntryState state);

struct RoundEntry {
    std::int64_t slot = 0;
    std::string key;       // the slot's store key
    std::string objectSha; // of the commitment object
    std::string signer;
    std::optional<Commitment> commitment;
    EntryState state = EntryState::Committed;
    std::string code;    // "late", "second_commitment", "not_revealed", "commitment_mismatch", a verifier code...
    std::string message; // a sentence
    std::string uploadPrefix; // where the matching upload is, when found
    nlohmann::json row;       // the result's row for it, when the round has a result
};

struct RoundView {
    std::int64_t round = 0;
    SignedObject openingObject;
    RoundOpening opening;
    std::optional<Seal> seal;
    std::vector<RoundEntry> entries; // by slot, the seal excluded
    std::optional<SignedObject> resultObject;
    nlohmann::json result; // payload of the result, null without one
    double secondsToDeadline = 0; // negative once passed
};

// Connects to a network in a store: reads and checks network.json. A Network and its store are
// used by one thread at a time (the calls below are blocking; run them off the GUI thread).
class Network {
public:
    explicit Network(ObjectStore& store, JobControl* control = nullptr);

    ObjectStore& store() { return m_store; }
    const NetworkDefinition& definition() const { return m_def; }
    const SignedObject& definitionObject() const { return m_defObject; }

    // The highest round with a valid opening, nullopt before round 0 opened.
    std::optional<std::int64_t> latestRound(JobControl* control = nullptr);
    // Everything published for round t, checked (signatures, types, round numbers, slots);
    // ProtocolError when the round has no valid opening or two different ones.
    RoundView round(std::int64_t t, JobControl* control = nullptr);
    // Every round with its result's headline, oldest first.
    std::vector<RoundView> history(JobControl* control = nullptr);

private:
    ObjectStore& m_store;
    SignedObject m_defObject;
    NetworkDefinition m_def;
};

// ---- The validator ----

struct NetworkInit {
    std::string name;
    std::filesystem::path modelDir;
    ExpertSelection selection;
    NetworkRules rules;
    // Dataset record (datasetRecordJson) of a held-out set to publish, with local file paths;
    // null: the validator scores on its own private data.
    nlohmann::json publicHeldOut;
};
// Writes network.json (create-only: ProtocolError when the store already holds a network).
NetworkDefinition initNetwork(ObjectStore& store, const NetworkInit& init, const MinerKey& validatorKey,
                              JobControl* control = nullptr);

// The validator's private side of a round: its state folder (ValidatorJob) holds Φ(t) and the
// momentum; the scoring seed of each opened round is kept in <stateDir>/network/seed-<t>.json
// (mode 0600) until the result reveals it.
struct OpenRoundSettings {
    std::filesystem::path modelDir;
    std::filesystem::path stateDir;
    std::int64_t roundSeconds = 0; // 0: the network's rule
};
RoundOpening openRound(Network& network, const OpenRoundSettings& settings, const MinerKey& validatorKey,
                       JobControl* control = nullptr);

struct CloseRoundSettings {
    std::filesystem::path modelDir;
    std::filesystem::path stateDir;
    std::filesystem::path downloadDir; // where the revealed submissions are fetched; empty: <stateDir>/network
    // Private held-out data (a dataset record with local paths); null: the network's public one.
    nlohmann::json privateHeldOut;
    std::string device = "auto";
    bool force = false; // close before the deadline (tests, a validator ending a round early)
    std::optional<std::int64_t> projectId;
};
struct CloseRoundResult {
    RoundView view; // after the result was published
    nlohmann::json report;
    std::string resultSha256;
};
// Seals the commitments, fetches the revealed updates, verifies and scores them in slot order
// (ValidatorJob with the revealed seed), takes the outer step, publishes Φ(t+1), the momentum and
// the signed result.
CloseRoundResult closeRound(Network& network, const CloseRoundSettings& settings, const MinerKey& validatorKey,
                            JobControl& control);

// ---- The miner ----

struct PullResult {
    std::int64_t round = 0;
    // false: the latest round is closed and the next not opened yet; Φ is its result's Φ(t+1),
    // which round `round` will build on (train now, submit once it opens).
    bool open = true;
    RoundOpening opening; // of the open round (empty when !open)
    std::filesystem::path phiFile; // empty: train from the base model's experts
    double secondsToDeadline = 0;
};
// Fetches Φ(t) of the latest open round into <dir>/phi-<sha>.safetensors (checked by hash), or,
// when the latest round is closed, the Φ its result published (the next round's).
PullResult pullRound(Network& network, const std::filesystem::path& dir, JobControl* control = nullptr);

struct SubmitResult {
    std::int64_t round = 0;
    std::int64_t slot = 0;
    std::string commitmentKey;
    std::string uploadPrefix;
    std::uint64_t bytes = 0;
};
// Commits to the submission folder's package hash in the next free slot, then uploads it.
// ProtocolError (naming what) for: a round past its deadline (by this machine's clock), a
// submission for another round, base or selection, a key that may not commit, a second
// commitment by the same key. A retried submit of the same submission resumes the upload (its
// commitment is found and reused). force: commit even when this machine's clock says the deadline
// passed or the round is sealed (the validator then refuses it as late: its slot follows the seal).
struct SubmitOptions {
    bool force = false;
};
SubmitResult submitToRound(Network& network, const std::filesystem::path& submissionDir, const MinerKey& key,
                           const SubmitOptions& options = {}, JobControl* control = nullptr);

// ---- Anyone ----

struct VerifyReport {
    std::int64_t round = 0;
    bool ok = false;
    bool recomputed = false; // scores and Φ(t+1) recomputed (needs the model and public held-out)
    std::vector<std::string> checks;   // what passed, a line each
    std::vector<std::string> failures; // what did not
    nlohmann::json toJson() const;
};
struct VerifyRoundSettings {
    std::filesystem::path modelDir; // empty: check signatures, hashes, seed, slots and states only
    std::filesystem::path workDir;  // downloads; empty: a temporary folder
    // Private held-out data to recompute with (when the network has no public one).
    nlohmann::json heldOut;
    std::string device = "auto";
};
VerifyReport verifyRound(Network& network, std::int64_t round, const VerifyRoundSettings& settings,
                         JobControl& control);

} // namespace teft::net
