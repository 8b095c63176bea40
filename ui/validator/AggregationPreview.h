#pragma once

#include "ui/validator/SubmissionReview.h"

#include <vector>

namespace teft::ui {

// Ranks scored submissions and computes who is aggregated with which weight, honouring the
// user's overrides, so the review shows the effect of an override before the outer step:
//  - rank: verified submissions with s_i > 0, by s_i descending (ties: earlier first);
//  - TopK: the k best ranked are accepted, equal weights (seed version 1);
//  - Proportional: every ranked submission is accepted, w_i = s_i / Σ s_j (seed version 2);
//  - an Accept override adds a verified submission (weight s_i-proportional in Proportional,
//    equal in TopK; with s_i = 0 its proportional weight is 0), a Reject override removes one.
// Unverified submissions are never accepted.
struct AggregationPreview {
    enum class Rule { TopK, Proportional };
    Rule rule = Rule::TopK;
    int k = 1;

    void apply(std::vector<SubmissionReview>& rows) const;
};

} // namespace teft::ui
