// `teft data ...`: look at datasets (preview), tokenize and pack them (pack), and write the
// built-in demo corpus (demo-corpus).
#include "app/cli/Cli.h"

#include "core/data/DatasetReader.h"
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/text/Tokenizer.h"

#include <sstream>

namespace teft::cli {
namespace {

const std::vector<Option> kReadingOptions = {
    {"format", "F", "Input format: auto, jsonl, text, csv, tsv", "auto"},
    {"field", "F", "JSONL field holding the text (dots for nested); default: 'text', else chat 'messages'"},
    {"column", "C", "CSV/TSV column holding the text (name or 0-based index)", "text"},
    {"split", "S", "How text files are cut into documents: file, blank-line, line", "blank-line"},
    {"chat-template", "T", "Template for chat 'messages': chatml, plain", "chatml"},
    {"strict", "", "Fail on the first bad record instead of skipping it"},
};

std::vector<Option> withReading(std::vector<Option> extra)
{
    std::vector<Option> all = kReadingOptions;
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
}

DatasetSpec specFrom(const Invocation& inv)
{
    DatasetSpec spec;
    for (const auto& p : inv.positional)
        spec.paths.emplace_back(p);
    if (spec.paths.empty())
        throw UsageError("give at least one dataset PATH");
    spec.format = parseDataFormat(inv.get("format"));
    spec.field = inv.get("field");
    spec.column = inv.get("column");
    spec.docSplit = parseDocSplit(inv.get("split"));
    spec.chatTemplate = inv.get("chat-template");
    spec.strict = inv.flag("strict");
    return spec;
}

nlohmann::json filesJson(const std::vector<DatasetFile>& files)
{
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : files)
        out.push_back({{"path", f.path.string()}, {"format", toString(f.format)}, {"bytes", f.size}});
    return out;
}

std::string oneLine(const std::string& text, std::size_t max)
{
    std::string s;
    for (char c : text) {
        if (s.size() >= max) {
            s += "...";
            break;
        }
        s += c == '\n' ? std::string("\\n") : c == '\t' ? std::string("\\t") : std::string(1, c);
    }
    return s;
}

int runPreview(Invocation& inv)
{
    const DatasetSpec spec = specFrom(inv);
    const long long n = inv.getInt("n");
    if (n < 0)
        throw UsageError("-n must be >= 0, got " + std::to_string(n));
    DataQualityReport report;
    const auto files = resolveDatasetFiles(spec);
    const auto records = previewDataset(spec, static_cast<std::size_t>(n), &report);
    if (inv.json()) {
        nlohmann::json recs = nlohmann::json::array();
        for (const auto& r : records)
            recs.push_back({{"text", r.text}, {"file", r.file}, {"line", r.line}});
        inv.printJson({{"files", filesJson(files)}, {"records", recs}, {"quality", report.toJson()}});
        return 0;
    }
    std::ostringstream out;
    out << files.size() << (files.size() == 1 ? " file" : " files") << "\n";
    for (const auto& r : records)
        out << r.file << ":" << r.line << ": " << oneLine(r.text, 160) << "\n";
    if (records.empty())
        out << "no records: " << report.whyEmpty() << "\n";
    out << report.summary();
    inv.printText(out.str());
    return 0;
}

int runPack(Invocation& inv)
{
    const DatasetSpec spec = specFrom(inv);
    const Tokenizer tokenizer = Tokenizer::fromFile(inv.require("tokenizer"));
    PackingOptions opt;
    opt.seqLen = inv.getInt("seq-len");
    opt.heldOutFraction = inv.getDouble("held-out");
    opt.seed = static_cast<std::uint64_t>(inv.getInt("seed"));
    opt.useCache = !inv.flag("no-cache");
    opt.rehashData = inv.flag("rehash");
    opt.threads = static_cast<int>(inv.getInt("threads"));
    const TokenDataset ds = TokenDataset::build(spec, tokenizer, opt, inv.control);
    const DatasetStats& st = ds.stats();
    if (inv.json()) {
        nlohmann::json doc = st.toJson();
        doc["seq_len"] = ds.seqLen();
        doc["eos_id"] = ds.eosId();
        inv.printJson(doc);
        return 0;
    }
    std::ostringstream out;
    out << st.files << (st.files == 1 ? " file, " : " files, ") << st.bytes << " bytes, " << st.documents
        << " documents (" << st.trainDocuments << " training, " << st.heldOutDocuments << " held out)\n"
        << st.tokens << " tokens -> " << st.trainSequences << " training and " << st.heldOutSequences
        << " held-out rows of " << ds.seqLen() << " (" << st.droppedTokens << " tokens in partial rows dropped)\n"
        << (st.fromCache ? "read from the cache" : "tokenized")
        << (st.cacheKey.empty() ? "" : " (" + st.cacheKey.substr(0, 16) + ")") << "\n"
        << st.quality.summary();
    inv.printText(out.str());
    return 0;
}

int runDemoCorpus(Invocation& inv)
{
    DemoCorpusOptions opt;
    opt.seed = static_cast<std::uint64_t>(inv.getInt("seed"));
    opt.mbPerDomain = inv.getDouble("mb-per-domain");
    opt.domains = inv.all("domain");
    const auto files = writeDemoCorpus(inv.require("out"), opt, inv.control);
    nlohmann::json doc = nlohmann::json::array();
    std::ostringstream out;
    for (const auto& f : files) {
        doc.push_back(
            {{"domain", f.domain}, {"path", f.path.string()}, {"documents", f.documents}, {"bytes", f.bytes}});
        out << f.domain << ": " << f.documents << " documents, " << f.bytes << " bytes -> " << f.path.string() << "\n";
    }
    if (inv.json())
        inv.printJson({{"files", doc}, {"seed", opt.seed}});
    else
        inv.printText(out.str());
    return 0;
}

std::string domainList()
{
    std::string s;
    for (const auto& d : demoDomains())
        s += (s.empty() ? "" : ", ") + d;
    return s;
}

} // namespace

TEFT_COMMAND({"data preview",
              "Show the first records of a dataset",
              "Reads JSONL, text, CSV/TSV files or folders of them (streamed) and prints the first N records "
              "with their file and line, plus the bad records met on the way.",
              {"PATH..."},
              withReading({{"n", "N", "Number of records", "10"}}),
              runPreview});

TEFT_COMMAND({"data pack",
              "Tokenize and pack a dataset into fixed-length rows (cached)",
              "Tokenizes every document (EOS after each), splits documents into training and held-out sets by a "
              "hash of their text, and packs each set into rows of --seq-len tokens. The result is cached under "
              "the data directory; a second run with the same data, tokenizer and options reads the cache.",
              {"PATH..."},
              withReading({{"tokenizer", "DIR", "tokenizer.json or a model folder holding it", "", true},
                           {"seq-len", "N", "Tokens per row", "", true},
                           {"held-out", "F", "Fraction of documents held out for evaluation", "0.05"},
                           {"seed", "S", "Salt of the held-out split (shared by all peers of a job)", "0"},
                           {"no-cache", "", "Tokenize without reading or writing the cache"},
                           {"rehash", "", "Hash every byte of the data even if no file's stamps changed"}}),
              runPack});

TEFT_COMMAND({"data demo-corpus",
              "Write the built-in synthetic demo corpus",
              "Generates one JSONL file ({\"text\": ...} per line) per domain, deterministic from the seed, no "
              "download. Domains: " +
                  domainList() + ".",
              {},
              {{"out", "DIR", "Output folder", "", true},
               {"seed", "S", "Generator seed", "1"},
               {"mb-per-domain", "X", "MiB per domain", "1.5"},
               {"domain", "NAME", "Only this domain (repeatable)", "", false, true}},
              runDemoCorpus});

} // namespace teft::cli
