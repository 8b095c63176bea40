#include "core/project/Validate.h"

#include "core/project/Datasets.h"
#include "core/project/Project.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"

#include <spdlog/spdlog.h>

#include <set>

namespace teft {

namespace fs = std::filesystem;

ValidatorResult validate(const ValidatorSettings& settings, const DatasetSpec& spec, const PackingOptions& packing,
                         JobControl& control)
{
    const TokenDataset data = tokenizeDataset(settings.modelDir, spec, packing, control);
    return runValidator(settings, data, control);
}

ValidatorSettings validatorSettingsFor(const Project& project, const fs::path& submissionsDir,
                                       const ValidatorForm& form)
{
    ValidatorSettings s;
    s.modelDir = project.modelDir;
    s.device = project.device;
    s.stateDir = project.validatorStateDir();
    s.submissionsDir = submissionsDir;
    s.knownMinersFile = dataDir() / "known_miners.json"; // the list `teft keys trust` keeps
    s.projectId = project.id;
    s.aggregation = form.aggregation;
    s.eval = form.eval;
    s.confidence = form.confidence;
    s.outer = form.outer;
    return s;
}

fs::path trustedMinersFile(const fs::path& userList, const fs::path& stateDir)
{
    KnownMiners known = KnownMiners::load(userList);
    const auto keyDir = MinerKey::defaultKeyDir();
    if (MinerKey::exists(keyDir)) {
        try {
            auto own = MinerKey::load(keyDir).publicKey();
            if (!known.findByKey(own.publicKeyHex)) {
                if (known.findById(own.minerId))
                    own.minerId += "-local"; // the id is taken by another key in the user's list
                known.add(own);
            }
        } catch (const std::exception& e) {
            spdlog::warn("validator: this installation's miner key is not trusted: {}", e.what());
        }
    }
    fs::create_directories(stateDir);
    const auto file = stateDir / "trusted_miners.json";
    known.save(file);
    return file;
}

ProjectRound scoreProjectRound(const Project& project, const std::vector<ExpertSelection>& selections,
                               ValidatorSettings s, JobControl& control)
{
    if (selections.empty())
        throw Error("Project '" + project.name +
                    "' has no expert selection: identify its experts and save a selection first");
    const auto dirs = SubmissionVerifier::listSubmissions(s.submissionsDir);
    if (dirs.empty())
        throw Error("No submissions in " + s.submissionsDir.string() +
                    ": a submission is a folder holding manifest.json and experts.safetensors");
    // The selection the submissions were made for, when the project has it; else the newest
    // (the verifier then names the mismatch per submission).
    std::set<std::string> hashes;
    for (const auto& d : dirs) {
        try {
            hashes.insert(Submission::open(d)->manifest().selectionHash);
        } catch (const std::exception&) {
            // refused with its reason by the verifier
        }
    }
    s.selection = selections.front();
    for (const auto& sel : selections)
        if (hashes.count(sel.hash())) {
            s.selection = sel;
            break;
        }
    s.knownMinersFile = trustedMinersFile(s.knownMinersFile, s.stateDir);
    control.report(0, 0, "tokenizing");
    ProjectRound round;
    round.heldOut = std::make_shared<const TokenDataset>(project.loadDataset(project.target, control));
    round.scored = std::make_shared<ScoredRound>(scoreRound(s, *round.heldOut, control));
    return round;
}

ValidatorResult applyProjectRound(ProjectRound& round, JobControl& control,
                                  const std::optional<std::vector<double>>& weights)
{
    if (!round.scored || !round.heldOut)
        throw UsageError("applyProjectRound needs a round from scoreProjectRound");
    return applyRound(*round.scored, *round.heldOut, control, weights);
}

} // namespace teft
