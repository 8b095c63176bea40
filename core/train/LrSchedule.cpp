#include "core/train/LrSchedule.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace teft {

void LrSchedule::check() const
{
    if (!(peak >= 0) || !std::isfinite(peak))
        throw UsageError("Learning rate must be a finite number >= 0, got " + std::to_string(peak));
    if (warmupSteps < 0)
        throw UsageError("Warmup steps must be >= 0, got " + std::to_string(warmupSteps));
    if (totalSteps < 1)
        throw UsageError("Total steps must be >= 1, got " + std::to_string(totalSteps));
    if (!(minLrRatio >= 0 && minLrRatio <= 1))
        throw UsageError("Minimum learning-rate ratio must be in [0, 1], got " + std::to_string(minLrRatio));
}

double LrSchedule::lrAt(std::int64_t step) const
{
    if (step < warmupSteps)
        return peak * static_cast<double>(step + 1) / static_cast<double>(warmupSteps + 1);
    const std::int64_t decaySteps = std::max<std::int64_t>(1, totalSteps - warmupSteps);
    const double progress = std::min(1.0, static_cast<double>(step - warmupSteps) / static_cast<double>(decaySteps));
    const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
    return peak * (minLrRatio + (1.0 - minLrRatio) * cosine);
}

} // namespace teft
