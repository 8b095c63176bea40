#pragma once

#include <QString>
#include <QStringList>
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
    double score = 0.0;                                         // what aggregation uses: gain if significant, else 0
    // s_i as measured: the token-weighted mean of L_b(Φ(t)) − L_b(Φ(t) − Δ_i) over the held-out
    // batches, its standard error (NaN below 2 batches), its one-sided lower bound, the tokens
    // it rests on; significant when the bound is > 0 (core/teft/ScoreStatistics.h).
    double gain = std::numeric_limits<double>::quiet_NaN();
    double stdError = std::numeric_limits<double>::quiet_NaN();
    double lowerBound = std::numeric_limits<double>::quiet_NaN();
    double confidence = 0.95;
    std::int64_t tokens = 0;
    bool significant = false;
    QStringList tiedWith;  // the submissions (folder names) it is tied with within noise
    int rank = 0;          // 1 = best; 0 = unranked
    double weight = 0.0;   // share in the aggregated Δ
    bool accepted = false; // part of the aggregate
    Override override = Override::None;
};

} // namespace teft::ui
