#include "core/demo/DemoProject.h"

#include "core/data/DatasetSpec.h"
#include "core/demo/DemoCorpus.h"
#include "core/demo/DemoModel.h"
#include "core/store/JobStore.h"

#include <nlohmann/json.hpp>

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
    DatasetSpec target, reference;
    const auto& domains = demoDomains();
    for (std::size_t i = 0; i < files.size() && i < domains.size(); ++i)
        (domains[i] == "code" ? target : reference).paths.push_back(files[i]);
    target.format = reference.format = DataFormat::Jsonl;
    const auto id = store.createProject("Built-in demo", modelPath, projectSettings.dump());
    store.addDataset(id, "target", toJson(target).dump());
    store.addDataset(id, "reference", toJson(reference).dump());
    return id;
}

} // namespace teft
