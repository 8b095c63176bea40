#pragma once

#include <QString>
#include <cstdint>
#include <limits>

namespace teft::ui {

// One submission as the validator review shows it: the verifier's verdict, the proof-of-loss
// losses and score, and the aggregation result, plus the user's override.
struct SubmissionReview {
    enum class Override { None, Accept, Reject };

    QString miner;
    QString path;
    bool verified = false;
    QString reasonCode;                                         // "accepted" or the refusal code
    QString reasonMessage;                                      // the sentence naming what is wrong
    double baseLoss = std::numeric_limits<double>::quiet_NaN(); // L(Φ(t))
    double newLoss = std::numeric_limits<double>::quiet_NaN();  // L(Φ(t) − Δ_i)
    double score = 0.0;                                         // s_i = ReLU(base − new)
    int rank = 0;                                               // 1 = best; 0 = unranked
    double weight = 0.0;                                        // share in the aggregated Δ
    bool accepted = false;                                      // part of the aggregate
    Override override = Override::None;
};

} // namespace teft::ui
