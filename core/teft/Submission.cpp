#include "core/teft/Submission.h"

#include "core/io/SafetensorsDtype.h"
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/StrictJson.h"
#include "core/teft/MinerKey.h"
#include "core/util/AtomicFile.h"
#include "core/util/StaleTemporaries.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"
#include "core/util/Progress.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <set>
#include <torch/torch.h>
#include <unistd.h>

namespace teft {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kManifestFile = "manifest.json";
constexpr const char* kTensorsFile = "experts.safetensors";
constexpr const char* kSignatureFile = "signature.json";
// Limits on the small files a peer sends: a manifest lists one entry per trained expert tensor
// (a few hundred bytes each), a signature is a key, a hash and a signature.
constexpr std::uint64_t kMaxManifestBytes = 16u << 20;
constexpr std::uint64_t kMaxSignatureBytes = 64u << 10;

std::string nowIso8601()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

template <typename T>
T field(const json& j, const char* key, const char* what)
{
    if (!j.contains(key))
        throw FormatError(std::string(what) + ": \"" + key + "\" is missing");
    try {
        return j.at(key).get<T>();
    } catch (const json::exception&) {
        throw FormatError(std::string(what) + ": \"" + key + "\" has the wrong type (" + j.at(key).dump() + ")");
    }
}

void hashTensor(Sha256& h, const std::string& name, const std::string& dtype, const std::vector<std::int64_t>& shape,
                const void* data, std::size_t size)
{
    std::string head = name + "\n" + dtype + "\n";
    for (auto d : shape)
        head += std::to_string(d) + ",";
    head += "\n" + std::to_string(size) + "\n";
    h.update(head);
    h.update(data, size);
}

void hashFile(Sha256& h, const fs::path& path)
{
    const OpenedFile f = openRegularFile(path); // a FIFO or a device is refused, never waited on
    std::vector<char> buf(1 << 20);
    for (;;) {
        const ssize_t n = ::read(f.fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            const int err = errno;
            ::close(f.fd);
            throw Error("Cannot read " + path.string() + " to hash it: " + std::strerror(err));
        }
        if (n == 0)
            break;
        h.update(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(f.fd);
}

std::string packageHash(const std::string& manifestBytes, const fs::path& tensorsPath)
{
    Sha256 h;
    h.update("teft-submission-v1\n" + std::to_string(manifestBytes.size()) + "\n");
    h.update(manifestBytes);
    hashFile(h, tensorsPath);
    return h.hex();
}
} // namespace

json SubmissionManifest::toJson() const
{
    json j{{"format", "teft-submission"},
           {"version", formatVersion},
           {"update", "delta"},
           {"base_fingerprint", baseFingerprint},
           {"selection_hash", selectionHash},
           {"round", round},
           {"miner_id", minerId},
           {"public_key", publicKey},
           {"inner_steps", innerSteps},
           {"tokens_seen", tokensSeen},
           {"data_shard", dataShard},
           {"training", training},
           {"created_at", createdAt},
           {"delta_sha256", deltaSha256},
           {"tensor_count", tensorCount}};
    if (formatVersion >= 2)
        j["encoding"] = deltaEncodingName(encoding);
    return j;
}

SubmissionManifest SubmissionManifest::fromJson(const json& j)
{
    const char* what = "Submission manifest";
    if (!j.is_object() || j.value("format", std::string()) != "teft-submission")
        throw FormatError("Not a TEFT submission manifest: \"format\" is not \"teft-submission\"");
    // Every key is one the format has: the manifest is signed, and a key the validator ignored
    // (a newer format's, a typo of a real one) would be signed without meaning anything here.
    SubmissionManifest m;
    m.formatVersion = field<int>(j, "version", what);
    if (m.formatVersion != 1 && m.formatVersion != 2)
        throw FormatError("Submission manifest version " + std::to_string(m.formatVersion) +
                          " is not supported (expected 1 or " + std::to_string(kFormatVersion) + ")");
    static const std::set<std::string> known = {"format",         "version",      "update",      "base_fingerprint",
                                                "selection_hash", "round",        "miner_id",    "public_key",
                                                "inner_steps",    "tokens_seen",  "data_shard",  "training",
                                                "created_at",     "delta_sha256", "tensor_count"};
    for (const auto& [key, value] : j.items())
        if (!known.count(key) && !(key == "encoding" && m.formatVersion >= 2))
            throw FormatError("Submission manifest: unknown key \"" + key + "\" (a version " +
                              std::to_string(m.formatVersion) +
                              " manifest has only format, version, update, base_fingerprint, selection_hash, round, "
                              "miner_id, public_key, inner_steps, tokens_seen, data_shard, training, created_at, "
                              "delta_sha256" + (m.formatVersion >= 2 ? ", tensor_count and encoding" : " and tensor_count") +
                              ")");
    // Version 1 predates the encodings: its tensors are f32.
    m.encoding = DeltaEncoding::F32;
    if (m.formatVersion >= 2) {
        const auto name = field<std::string>(j, "encoding", what);
        try {
            m.encoding = parseDeltaEncoding(name);
        } catch (const UsageError&) {
            throw FormatError("Submission manifest: \"encoding\" is \"" + name + "\", not f32, bf16 or int8");
        }
    }
    if (field<std::string>(j, "update", what) != "delta")
        throw FormatError("Submission manifest: \"update\" must be \"delta\" (Φ(t) − Φ_i)");
    m.baseFingerprint = field<std::string>(j, "base_fingerprint", what);
    m.selectionHash = field<std::string>(j, "selection_hash", what);
    m.round = field<std::int64_t>(j, "round", what);
    m.minerId = field<std::string>(j, "miner_id", what);
    m.publicKey = field<std::string>(j, "public_key", what);
    m.innerSteps = field<std::int64_t>(j, "inner_steps", what);
    m.tokensSeen = field<std::int64_t>(j, "tokens_seen", what);
    m.dataShard = field<std::string>(j, "data_shard", what);
    m.training = j.contains("training") ? j["training"] : json::object();
    m.createdAt = field<std::string>(j, "created_at", what);
    m.deltaSha256 = field<std::string>(j, "delta_sha256", what);
    m.tensorCount = field<std::int64_t>(j, "tensor_count", what);
    return m;
}

json SubmissionSignature::toJson() const
{
    return json{{"format", "teft-submission-signature"},
                {"version", 1},
                {"algorithm", algorithm},
                {"public_key", publicKey},
                {"sha256", sha256},
                {"signature", signature}};
}

SubmissionSignature SubmissionSignature::fromJson(const json& j)
{
    const char* what = "Submission signature";
    if (!j.is_object() || j.value("format", std::string()) != "teft-submission-signature")
        throw FormatError("Not a submission signature: \"format\" is not \"teft-submission-signature\"");
    SubmissionSignature s;
    s.algorithm = field<std::string>(j, "algorithm", what);
    s.publicKey = field<std::string>(j, "public_key", what);
    s.sha256 = field<std::string>(j, "sha256", what);
    s.signature = field<std::string>(j, "signature", what);
    return s;
}

std::string tensorsDigest(const TensorMap& tensors)
{
    Sha256 h;
    h.update("teft-tensors-v1\n");
    for (const auto& [name, t] : tensors) {
        const at::Tensor c = t.detach().to(torch::kCPU).contiguous();
        hashTensor(h, name, safetensorsDtypeName(c.scalar_type()), c.sizes().vec(), c.data_ptr(),
                   static_cast<std::size_t>(c.nbytes()));
    }
    return h.hex();
}

std::string tensorsDigest(const SafetensorsFile& file)
{
    std::vector<const TensorInfo*> infos;
    for (const auto& info : file.tensors())
        infos.push_back(&info);
    std::sort(infos.begin(), infos.end(), [](const TensorInfo* a, const TensorInfo* b) { return a->name < b->name; });
    Sha256 h;
    h.update("teft-tensors-v1\n");
    for (const TensorInfo* info : infos) {
        const auto bytes = file.bytes(info->name);
        hashTensor(h, info->name, info->dtype, info->shape, bytes.data(), bytes.size());
    }
    return h.hex();
}

std::string baseFingerprint(const TensorMap& baseExperts, const std::string& configIdentity)
{
    return sha256Hex("teft-base-v1\n" + configIdentity + "\n" + tensorsDigest(baseExperts));
}

std::string signatureMessage(const std::string& packageSha256) { return "teft-submission-v1:" + packageSha256; }

SubmissionWriteResult writeSubmission(const fs::path& dir, SubmissionManifest manifest, const TensorMap& deltas,
                                      const MinerKey* key, JobControl* control)
{
    if (deltas.empty())
        throw Error("A submission needs at least one expert tensor");
    const TensorMap encoded = encodeDeltas(deltas, manifest.encoding);
    return writeEncodedSubmission(dir, std::move(manifest), encoded, key, control);
}

SubmissionWriteResult writeEncodedSubmission(const fs::path& dir, SubmissionManifest manifest, const TensorMap& deltas,
                                             const MinerKey* key, JobControl* control)
{
    if (deltas.empty())
        throw Error("A submission needs at least one expert tensor");
    if (key) {
        manifest.publicKey = key->publicKeyHex();
        if (manifest.minerId.empty())
            manifest.minerId = key->minerId();
    } else {
        manifest.publicKey.clear();
    }
    if (manifest.createdAt.empty())
        manifest.createdAt = nowIso8601();
    manifest.deltaSha256 = tensorsDigest(deltas);
    manifest.tensorCount = static_cast<std::int64_t>(deltas.size());
    manifest.formatVersion = SubmissionManifest::kFormatVersion;

    const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
    fs::create_directories(parent);
    // Hidden until renamed: a validator listing the folder skips names that start with '.'.
    const fs::path tmp = parent / ("." + dir.filename().string() + ".tmp-" + std::to_string(::getpid()));
    std::error_code ec;
    fs::remove_all(tmp, ec);
    removeStaleTemporaries(parent, [&](const std::string& target) { return target == dir.filename().string(); });
    fs::create_directories(tmp);
    try {
        SafetensorsWriter writer(tmp / kTensorsFile);
        for (const auto& [name, t] : deltas)
            writer.add(name, t);
        writer.setMetadata("teft", "submission-delta");
        writer.write(control);

        const std::string manifestBytes = manifest.toJson().dump(1) + "\n";
        writeFileAtomically(tmp / kManifestFile, manifestBytes);
        SubmissionWriteResult result;
        result.packageSha256 = packageHash(manifestBytes, tmp / kTensorsFile);
        result.deltaSha256 = manifest.deltaSha256;
        result.tensorBytes = writer.dataBytes();
        if (key) {
            SubmissionSignature sig;
            sig.publicKey = key->publicKeyHex();
            sig.sha256 = result.packageSha256;
            sig.signature = key->sign(signatureMessage(result.packageSha256));
            writeFileAtomically(tmp / kSignatureFile, sig.toJson().dump(1) + "\n");
        }
        fs::remove_all(dir, ec);
        fs::rename(tmp, dir);
        syncDirectory(parent);
        result.dir = dir;
        result.manifest = std::move(manifest);
        return result;
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
}

std::shared_ptr<const Submission> Submission::open(const fs::path& dir)
{
    auto s = std::make_shared<Submission>();
    s->m_dir = dir;
    if (!fs::is_directory(dir))
        throw FormatError(dir.string() + " is not a submission folder");
    if (!fs::exists(dir / kManifestFile))
        throw FormatError(dir.string() + " has no " + kManifestFile);
    if (!fs::exists(dir / kTensorsFile))
        throw FormatError(dir.string() + " has no " + kTensorsFile);
    s->m_manifestBytes = readFile(dir / kManifestFile, kMaxManifestBytes);
    // Strict: the signature covers these bytes, so no repeated key may let two readers see two values.
    const json manifest = parseJsonStrict(s->m_manifestBytes, (dir / kManifestFile).string());
    try {
        s->m_manifest = SubmissionManifest::fromJson(manifest);
    } catch (const json::exception& e) { // a field of the wrong type
        throw FormatError((dir / kManifestFile).string() + ": " + e.what());
    } catch (const FormatError& e) {
        throw FormatError((dir / kManifestFile).string() + ": " + e.what());
    }
    if (fs::exists(dir / kSignatureFile)) {
        const json signature = readJsonFile(dir / kSignatureFile, {}, DuplicateKeys::Refuse, kMaxSignatureBytes);
        try {
            s->m_signature = SubmissionSignature::fromJson(signature);
        } catch (const json::exception& e) { // a field of the wrong type
            throw FormatError((dir / kSignatureFile).string() + ": " + e.what());
        } catch (const FormatError& e) {
            throw FormatError((dir / kSignatureFile).string() + ": " + e.what());
        }
    }
    s->m_tensors = SafetensorsFile::open(dir / kTensorsFile);
    return s;
}

std::vector<std::string> Submission::tensorNames() const
{
    const std::string suffix = kInt8ScaleSuffix;
    std::vector<std::string> names;
    for (const auto& info : m_tensors->tensors()) {
        const bool scale = info.name.size() >= suffix.size() &&
                           info.name.compare(info.name.size() - suffix.size(), suffix.size(), suffix) == 0;
        if (!(scale && encoding() == DeltaEncoding::Int8))
            names.push_back(info.name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

at::Tensor Submission::delta(const std::string& name) const
{
    TensorMap one{{name, m_tensors->tensor(name)}};
    if (encoding() == DeltaEncoding::Int8) {
        const std::string scale = name + kInt8ScaleSuffix;
        if (m_tensors->contains(scale))
            one[scale] = m_tensors->tensor(scale);
    }
    return decodeDeltas(one, encoding()).at(name);
}

std::uint64_t Submission::encodedBytes() const { return m_tensors->dataSize(); }

std::string Submission::packageSha256() const { return packageHash(m_manifestBytes, m_dir / kTensorsFile); }

std::string Submission::deltaSha256() const { return tensorsDigest(*m_tensors); }

} // namespace teft
