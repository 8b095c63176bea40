#include "core/demo/DemoProject.h"

#include "core/data/DatasetSpec.h"
#include "core/demo/DemoCorpus.h"
#include "core/demo/DemoModel.h"
#include "core/store/JobStore.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace teft {

std::int64_t ensureDemoProject(JobStore& store, JobControl& control)
{
    const DemoModelSettings settings;
    const auto files = ensureDemoCorpus(settings, control);
    const DemoModelInfo info = ensureDemoModel(settings, control);
    const std::string modelPath = info.dir.string();
    for (const auto& p : store.recentProjects(1000))
        if (p.name == "Built-in demo" && p.modelPath == modelPath)
            return p.id;
    nlohmann::json projectSettings{{"device", "auto"},
                                   {"seq_len", settings.seqLen},
                                   {"held_out_fraction", 0.05},
                                   {"data_seed", settings.seed}};
    // "code" is the target; every other domain is a reference dataset of its own, so that
    // contrast and merge report each out-of-domain loss separately (Merge: one row per domain).
    DatasetSpec target;
    target.format = DataFormat::Jsonl;
    std::vector<DatasetSpec> references;
    const auto& domains = demoDomains();
    for (std::size_t i = 0; i < files.size() && i < domains.size(); ++i) {
        if (domains[i] == "code") {
            target.paths.push_back(files[i]);
        } else {
            DatasetSpec reference;
            reference.format = DataFormat::Jsonl;
            reference.paths.push_back(files[i]);
            references.push_back(std::move(reference));
        }
    }
    const auto id = store.createProject("Built-in demo", modelPath, projectSettings.dump());
    store.addDataset(id, "target", toJson(target).dump());
    for (const auto& reference : references)
        store.addDataset(id, "reference", toJson(reference).dump());
    return id;
}

} // namespace teft
