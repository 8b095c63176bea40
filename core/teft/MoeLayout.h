#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace teft {

// The few facts about a model that selections, statistics and submissions are checked against.
// Filled from the model's config (core/model) so that core/teft does not depend on the engine.
struct MoeLayout {
    int numLayers = 0;          // all decoder layers
    std::vector<int> moeLayers; // model layer indices that hold routed experts, ascending
    int numExperts = 0;         // routed experts per MoE layer
    int topK = 0;               // experts per token
    std::string fingerprint;    // the model's fingerprint (config + weights identity)

    bool isMoeLayer(int layer) const
    {
        for (int l : moeLayers)
            if (l == layer)
                return true;
        return false;
    }
};

} // namespace teft
