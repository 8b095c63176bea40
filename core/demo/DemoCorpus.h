#pragma once

// The built-in demo corpus: synthetic text in clearly different domains, generated from a seed
// with no download, so that a small MoE pretrained on the mixture learns domain-specific
// routing. Same seed and size -> byte-identical files on every machine (own SplitMix64
// generator, no std:: distributions).

#include "core/util/Progress.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace teft {

// The domain names, in a fixed order: "arithmetic", "code", "records", "dna", "prose", "logs".
const std::vector<std::string>& demoDomains();

// One document of a domain (for tests and previews). Throws teft::UsageError for an unknown
// domain name.
std::string demoDocument(const std::string& domain, std::uint64_t seed, std::uint64_t index);

struct DemoCorpusOptions {
    std::uint64_t seed = 1;
    double mbPerDomain = 1.5;         // MiB of JSONL per domain (approximately, >= this)
    std::vector<std::string> domains; // empty = all of demoDomains()
};

struct DemoCorpusFile {
    std::string domain;
    std::filesystem::path path; // <out>/<domain>.jsonl, one {"text": ...} per line
    std::int64_t documents = 0;
    std::int64_t bytes = 0;
};

// Writes one JSONL file per domain into `outDir` (created), each atomically. Reports progress
// per domain ("generating") and honours cancellation.
std::vector<DemoCorpusFile> writeDemoCorpus(const std::filesystem::path& outDir, const DemoCorpusOptions& options,
                                            JobControl& control);

} // namespace teft
