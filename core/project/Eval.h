#pragma once

// Held-out loss and perplexity of a model, optionally with Φ or a submission's update applied
// (`teft eval`), recorded as an "eval" job (recordJob: cancel → cancelled, error → failed).

#include "core/project/Datasets.h"
#include "core/train/LossEvaluator.h"

#include <c10/core/ScalarType.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace teft {

class JobControl;

struct EvalRequest {
    std::filesystem::path modelDir;
    std::string device = "auto"; // "auto" (a GPU when there is one), "cpu" or "cuda:N"
    torch::ScalarType computeDtype = torch::kFloat;
    std::filesystem::path phiFile;       // empty: none; else these expert weights are set first
    std::filesystem::path submissionDir; // empty: none; else Φ_i = Φ − Δ_i of this submission
    std::vector<NamedDataset> datasets;  // evaluated in order; `name` is reported as "dataset"
    EvalSettings eval;
    std::optional<std::int64_t> projectId;
};

struct EvalReport {
    struct Row {
        std::string dataset;
        EvalResult result;
    };
    std::vector<Row> results;
    std::int64_t jobId = 0;
};

// Job config {"model", "data": [dataset names], "phi", "submission"}. UsageError when both a Φ
// file and a submission are given (before the job is recorded); FormatError for a tensor of
// either that is not an expert tensor of the model. The model is loaded with exactly the experts
// Φ / the submission touch selected; each dataset is tokenized with the model's tokenizer and
// evaluated (metric "loss", step = 1-based dataset index).
EvalReport evaluateModel(const EvalRequest& request, JobControl& control);

} // namespace teft
