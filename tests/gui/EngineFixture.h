#pragma once

// A project for the GUI tests that drive the real engine: a tiny generated qwen3_moe, the demo
// corpus' "code" domain as target (and "prose" as reference), an expert selection saved in the
// job store, and a folder of signed submissions by trusted miners: alpha and beta (trained),
// wild (alpha's update reversed and doubled, signed with wild's own key: verified, but it
// raises the loss, so it scores 0 — a very high learning rate does not do that reliably on a
// random tiny model, where it often lowers the loss) and evil (alpha's package with its
// tensors tampered with, refused by verification). All under a fresh data
// directory (teft::setDataDir), with the job store at its default path.
#include "support/TestSupport.h"

#include "core/data/DatasetSpec.h"
#include "core/data/TokenDataset.h"
#include "core/demo/DemoCorpus.h"
#include "core/model/CheckpointGenerator.h"
#include "core/store/JobStore.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/train/MinerJob.h"
#include "core/util/Paths.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"
#include "core/project/Project.h"

#include <fstream>
#include <nlohmann/json.hpp>

namespace teft::test {

struct EngineFixture {
    std::filesystem::path root;
    std::filesystem::path modelDir;
    std::filesystem::path subs;
    ExpertSelection selection;
    std::int64_t projectId = 0;

    explicit EngineFixture(bool withReference)
    {
        namespace fs = std::filesystem;
        configureThreads(1);
        root = freshDir("world");
        setDataDir(root / "data");
        modelDir = root / "model";
        GenerateOptions go;
        go.arch = "qwen3_moe";
        go.preset = "tiny";
        go.seed = 5;
        generateCheckpoint(modelDir, go);
        JobControl control;
        DemoCorpusOptions co;
        co.mbPerDomain = 0.03;
        co.domains = {"code", "prose"};
        const auto files = writeDemoCorpus(root / "corpus", co, control);
        DatasetSpec target, reference;
        for (const auto& f : files)
            (f.domain == "code" ? target : reference).paths.push_back(f.path);

        selection.setLayer(0, {1, 4});
        selection.setLayer(2, {6});
        auto store = JobStore::open(JobStore::defaultPath());
        projectId = store->createProject("engine", modelDir.string(),
                                         R"({"seq_len": 24, "held_out_fraction": 0.1, "device": "cpu"})");
        store->addDataset(projectId, "target", toJson(target).dump());
        if (withReference)
            store->addDataset(projectId, "reference", toJson(reference).dump());
        store->saveSelection(projectId, "test", selection.hash(), selection.toJson().dump());

        // Miners train on the project's own data (its training part).
        const auto project = Project::load(*store, projectId);
        const auto data = project.loadDataset(project.target, control);
        subs = root / "subs";
        KnownMiners known;
        const struct {
            const char* id;
            double lr;
            int shard;
        } miners[] = {{"alpha", 5e-3, 0}, {"beta", 5e-3, 1}};
        for (const auto& m : miners) {
            MinerSettings s;
            s.modelDir = modelDir;
            s.selection = selection;
            s.computeDtype = torch::kFloat;
            s.shardIndex = m.shard;
            s.shardCount = 3;
            s.train.innerSteps = 6;
            s.train.batchSize = 2;
            s.train.gradAccum = 2;
            s.train.lr = m.lr;
            s.train.warmupSteps = 1;
            s.train.seed = 3;
            s.minerId = m.id;
            s.keyDir = root / "keys" / m.id;
            s.outDir = root / "miners" / m.id;
            s.submissionDir = subs / m.id;
            runMiner(s, data, control);
            known.add(MinerKey::load(s.keyDir).publicKey());
        }
        {
            const auto alpha = Submission::open(subs / "alpha");
            TensorMap anti;
            for (const auto& n : alpha->tensorNames())
                anti[n] = alpha->delta(n) * -2.0f; // within the default relative norm bound (2x)
            auto manifest = alpha->manifest();
            manifest.minerId = "wild";
            manifest.deltaSha256.clear();
            manifest.createdAt.clear();
            const auto key = MinerKey::loadOrCreate(root / "keys" / "wild", "wild");
            writeSubmission(subs / "wild", manifest, anti, &key);
            known.add(key.publicKey());
        }
        known.save(dataDir() / "known_miners.json");
        // evil: alpha's package with the last bytes of its tensors changed.
        fs::copy(subs / "alpha", subs / "evil", fs::copy_options::recursive);
        const auto tensors = subs / "evil" / "experts.safetensors";
        const auto size = fs::file_size(tensors);
        std::fstream f(tensors, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(static_cast<std::streamoff>(size - 4));
        f.write("\x7f\x7f\x7f\x7f", 4);
    }
};

} // namespace teft::test
