#pragma once

// The inner learning rate: linear warmup from 0 to the peak over warmupSteps, then cosine decay
// from the peak to minLrRatio·peak at totalSteps (and held there after). Step numbers are
// 0-based optimizer steps: lrAt(0) is the rate of the first update.

#include <cstdint>

namespace teft {

struct LrSchedule {
    double peak = 1e-4;
    std::int64_t warmupSteps = 0;
    std::int64_t totalSteps = 1;
    double minLrRatio = 0.1;

    void check() const; // UsageError naming the bad setting
    double lrAt(std::int64_t step) const;
};

} // namespace teft
