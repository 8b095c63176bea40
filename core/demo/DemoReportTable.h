#pragma once

// The text `teft demo` prints: a pure function of the report JSON (demo_report.json), so the
// table can be rebuilt from a saved report and tested on a report a test writes by hand.

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace teft {

// Reads "settings", "foundation_model", "selection_cost", "submission_bytes", "rounds",
// "losses", "merge" and "timings_s" of a teft-demo-report; a missing value reads as 0 / empty.
std::string demoReportTable(const nlohmann::json& report);

} // namespace teft
