#include "core/teft/SubmissionVerifier.h"

#include "core/io/SafetensorsFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <torch/torch.h>

namespace teft {
namespace fs = std::filesystem;

std::string reasonCode(RefusalReason reason)
{
    switch (reason) {
    case RefusalReason::None: return "accepted";
    case RefusalReason::Malformed: return "malformed";
    case RefusalReason::HashMismatch: return "hash_mismatch";
    case RefusalReason::Unsigned: return "unsigned";
    case RefusalReason::UnknownKey: return "unknown_key";
    case RefusalReason::BadSignature: return "bad_signature";
    case RefusalReason::BaseFingerprintMismatch: return "wrong_base";
    case RefusalReason::SelectionMismatch: return "wrong_selection";
    case RefusalReason::RoundMismatch: return "wrong_round";
    case RefusalReason::MissingTensor: return "missing_tensor";
    case RefusalReason::ExtraTensor: return "extra_tensor";
    case RefusalReason::ShapeMismatch: return "wrong_shape";
    case RefusalReason::DtypeMismatch: return "wrong_dtype";
    case RefusalReason::NonFinite: return "non_finite";
    case RefusalReason::NormTooLarge: return "norm_too_large";
    case RefusalReason::DuplicateCopy: return "duplicate";
    }
    return "malformed";
}

nlohmann::json Verdict::toJson() const
{
    return nlohmann::json{
        {"dir", dir.string()},       {"accepted", accepted},      {"code", code},
        {"message", message},        {"miner_id", minerId},       {"signature_verified", signatureVerified},
        {"known_miner", knownMiner}, {"update_norm", updateNorm}, {"delta_sha256", deltaSha256}};
}

SubmissionVerifier::SubmissionVerifier(VerifierPolicy policy) : m_policy(std::move(policy)) {}

namespace {
std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

struct Refusal {
    RefusalReason reason;
    std::string message;
};
} // namespace

Verdict SubmissionVerifier::verify(const fs::path& dir) const { return check(dir); }

Verdict SubmissionVerifier::check(const fs::path& dir) const
{
    Verdict v;
    v.dir = dir;
    auto refuse = [&](RefusalReason r, std::string msg) {
        v.accepted = false;
        v.reason = r;
        v.code = reasonCode(r);
        v.message = std::move(msg);
        return v;
    };
    const std::string who = dir.filename().string();
    try {
        v.submission = Submission::open(dir);
    } catch (const Error& e) {
        return refuse(RefusalReason::Malformed, e.what());
    }
    const Submission& s = *v.submission;
    const SubmissionManifest& m = s.manifest();
    v.minerId = m.minerId;

    try {
        if (m.tensorCount != static_cast<std::int64_t>(s.tensors().tensors().size()))
            return refuse(RefusalReason::Malformed,
                          "Submission " + who + ": the manifest lists " + std::to_string(m.tensorCount) +
                              " tensors, experts.safetensors holds " + std::to_string(s.tensors().tensors().size()));
        if (m.innerSteps < 0 || m.tokensSeen < 0 || m.round < 0)
            return refuse(RefusalReason::Malformed,
                          "Submission " + who + ": round, inner_steps and tokens_seen cannot be negative");
        // Integrity: the files are what was hashed (and signed).
        const std::string packageSha = s.packageSha256();
        v.deltaSha256 = s.deltaSha256();
        if (v.deltaSha256 != m.deltaSha256)
            return refuse(RefusalReason::HashMismatch, "Submission " + who + ": the tensors' content hash " +
                                                           v.deltaSha256 +
                                                           " differs from the manifest's delta_sha256 " +
                                                           m.deltaSha256 + " (tensors changed after packaging)");
        if (s.signature() && s.signature()->sha256 != packageSha)
            return refuse(RefusalReason::HashMismatch, "Submission " + who + ": the package hash " + packageSha +
                                                           " differs from the signed hash " + s.signature()->sha256 +
                                                           " (manifest or tensors changed after signing)");

        // Authenticity.
        if (!s.signature()) {
            if (!m_policy.allowUnsigned)
                return refuse(RefusalReason::Unsigned, "Submission " + who + " from miner '" + m.minerId +
                                                           "' is not signed, and unsigned submissions are not allowed");
        } else {
            const SubmissionSignature& sig = *s.signature();
            if (sig.algorithm != "ed25519")
                return refuse(RefusalReason::BadSignature,
                              "Submission " + who + ": signature algorithm '" + sig.algorithm + "' is not ed25519");
            if (sig.publicKey != m.publicKey)
                return refuse(RefusalReason::BadSignature,
                              "Submission " + who + ": the signature is by another key than the manifest's public_key");
            const auto known = m_policy.knownMiners.findByKey(sig.publicKey);
            v.knownMiner = known.has_value();
            if (!known && !m_policy.allowUnknownKeys)
                return refuse(RefusalReason::UnknownKey, "Submission " + who + " is signed by key " + sig.publicKey +
                                                             " (claimed miner '" + m.minerId +
                                                             "'), which is not in the known-miners list");
            if (!MinerKey::verify(signatureMessage(packageSha), sig.signature, sig.publicKey))
                return refuse(RefusalReason::BadSignature, "Submission " + who +
                                                               ": the Ed25519 signature does not verify with key " +
                                                               sig.publicKey + " (claimed miner '" + m.minerId + "')");
            v.signatureVerified = true;
            if (known && !known->minerId.empty() && known->minerId != m.minerId)
                return refuse(RefusalReason::BadSignature, "Submission " + who + " claims miner id '" + m.minerId +
                                                               "' but its key belongs to known miner '" +
                                                               known->minerId + "'");
        }

        // Built on the right Φ(t), for the right selection and round.
        if (m.baseFingerprint != m_policy.baseFingerprint)
            return refuse(RefusalReason::BaseFingerprintMismatch, "Submission " + who + " was trained from base " +
                                                                      m.baseFingerprint + ", not the current base " +
                                                                      m_policy.baseFingerprint);
        if (m.selectionHash != m_policy.selectionHash)
            return refuse(RefusalReason::SelectionMismatch, "Submission " + who + " is for expert selection " +
                                                                m.selectionHash + ", not " + m_policy.selectionHash);
        if (m_policy.round && m.round != *m_policy.round)
            return refuse(RefusalReason::RoundMismatch, "Submission " + who + " is for round " +
                                                            std::to_string(m.round) + ", not round " +
                                                            std::to_string(*m_policy.round));

        // Exactly the expected tensors.
        std::map<std::string, const ExpectedTensor*> expected;
        for (const auto& e : m_policy.expected)
            expected[e.name] = &e;
        std::set<std::string> present;
        for (const auto& info : s.tensors().tensors())
            present.insert(info.name);
        for (const auto& [name, e] : expected)
            if (!present.count(name))
                return refuse(RefusalReason::MissingTensor,
                              "Submission " + who + " lacks tensor " + name + " of the selected experts");
        for (const auto& name : present)
            if (!expected.count(name))
                return refuse(RefusalReason::ExtraTensor, "Submission " + who + " has tensor " + name +
                                                              ", which is not one of the selected experts");
        for (const auto& info : s.tensors().tensors()) {
            const ExpectedTensor& e = *expected.at(info.name);
            if (info.shape != e.shape)
                return refuse(RefusalReason::ShapeMismatch, "Submission " + who + ": tensor " + info.name +
                                                                " has shape " + shapeText(info.shape) + ", expected " +
                                                                shapeText(e.shape));
            if (info.dtype != e.dtype)
                return refuse(RefusalReason::DtypeMismatch, "Submission " + who + ": tensor " + info.name +
                                                                " has dtype " + info.dtype + ", expected " + e.dtype);
        }

        // Values.
        double sumSquares = 0.0;
        for (const auto& info : s.tensors().tensors()) {
            const at::Tensor t = s.delta(info.name);
            if (!torch::isfinite(t).all().item<bool>())
                return refuse(RefusalReason::NonFinite,
                              "Submission " + who + ": tensor " + info.name + " contains NaN or infinite values");
            sumSquares += t.to(torch::kDouble).pow(2).sum().item<double>();
        }
        v.updateNorm = std::sqrt(sumSquares);
        if (m_policy.maxUpdateNorm > 0 && !(v.updateNorm <= m_policy.maxUpdateNorm))
            return refuse(RefusalReason::NormTooLarge, "Submission " + who + ": update norm " +
                                                           std::to_string(v.updateNorm) + " exceeds the bound " +
                                                           std::to_string(m_policy.maxUpdateNorm));
    } catch (const Error& e) {
        return refuse(RefusalReason::Malformed, "Submission " + who + ": " + e.what());
    } catch (const c10::Error& e) {
        return refuse(RefusalReason::Malformed, "Submission " + who + ": " + e.what_without_backtrace());
    }
    v.accepted = true;
    v.reason = RefusalReason::None;
    v.code = reasonCode(RefusalReason::None);
    v.message = "Submission " + who + " from miner '" + m.minerId + "' passed all checks";
    return v;
}

std::vector<Verdict> SubmissionVerifier::verifyAll(const std::vector<fs::path>& dirs, JobControl* control) const
{
    std::vector<Verdict> out;
    std::map<std::string, std::string> firstByContent; // delta hash -> folder
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        if (control) {
            control->checkpoint();
            control->report(static_cast<std::int64_t>(i), static_cast<std::int64_t>(dirs.size()), "verifying",
                            dirs[i].filename().string());
        }
        Verdict v = check(dirs[i]);
        if (v.accepted) {
            const auto [it, inserted] = firstByContent.emplace(v.deltaSha256, dirs[i].filename().string());
            if (!inserted) {
                v.accepted = false;
                v.reason = RefusalReason::DuplicateCopy;
                v.code = reasonCode(v.reason);
                v.message = "Submission " + dirs[i].filename().string() +
                            " is an exact copy of the earlier submission " + it->second;
            }
        }
        out.push_back(std::move(v));
    }
    if (control)
        control->report(static_cast<std::int64_t>(dirs.size()), static_cast<std::int64_t>(dirs.size()), "verifying");
    return out;
}

std::vector<fs::path> SubmissionVerifier::listSubmissions(const fs::path& folder)
{
    if (!fs::is_directory(folder))
        throw Error(folder.string() + " is not a folder of submissions");
    std::vector<std::pair<fs::file_time_type, fs::path>> found;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (!entry.is_directory())
            continue;
        const fs::path manifest = entry.path() / "manifest.json";
        std::error_code ec;
        const auto t = fs::last_write_time(manifest, ec);
        if (!ec)
            found.emplace_back(t, entry.path());
    }
    std::sort(found.begin(), found.end());
    std::vector<fs::path> out;
    for (auto& f : found)
        out.push_back(std::move(f.second));
    return out;
}

} // namespace teft
