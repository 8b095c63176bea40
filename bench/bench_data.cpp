// Data path throughput: reading JSONL records, hashing the dataset (cache key), tokenizing and
// packing (cache miss, one thread and all threads), and loading from the cache (hit).
//
//   bench_data [--mb N] [--tokenizer DIR]   (default: 64 MiB of demo corpus; without
//   --tokenizer, a byte-level tokenizer, so the tokenize figure is the pipeline's own cost)
#include "core/data/DatasetFingerprint.h"
#include "core/data/DatasetReader.h"
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/text/Tokenizer.h"
#include "core/util/Runtime.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <unistd.h>
#include <cstring>
#include <fstream>
#include <thread>

using namespace teft;
namespace fs = std::filesystem;

namespace {
// Resident memory now, in MiB (VmRSS), to show that memory does not grow with the data.
double rssMb()
{
    std::ifstream in("/proc/self/status");
    std::string key;
    while (in >> key) {
        if (key == "VmRSS:") {
            double kb = 0;
            in >> kb;
            return kb / 1024.0;
        }
        in.ignore(1 << 12, '\n');
    }
    return 0;
}

double seconds(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string byteTokenizer()
{
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        int cp = b;
        if (!printable) {
            int n = 0;
            for (int k = 0; k < b; ++k)
                n += !((k >= '!' && k <= '~') || (k >= 0xA1 && k <= 0xAC) || (k >= 0xAE && k <= 0xFF));
            cp = 256 + n;
        }
        std::string s;
        if (cp < 0x80)
            s += static_cast<char>(cp);
        else
            s += static_cast<char>(0xC0 | (cp >> 6)), s += static_cast<char>(0x80 | (cp & 0x3F));
        vocab[s] = b;
    }
    nlohmann::json j = {
        {"added_tokens",
         {{{"id", 256},
           {"content", "<|endoftext|>"},
           {"single_word", false},
           {"lstrip", false},
           {"rstrip", false},
           {"normalized", false},
           {"special", true}}}},
        {"normalizer", nullptr},
        {"pre_tokenizer",
         {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}},
        {"post_processor", nullptr},
        {"decoder",
         {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}}},
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
    return j.dump();
}
} // namespace

int main(int argc, char** argv)
{
    double mb = 64;
    std::string tokDir;
    bool raw = false; // --raw 1: bytes as ids without teft::Tokenizer (isolates the pipeline)
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--raw"))
            raw = std::atoi(argv[i + 1]) != 0;
        if (!std::strcmp(argv[i], "--mb"))
            mb = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--tokenizer"))
            tokDir = argv[i + 1];
    }
    configureThreads(0);
    const fs::path dir = fs::temp_directory_path() / ("teft-bench-data-" + std::to_string(::getpid()));
    JobControl control;
    DemoCorpusOptions opt;
    opt.mbPerDomain = mb / static_cast<double>(demoDomains().size());
    auto t0 = std::chrono::steady_clock::now();
    writeDemoCorpus(dir / "corpus", opt, control);
    const double gen = seconds(t0);

    DatasetSpec spec;
    spec.paths = {dir / "corpus"};
    t0 = std::chrono::steady_clock::now();
    DatasetReader reader(spec);
    TextRecord r;
    std::int64_t bytes = 0;
    while (reader.next(r))
        bytes += static_cast<std::int64_t>(r.text.size());
    const double read = seconds(t0);
    const double fileMb = static_cast<double>(reader.totalBytes()) / (1 << 20);

    t0 = std::chrono::steady_clock::now();
    datasetContentHash(resolveDatasetFiles(spec), control);
    const double hash = seconds(t0);

    std::printf("RSS before loading the tokenizer: %.0f MiB\n", rssMb());
    const Tokenizer tok = tokDir.empty() ? Tokenizer::fromJson(byteTokenizer()) : Tokenizer::fromFile(tokDir);
    std::printf("corpus: %.1f MiB in %zu domains, generated in %.2f s (%.1f MiB/s)\n", fileMb, demoDomains().size(),
                gen, fileMb / gen);
    std::printf("read JSONL: %lld records, %.2f s, %.1f MiB/s (RSS %.0f MiB)\n",
                static_cast<long long>(reader.records()), read, fileMb / read, rssMb());
    std::printf("content hash (SHA-256): %.2f s, %.1f MiB/s\n", hash, fileMb / hash);
    for (int threads : {1, 0}) {
        PackingOptions p;
        p.seqLen = 1024;
        p.threads = threads;
        p.cacheDir = dir / ("cache" + std::to_string(threads));
        t0 = std::chrono::steady_clock::now();
        TextEncoder enc = TextEncoder::from(tok);
        if (raw)
            enc.encodeBatch = [](const std::vector<std::string>& texts, int) {
                std::vector<std::vector<std::int32_t>> out;
                for (const auto& t : texts)
                    out.emplace_back(reinterpret_cast<const unsigned char*>(t.data()),
                                     reinterpret_cast<const unsigned char*>(t.data()) + t.size());
                return out;
            };
        const auto ds = TokenDataset::build(spec, enc, p, control);
        const double miss = seconds(t0);
        t0 = std::chrono::steady_clock::now();
        const auto hit = TokenDataset::build(spec, enc, p, control);
        const double hitS = seconds(t0);
        std::printf("pack (%s tokenizer, %s): %lld tokens, miss %.2f s (%.1f MiB/s), hit %.2f s (from cache: %s), "
                    "RSS %.0f MiB\n",
                    tokDir.empty() ? "byte-level" : "given", threads == 1 ? "1 thread" : "all threads",
                    static_cast<long long>(ds.stats().tokens), miss, fileMb / miss, hitS,
                    hit.stats().fromCache ? "yes" : "no", rssMb());
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
