#pragma once

// The end-to-end TEFT demo (`teft demo`): demo corpus and foundation model (cached), expert
// identification for one target domain (contrast against the other domains), miners on
// disjoint shards (one bad on purpose: a wild learning rate), validator rounds with
// proof-of-loss aggregation and the outer Nesterov step, merge into a full checkpoint, and a
// full fine-tuning baseline of all parameters on the same data and number of steps. Reports
// in-domain and out-of-domain held-out losses of the base, the TEFT-merged and the fully
// fine-tuned model, bytes per submission against the whole model, and each submission's fate.
//
// Everything lives in a work folder; a rerun with the same settings resumes (finished rounds
// are skipped, a miner continues from its checkpoint). Every job is in the job store, and a
// cancel (Ctrl-C) is recorded as such. The steps are in DemoSteps.h, the table in
// DemoReportTable.h.

#include "core/demo/DemoModel.h"
#include "core/teft/Aggregation.h"
#include "core/teft/OuterOptimizer.h"
#include "core/train/LossEvaluator.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace teft {

struct DemoSettings {
    DemoModelSettings model;
    std::string target = "code";
    int miners = 3;
    int badMiner = 2; // -1: none
    int rounds = 2;
    std::int64_t innerSteps = 20;
    int batchSize = 8;
    double lr = 1e-3;
    double badLr = 30.0;
    int expertsPerLayer = 1;
    EvalSettings eval{6, 8, 1234};
    // The validator's scoring batches: 16, the validator's default (a standard error with every
    // score, 15 degrees of freedom), of as many rows as the scoring half of the target's held-out
    // rows holds without repeating a row (code: 103 rows at the default size, 19 with --tiny).
    EvalSettings scoringEval{16, 5, 1234};
    AggregationSettings aggregation;
    OuterOptimizer::Settings outer;
    bool fullFineTune = true;
    // The full fine-tuning baseline's learning-rate sweep, as multiples of lr.
    std::vector<double> fullFineTuneLrFactors{0.1, 0.3, 1.0, 3.0};
    std::filesystem::path workDir; // empty: <dataDir>/demo/run-<hash>
    bool fresh = false;            // wipe the work folder first

    DemoSettings();
    // `teft demo --tiny` (tests): a very small model and corpus, small batches; the steps and
    // rounds are left as they are.
    void makeTiny();
    std::vector<double> fullFineTuneLrs() const;
    nlohmann::json toJson() const;
};

struct DemoReport {
    nlohmann::json json; // also saved as <work>/demo_report.json
    std::string table;   // demoReportTable(json)
};

DemoReport runDemo(const DemoSettings& settings, JobControl& control);

} // namespace teft
