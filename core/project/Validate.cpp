#include "core/project/Validate.h"

#include "core/project/Datasets.h"
#include "core/project/Project.h"
#include "core/project/Train.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/teft/SubmissionVerifier.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
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
    const auto dirs = submissionFolders(s);
    if (dirs.empty())
        throw Error((s.submissions.empty() ? "No submissions in " + s.submissionsDir.string()
                                           : std::string("No submissions chosen")) +
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

namespace {

// The path as the same folder compares: canonical when it exists, else absolute and normal.
fs::path sameFolderKey(const fs::path& p)
{
    std::error_code ec;
    auto c = fs::canonical(p, ec);
    if (!ec)
        return c;
    c = fs::absolute(p, ec);
    return (ec ? p : c).lexically_normal();
}

void writeImports(const Project& project, const std::vector<fs::path>& paths)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& p : paths)
        list.push_back(p.string());
    const nlohmann::json j{{"format", "teft-imported-submissions"}, {"version", 1}, {"paths", list}};
    const auto file = importedSubmissionsFile(project);
    fs::create_directories(file.parent_path());
    writeFileAtomically(file, j.dump(2) + "\n");
}

SubmissionCandidate candidate(SubmissionCandidate c)
{
    std::error_code ec;
    c.exists = fs::is_directory(c.path, ec);
    if (!c.exists)
        return c;
    try {
        const auto j = nlohmann::json::parse(readFile(c.path / "manifest.json", 1 << 20));
        const auto m = SubmissionManifest::fromJson(j);
        c.round = m.round;
        c.minerId = m.minerId;
    } catch (const std::exception&) {
        // not readable as a submission: the verifier names the problem when it is scored
    }
    return c;
}

} // namespace

fs::path importedSubmissionsFile(const Project& project)
{
    return project.validatorStateDir() / "imported_submissions.json";
}

std::vector<fs::path> importedSubmissions(const Project& project)
{
    const auto file = importedSubmissionsFile(project);
    std::error_code ec;
    if (!fs::exists(file, ec))
        return {};
    const auto j = nlohmann::json::parse(readFile(file), nullptr, false);
    if (j.is_discarded() || !j.is_object() || j.value("format", "") != "teft-imported-submissions" ||
        !j.contains("paths") || !j["paths"].is_array())
        throw FormatError("The imported submissions file " + file.string() +
                          " is not a teft-imported-submissions JSON file (delete it to start an empty list)");
    std::vector<fs::path> out;
    for (const auto& p : j["paths"]) {
        if (!p.is_string() || p.get<std::string>().empty())
            throw FormatError("The imported submissions file " + file.string() + " lists " + p.dump() +
                              ", which is not a path");
        out.emplace_back(p.get<std::string>());
    }
    return out;
}

std::size_t importSubmissions(const Project& project, const std::vector<fs::path>& paths)
{
    auto list = importedSubmissions(project);
    std::set<fs::path> known;
    for (const auto& p : list)
        known.insert(sameFolderKey(p));
    std::size_t added = 0;
    for (const auto& p : paths) {
        std::error_code ec;
        if (!fs::is_directory(p, ec))
            throw Error("Cannot import " + p.string() + ": " +
                        (fs::exists(p, ec) ? "it is not a folder (a submission is a folder holding manifest.json "
                                             "and experts.safetensors)"
                                           : "it does not exist"));
        const auto abs = fs::absolute(p).lexically_normal();
        if (known.insert(sameFolderKey(abs)).second) {
            list.push_back(abs);
            ++added;
        }
    }
    if (added)
        writeImports(project, list);
    return added;
}

std::size_t removeImportedSubmissions(const Project& project, const std::vector<fs::path>& paths)
{
    auto list = importedSubmissions(project);
    std::set<fs::path> drop;
    for (const auto& p : paths)
        drop.insert(fs::absolute(p).lexically_normal());
    const auto before = list.size();
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const fs::path& p) { return drop.count(fs::absolute(p).lexically_normal()) > 0; }),
               list.end());
    const std::size_t removed = before - list.size();
    if (removed)
        writeImports(project, list);
    return removed;
}

std::vector<SubmissionCandidate> projectSubmissions(const JobStore& store, const Project& project)
{
    std::vector<SubmissionCandidate> out;
    std::set<fs::path> seen;
    for (const auto& run : minerRuns(store, project)) {
        SubmissionCandidate base;
        base.source = SubmissionCandidate::Source::Run;
        base.runName = run.name;
        base.runState = run.state;
        std::vector<fs::path> dirs;
        std::error_code ec;
        if (fs::is_directory(run.outDir, ec)) {
            try {
                dirs = SubmissionVerifier::listSubmissions(run.outDir);
            } catch (const std::exception& e) {
                spdlog::warn("the submissions of run '{}' cannot be listed: {}", run.name, e.what());
            }
        }
        const fs::path own = run.settings.submissionDir.empty() ? run.outDir / "submission"
                                                                : run.settings.submissionDir;
        if (fs::is_directory(own, ec) && std::none_of(dirs.begin(), dirs.end(), [&](const fs::path& d) {
                return sameFolderKey(d) == sameFolderKey(own);
            }))
            dirs.push_back(own);
        if (dirs.empty())
            dirs.push_back(own); // not written yet (a run in progress, stopped or failed)
        for (const auto& d : dirs) {
            if (!seen.insert(sameFolderKey(d)).second)
                continue;
            SubmissionCandidate c = base;
            c.path = d;
            out.push_back(candidate(std::move(c)));
        }
    }
    for (const auto& p : importedSubmissions(project)) {
        if (!seen.insert(sameFolderKey(p)).second)
            continue;
        SubmissionCandidate c;
        c.source = SubmissionCandidate::Source::Imported;
        c.path = p;
        out.push_back(candidate(std::move(c)));
    }
    return out;
}

} // namespace teft
