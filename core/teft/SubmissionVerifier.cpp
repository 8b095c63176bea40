#include "core/teft/SubmissionVerifier.h"

#include "core/io/SafetensorsFile.h"
#include "core/io/StrictJson.h"
#include "core/text/Unicode.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <torch/torch.h>

namespace teft {
namespace fs = std::filesystem;
using json = nlohmann::json;

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
    case RefusalReason::MinerIdMismatch: return "wrong_miner_id";
    case RefusalReason::EncodingNotAllowed: return "wrong_encoding";
    }
    return "malformed";
}

nlohmann::json Verdict::toJson() const
{
    return nlohmann::json{{"dir", text::repairUtf8(dir.string())},
                          {"accepted", accepted},
                          {"code", code},
                          {"message", message},
                          {"miner_id", minerId},
                          {"signature_verified", signatureVerified},
                          {"known_miner", knownMiner},
                          {"update_norm", updateNorm},
                          {"delta_sha256", deltaSha256},
                          {"package_sha256", packageSha256},
                          {"received_scan", receivedScan}};
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

namespace {
// What a verdict says comes partly from the sender (a folder name, a miner id, the bytes a parse
// error quotes): made valid UTF-8, so that the round's JSON report can always be written (an
// invalid byte once ended the whole round with "invalid UTF-8 byte" and no report).
Verdict& printable(Verdict& v)
{
    v.message = text::repairUtf8(v.message);
    v.minerId = text::repairUtf8(v.minerId);
    return v;
}
} // namespace

Verdict SubmissionVerifier::verify(const fs::path& dir) const
{
    Verdict v = check(dir);
    return printable(v);
}

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
    const std::string who = text::repairUtf8(dir.filename().string());
    std::error_code ec;
    // The name is the submission's key in the validator's receipt log and report: text, not bytes.
    if (!text::isValidUtf8(dir.filename().string()))
        return refuse(RefusalReason::Malformed, "Submission folder '" + who + "' has a name that is not valid UTF-8");
    // A submission is a folder of its own: a link to another miner's folder would take its slot,
    // a link inside could point anywhere on the validator's disk.
    if (fs::is_symlink(fs::symlink_status(dir, ec)))
        return refuse(RefusalReason::Malformed, "Submission " + who + " is a symbolic link (to " +
                                                    fs::read_symlink(dir, ec).string() + "), not a folder of its own");
    if (!fs::is_directory(fs::symlink_status(dir, ec)))
        return refuse(RefusalReason::Malformed, "Submission " + who + " is not a folder");
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_symlink(ec))
            return refuse(RefusalReason::Malformed, "Submission " + who + " contains a symbolic link, " +
                                                        entry.path().filename().string() +
                                                        ": every file must be a regular file of its own");
    try {
        v.submission = Submission::open(dir);
    } catch (const std::exception& e) { // any failure to read one submission refuses it, never the round
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
        v.packageSha256 = packageSha;
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
                return refuse(RefusalReason::MinerIdMismatch, "Submission " + who + " claims miner id '" + m.minerId +
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

        // An encoding the policy accepts.
        const DeltaEncoding enc = m.encoding;
        const std::string encName = deltaEncodingName(enc);
        if (std::find(m_policy.allowedEncodings.begin(), m_policy.allowedEncodings.end(), enc) ==
            m_policy.allowedEncodings.end()) {
            std::string allowed;
            for (std::size_t i = 0; i < m_policy.allowedEncodings.size(); ++i)
                allowed += (i ? ", " : "") + std::string(deltaEncodingName(m_policy.allowedEncodings[i]));
            return refuse(RefusalReason::EncodingNotAllowed,
                          "Submission " + who + " is encoded as " + encName + ", which this validator does not accept" +
                              (allowed.empty() ? std::string(" (it accepts none)") : " (it accepts " + allowed + ")"));
        }

        // Exactly the expected tensors, stored as the encoding says.
        const std::string payloadDtype = deltaPayloadDtype(enc);
        std::map<std::string, ExpectedTensor> expected;
        for (const auto& e : m_policy.expected) {
            ExpectedTensor stored = e;
            stored.dtype = payloadDtype;
            expected[e.name] = stored;
        }
        std::set<std::string> present;
        for (const auto& info : s.tensors().tensors())
            present.insert(info.name);
        if (enc == DeltaEncoding::Int8)
            for (const auto& [name, e] : expected)
                if (present.count(name) && !present.count(name + kInt8ScaleSuffix))
                    return refuse(RefusalReason::Malformed, "Submission " + who + ": int8 Δ tensor " + name +
                                                                " has no row scales (tensor " + name +
                                                                kInt8ScaleSuffix + ")");
        std::map<std::string, ExpectedTensor> stored = expected;
        if (enc == DeltaEncoding::Int8)
            for (const auto& [name, e] : expected) {
                ExpectedTensor scale;
                scale.name = name + kInt8ScaleSuffix;
                scale.shape = {int8Rows(e.shape)};
                scale.dtype = "F32";
                stored[scale.name] = scale;
            }
        for (const auto& [name, e] : stored)
            if (!present.count(name))
                return refuse(RefusalReason::MissingTensor,
                              "Submission " + who + " lacks tensor " + name + " of the selected experts");
        for (const auto& name : present)
            if (!stored.count(name))
                return refuse(RefusalReason::ExtraTensor, "Submission " + who + " has tensor " + name +
                                                              ", which is not one of the selected experts");
        for (const auto& info : s.tensors().tensors()) {
            const ExpectedTensor& e = stored.at(info.name);
            if (info.shape != e.shape)
                return refuse(RefusalReason::ShapeMismatch, "Submission " + who + ": tensor " + info.name +
                                                                " has shape " + shapeText(info.shape) + ", expected " +
                                                                shapeText(e.shape));
            if (info.dtype != e.dtype)
                return refuse(RefusalReason::DtypeMismatch, "Submission " + who + ": tensor " + info.name +
                                                                " has dtype " + info.dtype + ", expected " + e.dtype +
                                                                " (a " + encName + " update)");
        }

        // Values: of the decoded Δ, each tensor decoded once.
        double sumSquares = 0.0;
        for (const auto& [name, e] : expected) {
            if (enc != DeltaEncoding::Int8 && !torch::isfinite(s.tensors().tensor(name)).all().item<bool>())
                return refuse(RefusalReason::NonFinite,
                              "Submission " + who + ": tensor " + name + " contains NaN or infinite values");
            at::Tensor t;
            try {
                t = s.delta(name);
            } catch (const FormatError& err) {
                return refuse(RefusalReason::Malformed, "Submission " + who + ": " + err.what());
            }
            const double squares = t.to(torch::kDouble).pow(2).sum().item<double>();
            if (!std::isfinite(squares))
                return refuse(RefusalReason::NonFinite,
                              "Submission " + who + ": tensor " + name + " decodes to values too large to measure");
            sumSquares += squares;
            const auto ref = m_policy.referenceNorms.find(name);
            if (m_policy.maxRelativeNorm > 0 && ref != m_policy.referenceNorms.end()) {
                const double norm = std::sqrt(squares);
                if (!(norm <= m_policy.maxRelativeNorm * ref->second))
                    return refuse(RefusalReason::NormTooLarge,
                                  "Submission " + who + ": the update of " + name + " has norm " +
                                      std::to_string(norm) + ", " + std::to_string(norm / ref->second) +
                                      " times the norm of the weights it changes (" + std::to_string(ref->second) +
                                      "); the bound is " + std::to_string(m_policy.maxRelativeNorm) +
                                      " times (--max-relative-norm)");
            }
        }
        v.updateNorm = std::sqrt(sumSquares);
        if (m_policy.maxUpdateNorm > 0 && !(v.updateNorm <= m_policy.maxUpdateNorm))
            return refuse(RefusalReason::NormTooLarge, "Submission " + who + ": update norm " +
                                                           std::to_string(v.updateNorm) + " exceeds the bound " +
                                                           std::to_string(m_policy.maxUpdateNorm));
    } catch (const c10::Error& e) {
        return refuse(RefusalReason::Malformed, "Submission " + who + ": " + e.what_without_backtrace());
    } catch (const std::exception& e) { // any failure refuses this submission, never the round
        return refuse(RefusalReason::Malformed, "Submission " + who + ": " + e.what());
    }
    v.accepted = true;
    v.reason = RefusalReason::None;
    v.code = reasonCode(RefusalReason::None);
    v.message = "Submission " + who + " from miner '" + m.minerId + "' passed all checks";
    return v;
}

ReceiptLog::ReceiptLog(fs::path file) : m_file(std::move(file))
{
    if (!fs::exists(m_file))
        return;
    const json j = readJsonFile(m_file, {}, DuplicateKeys::Refuse);
    try {
        m_scan = j.at("scans").get<std::int64_t>();
        for (const auto& r : j.at("receipts"))
            m_receipts[{r.at("folder").get<std::string>(), r.at("package_sha256").get<std::string>()}] =
                Receipt{r.at("scan").get<std::int64_t>(), r.value("received_at", "")};
    } catch (const json::exception& e) {
        throw FormatError(m_file.string() + ": " + e.what());
    }
}

void ReceiptLog::beginScan() { ++m_scan; }

std::int64_t ReceiptLog::receive(const std::string& folder, const std::string& packageSha256)
{
    const auto [it, inserted] = m_receipts.try_emplace({folder, packageSha256}, Receipt{m_scan, ""});
    if (inserted) {
        const std::time_t now = std::time(nullptr);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
        it->second.receivedAt = buf;
    }
    return it->second.scan;
}

void ReceiptLog::save() const
{
    json list = json::array();
    for (const auto& [key, r] : m_receipts)
        list.push_back(
            {{"folder", key.first}, {"package_sha256", key.second}, {"scan", r.scan}, {"received_at", r.receivedAt}});
    writeFileAtomically(m_file, json{{"scans", m_scan}, {"receipts", list}}.dump(1) + "\n");
}

namespace {

// Near copies: another submission's Δ with a little noise added (re-signed, so its content hash
// differs), or re-encoded, takes the credit of the original as surely as an exact copy. The test
// is the cosine similarity of the decoded updates over all tensors, which noise of a few per cent
// of the norm barely moves (a copy with relative Gaussian noise r has cosine about 1/√(1+r²)) and
// which honest miners on other shards are far below (see kDefaultNearCopyCosine).
//
// The accepted verdicts whose cosine with an earlier one (receipt order, then arrival order; the
// earlier one refused or not, exact copies included, so that no copier gains from another's
// refusal) is at least `threshold` are refused as duplicates, naming it and the cosine; copies of
// different miners first received in the same scan are all refused (withReceipts), as exact
// copies are. The inner products in double precision, one tensor of all the candidates at a
// time, decoded from each submission's file (never a whole model per submission in memory).
void refuseNearCopies(std::vector<Verdict>& out, bool withReceipts, double threshold)
{
    if (!(threshold <= 1.0))
        return;
    std::vector<std::size_t> live; // verified updates: accepted, or refused as exact copies
    for (std::size_t i = 0; i < out.size(); ++i)
        if ((out[i].accepted || out[i].reason == RefusalReason::DuplicateCopy) && out[i].submission &&
            out[i].updateNorm > 0)
            live.push_back(i);
    if (live.size() < 2)
        return;
    std::stable_sort(live.begin(), live.end(),
                     [&](std::size_t a, std::size_t b) { return out[a].receivedScan < out[b].receivedScan; });
    const std::size_t n = live.size();
    std::vector<double> dot(n * n, 0.0);
    for (const auto& name : out[live[0]].submission->tensorNames()) {
        std::vector<at::Tensor> t;
        for (std::size_t i : live)
            t.push_back(out[i].submission->delta(name).to(torch::kDouble).reshape(-1));
        for (std::size_t a = 0; a < n; ++a)
            for (std::size_t b = a + 1; b < n; ++b)
                dot[a * n + b] += t[a].dot(t[b]).item<double>();
    }
    auto refuse = [](Verdict& v, std::string message) {
        v.accepted = false;
        v.reason = RefusalReason::DuplicateCopy;
        v.code = reasonCode(v.reason);
        v.message = std::move(message);
    };
    for (std::size_t b = 1; b < n; ++b) {
        Verdict& later = out[live[b]];
        if (!later.accepted)
            continue; // an exact copy, refused already
        for (std::size_t a = 0; a < b; ++a) {
            Verdict& first = out[live[a]];
            const double cosine = dot[a * n + b] / (first.updateNorm * later.updateNorm);
            if (!(cosine >= threshold))
                continue;
            char why[160];
            std::snprintf(why, sizeof why,
                          "the decoded updates have cosine similarity %.6f (near copies: %.6g or more)", cosine,
                          threshold);
            const std::string bName = later.dir.filename().string(), aName = first.dir.filename().string();
            const bool tied = withReceipts && first.receivedScan == later.receivedScan &&
                              first.minerId != later.minerId;
            if (!tied) {
                refuse(later,
                       "Submission " + bName + " is a near copy of the earlier submission " + aName + ": " + why);
                break;
            }
            refuse(later, "Submission " + bName + " is a near copy of " + aName +
                              " from another miner, first received in the same scan (" + why +
                              "): which came first cannot be established, so neither is credited");
            if (first.accepted)
                refuse(first, "Submission " + aName + " has a near copy, " + bName +
                                  ", from another miner, first received in the same scan (" + why +
                                  "): which came first cannot be established, so neither is credited");
            break;
        }
    }
}

} // namespace

std::vector<Verdict> SubmissionVerifier::verifyAll(const std::vector<fs::path>& dirs, JobControl* control,
                                                   ReceiptLog* receipts) const
{
    std::vector<Verdict> out;
    if (receipts)
        receipts->beginScan();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        if (control) {
            control->checkpoint();
            control->report(static_cast<std::int64_t>(i), static_cast<std::int64_t>(dirs.size()), "verifying",
                            dirs[i].filename().string());
        }
        Verdict v = check(dirs[i]);
        if (v.accepted && receipts)
            v.receivedScan = receipts->receive(dirs[i].filename().string(), v.packageSha256);
        out.push_back(std::move(v));
    }
    // Exact copies: per Δ content, the first received (the order of `dirs` without a log).
    std::map<std::string, std::vector<std::size_t>> byContent;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (out[i].accepted)
            byContent[out[i].deltaSha256].push_back(i);
    for (auto& [sha, group] : byContent) {
        if (group.size() < 2)
            continue;
        std::stable_sort(group.begin(), group.end(),
                         [&](std::size_t a, std::size_t b) { return out[a].receivedScan < out[b].receivedScan; });
        const Verdict& first = out[group[0]];
        bool tied = false; // another miner's copy first seen in the same scan as the first
        for (std::size_t k = 1; k < group.size(); ++k)
            tied |= receipts && out[group[k]].receivedScan == first.receivedScan &&
                    out[group[k]].minerId != first.minerId;
        for (std::size_t k = tied ? 0 : 1; k < group.size(); ++k) {
            Verdict& v = out[group[k]];
            const std::size_t other = group[k == 0 ? 1 : 0];
            v.accepted = false;
            v.reason = RefusalReason::DuplicateCopy;
            v.code = reasonCode(v.reason);
            v.message = tied ? "Submission " + v.dir.filename().string() + " holds the same update as " +
                                   out[other].dir.filename().string() + " from another miner, first received in the " +
                                   "same scan: which came first cannot be established, so neither is credited"
                             : "Submission " + v.dir.filename().string() +
                                   " is an exact copy of the earlier submission " + first.dir.filename().string();
        }
    }
    refuseNearCopies(out, receipts != nullptr, m_policy.nearCopyCosine);
    for (auto& v : out)
        printable(v);
    if (control)
        control->report(static_cast<std::int64_t>(dirs.size()), static_cast<std::int64_t>(dirs.size()), "verifying");
    return out;
}

std::vector<fs::path> SubmissionVerifier::listSubmissions(const fs::path& folder)
{
    if (!fs::is_directory(folder))
        throw Error(folder.string() + " is not a folder of submissions");
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(folder)) {
        std::error_code ec;
        if (entry.path().filename().string().rfind('.', 0) == 0)
            continue; // hidden: temporary folders of a transfer in progress
        if (entry.is_symlink(ec)) {
            out.push_back(entry.path()); // refused by the verifier, with its reason
            continue;
        }
        if (!entry.is_directory(ec))
            continue;
        // A miner's run folder holds its submission and its training checkpoint: the checkpoint
        // (checkpoint.json, no manifest) is not a submission, and listing it would only add a
        // refused row to every round scored from a run folder.
        if (fs::exists(entry.path() / "checkpoint.json", ec) && !fs::exists(entry.path() / "manifest.json", ec))
            continue;
        out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace teft
