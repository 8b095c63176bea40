// `teft jobs list|show`: the job store as the CLI sees it (the GUI's Jobs view shows the same).
#include "app/cli/Cli.h"

#include "core/store/JobStore.h"

#include <sstream>

namespace teft::cli {
namespace {

nlohmann::json toJson(const JobStore::Job& j)
{
    nlohmann::json config = nlohmann::json::parse(j.config, nullptr, false);
    return {{"id", j.id},
            {"project_id", j.projectId ? nlohmann::json(*j.projectId) : nlohmann::json(nullptr)},
            {"kind", j.kind},
            {"state", JobStore::toString(j.state)},
            {"pid", j.pid},
            {"host", j.host},
            {"progress", j.progress},
            {"stage", j.stage},
            {"error", j.error},
            {"output_dir", j.outputDir},
            {"config", config.is_discarded() ? nlohmann::json(j.config) : config},
            {"created_at", j.createdAt},
            {"started_at", j.startedAt},
            {"finished_at", j.finishedAt}};
}

int runList(Invocation& inv)
{
    auto store = JobStore::open(JobStore::defaultPath());
    const auto jobs = store->jobs(static_cast<int>(inv.getInt("limit")));
    if (inv.json()) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& j : jobs)
            arr.push_back(toJson(j));
        inv.printJson(arr);
        return 0;
    }
    std::ostringstream out;
    out << "   ID  KIND        STATE        PROGRESS  STARTED                   STAGE / ERROR\n";
    for (const auto& j : jobs) {
        char line[512];
        std::snprintf(line, sizeof line, "%5lld  %-10s  %-11s  %7.1f%%  %-24s  %s\n", static_cast<long long>(j.id),
                      j.kind.c_str(), JobStore::toString(j.state).c_str(), 100.0 * j.progress, j.startedAt.c_str(),
                      (j.error.empty() ? j.stage : j.error).c_str());
        out << line;
    }
    if (jobs.empty())
        out << "(no jobs yet)\n";
    inv.printText(out.str());
    return 0;
}

int runShow(Invocation& inv)
{
    auto store = JobStore::open(JobStore::defaultPath());
    long long id = 0;
    try {
        id = std::stoll(inv.arg(0));
    } catch (const std::invalid_argument&) {
        throw UsageError("job id must be a number, got '" + inv.arg(0) + "'");
    }
    const auto job = store->job(id);
    if (!job)
        throw Error("No job " + std::to_string(id) + " in the job store " + store->path().string());
    nlohmann::json doc = toJson(*job);
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& m : store->metrics(id))
        metrics[m.name].push_back({m.step, m.value});
    doc["metrics"] = metrics;
    if (inv.json())
        inv.printJson(doc);
    else
        inv.printText(doc.dump(2) + "\n");
    return 0;
}

} // namespace

TEFT_COMMAND({"jobs list",
              "List jobs recorded in the job store (CLI and GUI)",
              "",
              {},
              {{"limit", "N", "How many of the newest jobs", "50"}},
              runList});
TEFT_COMMAND({"jobs show", "Show one job with its configuration and metrics", "", {"ID"}, {}, runShow});

} // namespace teft::cli
