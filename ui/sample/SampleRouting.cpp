#include "ui/sample/SampleRouting.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace teft::ui {

namespace {

// Preference weights of one layer: Zipf over a permutation of the experts.
std::vector<double> layerPreferences(int experts, std::mt19937& rng, const std::vector<int>* sharedOrder,
                                     std::vector<int>* orderOut)
{
    std::vector<int> order(static_cast<std::size_t>(experts));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    if (sharedOrder) {
        // Keep every other one of the target's favourites so some experts are hot on both.
        for (std::size_t i = 0; i < order.size() && i < sharedOrder->size(); i += 2) {
            const int want = (*sharedOrder)[i];
            std::swap(order[i], *std::find(order.begin(), order.end(), want));
        }
    }
    std::vector<double> pref(static_cast<std::size_t>(experts));
    for (int rank = 0; rank < experts; ++rank)
        pref[static_cast<std::size_t>(order[static_cast<std::size_t>(rank)])] = 1.0 / std::pow(rank + 1.5, 1.1);
    if (orderOut)
        *orderOut = order;
    return pref;
}

void simulate(RoutingStats& stats, int row, const std::vector<double>& pref, int topK, int tokens, std::mt19937& rng)
{
    const int experts = static_cast<int>(pref.size());
    std::discrete_distribution<int> pick(pref.begin(), pref.end());
    std::vector<int> chosen;
    for (int t = 0; t < tokens; ++t) {
        chosen.clear();
        while (static_cast<int>(chosen.size()) < std::min(topK, experts)) {
            const int e = pick(rng);
            if (std::find(chosen.begin(), chosen.end(), e) == chosen.end())
                chosen.push_back(e);
        }
        double sum = 0.0;
        for (int e : chosen)
            sum += pref[static_cast<std::size_t>(e)];
        for (int e : chosen)
            stats.add(row, e, pref[static_cast<std::size_t>(e)] / sum);
    }
    stats.addTokens(row, tokens);
}

} // namespace

SampleRouting makeSampleRouting(int moeLayers, int experts, int topK, int tokens, unsigned seed)
{
    SampleRouting sample;
    sample.layout.numLayers = moeLayers;
    sample.layout.moeLayers.resize(static_cast<std::size_t>(moeLayers));
    std::iota(sample.layout.moeLayers.begin(), sample.layout.moeLayers.end(), 0);
    sample.layout.numExperts = experts;
    sample.layout.topK = topK;
    sample.layout.fingerprint = "sample-" + std::to_string(moeLayers) + "x" + std::to_string(experts);

    sample.target = RoutingStats(sample.layout.moeLayers, experts, topK);
    sample.reference = RoutingStats(sample.layout.moeLayers, experts, topK);
    sample.target.modelFingerprint = sample.reference.modelFingerprint = sample.layout.fingerprint;
    sample.target.dataset = "code-review.jsonl";
    sample.reference.dataset = "general-web.jsonl";

    std::mt19937 rng(seed);
    for (int row = 0; row < moeLayers; ++row) {
        std::vector<int> order;
        const std::vector<double> pref = layerPreferences(experts, rng, nullptr, &order);
        simulate(sample.target, row, pref, topK, tokens, rng);
        const std::vector<double> refPref = layerPreferences(experts, rng, &order, nullptr);
        simulate(sample.reference, row, refPref, topK, tokens, rng);
    }
    // OLMoE-1B-7B: hidden 2048, expert width 1024, three projections, bf16.
    sample.paramsPerExpert = 3LL * 2048 * 1024;
    sample.bytesPerExpert = sample.paramsPerExpert * 2;
    sample.modelTotalBytes = static_cast<std::int64_t>(12.9 * 1024.0 * 1024.0 * 1024.0);
    return sample;
}

} // namespace teft::ui
