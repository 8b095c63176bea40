#include "core/demo/DemoCorpus.h"

#include "core/data/SplitMix64.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace teft {
namespace fs = std::filesystem;

namespace {

// ---- word lists (shipped with the source, no download) ----

const char* const kNames[] = {"Mara", "Tobias", "Ines", "Kofi",  "Lena",  "Ravi",  "Sofia", "Jonas", "Amara", "Hugo",
                              "Yuki", "Elena",  "Omar", "Clara", "Felix", "Nadia", "Pavel", "Greta", "Idris", "Lucia"};
const char* const kSurnames[] = {"Okafor",   "Lindqvist", "Moreau",   "Tanaka", "Silva",   "Novak", "Brennan", "Haddad",
                                 "Kowalski", "Ferreira",  "Nakamura", "Schulz", "Adeyemi", "Rossi", "Petrov",  "Quinn"};
const char* const kCities[] = {"Lisbon", "Oslo",   "Nairobi", "Osaka", "Lima", "Porto", "Tallinn", "Dakar",
                               "Quito",  "Krakow", "Hanoi",   "Perth", "Graz", "Tunis", "Cork",    "Leeds"};
const char* const kDeterminers[] = {"the", "a", "every", "one", "that", "this", "some", "no"};
const char* const kAdjectives[] = {"quiet", "old",     "bright",  "narrow",  "patient", "golden", "restless",
                                   "small", "distant", "gentle",  "heavy",   "curious", "silver", "broken",
                                   "warm",  "hidden",  "careful", "ancient", "pale",    "crowded"};
const char* const kNouns[] = {"river",    "garden", "lantern", "village",   "teacher",  "harbour",
                              "mountain", "letter", "window",  "traveller", "orchard",  "bridge",
                              "market",   "sailor", "forest",  "library",   "shepherd", "meadow",
                              "kitchen",  "storm",  "painter", "valley",    "candle",   "road"};
const char* const kVerbs[] = {"watched", "followed", "crossed", "remembered", "carried", "found",
                              "painted", "opened",   "praised", "avoided",    "visited", "described",
                              "guarded", "answered", "admired", "left",       "noticed", "repaired"};
const char* const kIntransitive[] = {"slept",    "waited", "laughed", "wandered", "listened",
                                     "vanished", "rested", "sang",    "trembled", "returned"};
const char* const kAdverbs[] = {"slowly",         "quietly",     "at last",         "once again",    "without a word",
                                "in the morning", "before dawn", "with great care", "every evening", "for a long time"};
const char* const kPrepositions[] = {"near", "beyond", "behind", "across", "under", "beside", "towards", "through"};
const char* const kConnectives[] = {"and", "but", "while", "because", "so", "although"};
const char* const kOpeners[] = {"Long ago",  "In those days", "That winter", "Years later",
                                "Meanwhile", "One afternoon", "By then",     "Later that spring"};

const char* const kCodeTypes[] = {"int", "long", "float", "bool", "char"};
const char* const kCodeVerbs[] = {"compute", "update", "find",  "count", "merge", "scale",
                                  "check",   "parse",  "reset", "sum",   "clamp", "hash"};
const char* const kCodeNouns[] = {"Index", "Total", "Buffer", "Node",   "Value", "Range",
                                  "Limit", "Entry", "Score",  "Offset", "Width", "Key"};
const char* const kVars[] = {"i", "j", "k", "n", "x", "y", "acc", "tmp", "len", "pos", "sum", "idx"};
const char* const kCodeOps[] = {"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"};
const char* const kCmpOps[] = {"<", ">", "<=", ">=", "==", "!="};

const char* const kMotifs[] = {"TATAAA", "GAATTC", "GGATCC", "CACGTG", "CCGCGG", "TTGACA", "AAGCTT"};
const char* const kOrganisms[] = {"E.coli", "S.cerevisiae", "A.thaliana", "D.melanogaster", "M.musculus"};

const char* const kServices[] = {"api", "auth", "billing", "search", "worker", "gateway", "scheduler", "cache"};
const char* const kPaths[] = {"/api/users", "/api/orders", "/api/items", "/login",
                              "/health",    "/api/search", "/api/cart",  "/metrics"};
const char* const kMethods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
const char* const kWarnings[] = {"slow query on table orders", "retrying connection to db-2",
                                 "cache miss ratio above 0.4", "queue depth 812 exceeds soft limit",
                                 "certificate expires in 9 days"};
const char* const kErrors[] = {"connection refused by 10.0.3.17:5432", "timeout after 30000 ms waiting for lock",
                               "invalid token signature", "disk usage at 97% on /var", "upstream returned 502"};

std::string fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* format, ...)
{
    char buf[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    return buf;
}

// ---- arithmetic: equations with correct answers ----
std::string arithmetic(SplitMix64& rng)
{
    std::string out;
    const int lines = static_cast<int>(rng.range(4, 12));
    for (int l = 0; l < lines; ++l) {
        const int kind = static_cast<int>(rng.below(6));
        const int digits = static_cast<int>(rng.range(1, 3));
        const std::int64_t hi = digits == 1 ? 9 : digits == 2 ? 99 : 999;
        std::int64_t a = rng.range(0, hi), b = rng.range(0, hi);
        switch (kind) {
        case 0: out += fmt("%lld + %lld = %lld", (long long)a, (long long)b, (long long)(a + b)); break;
        case 1: out += fmt("%lld - %lld = %lld", (long long)a, (long long)b, (long long)(a - b)); break;
        case 2:
            a = rng.range(2, 99), b = rng.range(2, 99);
            out += fmt("%lld * %lld = %lld", (long long)a, (long long)b, (long long)(a * b));
            break;
        case 3: {
            b = rng.range(2, 30);
            const std::int64_t q = rng.range(1, 99);
            out += fmt("%lld / %lld = %lld", (long long)(b * q), (long long)b, (long long)q);
            break;
        }
        case 4: {
            const std::int64_t c = rng.range(2, 12);
            out += fmt("(%lld + %lld) * %lld = %lld", (long long)a, (long long)b, (long long)c,
                       (long long)((a + b) * c));
            break;
        }
        default: {
            const std::int64_t c = rng.range(0, hi);
            out += fmt("%lld + %lld - %lld = %lld", (long long)a, (long long)b, (long long)c, (long long)(a + b - c));
            break;
        }
        }
        out += '\n';
    }
    out.pop_back();
    return out;
}

// ---- code: functions in a C-like language from a small grammar ----
std::string codeExpr(SplitMix64& rng, int depth)
{
    if (depth <= 0 || rng.chance(0.4))
        return rng.chance(0.6) ? std::string(rng.pick(kVars)) : std::to_string(rng.range(0, 64));
    return codeExpr(rng, depth - 1) + " " + rng.pick(kCodeOps) + " " + codeExpr(rng, depth - 1);
}

void codeBlock(SplitMix64& rng, std::string& out, int indent, int depth)
{
    const std::string pad(static_cast<std::size_t>(indent) * 4, ' ');
    const int statements = static_cast<int>(rng.range(1, depth > 1 ? 4 : 3));
    for (int s = 0; s < statements; ++s) {
        const int kind = depth > 0 ? static_cast<int>(rng.below(6)) : static_cast<int>(rng.below(2));
        const std::string v = rng.pick(kVars);
        switch (kind) {
        case 0: out += pad + rng.pick(kCodeTypes) + " " + v + " = " + codeExpr(rng, 2) + ";\n"; break;
        case 1: out += pad + v + " " + (rng.chance(0.5) ? "+=" : "=") + " " + codeExpr(rng, 2) + ";\n"; break;
        case 2:
            out += pad + "if (" + v + " " + rng.pick(kCmpOps) + " " + codeExpr(rng, 1) + ") {\n";
            codeBlock(rng, out, indent + 1, depth - 1);
            if (rng.chance(0.4)) {
                out += pad + "} else {\n";
                codeBlock(rng, out, indent + 1, depth - 1);
            }
            out += pad + "}\n";
            break;
        case 3:
            out += pad + "for (int " + v + " = 0; " + v + " < " + rng.pick(kVars) + "; " + v + "++) {\n";
            codeBlock(rng, out, indent + 1, depth - 1);
            out += pad + "}\n";
            break;
        case 4:
            out += pad + "while (" + v + " " + rng.pick(kCmpOps) + " " + std::to_string(rng.range(0, 100)) + ") {\n";
            codeBlock(rng, out, indent + 1, depth - 1);
            out += pad + "}\n";
            break;
        default:
            out += pad + rng.pick(kCodeVerbs) + rng.pick(kCodeNouns) + "(" + v + ", " + codeExpr(rng, 1) + ");\n";
            break;
        }
    }
}

std::string code(SplitMix64& rng)
{
    std::string out;
    const int functions = static_cast<int>(rng.range(1, 2));
    for (int f = 0; f < functions; ++f) {
        if (f)
            out += "\n";
        const std::string type = rng.pick(kCodeTypes);
        out += type + " " + rng.pick(kCodeVerbs) + rng.pick(kCodeNouns) + "(";
        const int params = static_cast<int>(rng.range(1, 3));
        for (int p = 0; p < params; ++p)
            out += std::string(p ? ", " : "") + rng.pick(kCodeTypes) + " " + kVars[(p * 3 + 3) % 12];
        out += ") {\n";
        codeBlock(rng, out, 1, 3);
        out += "    return " + codeExpr(rng, 2) + ";\n}";
    }
    return out;
}

// ---- records: JSON objects or CSV rows ----
std::string records(SplitMix64& rng)
{
    std::string out;
    const int rows = static_cast<int>(rng.range(3, 8));
    const bool csv = rng.chance(0.5);
    if (csv)
        out += "id,name,city,age,balance,active\n";
    for (int r = 0; r < rows; ++r) {
        const long long id = rng.range(1000, 99999);
        const std::string name = std::string(rng.pick(kNames)) + " " + rng.pick(kSurnames);
        const char* city = rng.pick(kCities);
        const int age = static_cast<int>(rng.range(18, 90));
        const double balance = static_cast<double>(rng.range(0, 5000000)) / 100.0;
        const bool active = rng.chance(0.7);
        if (csv)
            out += fmt("%lld,%s,%s,%d,%.2f,%s\n", id, name.c_str(), city, age, balance, active ? "true" : "false");
        else
            out += fmt("{\"id\": %lld, \"name\": \"%s\", \"city\": \"%s\", \"age\": %d, \"balance\": %.2f, "
                       "\"active\": %s}\n",
                       id, name.c_str(), city, age, balance, active ? "true" : "false");
    }
    out.pop_back();
    return out;
}

// ---- dna: FASTA-like records with planted motifs ----
std::string dna(SplitMix64& rng)
{
    static const char bases[] = {'A', 'C', 'G', 'T'};
    const int length = static_cast<int>(rng.range(120, 480));
    std::string seq;
    seq.reserve(static_cast<std::size_t>(length) + 8);
    const double gc = 0.35 + 0.3 * rng.uniform(); // per-record GC content
    while (static_cast<int>(seq.size()) < length) {
        if (rng.chance(0.03)) {
            seq += rng.pick(kMotifs);
            continue;
        }
        const bool strong = rng.chance(gc);
        seq += bases[strong ? 1 + rng.below(2) : (rng.chance(0.5) ? 0 : 3)];
    }
    seq.resize(static_cast<std::size_t>(length));
    std::string out = fmt(">seq%05lld %s chr%lld:%lld-%lld\n", (long long)rng.range(0, 99999), rng.pick(kOrganisms),
                          (long long)rng.range(1, 22), (long long)rng.range(1000, 900000),
                          (long long)rng.range(900001, 2000000));
    for (std::size_t i = 0; i < seq.size(); i += 60)
        out += seq.substr(i, 60) + "\n";
    out.pop_back();
    return out;
}

// ---- prose: English-like sentences from a tiny grammar ----
std::string nounPhrase(SplitMix64& rng)
{
    if (rng.chance(0.15))
        return rng.pick(kNames);
    std::string np = rng.pick(kDeterminers);
    if (np == "a" || np == "one" || np == "every" || np == "this" || np == "that" || np == "no" || np == "the" ||
        np == "some") {
        if (rng.chance(0.6))
            np += std::string(" ") + rng.pick(kAdjectives);
    }
    np += std::string(" ") + rng.pick(kNouns);
    if (np.rfind("a ", 0) == 0 && std::string("aeiou").find(np[2]) != std::string::npos)
        np.insert(1, "n");
    return np;
}

std::string clause(SplitMix64& rng)
{
    std::string c = nounPhrase(rng);
    if (rng.chance(0.3))
        c += std::string(" ") + rng.pick(kIntransitive);
    else
        c += std::string(" ") + rng.pick(kVerbs) + " " + nounPhrase(rng);
    if (rng.chance(0.4))
        c += std::string(" ") + rng.pick(kPrepositions) + " " + nounPhrase(rng);
    if (rng.chance(0.3))
        c += std::string(" ") + rng.pick(kAdverbs);
    return c;
}

std::string prose(SplitMix64& rng)
{
    std::string out;
    const int sentences = static_cast<int>(rng.range(3, 7));
    for (int s = 0; s < sentences; ++s) {
        std::string sentence;
        if (rng.chance(0.25))
            sentence = std::string(rng.pick(kOpeners)) + ", " + clause(rng);
        else
            sentence = clause(rng);
        if (rng.chance(0.35))
            sentence += std::string(", ") + rng.pick(kConnectives) + " " + clause(rng);
        sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
        out += (s ? " " : "") + sentence + (rng.chance(0.1) ? "!" : ".");
    }
    return out;
}

// ---- logs: service log lines ----
std::string logs(SplitMix64& rng)
{
    std::string out;
    const int lines = static_cast<int>(rng.range(5, 14));
    long long t = rng.range(0, 86400 * 365 - 1);
    const long long day = t / 86400;
    for (int l = 0; l < lines; ++l) {
        t += rng.range(0, 5);
        const long long s = t % 86400;
        const double roll = rng.uniform();
        std::string line = fmt("2024-%02lld-%02lld %02lld:%02lld:%02lld.%03lld ", day / 31 % 12 + 1, day % 28 + 1,
                               s / 3600, s / 60 % 60, s % 60, (long long)rng.range(0, 999));
        const std::string who = fmt("[%s-%lld]", rng.pick(kServices), (long long)rng.range(1, 8));
        if (roll < 0.75)
            line += fmt("INFO  %s %s %s/%lld %d %lldms", who.c_str(), rng.pick(kMethods), rng.pick(kPaths),
                        (long long)rng.range(1, 9999), rng.chance(0.9) ? 200 : 404, (long long)rng.range(1, 900));
        else if (roll < 0.92)
            line += fmt("WARN  %s %s", who.c_str(), rng.pick(kWarnings));
        else
            line += fmt("ERROR %s %s", who.c_str(), rng.pick(kErrors));
        out += line + "\n";
    }
    out.pop_back();
    return out;
}

using Generator = std::string (*)(SplitMix64&);
struct Domain {
    const char* name;
    Generator generate;
};
const Domain kDomains[] = {{"arithmetic", arithmetic}, {"code", code}, {"records", records}, {"dna", dna},
                           {"prose", prose},           {"logs", logs}};

const Domain& findDomain(const std::string& name)
{
    for (const auto& d : kDomains)
        if (name == d.name)
            return d;
    std::string names;
    for (const auto& d : kDomains)
        names += (names.empty() ? "" : ", ") + std::string(d.name);
    throw UsageError("unknown demo domain '" + name + "' (expected one of " + names + ")");
}

std::uint64_t documentSeed(std::uint64_t seed, const std::string& domain, std::uint64_t index)
{
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : domain)
        h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return SplitMix64::mix(SplitMix64::mix(seed) ^ SplitMix64::mix(h) ^ (index * 0x9E3779B97F4A7C15ULL));
}

} // namespace

const std::vector<std::string>& demoDomains()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& d : kDomains)
            n.push_back(d.name);
        return n;
    }();
    return names;
}

std::string demoDocument(const std::string& domain, std::uint64_t seed, std::uint64_t index)
{
    const Domain& d = findDomain(domain);
    SplitMix64 rng(documentSeed(seed, domain, index));
    return d.generate(rng);
}

std::vector<DemoCorpusFile> writeDemoCorpus(const fs::path& outDir, const DemoCorpusOptions& options,
                                            JobControl& control)
{
    if (!(options.mbPerDomain > 0.0 && options.mbPerDomain <= 4096.0))
        throw UsageError("MB per domain must be in (0, 4096], got " + std::to_string(options.mbPerDomain));
    const std::vector<std::string> domains = options.domains.empty() ? demoDomains() : options.domains;
    for (const auto& name : domains)
        findDomain(name);
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec)
        throw Error("Cannot create " + outDir.string() + ": " + ec.message());

    const auto target = static_cast<std::int64_t>(std::ceil(options.mbPerDomain * 1024.0 * 1024.0));
    std::vector<DemoCorpusFile> written;
    for (std::size_t k = 0; k < domains.size(); ++k) {
        DemoCorpusFile file{domains[k], outDir / (domains[k] + ".jsonl"), 0, 0};
        AtomicFile out(file.path);
        std::string chunk;
        for (std::uint64_t i = 0; file.bytes < target; ++i) {
            const std::string line = nlohmann::json{{"text", demoDocument(domains[k], options.seed, i)}}.dump() + "\n";
            chunk += line;
            file.bytes += static_cast<std::int64_t>(line.size());
            ++file.documents;
            if (chunk.size() >= (1u << 20) || file.bytes >= target) {
                out.write(chunk);
                chunk.clear();
                control.checkpoint();
                control.report(static_cast<std::int64_t>(k) * target + file.bytes,
                               static_cast<std::int64_t>(domains.size()) * target, "generating", domains[k]);
            }
        }
        out.commit();
        written.push_back(file);
    }
    return written;
}

} // namespace teft
