#include "core/project/Merge.h"

#include "core/project/Project.h"
#include "core/train/ValidatorJob.h"
#include "core/util/Error.h"

namespace teft {

MergeResult mergeModel(const MergeSettings& settings, const std::vector<NamedDataset>& datasets, JobControl& control)
{
    std::vector<TokenDataset> rows;
    rows.reserve(datasets.size());
    for (const auto& d : datasets)
        rows.push_back(tokenizeDataset(settings.modelDir, d.spec, d.packing, control));
    std::vector<std::pair<std::string, const TokenDataset*>> named;
    for (std::size_t i = 0; i < datasets.size(); ++i)
        named.emplace_back(datasets[i].name, &rows[i]);
    return runMerge(settings, named, control);
}

MergeSettings mergeSettingsFor(const Project& project, const std::filesystem::path& outDir)
{
    const auto state = ValidatorState::load(project.validatorStateDir());
    if (state.phi.empty())
        throw Error("No validator round has been applied yet: score submissions and apply an outer step first "
                    "(the Validate page, or `teft validate`)");
    MergeSettings s;
    s.modelDir = project.modelDir;
    s.phiFile = state.phi;
    s.outDir = outDir;
    s.projectId = project.id;
    return s;
}

MergeResult mergeProject(const Project& project, const std::filesystem::path& outDir, const std::string& targetName,
                         const std::vector<std::string>& referenceNames, JobControl& control)
{
    if (referenceNames.size() != project.references.size())
        throw UsageError("A merge of project '" + project.name + "' needs a name for each of its " +
                         std::to_string(project.references.size()) + " reference datasets (" +
                         std::to_string(referenceNames.size()) + " given)");
    const MergeSettings settings = mergeSettingsFor(project, outDir);
    std::vector<NamedDataset> datasets{{targetName, project.target, project.packing}};
    for (std::size_t i = 0; i < project.references.size(); ++i)
        datasets.push_back({referenceNames[i], project.references[i], project.packing});
    return mergeModel(settings, datasets, control);
}

} // namespace teft
