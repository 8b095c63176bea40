// core/project: a project read from the job store (and every way that fails), its folders and
// saved selections, and the TEFT steps on top of it — the miner settings a form stands for
// (run folder named by the settings, Φ(t) from the validator state), identification writing
// its statistics and recording its job (cancelled when cancelled, failed with the reason), the
// miner run's checks, the merge's Φ and the eval job — on a generated tiny checkpoint.
#include "core/model/CheckpointGenerator.h"
#include "core/project/Datasets.h"
#include "core/project/Eval.h"
#include "core/project/Identify.h"
#include "core/project/Merge.h"
#include "core/project/Project.h"
#include "core/project/Train.h"
#include "core/project/Validate.h"
#include "core/store/JobRecord.h"
#include "core/store/JobStore.h"
#include "core/teft/RoutingStats.h"
#include "core/teft/Submission.h"
#include "core/text/Tokenizer.h"
#include "core/train/ModelIdentity.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>

using namespace teft;
namespace fs = std::filesystem;

namespace {

template <typename F>
std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string corpus(const std::string& topic, int docs)
{
    std::string jsonl;
    for (int d = 0; d < docs; ++d)
        jsonl += "{\"text\": \"" + topic + " document " + std::to_string(d) + ": the " + topic +
                 " tokens are routed to a few experts of every layer, " + std::to_string(d * 7 % 13) + "\"}\n";
    return jsonl;
}

} // namespace

class TestProject : public QObject {
    Q_OBJECT

    fs::path m_root, m_model, m_target, m_reference;
    ModelConfig m_config;

    std::unique_ptr<JobStore> store() { return JobStore::open(JobStore::defaultPath()); }

    // A project as the wizard saves it: the generated model, a target (and a reference).
    std::int64_t makeProject(bool withReference, const std::string& settings = R"({"seq_len": 24,
        "held_out_fraction": 0.1, "device": "cpu", "data_seed": 3})")
    {
        auto s = store();
        const auto id = s->createProject("p", m_model.string(), settings);
        DatasetSpec target;
        target.paths = {m_target};
        auto targetJson = toJson(target);
        targetJson["held_out_fraction"] = 0.1; // the wizard keeps it beside the spec
        s->addDataset(id, "target", targetJson.dump());
        if (withReference) {
            DatasetSpec reference;
            reference.paths = {m_reference};
            s->addDataset(id, "reference", toJson(reference).dump());
        }
        return id;
    }

    JobStore::Job job(std::int64_t id)
    {
        const auto j = store()->job(id);
        if (!j)
            throw std::runtime_error("no job " + std::to_string(id));
        return *j;
    }

    std::vector<JobStore::Job> jobsOfKind(const std::string& kind)
    {
        std::vector<JobStore::Job> out;
        for (const auto& j : store()->jobs())
            if (j.kind == kind)
                out.push_back(j);
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        configureThreads(1);
        m_root = test::freshDir("project");
        setDataDir(m_root / "data");
        m_model = m_root / "model";
        GenerateOptions go;
        go.preset = "tiny";
        go.seed = 7;
        m_config = generateCheckpoint(m_model, go);
        m_target = m_root / "code.jsonl";
        m_reference = m_root / "prose.jsonl";
        writeFileAtomically(m_target, corpus("code", 120));
        writeFileAtomically(m_reference, corpus("prose", 120));
    }

    void loadReadsTheWizardsProject()
    {
        const auto id = makeProject(true);
        const Project p = Project::load(*store(), id);
        QCOMPARE(p.id, id);
        QCOMPARE(p.modelDir, m_model);
        QCOMPARE(p.device, std::string("cpu"));
        QCOMPARE(p.packing.seqLen, std::int64_t(24));
        QCOMPARE(p.packing.heldOutFraction, 0.1);
        QCOMPARE(p.packing.seed, std::uint64_t(3));
        QCOMPARE(p.target.paths, std::vector<fs::path>{m_target});
        QCOMPARE(p.references.size(), std::size_t(1));
        QCOMPARE(p.references.front().paths, std::vector<fs::path>{m_reference});
        // Every step's folder is under the project's own one.
        const fs::path work = dataDir() / "projects" / std::to_string(id);
        QCOMPARE(p.workDir(), work);
        QCOMPARE(Project::workDirOf(id), work);
        QCOMPARE(p.targetStatsFile(), work / "routing" / "target.json");
        QCOMPARE(p.referenceStatsFile(), work / "routing" / "reference.json");
        QCOMPARE(p.minerRunsDir(), work / "miner");
        QCOMPARE(p.validatorStateDir(), work / "validator");
        QCOMPARE(p.mergedDir(), work / "merged");

        // Defaults for settings the wizard did not write.
        const Project bare = Project::load(*store(), makeProject(false, "{}"));
        QCOMPARE(bare.packing.seqLen, std::int64_t(128));
        QCOMPARE(bare.packing.heldOutFraction, 0.05);
        QVERIFY(bare.references.empty());
        QCOMPARE(bare.identifyTokenBudget(), std::int64_t(16 * 8 * 128)); // 16 batches of 8 rows, as before
        QCOMPARE(bare.identifySettings().batches, 16);
        QCOMPARE(bare.contrastReference, 0);
    }

    void loadNamesWhatIsWrong()
    {
        auto s = store();
        QVERIFY(contains(errorOf([&] { Project::load(*s, 9999); }), "Project 9999 is not in the job store"));

        const auto noTarget = s->createProject("no-target", m_model.string(), "{}");
        QVERIFY(contains(errorOf([&] { Project::load(*s, noTarget); }), "'no-target' has no target dataset"));

        const auto gone = s->createProject("gone", (m_root / "moved-away").string(), "{}");
        QVERIFY(contains(errorOf([&] { Project::load(*s, gone); }), "has no config.json (moved or deleted?)"));

        const auto badSettings = s->createProject("bad", m_model.string(), "{not json");
        QVERIFY_EXCEPTION_THROWN(Project::load(*s, badSettings), FormatError);
        QVERIFY(contains(errorOf([&] { Project::load(*s, badSettings); }), "its settings: not valid JSON"));
        const auto arraySettings = s->createProject("array", m_model.string(), "[1]");
        QVERIFY(contains(errorOf([&] { Project::load(*s, arraySettings); }), "not a JSON object"));

        const auto badDataset = s->createProject("bad-data", m_model.string(), "{}");
        s->addDataset(badDataset, "target", "{oops");
        QVERIFY(contains(errorOf([&] { Project::load(*s, badDataset); }), ": not valid JSON"));
    }

    void selectionsNewestFirstSkippingDamagedRows()
    {
        const auto id = makeProject(false);
        auto s = store();
        QVERIFY(!Project::latestSelection(*s, id));
        QVERIFY_EXCEPTION_THROWN(Project::saveSelection(*s, id, ExpertSelection(), "empty"), UsageError);

        ExpertSelection other("fingerprint-of-another-model");
        other.setLayer(0, {1});
        ExpertSelection mine("fingerprint-of-this-model");
        mine.setLayer(0, {2, 3});
        const auto first = Project::saveSelection(*s, id, mine, "first");
        const auto second = Project::saveSelection(*s, id, other, "second");
        QVERIFY(second > first);
        s->saveSelection(id, "damaged", "x", "{not json");

        const auto all = Project::selections(*s, id);
        QCOMPARE(all.size(), std::size_t(2));
        QCOMPARE(all[0].hash(), other.hash()); // newest first
        QCOMPARE(all[1].hash(), mine.hash());
        QCOMPARE(Project::latestSelection(*s, id)->hash(), other.hash());
        QCOMPARE(Project::latestSelection(*s, id, "fingerprint-of-this-model")->hash(), mine.hash());
        QVERIFY(!Project::latestSelection(*s, id, "a third model"));
    }

    void minerSettingsNameTheirRunAndStartFromTheValidatorsPhi()
    {
        const Project p = Project::load(*store(), makeProject(false));
        ExpertSelection sel;
        sel.setLayer(0, {1, 2});
        MinerForm form;
        form.innerSteps = 40;
        form.learningRate = 2e-4;
        form.sequenceLength = 32;
        form.maskedRouting = true;
        form.computeDtype = torch::kFloat;

        const MinerSettings a = minerSettingsFor(p, sel, form);
        QCOMPARE(a.modelDir, m_model);
        QCOMPARE(a.train.warmupSteps, std::int64_t(4)); // steps / 10
        QCOMPARE(a.mode, ExpertMode::Masked);
        QCOMPARE(a.projectId, std::optional<std::int64_t>(p.id));
        QCOMPARE(a.dataLabel, std::string("code.jsonl"));
        QVERIFY(a.phiFile.empty()); // no round applied: the base model's experts
        QCOMPARE(a.round, std::int64_t(0));
        QCOMPARE(a.dataset.value("seq_len", std::int64_t(0)), std::int64_t(32)); // the form's, not the project's
        // The run folder is named by the settings: the same form continues the same run ...
        QCOMPARE(a.outDir.parent_path(), p.minerRunsDir());
        const std::string folder = a.outDir.filename().string();
        QCOMPARE(folder.size(), std::size_t(4 + 12));
        QCOMPARE(folder.substr(0, 4), std::string("run-"));
        QCOMPARE(minerSettingsFor(p, sel, form).outDir, a.outDir);
        // ... another form is another run.
        MinerForm other = form;
        other.learningRate = 3e-4;
        QVERIFY(minerSettingsFor(p, sel, other).outDir != a.outDir);
        // ... but activation recomputation changes the memory, not the run: a run stopped for
        // memory resumes with it.
        MinerForm recomputed = form;
        recomputed.recompute = true;
        const MinerSettings r = minerSettingsFor(p, sel, recomputed);
        QVERIFY(r.recompute);
        QCOMPARE(r.outDir, a.outDir);
        QCOMPARE(minerFormOf(r).recompute, true);
        // The update encoding travels from the form to the miner and back (another encoding: another run).
        QCOMPARE(a.encoding, DeltaEncoding::BF16);
        MinerForm int8 = form;
        int8.encoding = DeltaEncoding::Int8;
        const MinerSettings i = minerSettingsFor(p, sel, int8);
        QCOMPARE(i.encoding, DeltaEncoding::Int8);
        QCOMPARE(minerFormOf(i).encoding, DeltaEncoding::Int8);
        QVERIFY(i.outDir != a.outDir);

        // The form a recorded job shows is the one it was made from.
        const MinerForm back = minerFormOf(a);
        QCOMPARE(back.innerSteps, form.innerSteps);
        QCOMPARE(back.learningRate, form.learningRate);
        QCOMPARE(back.sequenceLength, form.sequenceLength);
        QCOMPARE(back.maskedRouting, true);
        QCOMPARE(back.computeDtype, torch::kFloat);
        QCOMPARE(back.checkpointInterval, form.checkpointInterval);
        QCOMPARE(back.validationInterval, form.validationInterval);

        // After round 2 was applied, a miner trains from Φ(3), in another run folder.
        fs::create_directories(p.validatorStateDir());
        writeFileAtomically(p.validatorStateDir() / "state.json",
                            R"({"format": "teft-validator-state", "round": 3, "phi": "round-2/phi.safetensors",
                                "optimizer": "round-2/outer_optimizer.safetensors"})");
        const MinerSettings later = minerSettingsFor(p, sel, form);
        QCOMPARE(later.phiFile, p.validatorStateDir() / "round-2" / "phi.safetensors");
        QCOMPARE(later.round, std::int64_t(3));
        QVERIFY(later.outDir != a.outDir);
        // The merge takes the same Φ.
        QCOMPARE(mergeSettingsFor(p, p.mergedDir()).phiFile, later.phiFile);

        writeFileAtomically(p.validatorStateDir() / "state.json", "{broken");
        QVERIFY_EXCEPTION_THROWN(minerSettingsFor(p, sel, form), FormatError);
    }

    // A miner of a network round trains from the Φ(t) it pulled, not the project's validator
    // state; another round's Φ(t) is another run.
    void minerSettingsTrainForAPulledNetworkRound()
    {
        const Project p = Project::load(*store(), makeProject(false));
        ExpertSelection sel;
        sel.setLayer(0, {1, 2});
        fs::create_directories(p.validatorStateDir());
        writeFileAtomically(p.validatorStateDir() / "state.json",
                            R"({"format": "teft-validator-state", "round": 3, "phi": "round-2/phi.safetensors",
                                "optimizer": "round-2/outer_optimizer.safetensors"})");
        MinerForm form;
        form.innerSteps = 40;
        form.sequenceLength = 32;
        const MinerSettings own = minerSettingsFor(p, sel, form);
        QCOMPARE(own.round, std::int64_t(3));

        const fs::path dir = m_root / "pulled";
        fs::create_directories(dir);
        const fs::path phi7 = dir / "phi-aaaa.safetensors";
        const fs::path phi8 = dir / "phi-bbbb.safetensors";
        writeFileAtomically(phi7, "seven");
        writeFileAtomically(phi8, "eight");
        MinerForm net = form;
        net.phiFile = phi7;
        net.round = 7;
        const MinerSettings a = minerSettingsFor(p, sel, net);
        QCOMPARE(a.phiFile, phi7);
        QCOMPARE(a.round, std::int64_t(7));
        QVERIFY(a.outDir != own.outDir);
        QCOMPARE(minerSettingsFor(p, sel, net).outDir, a.outDir); // the same round continues its run
        // The next round's Φ(t) never continues the last round's run.
        MinerForm next = net;
        next.phiFile = phi8;
        next.round = 8;
        const MinerSettings b = minerSettingsFor(p, sel, next);
        QCOMPARE(b.phiFile, phi8);
        QCOMPARE(b.round, std::int64_t(8));
        QVERIFY(b.outDir != a.outDir);
        // A round that trains from the base model's experts has no Φ file.
        MinerForm base = form;
        base.round = 0;
        const MinerSettings c = minerSettingsFor(p, sel, base);
        QVERIFY(c.phiFile.empty());
        QCOMPARE(c.round, std::int64_t(0));
        // The validator state is not read for a network round (a damaged one does not matter).
        writeFileAtomically(p.validatorStateDir() / "state.json", "{broken");
        QCOMPARE(minerSettingsFor(p, sel, net).phiFile, phi7);

        // A missing Φ file is named, as is a Φ file without its round.
        MinerForm missing = net;
        missing.phiFile = dir / "phi-gone.safetensors";
        const std::string err = errorOf([&] { minerSettingsFor(p, sel, missing); });
        QVERIFY2(err.find("phi-gone.safetensors") != std::string::npos &&
                     err.find("does not exist") != std::string::npos,
                 err.c_str());
        QVERIFY_EXCEPTION_THROWN(minerSettingsFor(p, sel, missing), UsageError);
        MinerForm noRound = form;
        noRound.phiFile = phi7;
        const std::string err2 = errorOf([&] { minerSettingsFor(p, sel, noRound); });
        QVERIFY2(err2.find("phi-aaaa.safetensors") != std::string::npos && err2.find("round") != std::string::npos,
                 err2.c_str());
        QVERIFY_EXCEPTION_THROWN(minerSettingsFor(p, sel, noRound), UsageError);
        fs::remove(p.validatorStateDir() / "state.json");
    }

    // Named runs: each has its own folder (so its own checkpoint and submission), its shard is
    // the form's, and the project's runs are its train jobs grouped by folder.
    void namedRunsHaveTheirOwnFolderAndAreListedFromTheJobStore()
    {
        const Project p = Project::load(*store(), makeProject(false));
        ExpertSelection sel;
        sel.setLayer(0, {1});
        MinerForm form;
        form.innerSteps = 8;
        form.shardIndex = 1;
        form.shardCount = 3;
        form.runName = "run 1";
        const MinerSettings a = minerSettingsFor(p, sel, form);
        QCOMPARE(a.outDir, p.minerRunsDir() / "run 1");
        QCOMPARE(a.shardIndex, 1);
        QCOMPARE(a.shardCount, 3);
        QCOMPARE(minerFormOf(a).runName, std::string("run 1"));
        QCOMPARE(minerFormOf(a).shardIndex, 1);
        QCOMPARE(minerFormOf(a).shardCount, 3);
        // The same settings under another name: another folder, never the first run's.
        MinerForm second = form;
        second.runName = "lr sweep_2.b";
        const MinerSettings b = minerSettingsFor(p, sel, second);
        QCOMPARE(b.outDir, p.minerRunsDir() / "lr sweep_2.b");
        // Bad names and shards are refused, naming the problem.
        for (const std::string& bad :
             std::vector<std::string>{"../up", "a/b", " lead", "trail.", ".hidden", std::string(65, 'x')}) {
            MinerForm f = form;
            f.runName = bad;
            const std::string err = errorOf([&] { minerSettingsFor(p, sel, f); });
            QVERIFY2(contains(err, "run"), err.c_str());
        }
        QVERIFY(contains(errorOf([&] { minerRunDir(p, ""); }), "no name"));
        for (const auto& [i, n] : std::vector<std::pair<int, int>>{{3, 3}, {-1, 2}, {0, 0}}) {
            MinerForm f = form;
            f.shardIndex = i;
            f.shardCount = n;
            QVERIFY(contains(errorOf([&] { minerSettingsFor(p, sel, f); }), "does not exist"));
        }

        // Runs come from the project's train jobs: one per folder, newest first, with every job
        // of a resumed run; metrics over the run's jobs, the later job's value at a repeated step.
        auto s = store();
        QVERIFY(minerRuns(*s, p).empty());
        QCOMPARE(nextMinerRunName(p, {}), std::string("run 1"));
        const auto j1 = s->startJob("train", a.toJson().dump(), a.outDir.string(), p.id);
        s->addMetrics(j1, {{1, "loss", 3.0, 0}, {2, "loss", 2.5, 0}, {3, "loss", 2.4, 0}});
        s->setJobState(j1, JobStore::JobState::Cancelled);
        const auto j2 = s->startJob("train", b.toJson().dump(), b.outDir.string(), p.id);
        s->setJobState(j2, JobStore::JobState::Succeeded);
        const auto j3 = s->startJob("train", a.toJson().dump(), a.outDir.string(), p.id); // run 1 resumed
        s->addMetrics(j3, {{3, "loss", 2.3, 0}, {4, "loss", 2.1, 0}});
        s->setJobState(j3, JobStore::JobState::Succeeded);
        s->startJob("train", "{not json", "/nowhere", p.id);                            // skipped, not fatal
        s->startJob("train", a.toJson().dump(), a.outDir.string(), makeProject(false)); // another project's
        s->startJob("eval", a.toJson().dump(), a.outDir.string(), p.id);                // another kind
        const auto runs = minerRuns(*s, p);
        QCOMPARE(runs.size(), std::size_t(2));
        QCOMPARE(runs[0].name, std::string("run 1"));
        QCOMPARE(runs[0].jobIds, (std::vector<std::int64_t>{j1, j3}));
        QCOMPARE(runs[0].state, JobStore::JobState::Succeeded);
        QCOMPARE(runs[0].settings.shardIndex, 1);
        QCOMPARE(runs[1].name, std::string("lr sweep_2.b"));
        const auto loss = minerRunMetric(*s, runs[0], "loss");
        QCOMPARE(loss, (std::vector<std::pair<std::int64_t, double>>{{1, 3.0}, {2, 2.5}, {3, 2.3}, {4, 2.1}}));
        QCOMPARE(nextMinerRunName(p, runs), std::string("run 2"));
        fs::create_directories(p.minerRunsDir() / "run 2"); // a folder without a job is taken too
        QCOMPARE(nextMinerRunName(p, runs), std::string("run 3"));
    }

    // The Validate page's candidates: each run's submissions (in its run folder, the training
    // checkpoint skipped; a run without one yet listed once as not existing), the round its
    // manifest names, then the imports, kept in the validator state folder (a missing one stays
    // listed, one that is a run's is not listed twice; removing never deletes); the round's
    // explicit list counts a folder once and names a missing one.
    void projectSubmissionsListRunsAndImports()
    {
        const Project p = Project::load(*store(), makeProject(false));
        ExpertSelection sel;
        sel.setLayer(0, {1});
        MinerForm form;
        form.runName = "done";
        const MinerSettings done = minerSettingsFor(p, sel, form);
        form.runName = "busy";
        const MinerSettings busy = minerSettingsFor(p, sel, form);
        auto s = store();
        const auto j1 = s->startJob("train", done.toJson().dump(), done.outDir.string(), p.id);
        s->setJobState(j1, JobStore::JobState::Succeeded);
        s->startJob("train", busy.toJson().dump(), busy.outDir.string(), p.id); // still running
        const auto write = [](const fs::path& dir, std::int64_t round, const std::string& miner) {
            SubmissionManifest m;
            m.round = round;
            m.minerId = miner;
            m.selectionHash = "x";
            m.baseFingerprint = "y";
            writeSubmission(dir, m, {{"w", torch::ones({2})}}, nullptr);
        };
        write(done.outDir / "submission", 3, "me");
        fs::create_directories(done.outDir / "checkpoint");
        writeFileAtomically(done.outDir / "checkpoint" / "checkpoint.json", "{}"); // skipped
        const fs::path outside = m_root / ("imports-" + std::to_string(p.id));
        write(outside / "a", 3, "alice");
        write(outside / "b", 2, "bob");

        auto list = projectSubmissions(*s, p);
        QCOMPARE(list.size(), std::size_t(2));
        const auto* doneRow = list[0].runName == "done" ? &list[0] : &list[1];
        const auto* busyRow = doneRow == &list[0] ? &list[1] : &list[0];
        QCOMPARE(doneRow->source, SubmissionCandidate::Source::Run);
        QCOMPARE(doneRow->runState, JobStore::JobState::Succeeded);
        QCOMPARE(doneRow->path, done.outDir / "submission");
        QVERIFY(doneRow->exists);
        QCOMPARE(doneRow->round, std::optional<std::int64_t>(3));
        QCOMPARE(doneRow->minerId, std::string("me"));
        QCOMPARE(busyRow->runName, std::string("busy"));
        QCOMPARE(busyRow->runState, JobStore::JobState::Running);
        QVERIFY(!busyRow->exists);
        QVERIFY(!busyRow->round);

        // Imports: remembered with the project, nothing copied; twice (another spelling) is once.
        QVERIFY(importedSubmissions(p).empty());
        QCOMPARE(importSubmissions(p, {outside / "a", outside / "b", outside / "." / "a"}), std::size_t(2));
        QCOMPARE(importSubmissions(p, {outside / "a"}), std::size_t(0));
        QCOMPARE(importSubmissions(p, {done.outDir / "submission"}), std::size_t(1)); // a run's: listed once
        QCOMPARE(importedSubmissionsFile(p), p.validatorStateDir() / "imported_submissions.json");
        const auto file = nlohmann::json::parse(readFile(importedSubmissionsFile(p)));
        QCOMPARE(file["format"].get<std::string>(), std::string("teft-imported-submissions"));
        QCOMPARE(file["paths"].size(), std::size_t(3));
        QVERIFY(!fs::exists(p.validatorStateDir() / "a")); // no copy
        list = projectSubmissions(*s, p);
        QCOMPARE(list.size(), std::size_t(4));
        QCOMPARE(list[2].source, SubmissionCandidate::Source::Imported);
        QCOMPARE(list[2].path, outside / "a");
        QCOMPARE(list[3].path, outside / "b");
        QCOMPARE(list[3].round, std::optional<std::int64_t>(2));
        QCOMPARE(list[3].minerId, std::string("bob"));
        const std::string notThere = errorOf([&] { importSubmissions(p, {outside / "nope"}); });
        QVERIFY2(contains(notThere, (outside / "nope").string()) && contains(notThere, "does not exist"),
                 notThere.c_str());

        // A moved import stays listed, as missing.
        fs::rename(outside / "b", outside / "b-moved");
        list = projectSubmissions(*s, p);
        QCOMPARE(list.size(), std::size_t(4));
        QCOMPARE(list[3].path, outside / "b");
        QVERIFY(!list[3].exists);
        // Remove forgets, never deletes.
        QCOMPARE(removeImportedSubmissions(p, {outside / "a", outside / "b"}), std::size_t(2));
        QVERIFY(fs::exists(outside / "a" / "manifest.json"));
        QCOMPARE(importedSubmissions(p).size(), std::size_t(1));
        QCOMPARE(projectSubmissions(*s, p).size(), std::size_t(2));
        // A damaged file is named, not silently emptied.
        writeFileAtomically(importedSubmissionsFile(p), "{not json");
        const std::string damaged = errorOf([&] { importedSubmissions(p); });
        QVERIFY2(contains(damaged, importedSubmissionsFile(p).string()), damaged.c_str());

        // The round's explicit list: each folder once (by canonical path), in order; the job
        // config names it; a missing or non-folder entry is an error naming it.
        ValidatorSettings vs;
        vs.submissionsDir = outside; // not listed when the list is given
        vs.submissions = {outside / "a", done.outDir / "submission", outside / "." / "a"};
        QCOMPARE(submissionFolders(vs), (std::vector<fs::path>{outside / "a", done.outDir / "submission"}));
        QCOMPARE(vs.toJson()["submission_list"].size(), std::size_t(3));
        vs.submissions = {};
        QCOMPARE(submissionFolders(vs), (std::vector<fs::path>{outside / "a", outside / "b-moved"}));
        vs.submissions = {outside / "a", outside / "b"};
        std::string err = errorOf([&] { submissionFolders(vs); });
        QVERIFY2(contains(err, (outside / "b").string()) && contains(err, "does not exist"), err.c_str());
        vs.submissions = {outside / "a" / "manifest.json"};
        err = errorOf([&] { submissionFolders(vs); });
        QVERIFY2(contains(err, "manifest.json") && contains(err, "not a folder"), err.c_str());
    }

    void mergeNeedsAnAppliedRound()
    {
        const Project p = Project::load(*store(), makeProject(false));
        QVERIFY(contains(errorOf([&] { mergeSettingsFor(p, p.mergedDir()); }), "No validator round has been applied"));
    }

    void identifyWritesStatisticsAndRecordsTheJob()
    {
        const Project p = Project::load(*store(), makeProject(true));
        // A reference.json left by an earlier setup of this project ...
        JobControl control;
        const IdentifyResult r = identify(p, control);
        QVERIFY(fs::exists(p.targetStatsFile()));
        QVERIFY(fs::exists(p.referenceStatsFile()));
        const RoutingStats saved = RoutingStats::load(p.targetStatsFile().string());
        QCOMPARE(saved.tokens(), r.target.tokens());
        QVERIFY(r.target.tokens() > 0);
        QCOMPARE(saved.modelFingerprint, modelFingerprint(m_model));
        QCOMPARE(saved.dataset, std::string("code.jsonl"));
        QVERIFY(r.reference);
        QCOMPARE(RoutingStats::load(p.referenceStatsFile().string()).dataset, std::string("prose.jsonl"));
        // The costs the Experts page shows.
        QCOMPARE(r.costs.layout.numExperts, static_cast<int>(m_config.numExperts));
        QCOMPARE(r.costs.layout.moeLayers, m_config.moeLayers());
        QCOMPARE(r.costs.layout.fingerprint, r.fingerprint);
        // What one expert adds to a submission: its Δ in the miners' default encoding, bf16 (2 bytes
        // a parameter, whatever the checkpoint's dtype).
        QCOMPARE(r.costs.bytesPerExpert, 2 * m_config.paramsPerExpert());
        QVERIFY(r.costs.modelBytes > r.costs.bytesPerExpert);

        const auto j = job(r.jobId);
        QCOMPARE(j.kind, std::string("identify"));
        QCOMPARE(JobStore::toString(j.state), std::string("succeeded"));
        QCOMPARE(j.projectId, std::optional<std::int64_t>(p.id));
        QCOMPARE(fs::path(j.outputDir), p.routingDir());
        const auto cfg = nlohmann::json::parse(j.config);
        QCOMPARE(cfg.value("source", ""), std::string("teft-studio"));
        auto s = store();
        QCOMPARE(s->metrics(r.jobId, "tokens").front().value, static_cast<double>(r.target.tokens()));
        const auto layer = "token_share.layer" + std::to_string(m_config.moeLayers().front());
        QCOMPARE(s->metrics(r.jobId, layer).size(), static_cast<std::size_t>(m_config.numExperts));
        QCOMPARE(s->metrics(r.jobId, "reference." + layer).size(), static_cast<std::size_t>(m_config.numExperts));

        // ... is removed when the project (now) has none: it is not this identification's.
        Project noReference = p;
        noReference.references.clear();
        QVERIFY(fs::exists(p.referenceStatsFile(1)));
        identify(noReference, control);
        QVERIFY(fs::exists(p.targetStatsFile()));
        QVERIFY(!fs::exists(p.referenceStatsFile()));
        QVERIFY(!fs::exists(p.referenceStatsFile(1)));
    }

    // Several references: read in order, each identified and saved on its own, all of them
    // together in reference.json; the token budget and the contrast choice come from the
    // settings; the datasets' counts are kept in the project folder.
    void referencesBudgetAndContrastLiveWithTheProject()
    {
        auto s = store();
        const auto id = makeProject(true, R"({"seq_len": 24, "held_out_fraction": 0.1, "device": "cpu",
            "identify_tokens": 100, "contrast_reference": 2})");
        const fs::path news = m_root / "news.jsonl";
        writeFileAtomically(news, corpus("news", 80));
        DatasetSpec second;
        second.paths = {news};
        s->addDataset(id, "reference", toJson(second).dump());
        const Project p = Project::load(*s, id);
        QCOMPARE(p.references.size(), std::size_t(2));
        QCOMPARE(p.references[0].paths, std::vector<fs::path>{m_reference});
        QCOMPARE(p.references[1].paths, std::vector<fs::path>{news});
        QCOMPARE(p.identifyTokenBudget(), std::int64_t(100));
        QCOMPARE(p.identifySettings().batches, 1); // 100 tokens: one batch of 8 rows of 24
        QCOMPARE(p.referenceStatsFile(2), p.routingDir() / "reference-2.json");
        QCOMPARE(p.contrastStatsFile(), p.referenceStatsFile(2));

        JobControl control;
        const TokenDataset target = p.loadDataset(p.target, control);
        QVERIFY(target.numTrain() >= 24);
        const IdentifyResult r = identify(p, control);
        QCOMPARE(r.target.tokens(), std::int64_t(8 * 24)); // the budget, in whole batches of rows
        QCOMPARE(r.references.size(), std::size_t(2));
        QCOMPARE(r.references[0].dataset, std::string("prose.jsonl"));
        QCOMPARE(r.references[1].dataset, std::string("news.jsonl"));
        QCOMPARE(r.references[1].tokens(), std::int64_t(8 * 24));
        QCOMPARE(RoutingStats::load(p.referenceStatsFile(1).string()).dataset, std::string("prose.jsonl"));
        QCOMPARE(RoutingStats::load(p.referenceStatsFile(2).string()).dataset, std::string("news.jsonl"));
        const RoutingStats all = RoutingStats::load(p.referenceStatsFile().string());
        QCOMPARE(all.tokens(), r.references[0].tokens() + r.references[1].tokens());
        QCOMPARE(all.dataset, std::string("prose.jsonl, news.jsonl"));
        QVERIFY(r.reference);
        QCOMPARE(r.reference->dataset, std::string("news.jsonl")); // the contrast choice
        const auto cfg = nlohmann::json::parse(job(r.jobId).config);
        QCOMPARE(cfg.value("tokens", std::int64_t(0)), std::int64_t(100));
        const auto data = ProjectDataSummary::load(p.dataSummaryFile());
        QVERIFY(data);
        QCOMPARE(data->references.size(), std::size_t(2));
        QCOMPARE(data->target.records, target.stats().documents);
        QCOMPARE(data->target.tokens, target.stats().tokens);
        QCOMPARE(data->target.rowTokens, target.numTrain() * 24);

        // The settings are saved (the others kept); a larger budget reads more, never more than
        // the target has; the contrast is all references together again.
        Project::updateSettings(*s, id, {{"identify_tokens", 400}, {"contrast_reference", 0}});
        const Project q = Project::load(*s, id);
        QCOMPARE(q.device, std::string("cpu"));
        QCOMPARE(q.identifySettings().batches, 3); // 400 / 192, rounded up
        QCOMPARE(q.contrastStatsFile(), q.referenceStatsFile());
        const IdentifyResult r2 = identify(q, control);
        QCOMPARE(r2.target.tokens(), std::min<std::int64_t>(3 * 8, target.numTrain()) * 24);
        QCOMPARE(r2.reference->tokens(), r2.references[0].tokens() + r2.references[1].tokens());

        // One reference fewer: its statistics go, they are not this identification's.
        Project one = q;
        one.references.pop_back();
        identify(one, control);
        QVERIFY(fs::exists(q.referenceStatsFile(1)));
        QVERIFY(!fs::exists(q.referenceStatsFile(2)));

        // Bad values are refused, naming them.
        const auto bad = makeProject(false, R"({"identify_tokens": -5})");
        QVERIFY(contains(errorOf([&] { Project::load(*s, bad); }), "\"identify_tokens\" is negative"));
        const auto wrongType = makeProject(false, R"({"contrast_reference": "all"})");
        QVERIFY_EXCEPTION_THROWN(Project::load(*s, wrongType), FormatError);
        const auto missing = [&] { Project::updateSettings(*s, 99999, {{"identify_tokens", 1}}); };
        QVERIFY(contains(errorOf(missing), "is not in the job store"));
        // A merge names every reference domain.
        QVERIFY_EXCEPTION_THROWN(mergeProject(p, p.mergedDir(), "target", {"only one"}, control), UsageError);
    }

    void datasetSummaryCountsRecordsTokensAndBadLines()
    {
        const fs::path file = m_root / "broken.jsonl";
        writeFileAtomically(file, corpus("code", 30) + "{\"text\": \"cut off\n{\"other\": \"x\"}\n");
        DatasetSpec spec;
        spec.paths = {file};
        const PackingOptions packing = Project::packingFromSettings({{"seq_len", 24}, {"held_out_fraction", 0.1}});
        QCOMPARE(packing.seqLen, std::int64_t(24));
        const Tokenizer tokenizer = Tokenizer::fromFile(m_model);
        JobControl control;
        const DatasetSummary summary = summarizeDataset(spec, &tokenizer, packing, control);
        QVERIFY2(summary.error.empty(), summary.error.c_str());
        QCOMPARE(summary.files, std::int64_t(1));
        QCOMPARE(summary.records, std::int64_t(30));
        QCOMPARE(summary.quality.count(BadDataKind::InvalidJson), std::int64_t(1)); // the broken line
        QCOMPARE(summary.quality.count(BadDataKind::MissingField), std::int64_t(1));
        QCOMPARE(summary.quality.examples().front().line, std::int64_t(31));
        QVERIFY(summary.tokenized);
        QVERIFY(summary.rowTokens > 0 && summary.rowTokens <= summary.tokens);
        // Without a tokenizer: the records and the problems.
        const DatasetSummary records = summarizeDataset(spec, nullptr, packing, control);
        QCOMPARE(records.records, std::int64_t(30));
        QVERIFY(!records.tokenized);
        QCOMPARE(records.tokens, std::int64_t(0));
        QCOMPARE(records.quality.count(BadDataKind::InvalidJson), std::int64_t(1));

        // Unusable data says why, with the bad lines met.
        DatasetSpec gone;
        gone.paths = {m_root / "gone.jsonl"};
        QVERIFY(contains(summarizeDataset(gone, &tokenizer, packing, control).error, "does not exist"));
        const fs::path bad = m_root / "bad.jsonl";
        writeFileAtomically(bad, "not json\n{\"text\": 3}\n");
        DatasetSpec badSpec;
        badSpec.paths = {bad};
        const DatasetSummary unusable = summarizeDataset(badSpec, &tokenizer, packing, control);
        QVERIFY(contains(unusable.error, "No records"));
        QCOMPARE(unusable.records, std::int64_t(0));
        QCOMPARE(unusable.quality.count(BadDataKind::InvalidJson), std::int64_t(1));
        QCOMPARE(unusable.quality.count(BadDataKind::WrongType), std::int64_t(1));

        // Kept with a project and read back.
        ProjectDataSummary kept;
        kept.target = summary;
        kept.references = {records, unusable};
        const fs::path where = test::freshDir("summary") / "project" / "data.json";
        kept.save(where);
        const auto back = ProjectDataSummary::load(where);
        QVERIFY(back);
        QCOMPARE(back->target.records, summary.records);
        QCOMPARE(back->target.rowTokens, summary.rowTokens);
        QCOMPARE(back->target.quality.count(BadDataKind::InvalidJson), std::int64_t(1));
        QCOMPARE(back->references.size(), std::size_t(2));
        QCOMPARE(back->references[1].error, unusable.error);
        QVERIFY(!ProjectDataSummary::load(where.parent_path() / "none.json"));
        writeFileAtomically(where, R"({"target": 1, "references": []})");
        QVERIFY_EXCEPTION_THROWN(ProjectDataSummary::load(where), FormatError);
    }

    void identifyRecordsACancelAsCancelledAndAnErrorAsFailed()
    {
        const Project p = Project::load(*store(), makeProject(false));
        const std::size_t before = jobsOfKind("identify").size();
        JobControl cancelled;
        cancelled.requestCancel();
        QVERIFY_EXCEPTION_THROWN(identify(p, cancelled), Cancelled);
        auto jobs = jobsOfKind("identify");
        QCOMPARE(jobs.size(), before + 1);
        QCOMPARE(JobStore::toString(jobs.front().state), std::string("cancelled")); // newest first
        QVERIFY(!fs::exists(p.targetStatsFile()));

        Project moved = p;
        moved.target.paths = {m_root / "moved.jsonl"};
        JobControl control;
        const std::string error = errorOf([&] { identify(moved, control); });
        QVERIFY(contains(error, "does not exist (moved or deleted?)"));
        const auto failed = jobsOfKind("identify").front();
        QCOMPARE(JobStore::toString(failed.state), std::string("failed"));
        QCOMPARE(failed.error, error);
    }

    void identifyFromRowsAlreadyTokenized()
    {
        // The demo's way: the reference is the sum over several tokenized datasets.
        const Project p = Project::load(*store(), makeProject(true));
        JobControl control;
        const TokenDataset target = p.loadDataset(p.target, control);
        const TokenDataset reference = p.loadDataset(p.references.front(), control);
        IdentifyRequest r;
        r.modelDir = m_model;
        r.computeDtype = torch::kFloat;
        r.settings.batches = 2;
        r.settings.batchSize = 2;
        r.target.label = "code";
        r.target.tokenized = {&target};
        IdentifyDataset ref;
        ref.label = "other domains";
        ref.tokenized = {&reference, &reference};
        ref.batches = 1;
        r.reference = ref;
        const fs::path dir = test::freshDir("tokenized");
        r.statsFile = dir / "stats" / "stats.json";
        r.referenceStatsFile = dir / "stats" / "stats.reference.json";
        r.config = {{"model", m_model.string()}};
        int finished = 0;
        const auto result = identify(r, control, [&](JobRecord& rec, const IdentifyResult& res) {
            ++finished;
            QVERIFY(res.reference.has_value());
            rec.metric(0, "experts", 3);
        });
        QCOMPARE(finished, 1);
        QVERIFY(result.target.tokens() > 0);
        // 2 batches of 2 rows against 2 datasets × 1 batch of 2 rows: as many tokens.
        QCOMPARE(result.reference->tokens(), result.target.tokens());
        QCOMPARE(RoutingStats::load(r.referenceStatsFile.string()).dataset, std::string("other domains"));
        QCOMPARE(fs::path(job(result.jobId).outputDir), dir / "stats");
        QCOMPARE(store()->metrics(result.jobId, "experts").size(), std::size_t(1));

        // A finish step that throws fails the job.
        const std::string error = errorOf([&] {
            identify(r, control, [](JobRecord&, const IdentifyResult&) { throw Error("no expert fits the budget"); });
        });
        QCOMPARE(error, std::string("no expert fits the budget"));
        QCOMPARE(JobStore::toString(jobsOfKind("identify").front().state), std::string("failed"));
    }

    void trainMinerChecksBeforeRecordingAndThenTrains()
    {
        const Project p = Project::load(*store(), makeProject(false));
        ExpertSelection sel(modelFingerprint(m_model));
        sel.setLayer(m_config.moeLayers().front(), {0, 1});
        MinerForm form;
        form.innerSteps = 2;
        form.batchSize = 2;
        form.sequenceLength = 24;
        form.learningRate = 1e-3;
        form.computeDtype = torch::kFloat;
        form.validationInterval = 1;
        MinerSettings s = minerSettingsFor(p, sel, form);
        s.sign = false;

        const auto trainJobs = jobsOfKind("train").size();
        MinerSettings wrongModel = s;
        wrongModel.selection = ExpertSelection("0123456789abcdef-another-model");
        wrongModel.selection.setLayer(m_config.moeLayers().front(), {0});
        JobControl control;
        QVERIFY(contains(errorOf([&] { trainMiner(wrongModel, control); }), "made for another model"));
        // A refused start is a failed train job with its message (the jobs view and `teft jobs
        // list` show it), of the run it was meant to be.
        {
            const auto jobs = jobsOfKind("train");
            QCOMPARE(jobs.size(), trainJobs + 1);
            const JobStore::Job& refused = jobs.front(); // newest first
            QCOMPARE(JobStore::toString(refused.state), std::string("failed"));
            QVERIFY(contains(refused.error, "made for another model"));
            QCOMPARE(refused.projectId, std::optional<std::int64_t>(p.id));
            QCOMPARE(fs::path(refused.outputDir), s.outDir);
            QCOMPARE(MinerSettings::fromJson(nlohmann::json::parse(refused.config)).selection.hash(),
                     wrongModel.selection.hash());
        }
        MinerSettings moved = s;
        DatasetSpec gone;
        gone.paths = {m_root / "gone.jsonl"};
        moved.dataset = datasetRecordJson(gone, p.packing);
        QVERIFY(contains(errorOf([&] { trainMiner(moved, control); }), "does not exist (moved or deleted?)"));
        {
            const auto jobs = jobsOfKind("train");
            QCOMPARE(jobs.size(), trainJobs + 2);
            QCOMPARE(JobStore::toString(jobs.front().state), std::string("failed"));
            QVERIFY(contains(jobs.front().error, "does not exist (moved or deleted?)"));
        }
        // A cancel before training is no refusal: nothing recorded.
        JobControl cancelled;
        cancelled.requestCancel();
        QVERIFY_EXCEPTION_THROWN(trainMiner(s, cancelled), Cancelled);
        QCOMPARE(jobsOfKind("train").size(), trainJobs + 2);

        std::vector<std::string> stages;
        JobControl watched([&](const JobControl::Progress& pr) {
            if (stages.empty() || stages.back() != pr.stage)
                stages.push_back(pr.stage);
        });
        int steps = 0;
        const MinerResult r = trainMiner(s, watched, [&](const MinerStep& step) {
            ++steps;
            QVERIFY(std::isfinite(step.validationLoss));
        });
        QCOMPARE(steps, 2);
        QVERIFY(fs::exists(r.submissionDir / "manifest.json"));
        QCOMPARE(r.submissionDir, s.outDir / "submission");
        // The Experts page's "bytes per submission" is what this submission carries (bf16 Δ,
        // whatever the model's dtype), not the experts' bytes in the checkpoint.
        const auto costs = routingCosts(m_model, modelFingerprint(m_model));
        QCOMPARE(static_cast<std::uint64_t>(
                     sel.cost(costs.paramsPerExpert, costs.bytesPerExpert, costs.modelBytes).submissionBytes),
                 r.submissionBytes);
        QCOMPARE(stages.front(), std::string("fingerprinting"));
        QVERIFY(std::find(stages.begin(), stages.end(), "tokenizing") != stages.end());
        QVERIFY(std::find(stages.begin(), stages.end(), "loading") != stages.end());
        const auto j = job(r.jobId);
        QCOMPARE(JobStore::toString(j.state), std::string("succeeded"));
        QCOMPARE(j.projectId, std::optional<std::int64_t>(p.id));
    }

    // A run named with spaces, end to end: its folder, its job records, the run list and a resume
    // of the listed run (the Continue button's path) all keep the name.
    void aRunNamedWithSpacesTrainsAndResumes()
    {
        const Project p = Project::load(*store(), makeProject(false));
        ExpertSelection sel(modelFingerprint(m_model));
        sel.setLayer(m_config.moeLayers().front(), {0, 1});
        MinerForm form;
        form.innerSteps = 3;
        form.batchSize = 2;
        form.sequenceLength = 24;
        form.learningRate = 1e-3;
        form.computeDtype = torch::kFloat;
        form.checkpointInterval = 0;
        form.validationInterval = 0;
        form.runName = "my run 2";
        MinerSettings s = minerSettingsFor(p, sel, form);
        s.sign = false;
        QCOMPARE(s.outDir, p.minerRunsDir() / "my run 2");
        {
            JobControl control;
            QVERIFY_EXCEPTION_THROWN(trainMiner(s, control,
                                                [&](const MinerStep& step) {
                                                    if (step.report.step == 1)
                                                        control.requestCancel();
                                                }),
                                     Cancelled);
        }
        QVERIFY(fs::exists(p.minerRunsDir() / "my run 2" / "checkpoint" / "checkpoint.json"));
        auto runs = minerRuns(*store(), p);
        const auto named = [&]() -> const MinerRun* {
            for (const MinerRun& r : runs)
                if (r.name == "my run 2")
                    return &r;
            return nullptr;
        };
        QVERIFY(named());
        QCOMPARE(named()->outDir, p.minerRunsDir() / "my run 2");
        QCOMPARE(named()->state, JobStore::JobState::Cancelled);
        QCOMPARE(minerFormOf(named()->settings).runName, std::string("my run 2"));
        QCOMPARE(fs::path(job(named()->jobIds.front()).outputDir), p.minerRunsDir() / "my run 2");

        // Continue: the listed run's settings resume its checkpoint.
        JobControl control;
        const MinerResult r = trainMiner(named()->settings, control);
        QCOMPARE(r.training.resumedFromStep, std::int64_t(1));
        QCOMPARE(r.training.steps, std::int64_t(3));
        QCOMPARE(r.submissionDir, p.minerRunsDir() / "my run 2" / "submission");
        QVERIFY(fs::exists(r.submissionDir / "manifest.json"));
        runs = minerRuns(*store(), p);
        QVERIFY(named());
        QCOMPARE(named()->jobIds.size(), std::size_t(2));
        QCOMPARE(named()->jobIds.back(), r.jobId);
        QCOMPARE(named()->state, JobStore::JobState::Succeeded);
        QCOMPARE(nextMinerRunName(p, runs) == "my run 2", false);
    }

    void evalRecordsItsJob()
    {
        const Project p = Project::load(*store(), makeProject(false));
        EvalRequest r;
        r.modelDir = m_model;
        r.datasets = {{"code", p.target, p.packing}};
        r.eval.batches = 1;
        r.eval.batchSize = 2;
        r.phiFile = m_root / "phi.safetensors";
        r.submissionDir = m_root / "submission";
        const auto evalJobs = jobsOfKind("eval").size();
        JobControl control;
        QVERIFY_EXCEPTION_THROWN(evaluateModel(r, control), UsageError);
        QCOMPARE(jobsOfKind("eval").size(), evalJobs); // a usage error records nothing

        r.phiFile.clear();
        r.submissionDir.clear();
        const EvalReport report = evaluateModel(r, control);
        QCOMPARE(report.results.size(), std::size_t(1));
        QCOMPARE(report.results[0].dataset, std::string("code"));
        QVERIFY(std::isfinite(report.results[0].result.loss));
        QCOMPARE(JobStore::toString(job(report.jobId).state), std::string("succeeded"));
        const auto loss = store()->metrics(report.jobId, "loss");
        QCOMPARE(loss.size(), std::size_t(1));
        QCOMPARE(loss[0].value, report.results[0].result.loss);

        JobControl cancelled;
        cancelled.requestCancel();
        QVERIFY_EXCEPTION_THROWN(evaluateModel(r, cancelled), Cancelled);
        QCOMPARE(JobStore::toString(jobsOfKind("eval").front().state), std::string("cancelled"));
    }
};

QTEST_GUILESS_MAIN(TestProject)
#include "test_project.moc"
