#pragma once

#include "core/teft/MoeLayout.h"
#include "core/teft/RoutingStats.h"

#include <cstdint>

namespace teft::ui {

// Synthetic routing statistics with the shape and sizes of a real model, for the screenshots
// (teft-studio --screenshot), tests and the heatmap benchmark; never shown on a normal start.
// Every layer prefers a few experts (Zipf-like over a per-layer permutation); the reference
// dataset shares part of those preferences, so the contrast metrics show experts hot on the
// target only.
struct SampleRouting {
    MoeLayout layout;
    RoutingStats target;
    RoutingStats reference;
    std::int64_t paramsPerExpert = 0;
    std::int64_t bytesPerExpert = 0;
    std::int64_t modelTotalBytes = 0;
};

// OLMoE-1B-7B's shape (16 MoE layers × 64 experts, top-8, bf16 sizes) unless told otherwise.
// Deterministic for a given seed.
SampleRouting makeSampleRouting(int moeLayers = 16, int experts = 64, int topK = 8, int tokens = 2000,
                                unsigned seed = 7);

} // namespace teft::ui
