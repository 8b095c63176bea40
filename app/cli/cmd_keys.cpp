// `teft keys ...`: the miner's Ed25519 key (created on first use) and the validator's list of
// known miners; `teft submission show`: what a submission folder holds and whether its hash and
// signature hold up (without the model: base, selection and tensor checks are `teft validate`'s).
#include "app/cli/Cli.h"

#include "core/io/SafetensorsFile.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/util/Paths.h"

#include <sstream>

namespace teft::cli {
namespace fs = std::filesystem;
namespace {

fs::path keyDirOf(const Invocation& inv)
{
    return inv.has("key-dir") ? fs::path(inv.get("key-dir")) : MinerKey::defaultKeyDir();
}

fs::path knownMinersOf(const Invocation& inv)
{
    return inv.has("known-miners") ? fs::path(inv.get("known-miners")) : dataDir() / "known_miners.json";
}

int runShow(Invocation& inv)
{
    const fs::path dir = keyDirOf(inv);
    const bool existed = MinerKey::exists(dir);
    const MinerKey key = MinerKey::loadOrCreate(dir, inv.get("miner-id"));
    if (inv.has("export"))
        key.publicKey().save(inv.get("export"));
    nlohmann::json doc{{"miner_id", key.minerId()},
                       {"public_key", key.publicKeyHex()},
                       {"key_dir", dir.string()},
                       {"created", !existed}};
    if (inv.has("export"))
        doc["exported_to"] = inv.get("export");
    if (inv.json()) {
        inv.printJson(doc);
        return 0;
    }
    std::ostringstream out;
    out << (existed ? "" : "created a new key\n") << "miner id:   " << key.minerId() << "\n"
        << "public key: " << key.publicKeyHex() << "\n"
        << "key folder: " << dir.string() << " (miner.key is private, miner.pub can be shared)\n";
    if (inv.has("export"))
        out << "public key written to " << inv.get("export") << "\n";
    inv.printText(out.str());
    return 0;
}

int runTrust(Invocation& inv)
{
    const fs::path listPath = knownMinersOf(inv);
    KnownMiners known = KnownMiners::load(listPath);
    std::vector<MinerPublicKey> added;
    for (const auto& file : inv.positional)
        added.push_back(MinerPublicKey::load(file));
    if (inv.has("key")) {
        MinerPublicKey k{inv.get("id"), inv.get("key")};
        if (!isPublicKeyHex(k.publicKeyHex))
            throw UsageError("--key \"" + k.publicKeyHex + "\" is not an Ed25519 public key (64 hex digits)");
        added.push_back(k);
    }
    if (added.empty())
        throw UsageError("give public key files (from `teft keys show --export`) or --key HEX");
    for (const auto& k : added)
        known.add(k);
    known.save(listPath);
    nlohmann::json doc{{"known_miners", listPath.string()}, {"count", known.size()}};
    nlohmann::json list = nlohmann::json::array();
    for (const auto& k : added)
        list.push_back({{"miner_id", k.minerId}, {"public_key", k.publicKeyHex}});
    doc["added"] = list;
    if (inv.json()) {
        inv.printJson(doc);
        return 0;
    }
    std::ostringstream out;
    for (const auto& k : added)
        out << "trusted " << (k.minerId.empty() ? "(no id)" : k.minerId) << " " << k.publicKeyHex << "\n";
    out << known.size() << " known miner(s) in " << listPath.string() << "\n";
    inv.printText(out.str());
    return 0;
}

int runList(Invocation& inv)
{
    const fs::path listPath = knownMinersOf(inv);
    const KnownMiners known = KnownMiners::load(listPath);
    if (inv.json()) {
        nlohmann::json doc = known.toJson();
        doc["path"] = listPath.string();
        inv.printJson(doc);
        return 0;
    }
    std::ostringstream out;
    for (const auto& k : known.miners())
        out << (k.minerId.empty() ? "(no id)" : k.minerId) << "  " << k.publicKeyHex << "\n";
    out << known.size() << " known miner(s) in " << listPath.string() << "\n";
    inv.printText(out.str());
    return 0;
}

int runRemove(Invocation& inv)
{
    const fs::path listPath = knownMinersOf(inv);
    KnownMiners known = KnownMiners::load(listPath);
    const std::string what = inv.arg(0);
    std::string key = what;
    if (const auto byId = known.findById(what))
        key = byId->publicKeyHex;
    if (!known.remove(key))
        throw Error("No known miner with id or key \"" + what + "\" in " + listPath.string());
    known.save(listPath);
    if (inv.json())
        inv.printJson({{"removed", key}, {"count", known.size()}, {"known_miners", listPath.string()}});
    else
        inv.printText("removed " + key + "; " + std::to_string(known.size()) + " known miner(s) left\n");
    return 0;
}

int runSubmissionShow(Invocation& inv)
{
    const auto sub = Submission::open(inv.arg(0));
    const SubmissionManifest& m = sub->manifest();
    const std::string packageSha = sub->packageSha256();
    const std::string deltaSha = sub->deltaSha256();
    const bool contentOk = deltaSha == m.deltaSha256;
    const bool hashOk = !sub->signature() || sub->signature()->sha256 == packageSha;
    bool signatureOk = false;
    std::string signer = "unsigned";
    if (sub->signature()) {
        const auto& sig = *sub->signature();
        signatureOk = hashOk && sig.publicKey == m.publicKey &&
                      MinerKey::verify(signatureMessage(packageSha), sig.signature, sig.publicKey);
        signer = "unknown key";
        const fs::path listPath = knownMinersOf(inv);
        if (fs::exists(listPath))
            if (const auto k = KnownMiners::load(listPath).findByKey(sig.publicKey))
                signer = "known miner '" + k->minerId + "'";
    }
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto& info : sub->tensors().tensors())
        tensors.push_back({{"name", info.name}, {"dtype", info.dtype}, {"shape", info.shape}});
    nlohmann::json doc{
        {"dir", sub->dir().string()},  {"manifest", m.toJson()}, {"package_sha256", packageSha},
        {"content_ok", contentOk},     {"hash_ok", hashOk},      {"signed", sub->signature().has_value()},
        {"signature_ok", signatureOk}, {"signer", signer},       {"tensor_bytes", sub->tensors().dataSize()},
        {"tensors", tensors}};
    if (inv.json()) {
        inv.printJson(doc);
    } else {
        std::ostringstream out;
        out << "submission " << sub->dir().string() << "\n"
            << "miner " << m.minerId << ", round " << m.round << ", " << m.innerSteps << " inner steps, "
            << m.tokensSeen << " tokens, shard " << m.dataShard << ", created " << m.createdAt << "\n"
            << "base " << m.baseFingerprint << "\nselection " << m.selectionHash << "\n"
            << sub->tensors().tensors().size() << " tensors, " << sub->tensors().dataSize() << " bytes ("
            << deltaEncodingName(sub->encoding()) << " encoding)\n"
            << "content hash: " << (contentOk ? "ok" : "MISMATCH (tensors changed after packaging)") << "\n"
            << "package hash: " << (hashOk ? "ok" : "MISMATCH (changed after signing)") << "\n"
            << "signature: "
            << (sub->signature() ? (signatureOk ? "valid, " + signer : "INVALID") : std::string("none")) << "\n";
        inv.printText(out.str());
    }
    return contentOk && hashOk && (!sub->signature() || signatureOk) ? 0 : 1;
}

const Option kKeyDir{"key-dir", "DIR", "miner key folder (default: <data-dir>/keys)", ""};
const Option kKnown{"known-miners", "FILE", "known-miners list (default: <data-dir>/known_miners.json)", ""};

} // namespace

TEFT_COMMAND({"keys show",
              "Show the miner key (created on first use), optionally export its public half",
              "The miner signs every submission with an Ed25519 key kept in <data-dir>/keys (miner.key, mode "
              "0600). The key is created the first time it is needed. --export writes the public key file that "
              "validators add with `teft keys trust`.",
              {},
              {kKeyDir,
               {"miner-id", "ID", "name recorded with a new key (default: miner-<hash>)", ""},
               {"export", "FILE", "write the public key file here", ""}},
              runShow});

TEFT_COMMAND({"keys trust",
              "Add miners' public keys to the validator's known-miners list",
              "Validators only accept submissions signed by known miners (unless told otherwise). Give the "
              "public key files miners exported, or --key HEX [--id NAME].",
              {"FILE..."},
              {kKnown, {"key", "HEX", "a public key (64 hex digits)", ""}, {"id", "NAME", "its miner id", ""}},
              runTrust});

TEFT_COMMAND({"keys list", "List the known miners", "", {}, {kKnown}, runList});

TEFT_COMMAND({"keys remove",
              "Remove a miner (by id or public key) from the known-miners list",
              "",
              {"ID|KEY"},
              {kKnown},
              runRemove});

TEFT_COMMAND({"submission show",
              "Show a submission folder and check its hashes and signature",
              "Prints the manifest and tensors of a submission and checks, without the model, that the tensors "
              "match the manifest's content hash, that manifest and tensors match the signed package hash, and "
              "that the Ed25519 signature verifies. Exit code 1 when any of these fails.",
              {"DIR"},
              {kKnown},
              runSubmissionShow});

} // namespace teft::cli
