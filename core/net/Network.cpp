#include "core/net/Network.h"

#include "core/data/TokenDataset.h"
#include "core/model/MoeModel.h"
#include "core/project/Datasets.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/train/ValidatorJob.h"
#include "core/util/AtomicFile.h"
#include "core/util/Hash.h"
#include "core/util/Progress.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <set>
#include <sys/stat.h>

namespace teft::net {

namespace fs = std::filesystem;

ProtocolError::ProtocolError(const std::string& message) : Error(message) {}

namespace {

constexpr const char* kNetworkKey = "network.json";

std::string nowIso()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string isoAfter(std::int64_t seconds)
{
    const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Seconds from now to an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SSZ" (negative once passed).
double secondsUntil(const std::string& iso, const std::string& where)
{
    std::tm tm{};
    const char* end = strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end != '\0')
        throw FormatError(where + ": the time '" + iso + "' is not ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ)");
    const std::time_t t = timegm(&tm);
    return std::difftime(t, std::time(nullptr));
}

template <typename T>
T field(const nlohmann::json& j, const char* key, const std::string& what)
{
    if (!j.is_object() || !j.contains(key))
        throw FormatError(what + " has no \"" + key + "\"");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw FormatError(what + ": \"" + key + "\" has the wrong type");
    }
}

bool isHex(const std::string& s, std::size_t length)
{
    return s.size() == length && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

std::string slotKey(std::int64_t round, std::int64_t slot)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(slot));
    return "rounds/" + std::to_string(round) + "/commits/" + buf + ".json";
}

std::string roundPrefix(std::int64_t round) { return "rounds/" + std::to_string(round) + "/"; }

std::string seedCommitmentOf(const std::string& seedHex) { return sha256Hex("teft-seed-v1:" + seedHex); }

// The held-out batches' seed, from the revealed 32-byte seed.
std::uint64_t evalSeedOf(const std::string& seedHex, std::int64_t round)
{
    const auto h = sha256Hex("teft-eval-seed-v1:" + std::to_string(round) + ":" + seedHex);
    return std::stoull(h.substr(0, 16), nullptr, 16);
}

std::string randomHex(std::size_t bytes)
{
    if (sodium_init() < 0)
        throw Error("libsodium failed to initialise");
    std::vector<unsigned char> b(bytes);
    randombytes_buf(b.data(), b.size());
    return toHex(b.data(), b.size());
}

// The selected experts of the base model with Φ applied (Φ empty: the base's), as the miner and
// the validator see them, and their fingerprint.
std::string phiFingerprint(const fs::path& modelDir, const ExpertSelection& selection, const fs::path& phiFile,
                           JobControl* control)
{
    MoeModelOptions opt;
    opt.device = "cpu";
    opt.computeDtype = torch::kFloat;
    opt.mode = ExpertMode::Full;
    opt.selection = selection.layers();
    auto model = MoeModel::load(modelDir, opt, control);
    const auto names = selectedTensorNames(model->config(), selection);
    if (!phiFile.empty())
        applyExperts(*model, loadTensorFile(phiFile), phiFile.string());
    return baseFingerprint(currentExperts(*model, names), configIdentity(modelDir));
}

// Uploads a local file under a content-addressed key (prefix + sha + suffix) unless it is there.
std::string putContentAddressed(ObjectStore& store, const std::string& prefix, const fs::path& file,
                                const std::string& suffix, JobControl* control)
{
    const std::string sha = sha256File(file);
    const std::string key = prefix + sha + suffix;
    if (!store.head(key, control)) {
        PutOptions o;
        o.ifNoneMatch = true;
        o.contentSha256 = sha;
        try {
            store.putFile(key, file, o, control);
        } catch (const ObjectStoreError& e) {
            if (e.failure() != StoreFailure::AlreadyExists)
                throw;
        }
    }
    return sha;
}

void fetchContentAddressed(ObjectStore& store, const std::string& key, const std::string& sha, const fs::path& file,
                           JobControl* control)
{
    if (fs::exists(file) && sha256File(file) == sha)
        return;
    fs::create_directories(file.parent_path());
    GetOptions g;
    g.expectedSha256 = sha;
    store.getFile(key, file, g, control);
}

std::optional<std::int64_t> parseInt(const std::string& s)
{
    if (s.empty() || s.size() > 12 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoll(s);
}

std::vector<std::string> splitKey(const std::string& key)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const auto p = key.find('/', start);
        parts.push_back(key.substr(start, p == std::string::npos ? std::string::npos : p - start));
        if (p == std::string::npos)
            break;
        start = p + 1;
    }
    return parts;
}

// Reads a small object; objects named in the protocol's JSON are at most 16 MiB.
std::string readSmall(ObjectStore& store, const ObjectInfo& info, JobControl* control)
{
    if (info.size > (16u << 20))
        throw ProtocolError("The object " + info.key + " is " + std::to_string(info.size) +
                            " bytes: a protocol object is at most 16 MiB");
    return store.getBytes(info.key, {}, control);
}

} // namespace

// ---- Signed objects ----

std::string canonicalJson(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict); }

std::string signedMessage(const std::string& type, const nlohmann::json& payload)
{
    return "teft-" + type + "-v1:" + sha256Hex(canonicalJson(payload));
}

SignedObject SignedObject::sign(const std::string& type, nlohmann::json payload, const MinerKey& key)
{
    SignedObject o;
    o.type = type;
    o.payload = std::move(payload);
    o.signer = key.publicKeyHex();
    o.signature = key.sign(signedMessage(type, o.payload));
    const nlohmann::json env{{"format", "teft-signed"}, {"version", 1},        {"type", type},
                             {"payload", o.payload},    {"signer", o.signer}, {"signature", o.signature}};
    o.bytes = env.dump(2) + "\n";
    o.sha256 = sha256Hex(o.bytes);
    return o;
}

SignedObject SignedObject::parse(const std::string& bytes, const std::string& expectedType, const std::string& where)
{
    nlohmann::json env;
    try {
        env = nlohmann::json::parse(bytes);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(where + " is not JSON: " + e.what());
    }
    if (!env.is_object() || env.value("format", "") != "teft-signed")
        throw FormatError(where + " is not a signed TEFT object (its \"format\" is not \"teft-signed\")");
    if (!env.contains("version") || !env["version"].is_number_integer() || env["version"].get<std::int64_t>() != 1)
        throw FormatError(where + ": unsupported version (this program reads version 1)");
    SignedObject o;
    o.type = field<std::string>(env, "type", where);
    if (!env.contains("payload") || !env["payload"].is_object())
        throw FormatError(where + " has no \"payload\" object");
    o.payload = env["payload"];
    o.signer = field<std::string>(env, "signer", where);
    o.signature = field<std::string>(env, "signature", where);
    o.bytes = bytes;
    o.sha256 = sha256Hex(bytes);
    if (o.type != expectedType)
        throw ProtocolError(where + " is a \"" + o.type + "\" object, not a \"" + expectedType + "\"");
    if (!isPublicKeyHex(o.signer))
        throw ProtocolError(where + ": the signer is not an Ed25519 public key");
    std::string message;
    try {
        message = signedMessage(o.type, o.payload);
    } catch (const nlohmann::json::exception&) {
        throw FormatError(where + ": the payload holds text that is not UTF-8");
    }
    if (!MinerKey::verify(message, o.signature, o.signer))
        throw ProtocolError(where + ": the signature does not verify for the signer " + o.signer.substr(0, 16) + "…");
    return o;
}

// ---- Payloads ----

nlohmann::json NetworkRules::toJson() const
{
    return {{"round_seconds", roundSeconds},
            {"encodings", encodings},
            {"max_relative_norm", maxRelativeNorm},
            {"near_copy_cosine", nearCopyCosine},
            {"eval_batches", evalBatches},
            {"eval_batch_size", evalBatchSize},
            {"confidence", confidence},
            {"aggregation", aggregation.toJson()},
            {"outer", outer.toJson()},
            {"open_to_all_miners", openToAllMiners},
            {"miners", miners}};
}

NetworkRules NetworkRules::fromJson(const nlohmann::json& j)
{
    const std::string w = "The network's rules";
    NetworkRules r;
    r.roundSeconds = field<std::int64_t>(j, "round_seconds", w);
    r.encodings = field<std::vector<std::string>>(j, "encodings", w);
    r.maxRelativeNorm = field<double>(j, "max_relative_norm", w);
    r.nearCopyCosine = field<double>(j, "near_copy_cosine", w);
    r.evalBatches = field<int>(j, "eval_batches", w);
    r.evalBatchSize = field<int>(j, "eval_batch_size", w);
    r.confidence = field<double>(j, "confidence", w);
    r.aggregation = AggregationSettings::fromJson(field<nlohmann::json>(j, "aggregation", w));
    r.outer = OuterOptimizer::Settings::fromJson(field<nlohmann::json>(j, "outer", w));
    r.openToAllMiners = field<bool>(j, "open_to_all_miners", w);
    r.miners = field<std::vector<std::string>>(j, "miners", w);
    if (r.roundSeconds < 1)
        throw FormatError(w + ": round_seconds must be at least 1");
    if (r.evalBatches < 2 || r.evalBatchSize < 1)
        throw FormatError(w + ": eval_batches must be at least 2 and eval_batch_size at least 1");
    if (!(r.confidence >= 0.5 && r.confidence < 1))
        throw FormatError(w + ": confidence must be in [0.5, 1)");
    for (const auto& k : r.miners)
        if (!isPublicKeyHex(k))
            throw FormatError(w + ": '" + k + "' in \"miners\" is not an Ed25519 public key");
    return r;
}

nlohmann::json NetworkDefinition::toJson() const
{
    return {{"name", name},
            {"config_identity", configIdentity},
            {"base_fingerprint", baseFingerprint},
            {"selection", selection.toJson()},
            {"selection_hash", selection.hash()},
            {"validator_key", validatorKey},
            {"rules", rules.toJson()},
            {"held_out", heldOut},
            {"created_at", createdAt}};
}

NetworkDefinition NetworkDefinition::fromJson(const nlohmann::json& j)
{
    const std::string w = "The network definition";
    NetworkDefinition d;
    d.name = field<std::string>(j, "name", w);
    d.configIdentity = field<std::string>(j, "config_identity", w);
    d.baseFingerprint = field<std::string>(j, "base_fingerprint", w);
    d.selection = ExpertSelection::fromJson(field<nlohmann::json>(j, "selection", w));
    if (field<std::string>(j, "selection_hash", w) != d.selection.hash())
        throw FormatError(w + ": \"selection_hash\" is not the selection's hash");
    d.validatorKey = field<std::string>(j, "validator_key", w);
    d.rules = NetworkRules::fromJson(field<nlohmann::json>(j, "rules", w));
    d.heldOut = j.contains("held_out") ? j["held_out"] : nlohmann::json();
    d.createdAt = field<std::string>(j, "created_at", w);
    return d;
}

nlohmann::json RoundOpening::toJson() const
{
    return {{"round", round},
            {"network", network},
            {"previous_result", previousResult},
            {"phi", phi},
            {"phi_fingerprint", phiFingerprint},
            {"optimizer", optimizer},
            {"deadline", deadline},
            {"seed_commitment", seedCommitment},
            {"opened_at", openedAt}};
}

RoundOpening RoundOpening::fromJson(const nlohmann::json& j)
{
    const std::string w = "A round opening";
    RoundOpening o;
    o.round = field<std::int64_t>(j, "round", w);
    o.network = field<std::string>(j, "network", w);
    o.previousResult = field<std::string>(j, "previous_result", w);
    o.phi = field<std::string>(j, "phi", w);
    o.phiFingerprint = field<std::string>(j, "phi_fingerprint", w);
    o.optimizer = field<std::string>(j, "optimizer", w);
    o.deadline = field<std::string>(j, "deadline", w);
    o.seedCommitment = field<std::string>(j, "seed_commitment", w);
    o.openedAt = field<std::string>(j, "opened_at", w);
    secondsUntil(o.deadline, w);
    if (!isHex(o.seedCommitment, 64) || !(o.phi.empty() || isHex(o.phi, 64)) ||
        !(o.optimizer.empty() || isHex(o.optimizer, 64)))
        throw FormatError(w + ": a hash is not 64 lowercase hex digits");
    return o;
}

nlohmann::json Commitment::toJson() const
{
    return {{"round", round},       {"slot", slot},         {"opening", opening},
            {"miner_id", minerId},  {"package_sha256", packageSha256}, {"encoding", encoding},
            {"bytes", bytes},       {"committed_at", committedAt}};
}

Commitment Commitment::fromJson(const nlohmann::json& j)
{
    const std::string w = "A commitment";
    Commitment c;
    c.round = field<std::int64_t>(j, "round", w);
    c.slot = field<std::int64_t>(j, "slot", w);
    c.opening = field<std::string>(j, "opening", w);
    c.minerId = field<std::string>(j, "miner_id", w);
    c.packageSha256 = field<std::string>(j, "package_sha256", w);
    c.encoding = field<std::string>(j, "encoding", w);
    c.bytes = field<std::uint64_t>(j, "bytes", w);
    c.committedAt = field<std::string>(j, "committed_at", w);
    if (!isHex(c.packageSha256, 64))
        throw FormatError(w + ": \"package_sha256\" is not 64 lowercase hex digits");
    return c;
}

nlohmann::json Seal::toJson() const
{
    return {{"round", round}, {"slot", slot}, {"opening", opening}, {"sealed_at", sealedAt}};
}

Seal Seal::fromJson(const nlohmann::json& j)
{
    const std::string w = "A seal";
    Seal s;
    s.round = field<std::int64_t>(j, "round", w);
    s.slot = field<std::int64_t>(j, "slot", w);
    s.opening = field<std::string>(j, "opening", w);
    s.sealedAt = field<std::string>(j, "sealed_at", w);
    return s;
}

const char* entryStateName(EntryState state)
{
    switch (state) {
    case EntryState::Committed: return "committed";
    case EntryState::Uploaded: return "uploaded";
    case EntryState::Verified: return "verified";
    case EntryState::Scored: return "scored";
    case EntryState::Accepted: return "accepted";
    case EntryState::Refused: return "refused";
    case EntryState::Invalid: return "invalid";
    }
    return "invalid";
}

nlohmann::json VerifyReport::toJson() const
{
    return {{"round", round}, {"ok", ok}, {"recomputed", recomputed}, {"checks", checks}, {"failures", failures}};
}

// ---- Network ----

Network::Network(ObjectStore& store, JobControl* control) : m_store(store)
{
    std::string bytes;
    try {
        bytes = store.getBytes(kNetworkKey, {}, control);
    } catch (const ObjectStoreError& e) {
        if (e.failure() == StoreFailure::NotFound)
            throw ProtocolError("The store " + store.describe() +
                                " holds no TEFT network (no network.json): create one with `teft network init`");
        throw;
    }
    m_defObject = SignedObject::parse(bytes, "network", "network.json in " + store.describe());
    m_def = NetworkDefinition::fromJson(m_defObject.payload);
    if (m_def.validatorKey != m_defObject.signer)
        throw ProtocolError("network.json in " + store.describe() +
                            " is not signed by the validator key it names");
}

std::optional<std::int64_t> Network::latestRound(JobControl* control)
{
    std::set<std::int64_t> rounds;
    for (const auto& info : m_store.list("rounds/", control)) {
        const auto parts = splitKey(info.key);
        if (parts.size() == 4 && parts[2] == "open")
            if (auto t = parseInt(parts[1]))
                rounds.insert(*t);
    }
    for (auto it = rounds.rbegin(); it != rounds.rend(); ++it) {
        try {
            round(*it, control);
            return *it;
        } catch (const ProtocolError& e) {
            spdlog::warn("network: round {} is not usable: {}", *it, e.what());
        }
    }
    return std::nullopt;
}

RoundView Network::round(std::int64_t t, JobControl* control)
{
    RoundView v;
    v.round = t;
    const auto prefix = roundPrefix(t);
    const auto listing = m_store.list(prefix, control);
    std::vector<ObjectInfo> openings, commits, results;
    std::set<std::string> uploadedFiles; // keys under updates/
    for (const auto& info : listing) {
        const auto parts = splitKey(info.key);
        if (parts.size() == 4 && parts[2] == "open")
            openings.push_back(info);
        else if (parts.size() == 4 && parts[2] == "commits")
            commits.push_back(info);
        else if (parts.size() == 4 && parts[2] == "result")
            results.push_back(info);
        else if (parts.size() == 6 && parts[2] == "updates")
            uploadedFiles.insert(info.key);
    }
    // The opening: exactly one valid one, signed by the validator, for this round of this network.
    std::vector<SignedObject> valid;
    for (const auto& info : openings) {
        try {
            auto o = SignedObject::parse(readSmall(m_store, info, control), "round-open", info.key);
            const auto op = RoundOpening::fromJson(o.payload);
            if (o.signer != m_def.validatorKey || op.round != t || op.network != m_defObject.sha256 ||
                info.key != prefix + "open/" + o.sha256 + ".json")
                continue;
            valid.push_back(std::move(o));
        } catch (const Error& e) {
            spdlog::warn("network: ignoring {}: {}", info.key, e.what());
        }
    }
    if (valid.empty())
        throw ProtocolError("Round " + std::to_string(t) + " of " + m_store.describe() + " has no valid opening");
    if (valid.size() > 1)
        throw ProtocolError("Round " + std::to_string(t) + " has " + std::to_string(valid.size()) +
                            " different openings signed by the validator: the round is void");
    v.openingObject = valid.front();
    v.opening = RoundOpening::fromJson(v.openingObject.payload);
    v.secondsToDeadline = secondsUntil(v.opening.deadline, "round " + std::to_string(t));

    // The slots, in order. The first valid seal ends the round: a slot after it is late.
    std::map<std::string, std::int64_t> firstSlotOf; // signer → its first valid commitment's slot
    for (const auto& info : commits) {
        const auto parts = splitKey(info.key);
        const std::string name = parts[3];
        const auto slot = name.size() == 11 && name.substr(6) == ".json" ? parseInt(name.substr(0, 6)) : std::nullopt;
        if (!slot)
            continue; // not a slot name: ignored
        RoundEntry e;
        e.slot = *slot;
        e.key = info.key;
        std::string bytes;
        try {
            bytes = readSmall(m_store, info, control);
            nlohmann::json env = nlohmann::json::parse(bytes, nullptr, false);
            if (!v.seal && env.is_object() && env.value("type", "") == "seal") {
                auto o = SignedObject::parse(bytes, "seal", info.key);
                auto s = Seal::fromJson(o.payload);
                if (o.signer == m_def.validatorKey && s.round == t && s.slot == *slot &&
                    s.opening == v.openingObject.sha256) {
                    v.seal = s;
                    continue;
                }
                throw ProtocolError(info.key + " is a seal not made by this round's validator");
            }
            auto o = SignedObject::parse(bytes, "commitment", info.key);
            e.objectSha = o.sha256;
            e.signer = o.signer;
            auto c = Commitment::fromJson(o.payload);
            if (c.round != t || c.slot != *slot)
                throw ProtocolError(info.key + " is a commitment for round " + std::to_string(c.round) + " slot " +
                                    std::to_string(c.slot) + ", not for this slot");
            if (c.opening != v.openingObject.sha256)
                throw ProtocolError(info.key + " commits to another opening of the round");
            e.commitment = c;
        } catch (const Error& err) {
            e.state = EntryState::Invalid;
            e.code = "invalid";
            e.message = err.what();
            v.entries.push_back(std::move(e));
            continue;
        }
        const auto& c = *e.commitment;
        const bool allowed = m_def.rules.openToAllMiners || std::find(m_def.rules.miners.begin(),
                                                                       m_def.rules.miners.end(),
                                                                       e.signer) != m_def.rules.miners.end();
        if (v.seal && e.slot > v.seal->slot) {
            e.state = EntryState::Refused;
            e.code = "late";
            e.message = "Committed after the round was sealed at slot " + std::to_string(v.seal->slot) +
                        " (the deadline was " + v.opening.deadline + ")";
        } else if (!allowed) {
            e.state = EntryState::Refused;
            e.code = "unknown_key";
            e.message = "The key " + e.signer.substr(0, 16) + "… may not take part in this network";
        } else if (firstSlotOf.count(e.signer)) {
            e.state = EntryState::Refused;
            e.code = "second_commitment";
            e.message = "The key already committed in slot " + std::to_string(firstSlotOf[e.signer]) +
                        "; a miner commits once a round";
        } else if (std::find(m_def.rules.encodings.begin(), m_def.rules.encodings.end(), c.encoding) ==
                   m_def.rules.encodings.end()) {
            e.state = EntryState::Refused;
            e.code = "wrong_encoding";
            e.message = "The encoding '" + c.encoding + "' is not allowed in this network";
        }
        if (!firstSlotOf.count(e.signer) && e.state != EntryState::Invalid && e.code != "late")
            firstSlotOf[e.signer] = e.slot;
        if (e.state == EntryState::Committed) {
            // An upload is a folder updates/<package>/<nonce>/ with the three files.
            const std::string up = prefix + "updates/" + c.packageSha256 + "/";
            for (auto it = uploadedFiles.lower_bound(up); it != uploadedFiles.end() && it->rfind(up, 0) == 0; ++it) {
                const auto parts = splitKey(*it);
                const std::string folder = up + parts[4] + "/";
                if (uploadedFiles.count(folder + "manifest.json") && uploadedFiles.count(folder + "experts.safetensors")) {
                    e.state = EntryState::Uploaded;
                    e.uploadPrefix = folder;
                    break;
                }
            }
        }
        v.entries.push_back(std::move(e));
    }
    // The result, when the round is closed.
    std::vector<SignedObject> validResults;
    for (const auto& info : results) {
        try {
            auto o = SignedObject::parse(readSmall(m_store, info, control), "result", info.key);
            if (o.signer != m_def.validatorKey || field<std::int64_t>(o.payload, "round", info.key) != t ||
                field<std::string>(o.payload, "opening", info.key) != v.openingObject.sha256 ||
                info.key != prefix + "result/" + o.sha256 + ".json")
                continue;
            validResults.push_back(std::move(o));
        } catch (const Error& e) {
            spdlog::warn("network: ignoring {}: {}", info.key, e.what());
        }
    }
    if (validResults.size() > 1)
        throw ProtocolError("Round " + std::to_string(t) + " has " + std::to_string(validResults.size()) +
                            " different results signed by the validator");
    if (!validResults.empty()) {
        v.resultObject = validResults.front();
        v.result = v.resultObject->payload;
        std::map<std::int64_t, nlohmann::json> rows;
        if (v.result.contains("entries") && v.result["entries"].is_array())
            for (const auto& r : v.result["entries"])
                if (r.is_object() && r.contains("slot") && r["slot"].is_number_integer())
                    rows[r["slot"].get<std::int64_t>()] = r;
        for (auto& e : v.entries) {
            auto it = rows.find(e.slot);
            if (it == rows.end())
                continue;
            e.row = it->second;
            const std::string state = e.row.value("state", "");
            const std::string code = e.row.value("code", "");
            if (state == "accepted")
                e.state = EntryState::Accepted;
            else if (state == "scored")
                e.state = EntryState::Scored;
            else if (state == "verified")
                e.state = EntryState::Verified;
            else if (state == "refused" && e.state != EntryState::Invalid) {
                e.state = EntryState::Refused;
                e.code = code;
                e.message = e.row.value("message", "");
            }
        }
    }
    return v;
}

std::vector<RoundView> Network::history(JobControl* control)
{
    std::vector<RoundView> out;
    const auto latest = latestRound(control);
    if (!latest)
        return out;
    for (std::int64_t t = 0; t <= *latest; ++t) {
        try {
            out.push_back(round(t, control));
        } catch (const ProtocolError& e) {
            spdlog::warn("network: round {}: {}", t, e.what());
        }
    }
    return out;
}

// ---- The validator ----

NetworkDefinition initNetwork(ObjectStore& store, const NetworkInit& init, const MinerKey& validatorKey,
                              JobControl* control)
{
    if (init.name.empty())
        throw UsageError("Give the network a name");
    if (init.selection.empty())
        throw UsageError("The network's expert selection is empty");
    if (store.head(kNetworkKey, control))
        throw ProtocolError("The store " + store.describe() + " already holds a network (network.json)");
    NetworkDefinition d;
    d.name = init.name;
    d.configIdentity = configIdentity(init.modelDir);
    d.baseFingerprint = phiFingerprint(init.modelDir, init.selection, {}, control);
    d.selection = init.selection;
    d.validatorKey = validatorKey.publicKeyHex();
    d.rules = init.rules;
    NetworkRules::fromJson(d.rules.toJson()); // the same checks a reader makes
    d.createdAt = nowIso();
    if (!init.publicHeldOut.is_null()) {
        // The held-out files travel content-addressed; the record names them by key.
        nlohmann::json record = init.publicHeldOut;
        DatasetSpec spec;
        PackingOptions packing;
        datasetRecordFromJson(record, spec, packing);
        nlohmann::json keys = nlohmann::json::array();
        for (const auto& p : spec.paths) {
            if (!fs::is_regular_file(p))
                throw UsageError("A public held-out set is published file by file: " + p.string() +
                                 " is not a file");
            const auto sha = putContentAddressed(store, "data/", p, "", control);
            keys.push_back({{"key", "data/" + sha}, {"sha256", sha}, {"name", p.filename().string()}});
        }
        // The paths are the store keys; a reader replaces them with where it downloaded them.
        nlohmann::json paths = nlohmann::json::array();
        for (const auto& k : keys)
            paths.push_back(k["key"]);
        record["spec"]["paths"] = paths;
        record["files"] = keys;
        d.heldOut = record;
    }
    const auto obj = SignedObject::sign("network", d.toJson(), validatorKey);
    PutOptions o;
    o.ifNoneMatch = true;
    try {
        store.putBytes(kNetworkKey, obj.bytes, o, control);
    } catch (const ObjectStoreError& e) {
        if (e.failure() == StoreFailure::AlreadyExists)
            throw ProtocolError("The store " + store.describe() + " already holds a network (network.json)");
        throw;
    }
    return d;
}

namespace {

fs::path seedFile(const fs::path& stateDir, std::int64_t round)
{
    return stateDir / "network" / ("seed-" + std::to_string(round) + ".json");
}

std::string loadSeed(const fs::path& stateDir, std::int64_t round, const std::string& commitment)
{
    const auto file = seedFile(stateDir, round);
    if (!fs::exists(file))
        throw ProtocolError("The scoring seed of round " + std::to_string(round) + " is not in " + file.string() +
                            ": only the validator that opened the round can close it");
    const auto j = nlohmann::json::parse(readFile(file), nullptr, false);
    const std::string seed = j.is_object() ? j.value("seed", "") : "";
    if (!isHex(seed, 64) || seedCommitmentOf(seed) != commitment)
        throw ProtocolError("The seed in " + file.string() + " does not match round " + std::to_string(round) +
                            "'s seed commitment");
    return seed;
}

std::string putSignedInSlot(ObjectStore& store, std::int64_t round, std::int64_t firstSlot,
                            const std::function<SignedObject(std::int64_t)>& make, std::int64_t& slotOut,
                            JobControl* control)
{
    PutOptions o;
    o.ifNoneMatch = true;
    for (std::int64_t slot = firstSlot; slot < firstSlot + 1000; ++slot) {
        const auto obj = make(slot);
        try {
            store.putBytes(slotKey(round, slot), obj.bytes, o, control);
            slotOut = slot;
            return obj.sha256;
        } catch (const ObjectStoreError& e) {
            if (e.failure() != StoreFailure::AlreadyExists)
                throw;
        }
    }
    throw ProtocolError("No free commitment slot in round " + std::to_string(round) + " after 1000 tries");
}

std::int64_t nextSlot(const RoundView& v)
{
    std::int64_t next = 0;
    for (const auto& e : v.entries)
        next = std::max(next, e.slot + 1);
    if (v.seal)
        next = std::max(next, v.seal->slot + 1);
    return next;
}

// The held-out data the validator scores on: the network's public set (downloaded by hash) or a
// private record with local paths.
TokenDataset heldOutData(ObjectStore& store, const NetworkDefinition& def, const nlohmann::json& privateRecord,
                         const fs::path& modelDir, const fs::path& dataDir, JobControl& control, std::string& label)
{
    DatasetSpec spec;
    PackingOptions packing;
    if (!privateRecord.is_null()) {
        datasetRecordFromJson(privateRecord, spec, packing);
        label = "private";
    } else if (!def.heldOut.is_null()) {
        if (!def.heldOut.contains("files") || !def.heldOut["files"].is_array() || def.heldOut["files"].empty())
            throw FormatError("The network's public held-out set names no files");
        std::vector<fs::path> local;
        for (const auto& f : def.heldOut["files"]) {
            const std::string sha = field<std::string>(f, "sha256", "the network's held-out files");
            const std::string name = field<std::string>(f, "name", "the network's held-out files");
            if (!isHex(sha, 64) || name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
                throw FormatError("The network's held-out file entry '" + name + "' is malformed");
            local.push_back(dataDir / sha / name);
            fetchContentAddressed(store, "data/" + sha, sha, local.back(), &control);
        }
        datasetRecordFromJson(def.heldOut, spec, packing);
        spec.paths = local;
        label = "public";
    } else {
        throw UsageError("The network publishes no held-out set: give the validator's private held-out data");
    }
    return tokenizeDataset(modelDir, spec, packing, control);
}

ValidatorSettings validatorSettingsFor(const NetworkDefinition& def, const fs::path& modelDir,
                                       const fs::path& stateDir, std::int64_t round, const std::string& seed,
                                       const std::string& device)
{
    ValidatorSettings s;
    s.modelDir = modelDir;
    s.selection = def.selection;
    s.device = device;
    s.stateDir = stateDir;
    s.round = round;
    s.eval.batches = def.rules.evalBatches;
    s.eval.batchSize = def.rules.evalBatchSize;
    s.eval.seed = evalSeedOf(seed, round);
    s.confidence = def.rules.confidence;
    s.aggregation = def.rules.aggregation;
    s.outer = def.rules.outer;
    s.allowUnsigned = false;
    s.allowUnknownKeys = true; // the commitments already admitted the keys
    s.maxRelativeNorm = def.rules.maxRelativeNorm;
    if (def.rules.nearCopyCosine > 0)
        s.nearCopyCosine = def.rules.nearCopyCosine;
    s.submissionsInGivenOrder = true; // slot order is the store's commit order
    return s;
}

// Downloads the revealed update of each committed slot into dir/slot-<n>, keeping the first
// upload whose package hash and signer match the commitment. Entries that have none are marked.
std::vector<std::pair<std::int64_t, fs::path>> fetchUpdates(ObjectStore& store, RoundView& v, const fs::path& dir,
                                                            JobControl* control)
{
    std::vector<std::pair<std::int64_t, fs::path>> out;
    const auto prefix = roundPrefix(v.round);
    for (auto& e : v.entries) {
        if (!e.commitment || (e.state != EntryState::Committed && e.state != EntryState::Uploaded))
            continue;
        const std::string up = prefix + "updates/" + e.commitment->packageSha256 + "/";
        std::set<std::string> folders;
        for (const auto& info : store.list(up, control)) {
            const auto parts = splitKey(info.key);
            if (parts.size() == 6)
                folders.insert(up + parts[4] + "/");
        }
        bool found = false;
        std::string why = "no upload";
        for (const auto& folder : folders) {
            const fs::path local = dir / ("slot-" + std::to_string(e.slot));
            fs::remove_all(local);
            fs::create_directories(local);
            try {
                for (const char* f : {"manifest.json", "experts.safetensors", "signature.json"}) {
                    if (!store.head(folder + f, control))
                        continue;
                    GetOptions g;
                    g.resume = false;
                    store.getFile(folder + f, local / f, g, control);
                }
                const auto sub = Submission::open(local);
                if (sub->packageSha256() != e.commitment->packageSha256) {
                    why = "the upload " + folder + " has the package hash " + sub->packageSha256().substr(0, 16) +
                          "…, the commitment " + e.commitment->packageSha256.substr(0, 16) + "…";
                    continue;
                }
                if (!sub->signature() || sub->signature()->publicKey != e.signer) {
                    why = "the upload is not signed by the committing key";
                    continue;
                }
                e.uploadPrefix = folder;
                e.state = EntryState::Uploaded;
                out.emplace_back(e.slot, local);
                found = true;
                break;
            } catch (const Error& err) {
                why = err.what();
            }
        }
        if (!found) {
            fs::remove_all(dir / ("slot-" + std::to_string(e.slot)));
            e.state = EntryState::Refused;
            e.code = folders.empty() ? "not_revealed" : "commitment_mismatch";
            e.message = folders.empty() ? "No update matching the commitment was uploaded"
                                        : "No upload matches the commitment: " + why;
        }
    }
    return out;
}

nlohmann::json entryRow(const RoundEntry& e)
{
    nlohmann::json r{{"slot", e.slot}, {"signer", e.signer}, {"commitment", e.objectSha}};
    if (e.commitment) {
        r["miner_id"] = e.commitment->minerId;
        r["package_sha256"] = e.commitment->packageSha256;
        r["encoding"] = e.commitment->encoding;
        r["bytes"] = e.commitment->bytes;
    }
    return r;
}

} // namespace

RoundOpening openRound(Network& network, const OpenRoundSettings& settings, const MinerKey& validatorKey,
                       JobControl* control)
{
    const auto& def = network.definition();
    if (validatorKey.publicKeyHex() != def.validatorKey)
        throw ProtocolError("Only the network's validator (key " + def.validatorKey.substr(0, 16) +
                            "…) opens rounds; this key is " + validatorKey.publicKeyHex().substr(0, 16) + "…");
    if (configIdentity(settings.modelDir) != def.configIdentity)
        throw ProtocolError("The model in " + settings.modelDir.string() + " is not the network's base model");
    const auto state = ValidatorState::load(settings.stateDir);
    const std::int64_t t = state.round;
    auto& store = network.store();
    RoundOpening op;
    op.round = t;
    op.network = network.definitionObject().sha256;
    if (const auto latest = network.latestRound(control)) {
        if (*latest >= t)
            throw ProtocolError("Round " + std::to_string(*latest) + " is already open; the validator state in " +
                                settings.stateDir.string() + " is at round " + std::to_string(t) +
                                " (close the open round first)");
        if (*latest != t - 1)
            throw ProtocolError("The network's latest round is " + std::to_string(*latest) +
                                " but the validator state is at round " + std::to_string(t));
        const auto prev = network.round(*latest, control);
        if (!prev.resultObject)
            throw ProtocolError("Round " + std::to_string(*latest) + " has no published result yet");
        op.previousResult = prev.resultObject->sha256;
    } else if (t != 0) {
        throw ProtocolError("The network has no round yet but the validator state in " + settings.stateDir.string() +
                            " is at round " + std::to_string(t) + ": use the state folder the network started with");
    }
    if (!state.phi.empty())
        op.phi = putContentAddressed(store, "phi/", state.phi, ".safetensors", control);
    if (!state.optimizer.empty())
        op.optimizer = putContentAddressed(store, "optimizer/", state.optimizer, ".safetensors", control);
    op.phiFingerprint = state.phi.empty() ? def.baseFingerprint
                                          : phiFingerprint(settings.modelDir, def.selection, state.phi, control);
    // The scoring seed stays private until the result; a crashed opening reuses it.
    const auto sf = seedFile(settings.stateDir, t);
    std::string seed;
    if (fs::exists(sf)) {
        const auto j = nlohmann::json::parse(readFile(sf), nullptr, false);
        seed = j.is_object() ? j.value("seed", "") : "";
    }
    if (!isHex(seed, 64)) {
        seed = randomHex(32);
        fs::create_directories(sf.parent_path());
        writeFileAtomically(sf, nlohmann::json{{"round", t}, {"seed", seed}}.dump() + "\n");
        ::chmod(sf.c_str(), 0600);
    }
    op.seedCommitment = seedCommitmentOf(seed);
    op.deadline = isoAfter(settings.roundSeconds > 0 ? settings.roundSeconds : def.rules.roundSeconds);
    op.openedAt = nowIso();
    const auto obj = SignedObject::sign("round-open", op.toJson(), validatorKey);
    PutOptions o;
    o.ifNoneMatch = true;
    store.putBytes(roundPrefix(t) + "open/" + obj.sha256 + ".json", obj.bytes, o, control);
    spdlog::info("network: opened round {} (deadline {})", t, op.deadline);
    return op;
}

CloseRoundResult closeRound(Network& network, const CloseRoundSettings& settings, const MinerKey& validatorKey,
                            JobControl& control)
{
    const auto& def = network.definition();
    auto& store = network.store();
    if (validatorKey.publicKeyHex() != def.validatorKey)
        throw ProtocolError("Only the network's validator closes rounds; this key is " +
                            validatorKey.publicKeyHex().substr(0, 16) + "…");
    const auto latest = network.latestRound(&control);
    if (!latest)
        throw ProtocolError("The network has no open round");
    const std::int64_t t = *latest;
    RoundView v = network.round(t, &control);
    if (v.resultObject)
        throw ProtocolError("Round " + std::to_string(t) + " is already closed (its result is published)");
    if (v.secondsToDeadline > 0 && !settings.force && !v.seal)
        throw ProtocolError("Round " + std::to_string(t) + "'s deadline " + v.opening.deadline + " is " +
                            std::to_string(static_cast<long long>(std::ceil(v.secondsToDeadline))) +
                            " s away (close early with force)");
    const std::string seed = loadSeed(settings.stateDir, t, v.opening.seedCommitment);
    const fs::path work =
        (settings.downloadDir.empty() ? settings.stateDir / "network" : settings.downloadDir) / ("round-" + std::to_string(t));
    fs::create_directories(work);
    const auto state = ValidatorState::load(settings.stateDir);

    ValidatorResult applied;
    nlohmann::json report;
    std::vector<std::pair<std::int64_t, fs::path>> updates;
    std::string heldOutLabel;
    if (state.round == t) {
        // Seal: the next free slot; every commitment after it is late.
        if (!v.seal) {
            std::int64_t slot = 0;
            putSignedInSlot(
                store, t, nextSlot(v),
                [&](std::int64_t s) {
                    Seal seal{t, s, v.openingObject.sha256, nowIso()};
                    return SignedObject::sign("seal", seal.toJson(), validatorKey);
                },
                slot, &control);
            v = network.round(t, &control);
        }
        updates = fetchUpdates(store, v, work / "updates", &control);
        auto s = validatorSettingsFor(def, settings.modelDir, settings.stateDir, t, seed, settings.device);
        s.projectId = settings.projectId;
        // The revealed updates in slot order; with none, the (empty) folder: Φ stays, the round closes.
        fs::create_directories(work / "updates");
        s.submissionsDir = work / "updates";
        for (const auto& [slot, dir] : updates)
            s.submissions.push_back(dir);
        const TokenDataset data =
            heldOutData(store, def, settings.privateHeldOut, settings.modelDir, work / "data", control, heldOutLabel);
        if (s.submissions.empty())
            spdlog::info("network: round {} has no revealed update: Φ stays", t);
        auto scored = scoreRound(s, data, control);
        applied = applyRound(scored, data, control);
        report = applied.report;
        writeFileAtomically(work / "slots.json",
                            nlohmann::json{{"held_out", heldOutLabel}, {"report", report}}.dump() + "\n");
    } else if (state.round == t + 1 && fs::exists(work / "slots.json")) {
        // Scored and stepped before, killed before the result was published: publish it now.
        const auto j = nlohmann::json::parse(readFile(work / "slots.json"));
        report = j.at("report");
        heldOutLabel = j.value("held_out", "");
        fetchUpdates(store, v, work / "updates", &control);
    } else {
        throw ProtocolError("The validator state in " + settings.stateDir.string() + " is at round " +
                            std::to_string(state.round) + ", the network at round " + std::to_string(t));
    }

    const auto after = ValidatorState::load(settings.stateDir);
    const std::string phiOut = putContentAddressed(store, "phi/", after.phi, ".safetensors", &control);
    const std::string optOut = putContentAddressed(store, "optimizer/", after.optimizer, ".safetensors", &control);
    std::map<std::string, nlohmann::json> rowsByDir;
    // The report names each submission by its folder (canonical, as the validator listed it).
    const auto canonical = [](const fs::path& p) {
        std::error_code ec;
        const auto c = fs::weakly_canonical(p, ec);
        return (ec ? p : c).lexically_normal().string();
    };
    for (const auto& r : report.at("submissions"))
        rowsByDir[canonical(r.value("dir", ""))] = r;
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : v.entries) {
        auto r = entryRow(e);
        const fs::path local = work / "updates" / ("slot-" + std::to_string(e.slot));
        auto it = rowsByDir.find(canonical(local));
        if (e.state == EntryState::Uploaded && it != rowsByDir.end()) {
            const auto& row = it->second;
            const bool refused = row.value("verdict", "") != "accepted";
            r["state"] = refused ? "refused" : (row.value("weight", 0.0) > 0 ? "accepted" : "scored");
            r["code"] = row.value("verdict", "");
            r["message"] = row.value("message", "");
            if (!refused) {
                // What happened to an accepted update: its fate and weight, in a sentence.
                char buf[160];
                std::snprintf(buf, sizeof buf, "%s: weight %.3f", row.value("fate", "scored").c_str(),
                              row.value("weight", 0.0));
                r["message"] = buf;
            }
            for (const char* k : {"gain", "std_error", "lower_bound", "tokens", "batches", "significant", "score",
                                  "rank", "weight", "fate", "update_norm", "loss", "delta_sha256"})
                if (row.contains(k))
                    r[k] = row[k];
        } else {
            r["state"] = e.state == EntryState::Invalid ? "invalid" : "refused";
            r["code"] = e.code.empty() ? "not_revealed" : e.code;
            r["message"] = e.message;
            r["weight"] = 0.0;
        }
        entries.push_back(r);
    }
    nlohmann::json payload{{"round", t},
                           {"opening", v.openingObject.sha256},
                           {"network", network.definitionObject().sha256},
                           {"seal_slot", v.seal ? v.seal->slot : -1},
                           {"seed", seed},
                           {"eval", {{"batches", def.rules.evalBatches},
                                     {"batch_size", def.rules.evalBatchSize},
                                     {"seed", std::to_string(evalSeedOf(seed, t))}}},
                           {"held_out", heldOutLabel},
                           {"baseline_loss", report.value("baseline_loss", 0.0)},
                           {"new_loss", report.value("new_loss", 0.0)},
                           {"updated", report.value("updated", false)},
                           {"phi_in", v.opening.phi},
                           {"optimizer_in", v.opening.optimizer},
                           {"phi", phiOut},
                           {"phi_digest", tensorsDigest(loadTensorFile(after.phi))},
                           {"optimizer", optOut},
                           {"entries", entries},
                           {"closed_at", nowIso()}};
    const auto obj = SignedObject::sign("result", payload, validatorKey);
    PutOptions o;
    o.ifNoneMatch = true;
    store.putBytes(roundPrefix(t) + "result/" + obj.sha256 + ".json", obj.bytes, o, &control);
    CloseRoundResult out;
    out.view = network.round(t, &control);
    out.report = report;
    out.resultSha256 = obj.sha256;
    spdlog::info("network: closed round {}: loss {:.4f} -> {:.4f}, result {}", t,
                 report.value("baseline_loss", 0.0), report.value("new_loss", 0.0), obj.sha256.substr(0, 12));
    return out;
}

// ---- The miner ----

PullResult pullRound(Network& network, const fs::path& dir, JobControl* control)
{
    const auto latest = network.latestRound(control);
    if (!latest)
        throw ProtocolError("The network in " + network.store().describe() + " has no open round yet");
    const auto v = network.round(*latest, control);
    PullResult r;
    std::string phi;
    if (v.resultObject) {
        r.round = *latest + 1;
        r.open = false;
        phi = v.result.value("phi", "");
        if (!isHex(phi, 64))
            throw ProtocolError("Round " + std::to_string(*latest) + "'s result names no Φ(t+1)");
    } else {
        r.round = *latest;
        r.opening = v.opening;
        r.secondsToDeadline = v.secondsToDeadline;
        phi = v.opening.phi;
    }
    if (!phi.empty()) {
        r.phiFile = dir / ("phi-" + phi + ".safetensors");
        fetchContentAddressed(network.store(), "phi/" + phi + ".safetensors", phi, r.phiFile, control);
    }
    return r;
}

SubmitResult submitToRound(Network& network, const fs::path& submissionDir, const MinerKey& key,
                           const SubmitOptions& options, JobControl* control)
{
    const auto& def = network.definition();
    auto& store = network.store();
    const auto sub = Submission::open(submissionDir);
    const auto& m = sub->manifest();
    const auto latest = network.latestRound(control);
    if (!latest)
        throw ProtocolError("The network has no open round to submit to");
    const std::int64_t t = *latest;
    auto v = network.round(t, control);
    const std::string where = "The submission " + submissionDir.string();
    if (v.resultObject && !options.force)
        throw ProtocolError("Round " + std::to_string(t) + " is closed; wait for the next round");
    if (m.round != t)
        throw ProtocolError(where + " is for round " + std::to_string(m.round) + "; the network is at round " +
                            std::to_string(t) + " (pull Φ(t) and train again)");
    if (m.selectionHash != def.selection.hash())
        throw ProtocolError(where + " trains another expert selection than the network's");
    if (m.baseFingerprint != v.opening.phiFingerprint)
        throw ProtocolError(where + " is not built on round " + std::to_string(t) +
                            "'s Φ(t) (pull it with `teft pull` and train from it)");
    if (!sub->signature() || sub->signature()->publicKey != key.publicKeyHex())
        throw ProtocolError(where + " is not signed with this key (" + key.publicKeyHex().substr(0, 16) + "…)");
    const std::string encoding = m.toJson().value("encoding", std::string("f32"));
    if (std::find(def.rules.encodings.begin(), def.rules.encodings.end(), encoding) == def.rules.encodings.end())
        throw ProtocolError(where + " uses the encoding '" + encoding + "', which this network does not allow");
    if (!def.rules.openToAllMiners &&
        std::find(def.rules.miners.begin(), def.rules.miners.end(), key.publicKeyHex()) == def.rules.miners.end())
        throw ProtocolError("This key may not take part in the network (it is not among its miners)");
    const std::string package = sub->packageSha256();
    SubmitResult r;
    r.round = t;
    // A commitment this key made before: the same package resumes, another is refused.
    const RoundEntry* mine = nullptr;
    for (const auto& e : v.entries)
        if (e.commitment && e.signer == key.publicKeyHex() && e.code != "second_commitment" && e.code != "late") {
            mine = &e;
            break;
        }
    if (mine && mine->commitment->packageSha256 != package)
        throw ProtocolError("This key already committed to another update in round " + std::to_string(t) +
                            " (slot " + std::to_string(mine->slot) + "); a miner commits once a round");
    if (!mine) {
        if (!options.force) {
            if (v.seal)
                throw ProtocolError("Round " + std::to_string(t) + " is sealed: commitments are closed");
            if (v.secondsToDeadline <= 0)
                throw ProtocolError("Round " + std::to_string(t) + "'s deadline " + v.opening.deadline +
                                    " has passed (by this machine's clock)");
        }
        std::uint64_t bytes = 0;
        for (const auto& f : fs::directory_iterator(submissionDir))
            if (f.is_regular_file() && f.path().filename() == "experts.safetensors")
                bytes = f.file_size();
        const std::string miner = m.minerId;
        putSignedInSlot(
            store, t, nextSlot(v),
            [&](std::int64_t slot) {
                Commitment c{t, slot, v.openingObject.sha256, miner, package, encoding, bytes, nowIso()};
                return SignedObject::sign("commitment", c.toJson(), key);
            },
            r.slot, control);
        r.bytes = bytes;
    } else {
        r.slot = mine->slot;
        r.bytes = mine->commitment->bytes;
    }
    r.commitmentKey = slotKey(t, r.slot);
    // The upload: experts first, the manifest last (its presence marks a complete upload).
    const std::string up = roundPrefix(t) + "updates/" + package + "/";
    std::string folder = up + sha256Hex(key.publicKeyHex() + package).substr(0, 16) + "/";
    for (int attempt = 0; attempt < 3; ++attempt) {
        bool squatted = false;
        for (const char* f : {"experts.safetensors", "signature.json", "manifest.json"}) {
            const fs::path file = submissionDir / f;
            if (!fs::exists(file))
                continue;
            const std::string sha = sha256File(file);
            PutOptions o;
            o.ifNoneMatch = true;
            o.contentSha256 = sha;
            o.resumeStatePath = submissionDir.parent_path() / ("." + submissionDir.filename().string() + "." + f +
                                                                ".teft-upload.json");
            try {
                store.putFile(folder + f, file, o, control);
            } catch (const ObjectStoreError& e) {
                if (e.failure() != StoreFailure::AlreadyExists)
                    throw;
                // Already there: ours from an earlier attempt, or someone else's bytes.
                try {
                    GetOptions g;
                    g.expectedSha256 = sha;
                    const auto head = store.head(folder + f, control);
                    if (head && head->sha256 == sha)
                        continue;
                    store.getBytes(folder + f, g, control);
                } catch (const ObjectStoreError& e2) {
                    if (e2.failure() != StoreFailure::HashMismatch)
                        throw;
                    squatted = true;
                    break;
                }
            }
        }
        if (!squatted) {
            r.uploadPrefix = folder;
            return r;
        }
        spdlog::warn("network: {} holds other bytes; uploading under another name", folder);
        folder = up + randomHex(8) + "/";
    }
    throw ProtocolError("Could not upload the update: every upload name tried holds other bytes");
}

// ---- Anyone ----

VerifyReport verifyRound(Network& network, std::int64_t t, const VerifyRoundSettings& settings, JobControl& control)
{
    VerifyReport rep;
    rep.round = t;
    auto& store = network.store();
    const auto& def = network.definition();
    auto check = [&](bool ok, const std::string& what) {
        (ok ? rep.checks : rep.failures).push_back(what);
        return ok;
    };
    check(true, "network.json is signed by its validator " + def.validatorKey.substr(0, 16) + "…");
    RoundView v = network.round(t, &control);
    check(true, "round " + std::to_string(t) + " has one opening signed by the validator");
    if (!v.resultObject) {
        check(false, "round " + std::to_string(t) + " has no published result");
        return rep;
    }
    const auto& res = v.result;
    const std::string seed = res.value("seed", "");
    check(isHex(seed, 64) && seedCommitmentOf(seed) == v.opening.seedCommitment,
          "the revealed seed matches the opening's seed commitment");
    check(res.value("eval", nlohmann::json::object()).value("seed", "") == std::to_string(evalSeedOf(seed, t)),
          "the held-out batches' seed is derived from the revealed seed");
    check(v.seal.has_value() && res.value("seal_slot", -2) == v.seal->slot, "the round was sealed at the slot the result names");
    check(res.value("phi_in", "x") == v.opening.phi, "the result builds on the opening's Φ(t)");
    if (t > 0) {
        const auto prev = network.round(t - 1, &control);
        check(prev.resultObject && prev.resultObject->sha256 == v.opening.previousResult &&
                  prev.result.value("phi", "") == v.opening.phi &&
                  prev.result.value("optimizer", "") == v.opening.optimizer,
              "the opening chains to round " + std::to_string(t - 1) + "'s result and its Φ and momentum");
    }
    // Every slot's fate that follows from the public objects alone.
    fs::path work = settings.workDir;
    std::optional<fs::path> tmp;
    if (work.empty()) {
        tmp = fs::temp_directory_path() / ("teft-verify-" + randomHex(6));
        work = *tmp;
    }
    work /= "round-" + std::to_string(t);
    fs::remove_all(work); // a fresh look every time: nothing from an earlier check is reused
    fs::create_directories(work);
    struct Cleanup {
        std::optional<fs::path> p;
        ~Cleanup()
        {
            std::error_code ec;
            if (p)
                fs::remove_all(*p, ec);
        }
    } cleanup{tmp};
    std::map<std::int64_t, nlohmann::json> rows;
    for (const auto& r : res.value("entries", nlohmann::json::array()))
        rows[r.value("slot", std::int64_t(-1))] = r;
    RoundView fresh = v;
    for (auto& e : fresh.entries) // forget the result's states: recompute from the objects
        if (e.state != EntryState::Invalid && e.code != "late" && e.code != "second_commitment" &&
            e.code != "unknown_key" && e.code != "wrong_encoding") {
            e.state = e.commitment ? EntryState::Committed : EntryState::Invalid;
            e.code.clear();
        }
    const auto updates = fetchUpdates(store, fresh, work / "updates", &control);
    std::size_t mismatched = 0;
    for (const auto& e : fresh.entries) {
        if (e.slot > (v.seal ? v.seal->slot : -1) && v.seal)
            continue; // after the seal: late, not part of the result
        auto it = rows.find(e.slot);
        if (it == rows.end()) {
            check(false, "slot " + std::to_string(e.slot) + " is missing from the result");
            ++mismatched;
            continue;
        }
        const std::string state = it->second.value("state", "");
        if (e.state == EntryState::Uploaded) {
            if (state == "refused" && (it->second.value("code", "") == "not_revealed" ||
                                       it->second.value("code", "") == "commitment_mismatch")) {
                check(false, "slot " + std::to_string(e.slot) + " has a matching upload but the result says " +
                                 it->second.value("code", ""));
                ++mismatched;
            }
        } else if (state != "refused" && state != "invalid") {
            check(false, "slot " + std::to_string(e.slot) + " is " + state + " in the result, but " +
                             (e.message.empty() ? std::string("it has no upload") : e.message) + " (" +
                             (e.code.empty() ? "not_revealed" : e.code) + ")");
            ++mismatched;
        } else if (e.code != it->second.value("code", "") && !(e.code.empty() && state == "invalid")) {
            check(false, "slot " + std::to_string(e.slot) + " is refused as " + it->second.value("code", "") +
                             " in the result, " + e.code + " here");
            ++mismatched;
        }
    }
    if (mismatched == 0)
        check(true, std::to_string(fresh.entries.size()) + " slots: every commitment's state follows from the public objects, each upload matches its committed hash");
    double weightSum = 0;
    for (const auto& [slot, r] : rows)
        weightSum += r.value("weight", 0.0);
    check(std::abs(weightSum - 1.0) < 1e-9 || weightSum == 0.0, "the weights sum to 1 (or 0: no update)");
    // Φ(t+1) and the momentum are in the store under their hashes.
    const std::string phiOut = res.value("phi", "");
    const fs::path phiFile = work / "phi-out.safetensors";
    try {
        fetchContentAddressed(store, "phi/" + phiOut + ".safetensors", phiOut, phiFile, &control);
        check(tensorsDigest(loadTensorFile(phiFile)) == res.value("phi_digest", ""),
              "Φ(t+1) is in the store under its hash " + phiOut.substr(0, 12) + "…, with the digest the result names");
    } catch (const Error& e) {
        check(false, std::string("Φ(t+1) could not be fetched: ") + e.what());
    }

    // Recompute scores and Φ(t+1) with the model.
    if (!settings.modelDir.empty() && (!def.heldOut.is_null() || !settings.heldOut.is_null())) {
        const fs::path state = work / "state";
        fs::remove_all(state);
        fs::create_directories(state);
        nlohmann::json st{{"format", "teft-validator-state"}, {"round", t}};
        if (!v.opening.phi.empty()) {
            fetchContentAddressed(store, "phi/" + v.opening.phi + ".safetensors", v.opening.phi, state / "phi.safetensors",
                                  &control);
            st["phi"] = "phi.safetensors";
        }
        if (!v.opening.optimizer.empty()) {
            fetchContentAddressed(store, "optimizer/" + v.opening.optimizer + ".safetensors", v.opening.optimizer,
                                  state / "optimizer.safetensors", &control);
            st["optimizer"] = "optimizer.safetensors";
        }
        writeFileAtomically(state / "state.json", st.dump() + "\n");
        auto s = validatorSettingsFor(def, settings.modelDir, state, t, seed, settings.device);
        s.recordJob = false; // a check, not a round of this user's
        fs::create_directories(work / "updates");
        s.submissionsDir = work / "updates";
        for (const auto& [slot, dir] : updates)
            s.submissions.push_back(dir);
        std::string label;
        const TokenDataset data =
            heldOutData(store, def, settings.heldOut, settings.modelDir, work / "data", control, label);
        auto scored = scoreRound(s, data, control);
        if (scored.verdicts.size() != updates.size())
            throw Error("verify: " + std::to_string(scored.verdicts.size()) + " submissions scored for " +
                        std::to_string(updates.size()) + " revealed updates");
        std::vector<double> weights;
        std::size_t agree = 0;
        bool scoresOk = true;
        for (std::size_t k = 0; k < scored.verdicts.size(); ++k) {
            const std::int64_t slot = updates[k].first;
            const auto& row = rows[slot];
            const auto& mine = scored.row(k);
            const bool sameVerdict = mine.value("verdict", "") == row.value("code", "");
            bool sameGain = true;
            if (mine.contains("gain") && mine["gain"].is_number() && row.contains("gain") && row["gain"].is_number()) {
                const double a = mine["gain"].get<double>(), b = row["gain"].get<double>();
                sameGain = std::abs(a - b) <= 1e-5 + 1e-3 * std::abs(b);
            }
            if (sameVerdict && sameGain)
                ++agree;
            else {
                scoresOk = false;
                check(false, "slot " + std::to_string(slot) + ": recomputed " + mine.value("verdict", "") +
                                 (mine.contains("gain") ? " gain " + mine["gain"].dump() : "") + ", the result says " +
                                 row.value("code", "") + (row.contains("gain") ? " gain " + row["gain"].dump() : ""));
            }
            if (scored.verdicts[k].accepted)
                weights.push_back(row.value("weight", 0.0));
        }
        if (scoresOk)
            check(true, std::to_string(agree) + " verdicts and gains recomputed on the held-out batches of the revealed seed agree with the result");
        try {
            auto stepped = applyRound(scored, data, control, weights);
            const auto mineDigest = tensorsDigest(loadTensorFile(stepped.phiFile));
            if (mineDigest == res.value("phi_digest", "")) {
                check(true, "Φ(t+1) recomputed with the published weights is bit-identical");
            } else {
                const auto a = loadTensorFile(stepped.phiFile);
                const auto b = loadTensorFile(phiFile);
                double worst = 0;
                for (const auto& [name, x] : a) {
                    auto it = b.find(name);
                    if (it == b.end()) {
                        worst = INFINITY;
                        break;
                    }
                    worst = std::max(worst, (x - it->second).abs().max().item<double>() /
                                                std::max(1e-30, it->second.abs().max().item<double>()));
                }
                check(worst <= 1e-5, "Φ(t+1) recomputed with the published weights differs by at most " +
                                         std::to_string(worst) + " (relative) from the published one");
            }
            rep.recomputed = true;
        } catch (const Error& e) {
            check(false, std::string("the outer step could not be recomputed: ") + e.what());
        }
    }
    rep.ok = rep.failures.empty();
    return rep;
}

} // namespace teft::net
