// `teft network ...`, `teft round ...`, `teft submit`, `teft pull`: the TEFT round protocol
// (core/net/Network.h, docs/protocol.md) over an S3-compatible bucket or a shared folder. The
// validator creates the network and opens, closes and publishes rounds; miners pull Φ(t), train
// and submit (commit, then upload); anyone checks a published round with `teft round verify`.
#include "app/cli/Cli.h"
#include "app/cli/NetworkCli.h"
#include "app/cli/TrainCliSupport.h"

#include "core/data/TokenDataset.h"
#include "core/net/Network.h"
#include "core/net/ObjectStore.h"
#include "core/teft/DeltaEncoding.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/util/Paths.h"

#include <cmath>
#include <map>
#include <sstream>

namespace teft::cli {
namespace fs = std::filesystem;

// ---- Shared with `teft train --publish` (NetworkCli.h) ----

std::vector<Option> storeOptions()
{
    return {{"store", "URL", "the network's store: s3://bucket[/prefix] or file:///absolute/path", "", true},
            {"endpoint", "URL",
             "S3 endpoint, e.g. http://127.0.0.1:9000 (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the "
             "profile's endpoint_url, else AWS S3)",
             ""},
            {"region", "R", "S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, else us-east-1)", ""},
            {"profile", "P", "AWS profile for credentials and settings (default: AWS_PROFILE, else default)", ""}};
}

std::unique_ptr<net::ObjectStore> openStore(const Invocation& inv, const std::string& urlOption)
{
    const std::string url = inv.get(urlOption);
    if (url.empty())
        throw UsageError("--" + urlOption + " URL is required: s3://bucket[/prefix] or file:///absolute/path");
    net::ObjectStoreOptions o;
    o.endpoint = inv.get("endpoint");
    o.region = inv.get("region");
    o.profile = inv.get("profile");
    return net::openObjectStore(url, o);
}

std::unique_ptr<net::Network> connectNetwork(net::ObjectStore& store, JobControl* control)
{
    try {
        return std::make_unique<net::Network>(store, control);
    } catch (const net::ObjectStoreError& e) {
        if (e.failure() == net::StoreFailure::NotFound)
            throw Error("No TEFT network in " + store.describe() +
                        " (network.json is missing): the validator creates it with `teft network init`. (" + e.what() +
                        ")");
        throw;
    }
}

fs::path keyDirOption(const Invocation& inv)
{
    return inv.has("key-dir") ? fs::absolute(inv.get("key-dir")) : MinerKey::defaultKeyDir();
}

nlohmann::json submitResultJson(const net::SubmitResult& r)
{
    return {{"round", r.round},
            {"slot", r.slot},
            {"commitment_key", r.commitmentKey},
            {"upload_prefix", r.uploadPrefix},
            {"bytes", r.bytes}};
}

std::string submitResultText(const net::SubmitResult& r, const std::string& store)
{
    std::ostringstream o;
    o << "Committed to round " << r.round << " in slot " << r.slot << " (" << r.commitmentKey << ") and uploaded "
      << r.bytes << " bytes to " << r.uploadPrefix << " in " << store << "\n";
    return o.str();
}

namespace {

const Option kKeyDir{"key-dir", "DIR", "Ed25519 key folder of the party (default: <data-dir>/keys)", ""};

std::vector<Option> withStore(std::vector<Option> more, bool keyDir)
{
    auto o = storeOptions();
    if (keyDir)
        o.push_back(kKeyDir);
    o.insert(o.end(), more.begin(), more.end());
    return o;
}

std::vector<Option> withData(std::vector<Option> o)
{
    const auto data = dataOptions(false);
    o.insert(o.end(), data.begin(), data.end());
    return o;
}

// "12m 05s left" / "passed 3m 10s ago".
std::string deadlineText(double seconds)
{
    const bool passed = seconds < 0;
    auto s = static_cast<long long>(std::llround(std::fabs(seconds)));
    const long long h = s / 3600, m = (s % 3600) / 60;
    s %= 60;
    char buf[64];
    if (h > 0)
        std::snprintf(buf, sizeof buf, "%lldh %02lldm %02llds", h, m, s);
    else
        std::snprintf(buf, sizeof buf, "%lldm %02llds", m, s);
    return passed ? "passed " + std::string(buf) + " ago" : std::string(buf) + " left";
}

std::string shortKey(const std::string& key) { return key.size() > 12 ? key.substr(0, 12) : key; }

// A dataset record of the data options, or null without --data.
nlohmann::json heldOutRecord(const Invocation& inv)
{
    if (!inv.has("data"))
        return nullptr;
    return datasetRecordJson(datasetSpec(inv, inv.all("data")), packingOptions(inv));
}

// The round named by --round, else the latest opened one.
std::int64_t roundOf(const Invocation& inv, net::Network& network)
{
    if (inv.has("round")) {
        const long long t = inv.getInt("round");
        if (t < 0)
            throw UsageError("--round must be a round number >= 0, got " + inv.get("round"));
        return t;
    }
    const auto latest = network.latestRound(&inv.control);
    if (!latest)
        throw Error("No round has been opened in " + network.store().describe() +
                    " yet: the validator opens one with `teft round open`");
    return *latest;
}

nlohmann::json entryJson(const net::RoundEntry& e)
{
    nlohmann::json j{{"slot", e.slot},
                     {"key", e.key},
                     {"object_sha256", e.objectSha},
                     {"signer", e.signer},
                     {"state", net::entryStateName(e.state)},
                     {"code", e.code},
                     {"message", e.message},
                     {"upload_prefix", e.uploadPrefix}};
    if (e.commitment) {
        j["commitment"] = e.commitment->toJson();
        j["miner_id"] = e.commitment->minerId;
        j["bytes"] = e.commitment->bytes;
        j["encoding"] = e.commitment->encoding;
    } else {
        j["commitment"] = nullptr;
    }
    j["row"] = e.row;
    return j;
}

nlohmann::json viewJson(const net::RoundView& v)
{
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : v.entries)
        entries.push_back(entryJson(e));
    nlohmann::json j{{"round", v.round},
                     {"opening", v.opening.toJson()},
                     {"opening_sha256", v.openingObject.sha256},
                     {"deadline", v.opening.deadline},
                     {"seconds_to_deadline", v.secondsToDeadline},
                     {"sealed", v.seal.has_value()},
                     {"entries", entries},
                     {"closed", v.resultObject.has_value()},
                     {"result", v.result}};
    j["seal"] = v.seal ? v.seal->toJson() : nlohmann::json(nullptr);
    j["result_sha256"] = v.resultObject ? v.resultObject->sha256 : std::string();
    return j;
}

// A number from a JSON object, when it is one.
std::optional<double> number(const nlohmann::json& j, const char* key)
{
    if (j.is_object() && j.contains(key) && j[key].is_number())
        return j[key].get<double>();
    return std::nullopt;
}

// The result's headline: losses and Φ(t+1).
std::string resultHeadline(const nlohmann::json& result)
{
    if (!result.is_object())
        return "";
    std::ostringstream o;
    const auto before = number(result, "baseline_loss");
    const auto after = number(result, "new_loss");
    if (before && after) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "loss %.4f -> %.4f", *before, *after);
        o << buf;
    }
    for (const char* key : {"phi_next", "phi"}) {
        if (result.contains(key) && result[key].is_string() && !result[key].get<std::string>().empty()) {
            o << (o.tellp() > 0 ? ", " : "") << "Φ(t+1) " << result[key].get<std::string>();
            break;
        }
    }
    if (result.contains("updated") && result["updated"].is_boolean() && !result["updated"].get<bool>())
        o << (o.tellp() > 0 ? " " : "") << "(no update improved the loss: Φ unchanged)";
    return o.str();
}

std::string viewText(const net::RoundView& v, const std::string& store)
{
    std::ostringstream o;
    o << "Round " << v.round << " in " << store << "\n"
      << "deadline " << v.opening.deadline << " (" << deadlineText(v.secondsToDeadline) << ")"
      << (v.seal ? ", sealed" : "") << (v.resultObject ? ", closed" : "") << "\n"
      << "Φ(t) " << (v.opening.phi.empty() ? std::string("the base model's experts") : v.opening.phi) << "\n";
    if (v.entries.empty()) {
        o << "no commitments\n";
    } else {
        char buf[512];
        std::snprintf(buf, sizeof buf, "  %-6s  %-20s  %-12s  %12s  %-9s  %s\n", "SLOT", "MINER", "KEY", "BYTES",
                      "STATE", "REASON");
        o << buf;
        for (const auto& e : v.entries) {
            std::string reason = e.code;
            if (!e.message.empty())
                reason += (reason.empty() ? "" : ": ") + e.message;
            std::snprintf(buf, sizeof buf, "  %06lld  %-20s  %-12s  %12s  %-9s  %s\n", static_cast<long long>(e.slot),
                          e.commitment ? e.commitment->minerId.c_str() : "-", shortKey(e.signer).c_str(),
                          e.commitment ? std::to_string(e.commitment->bytes).c_str() : "-",
                          net::entryStateName(e.state), reason.c_str());
            o << buf;
        }
    }
    if (v.resultObject) {
        const std::string headline = resultHeadline(v.result);
        o << "result " << v.resultObject->sha256 << (headline.empty() ? "" : ": " + headline) << "\n";
    }
    return o.str();
}

// The verdict table of a validator report (as `teft validate` prints it); the round's
// submissions are named "slot-<n>", shown with the slot's miner.
std::string verdictTable(const nlohmann::json& report, const net::RoundView& view)
{
    std::map<std::string, std::string> minerOf;
    for (const auto& e : view.entries)
        if (e.commitment)
            minerOf["slot-" + std::to_string(e.slot)] = e.commitment->minerId;
    std::ostringstream o;
    char buf[512];
    o << "  SLOT MINER            VERDICT          S_I ± STD ERROR        TOKENS      SCORE  RANK  WEIGHT  FATE\n";
    if (!report.contains("submissions") || !report["submissions"].is_array())
        return o.str();
    for (const auto& j : report["submissions"]) {
        const auto num = [&](const char* key) { return j.contains(key) && j[key].is_number(); };
        std::string gain = "-";
        if (num("gain")) {
            char g[64];
            std::snprintf(g, sizeof g, "%+.5f ± ", j["gain"].get<double>());
            gain = g;
            if (num("std_error")) {
                std::snprintf(g, sizeof g, "%.5f", j["std_error"].get<double>());
                gain += g;
            } else {
                gain += "n/a";
            }
        }
        const std::string fate = j.value("fate", "");
        std::string name = j.value("name", "");
        const auto miner = minerOf.find(name);
        if (miner != minerOf.end())
            name = name.substr(5) + " " + miner->second;
        std::snprintf(buf, sizeof buf, "  %-20s  %-15s  %-21s  %9s  %9.5f  %4s  %6.3f  %s\n", name.c_str(),
                      j.value("verdict", "").c_str(), gain.c_str(),
                      num("tokens") ? std::to_string(j["tokens"].get<std::int64_t>()).c_str() : "-",
                      num("score") ? j["score"].get<double>() : 0.0,
                      num("rank") ? std::to_string(j["rank"].get<int>()).c_str() : "-",
                      num("weight") ? j["weight"].get<double>() : 0.0, fate.c_str());
        o << buf;
    }
    return o.str();
}

std::vector<std::string> splitList(const std::string& s)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + ",") {
        if (c == ',') {
            if (!cur.empty())
                out.push_back(cur);
            cur.clear();
        } else if (c != ' ') {
            cur += c;
        }
    }
    return out;
}

// ---- network init / show ----

int runInit(Invocation& inv)
{
    net::NetworkInit init;
    init.modelDir = fs::absolute(inv.arg(0));
    if (!fs::is_directory(init.modelDir))
        throw UsageError("MODEL '" + inv.arg(0) + "' is not a model folder");
    init.name = inv.require("name");
    if (init.name.empty())
        throw UsageError("--name must not be empty");
    init.selection = loadSelection(inv.require("selection"));
    net::NetworkRules& r = init.rules;
    r.roundSeconds = inv.getInt("round-seconds");
    if (r.roundSeconds < 1)
        throw UsageError("--round-seconds must be at least 1, got " + inv.get("round-seconds"));
    r.encodings.clear();
    for (const auto& e : splitList(inv.get("encodings")))
        r.encodings.push_back(deltaEncodingName(parseDeltaEncoding(e)));
    if (r.encodings.empty())
        throw UsageError("--encodings names no encoding: give a comma-separated list of f32, bf16, int8");
    r.maxRelativeNorm = inv.getDouble("max-relative-norm");
    if (!(r.maxRelativeNorm >= 0))
        throw UsageError("--max-relative-norm must be a number >= 0, not " + inv.get("max-relative-norm"));
    r.nearCopyCosine = inv.getDouble("near-copy-cosine");
    if (!(r.nearCopyCosine == 0 || (r.nearCopyCosine > 0 && r.nearCopyCosine <= 2)))
        throw UsageError("--near-copy-cosine must be 0 (the verifier's default) or in (0, 1] (above 1: off), not " +
                         inv.get("near-copy-cosine"));
    r.evalBatches = static_cast<int>(inv.getInt("eval-batches"));
    if (r.evalBatches < 1)
        throw UsageError("--eval-batches must be at least 1, got " + inv.get("eval-batches"));
    r.evalBatchSize = static_cast<int>(inv.getInt("eval-batch-size"));
    if (r.evalBatchSize < 1)
        throw UsageError("--eval-batch-size must be at least 1, got " + inv.get("eval-batch-size"));
    r.confidence = inv.getDouble("confidence");
    if (!(r.confidence >= 0.5 && r.confidence < 1.0))
        throw UsageError("--confidence must be at least 0.5 and below 1 (e.g. 0.95), not " + inv.get("confidence"));
    r.aggregation.policy = aggregationPolicyFromString(inv.get("policy"));
    r.aggregation.topK = static_cast<int>(inv.getInt("top-k"));
    r.aggregation.alpha = inv.getDouble("alpha");
    r.aggregation.check();
    r.outer.lr = inv.getDouble("outer-lr");
    r.outer.momentum = inv.getDouble("momentum");
    r.outer.nesterov = !inv.flag("no-nesterov");
    r.outer.check();
    if (inv.has("miners")) {
        const fs::path file = inv.get("miners");
        if (!fs::is_regular_file(file))
            throw UsageError("--miners '" + file.string() +
                             "' does not exist: give a known-miners list (`teft keys trust --known-miners FILE`)");
        const KnownMiners known = KnownMiners::load(file);
        if (known.size() == 0)
            throw UsageError("--miners '" + file.string() + "' lists no miner: the network would be closed to all");
        r.openToAllMiners = false;
        for (const auto& m : known.miners())
            r.miners.push_back(m.publicKeyHex);
    }
    if (inv.flag("public-held-out")) {
        if (!inv.has("data"))
            throw UsageError("--public-held-out publishes the held-out set of --data PATH: name the data");
        init.publicHeldOut = heldOutRecord(inv);
    } else if (inv.has("data")) {
        throw UsageError("--data is only used with --public-held-out (the data is published in the store); a "
                         "validator scoring on private data names it at `teft round close --data`");
    }
    const MinerKey key = MinerKey::loadOrCreate(keyDirOption(inv));
    auto store = openStore(inv);
    const net::NetworkDefinition def = net::initNetwork(*store, init, key, &inv.control);
    nlohmann::json doc{{"store", store->describe()},
                       {"name", def.name},
                       {"validator_key", def.validatorKey},
                       {"definition", def.toJson()}};
    if (inv.json()) {
        inv.printJson(doc);
        return 0;
    }
    std::ostringstream o;
    o << "Created network '" << def.name << "' in " << store->describe() << "\n"
      << "validator key " << def.validatorKey << "\n"
      << "selection " << def.selection.hash() << ", base " << def.baseFingerprint << "\n"
      << (def.rules.openToAllMiners ? std::string("open to every miner key")
                                    : std::to_string(def.rules.miners.size()) + " miner key(s) may commit")
      << ", rounds of " << def.rules.roundSeconds << " s\n"
      << (def.heldOut.is_null() ? "the validator scores on private held-out data\n"
                                : "the held-out data is published in the store\n")
      << "Next: teft round open MODEL --store URL --state DIR\n";
    inv.printText(o.str());
    return 0;
}

int runShow(Invocation& inv)
{
    auto store = openStore(inv);
    const auto network = connectNetwork(*store, &inv.control);
    const auto& def = network->definition();
    const auto latest = network->latestRound(&inv.control);
    nlohmann::json doc{{"store", store->describe()},
                       {"network_sha256", network->definitionObject().sha256},
                       {"definition", def.toJson()},
                       {"latest_round", latest ? nlohmann::json(*latest) : nlohmann::json(nullptr)}};
    if (inv.json()) {
        inv.printJson(doc);
        return 0;
    }
    const auto& r = def.rules;
    std::ostringstream o;
    o << "network '" << def.name << "' in " << store->describe() << " (network.json "
      << network->definitionObject().sha256 << ")\n"
      << "created " << def.createdAt << "\n"
      << "validator key " << def.validatorKey << "\n"
      << "config " << def.configIdentity << "\nbase Φ(0) " << def.baseFingerprint << "\n"
      << "selection " << def.selection.hash() << "\n"
      << "rules: rounds of " << r.roundSeconds << " s; encodings";
    for (const auto& e : r.encodings)
        o << " " << e;
    o << "; max relative norm " << r.maxRelativeNorm << "; " << r.evalBatches << " held-out batches of "
      << r.evalBatchSize << " rows, confidence " << r.confidence << "; aggregation " << toString(r.aggregation.policy)
      << " (top-k " << r.aggregation.topK << "); outer lr " << r.outer.lr << ", momentum " << r.outer.momentum
      << (r.outer.nesterov ? " (Nesterov)" : "") << "\n"
      << "miners: " << (r.openToAllMiners ? std::string("any key") : std::to_string(r.miners.size()) + " listed key(s)")
      << "\n"
      << "held-out data: " << (def.heldOut.is_null() ? "private (the validator's)" : "published") << "\n"
      << "latest round: " << (latest ? std::to_string(*latest) : std::string("none opened yet")) << "\n";
    inv.printText(o.str());
    return 0;
}

// ---- round open / status / close / verify ----

int runOpen(Invocation& inv)
{
    net::OpenRoundSettings s;
    s.modelDir = fs::absolute(inv.arg(0));
    s.stateDir = fs::absolute(inv.require("state"));
    if (inv.has("round-seconds")) {
        s.roundSeconds = inv.getInt("round-seconds");
        if (s.roundSeconds < 1)
            throw UsageError("--round-seconds must be at least 1, got " + inv.get("round-seconds"));
    }
    const MinerKey key = MinerKey::load(keyDirOption(inv));
    auto store = openStore(inv);
    const auto network = connectNetwork(*store, &inv.control);
    const net::RoundOpening opening = net::openRound(*network, s, key, &inv.control);
    if (inv.json()) {
        inv.printJson({{"store", store->describe()}, {"round", opening.round}, {"opening", opening.toJson()}});
        return 0;
    }
    std::ostringstream o;
    o << "Opened round " << opening.round << " in " << store->describe() << "\n"
      << "deadline " << opening.deadline << "\n"
      << "Φ(t) " << (opening.phi.empty() ? std::string("the base model's experts") : opening.phi) << "\n"
      << "scoring seed committed: " << opening.seedCommitment << "\n"
      << "Miners: teft pull --store URL, then teft train ... --phi FILE --publish URL\n";
    inv.printText(o.str());
    return 0;
}

int runStatus(Invocation& inv)
{
    auto store = openStore(inv);
    const auto network = connectNetwork(*store, &inv.control);
    const std::int64_t t = roundOf(inv, *network);
    const net::RoundView view = network->round(t, &inv.control);
    if (inv.json()) {
        auto doc = viewJson(view);
        doc["store"] = store->describe();
        inv.printJson(doc);
        return 0;
    }
    inv.printText(viewText(view, store->describe()));
    return 0;
}

int runClose(Invocation& inv)
{
    net::CloseRoundSettings s;
    s.modelDir = fs::absolute(inv.arg(0));
    s.stateDir = fs::absolute(inv.require("state"));
    if (inv.has("download-dir"))
        s.downloadDir = fs::absolute(inv.get("download-dir"));
    s.privateHeldOut = heldOutRecord(inv);
    s.device = inv.get("device");
    s.force = inv.flag("force");
    const MinerKey key = MinerKey::load(keyDirOption(inv));
    auto store = openStore(inv);
    const auto network = connectNetwork(*store, &inv.control);
    if (s.privateHeldOut.is_null() && network->definition().heldOut.is_null())
        throw UsageError("The network publishes no held-out data: name the validator's private held-out set with "
                         "--data PATH");
    const net::CloseRoundResult r = net::closeRound(*network, s, key, inv.control);
    if (inv.json()) {
        inv.printJson({{"store", store->describe()},
                       {"round", r.view.round},
                       {"result_sha256", r.resultSha256},
                       {"result", r.view.result},
                       {"report", r.report},
                       {"status", viewJson(r.view)}});
        return 0;
    }
    std::ostringstream o;
    const std::string headline = resultHeadline(r.view.result);
    o << "Closed round " << r.view.round << " in " << store->describe() << ": result " << r.resultSha256
      << (headline.empty() ? "" : "\n" + headline) << "\n"
      << verdictTable(r.report, r.view) << "\n"
      << viewText(r.view, store->describe());
    inv.printText(o.str());
    return 0;
}

int runVerify(Invocation& inv)
{
    net::VerifyRoundSettings s;
    if (inv.has("model"))
        s.modelDir = fs::absolute(inv.get("model"));
    if (inv.has("work-dir"))
        s.workDir = fs::absolute(inv.get("work-dir"));
    s.heldOut = heldOutRecord(inv);
    if (!s.heldOut.is_null() && s.modelDir.empty())
        throw UsageError("--data is used to recompute the scores: give the model with --model DIR too");
    s.device = inv.get("device");
    auto store = openStore(inv);
    const auto network = connectNetwork(*store, &inv.control);
    const std::int64_t t = roundOf(inv, *network);
    const net::VerifyReport report = net::verifyRound(*network, t, s, inv.control);
    if (inv.json()) {
        auto doc = report.toJson();
        doc["store"] = store->describe();
        inv.printJson(doc);
        return report.ok ? 0 : 1;
    }
    std::ostringstream o;
    for (const auto& c : report.checks)
        o << "  ok    " << c << "\n";
    for (const auto& f : report.failures)
        o << "  FAIL  " << f << "\n";
    o << "Round " << report.round << ": " << (report.ok ? "verified" : "NOT verified") << " (" << report.checks.size()
      << " check(s) passed, " << report.failures.size() << " failed"
      << (report.recomputed ? "; scores and Φ(t+1) recomputed" : "; scores not recomputed: give --model") << ")\n";
    inv.printText(o.str());
    return report.ok ? 0 : 1;
}

// ---- submit / pull ----

int runSubmit(Invocation& inv)
{
    const fs::path dir = fs::absolute(inv.arg(0));
    if (!fs::is_directory(dir))
        throw UsageError("SUBMISSION '" + inv.arg(0) +
                         "' is not a folder (a submission is the folder `teft train` "
                         "writes as <out>/submission)");
    const fs::path keyDir = keyDirOption(inv);
    if (!MinerKey::exists(keyDir))
        throw UsageError("No key in " + keyDir.string() +
                         ": a submission is committed under the key that signed it (--key-dir)");
    const MinerKey key = MinerKey::load(keyDir);
    auto store = openStore(inv);
    const auto network = connectNetwork(*store, &inv.control);
    net::SubmitOptions options;
    options.force = inv.flag("force");
    const net::SubmitResult r = net::submitToRound(*network, dir, key, options, &inv.control);
    if (inv.json()) {
        auto doc = submitResultJson(r);
        doc["store"] = store->describe();
        inv.printJson(doc);
        return 0;
    }
    inv.printText(submitResultText(r, store->describe()));
    return 0;
}

int runPull(Invocation& inv)
{
    const fs::path dir = inv.has("dir") ? fs::absolute(inv.get("dir")) : dataDir() / "network";
    auto store = openStore(inv);
    const auto network = connectNetwork(*store, &inv.control);
    const net::PullResult r = net::pullRound(*network, dir, &inv.control);
    if (inv.json()) {
        inv.printJson({{"store", store->describe()},
                       {"round", r.round},
                       {"deadline", r.opening.deadline},
                       {"seconds_to_deadline", r.secondsToDeadline},
                       {"phi_file", r.phiFile.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.phiFile.string())},
                       {"phi_fingerprint", r.opening.phiFingerprint},
                       {"opening", r.opening.toJson()}});
        return 0;
    }
    std::ostringstream o;
    o << "Round " << r.round << " of " << store->describe() << ", deadline " << r.opening.deadline << " ("
      << deadlineText(r.secondsToDeadline) << ")\n";
    if (r.phiFile.empty())
        o << "Φ(t) is the base model's experts: train without --phi\n"
          << "teft train MODEL --selection FILE --data D --round " << r.round << " --out RUN --publish "
          << inv.get("store") << "\n";
    else
        o << "Φ(t): " << r.phiFile.string() << "\n"
          << "teft train MODEL --selection FILE --data D --phi " << r.phiFile.string() << " --round " << r.round
          << " --out RUN --publish " << inv.get("store") << "\n";
    inv.printText(o.str());
    return 0;
}

} // namespace

TEFT_COMMAND(
    {"network init",
     "Create a TEFT network in a store (the validator)",
     "Writes the signed definition of a network (network.json: the base model's config and Φ(0) "
     "fingerprint, the expert selection, the rules and the validator's key) into an S3 bucket or a shared "
     "folder. It is created once: a store that already holds a network is refused. The validator key is "
     "the Ed25519 key in --key-dir (created on first use). Credentials come from the environment "
     "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) or the profile's files.",
     {"MODEL"},
     withStore(withData({{"selection", "FILE", "expert selection", "", true},
                         {"name", "NAME", "the network's name", "", true},
                         {"round-seconds", "N", "seconds from a round's opening to its deadline", "3600"},
                         {"encodings", "LIST", "encodings a submission may use (comma-separated)", "f32,bf16,int8"},
                         {"max-relative-norm", "R",
                          "refuse updates whose norm on a tensor exceeds R times the tensor's (0 = no bound)", "2"},
                         {"near-copy-cosine", "C",
                          "cosine similarity at which an update is a near copy of an earlier one (0 = the "
                          "verifier's default, above 1 = off)",
                          "0"},
                         {"eval-batches", "N", "held-out batches per score", "16"},
                         {"eval-batch-size", "N", "rows per held-out batch", "8"},
                         {"confidence", "C", "confidence of the one-sided bound a gain must clear", "0.95"},
                         {"policy", "NAME", "top_k, proportional or power", "top_k"},
                         {"top-k", "K", "submissions kept by top_k", "1"},
                         {"alpha", "A", "exponent of the power policy", "1.2"},
                         {"outer-lr", "LR", "outer SGD learning rate", "0.7"},
                         {"momentum", "M", "outer momentum", "0.9"},
                         {"no-nesterov", "", "plain momentum instead of Nesterov"},
                         {"miners", "FILE",
                          "known-miners list (`teft keys trust`): only these keys may commit (default: any)", ""},
                         {"public-held-out", "",
                          "publish the held-out set of --data in the store, so anyone can recompute the "
                          "scores (default: the validator scores on private data)"}}),
               true),
     runInit});

TEFT_COMMAND({"network show",
              "Show a store's network: its definition, validator key and rules",
              "",
              {},
              storeOptions(),
              runShow});

TEFT_COMMAND({"round open",
              "Open the next round (the validator): publish Φ(t), the deadline and a commitment to the scoring seed",
              "The validator's state folder (--state, as for `teft validate`) holds Φ(t) and the outer momentum; "
              "the scoring seed stays in it (mode 0600) until the round's result reveals it.",
              {"MODEL"},
              withStore({{"state", "DIR", "validator state folder", "", true},
                         {"round-seconds", "N", "seconds to the deadline (default: the network's rule)", ""}},
                        true),
              runOpen});

TEFT_COMMAND({"round status",
              "Show a round: deadline, every commitment with its state, the result",
              "Every commitment slot with its miner, key, encoded bytes and state (committed, uploaded, verified, "
              "scored, accepted, or refused with the reason), checked against the signatures in the store.",
              {},
              withStore({{"round", "T", "round number (default: the latest)", ""}}, false),
              runStatus});

TEFT_COMMAND(
    {"round close",
     "Close a round (the validator): seal, fetch, verify, score and publish Φ(t+1) and the result",
     "Seals the commitments, downloads the revealed submissions, verifies and scores them in commitment "
     "order on batches chosen by the revealed seed, aggregates, takes the outer step and publishes "
     "Φ(t+1), the momentum and the signed result. Before the deadline only with --force. Scores on the "
     "network's published held-out data, or on a private set named with --data.",
     {"MODEL"},
     withStore(withData({{"state", "DIR", "validator state folder", "", true},
                         {"force", "", "close before the deadline"},
                         {"download-dir", "DIR", "where the submissions are fetched (default: in --state)", ""},
                         {"device", "DEV", "auto (a GPU when there is one), cpu or cuda:N", "auto"}}),
               true),
     runClose});

TEFT_COMMAND({"round verify",
              "Check a published round: signatures, hashes, seed, slots, states; with --model, recompute it",
              "Exit code 1 when any check fails (each failure is listed). With --model (and --data when the "
              "network's held-out set is private) the scores and Φ(t+1) are recomputed from the public objects.",
              {},
              withStore(withData({{"round", "T", "round number (default: the latest)", ""},
                                  {"model", "DIR", "the base model: recompute the scores and Φ(t+1)", ""},
                                  {"work-dir", "DIR", "download folder (default: a temporary one)", ""},
                                  {"device", "DEV", "auto (a GPU when there is one), cpu or cuda:N", "auto"}}),
                        false),
              runVerify});

TEFT_COMMAND({"submit",
              "Commit a submission to the current round, then upload it (a miner)",
              "Writes a signed commitment to the submission's package hash in the next free slot of the round "
              "(never overwritten; the store's order decides who was first), then uploads the submission. A "
              "retried submit resumes the upload. Refused past the deadline unless --force (the validator then "
              "refuses it as late).",
              {"SUBMISSION"},
              withStore({{"force", "", "commit even after the deadline (the validator refuses it as late)"}}, true),
              runSubmit});

TEFT_COMMAND({"pull",
              "Fetch Φ(t) of the current round (a miner), for `teft train --phi`",
              "Downloads Φ(t) into --dir as phi-<sha256>.safetensors (checked by hash) and prints the round, its "
              "deadline and the train command.",
              {},
              withStore({{"dir", "DIR", "download folder (default: <data-dir>/network)", ""}}, false),
              runPull});

} // namespace teft::cli
