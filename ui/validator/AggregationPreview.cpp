#include "ui/validator/AggregationPreview.h"

#include <algorithm>
#include <numeric>

namespace teft::ui {

void AggregationPreview::apply(std::vector<SubmissionReview>& rows) const
{
    std::vector<std::size_t> ranked;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].score = std::max(0.0, rows[i].score);
        rows[i].rank = 0;
        rows[i].weight = 0.0;
        rows[i].accepted = false;
        if (rows[i].verified && rows[i].score > 0.0)
            ranked.push_back(i);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [&](std::size_t a, std::size_t b) { return rows[a].score > rows[b].score; });
    for (std::size_t r = 0; r < ranked.size(); ++r) {
        SubmissionReview& row = rows[ranked[r]];
        row.rank = static_cast<int>(r) + 1;
        row.accepted = rule == Rule::Proportional || static_cast<int>(r) < k;
    }
    for (SubmissionReview& row : rows) {
        if (!row.verified)
            continue;
        if (row.override == SubmissionReview::Override::Accept)
            row.accepted = true;
        else if (row.override == SubmissionReview::Override::Reject)
            row.accepted = false;
    }
    if (rule == Rule::Proportional) {
        double total = 0.0;
        for (const SubmissionReview& row : rows)
            if (row.accepted)
                total += row.score;
        for (SubmissionReview& row : rows)
            row.weight = row.accepted && total > 0.0 ? row.score / total : 0.0;
    } else {
        const auto n = std::count_if(rows.begin(), rows.end(), [](const SubmissionReview& r) { return r.accepted; });
        for (SubmissionReview& row : rows)
            row.weight = row.accepted ? 1.0 / static_cast<double>(n) : 0.0;
    }
}

} // namespace teft::ui
