#pragma once

// The built-in demo foundation model: a small qwen3_moe pretrained from random weights, all
// parameters trainable (FullParameterModel), on the mixture of the demo corpus domains, so
// that its routing becomes domain-specific. Built once and cached in
// <dataDir>/models/demo-<hash> (the hash covers every setting and the format version); a
// complete folder holds demo_model.json, written last. Also measures the per-domain routing
// concentration of the trained model against its random initialisation.

#include "core/util/Progress.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace teft {

struct DemoModelSettings {
    std::uint64_t seed = 1;
    double corpusMbPerDomain = 0.6;
    std::int64_t hidden = 96;
    std::int64_t layers = 4;
    std::int64_t heads = 4;
    std::int64_t kvHeads = 2;
    std::int64_t headDim = 24;
    std::int64_t experts = 16;
    std::int64_t topK = 2;
    std::int64_t expertIntermediate = 64;
    std::int64_t seqLen = 128;
    int batchSize = 8;
    std::int64_t steps = 500;
    double lr = 3e-3;
    double auxLossCoef = 0.01;

    nlohmann::json toJson() const;
    std::string hash() const;
};

// <dataDir>/demo/corpus-<seed>-<mb>: the demo corpus (generated when absent). Returns the
// domain files in demoDomains() order.
std::vector<std::filesystem::path> ensureDemoCorpus(const DemoModelSettings& settings, JobControl& control);

struct DomainConcentration {
    std::string domain;
    double entropy = 0;  // mean over MoE layers of the expert-usage entropy / ln(E), in [0, 1]
    double topShare = 0; // mean over layers of the share of token choices held by the top-k experts
};

struct DemoModelInfo {
    std::filesystem::path dir;
    bool built = false; // false: found in the cache
    double seconds = 0;
    double firstLoss = 0, lastLoss = 0;
    std::vector<DomainConcentration> trained, random;
    nlohmann::json toJson() const;
    static DemoModelInfo fromJson(const nlohmann::json& j, const std::filesystem::path& dir);
};

// Returns the cached model or pretrains it (minutes on 2 cores). Recorded as a "pretrain" job.
DemoModelInfo ensureDemoModel(const DemoModelSettings& settings, JobControl& control);
std::filesystem::path demoModelDir(const DemoModelSettings& settings);

// Per-domain routing concentration of the model in `modelDir` on each domain's held-out rows.
std::vector<DomainConcentration> routingConcentration(const std::filesystem::path& modelDir,
                                                      const std::vector<std::filesystem::path>& domainFiles,
                                                      const DemoModelSettings& settings, JobControl& control);

} // namespace teft
