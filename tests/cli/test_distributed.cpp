// Data-parallel training through the `teft` binary (core/dist, app/cli/Launcher): two Gloo ranks
// on 127.0.0.1 train the same weights as one process on the same global batch; a rank killed
// mid-run (SIGKILL) makes the other stop in bounded time with an error naming it, and the same
// command then resumes and finishes the job. Once with ranks started by hand through the
// launcher variables (RANK, WORLD_SIZE, MASTER_PORT...), once through --nproc-per-node. With a
// GPU, also two CUDA ranks (on the same GPU) against one process; without, that test is skipped.
#include "support/TestSupport.h"

#include "core/store/JobStore.h"
#include "core/train/ModelIdentity.h"
#include "core/util/Paths.h"
#include "core/util/Runtime.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>
#include <thread>

using nlohmann::json;
namespace fs = std::filesystem;

class TestDistributed : public QObject {
    Q_OBJECT
    fs::path m_dir;
    std::string m_dataDir, m_model, m_data, m_selection;

    // `teft train` on the test's model, data and selection (fp32 compute, so that the ranks'
    // split of the batch changes only the rounding), with `extra` options.
    std::vector<std::string> trainArgs(const fs::path& out, const std::vector<std::string>& extra,
                                       const std::string& device = "cpu") const
    {
        std::vector<std::string> a = {"train",     m_model,     "--data",     m_data,  "--selection",     m_selection,
                                      "--seq-len", "24",        "--held-out", "0",     "--compute-dtype", "f32",
                                      "--device",  "cpu",       "--unsigned", "--out", out.string(),      "--data-dir",
                                      m_dataDir,   "--threads", "1",          "--json"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }

    static std::vector<std::pair<std::string, std::string>> rankEnv(int rank, int port, int localRank = -1)
    {
        return {{"RANK", std::to_string(rank)},
                {"WORLD_SIZE", "2"},
                {"LOCAL_RANK", std::to_string(localRank < 0 ? rank : localRank)},
                {"MASTER_ADDR", "127.0.0.1"},
                {"MASTER_PORT", std::to_string(port)}};
    }

    // Starts teft in the background, its stderr going to `errFile` (read with readText()).
    static void start(QProcess& p, const std::vector<std::string>& args, const fs::path& errFile,
                      const std::vector<std::pair<std::string, std::string>>& env = {})
    {
        p.setStandardErrorFile(QString::fromStdString(errFile.string()));
        QStringList list;
        for (const auto& a : args)
            list << QString::fromStdString(a);
        auto e = QProcessEnvironment::systemEnvironment();
        for (const char* k : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"})
            e.remove(k);
        for (const auto& [k, v] : env)
            e.insert(QString::fromStdString(k), QString::fromStdString(v));
        p.setProcessEnvironment(e);
        p.start(QString::fromLatin1(TEFT_CLI_PATH), list);
        QVERIFY(p.waitForStarted(30000));
    }

    static std::string readText(const fs::path& file)
    {
        std::ifstream in(file);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

    // Waits until the run folder holds a checkpoint (the run is past its first steps).
    static bool waitForCheckpoint(const fs::path& out, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (fs::exists(out / "checkpoint" / "checkpoint.json"))
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    static std::int64_t checkpointStep(const fs::path& out)
    {
        std::ifstream in(out / "checkpoint" / "checkpoint.json");
        return json::parse(in).at("step").get<std::int64_t>();
    }

    static std::vector<teft::JobStore::Job> trainJobsAfter(std::int64_t id)
    {
        std::vector<teft::JobStore::Job> out;
        for (const auto& j : teft::JobStore::open(teft::JobStore::defaultPath())->jobs(1000))
            if (j.id > id && j.kind == "train")
                out.insert(out.begin(), j);
        return out;
    }

    static std::int64_t lastJobId()
    {
        const auto jobs = teft::JobStore::open(teft::JobStore::defaultPath())->jobs(1);
        return jobs.empty() ? 0 : jobs.front().id;
    }

    struct DeltaDifference {
        double worst = 0, mean = 0;
    };

    // How far the submissions (Δ of the selected experts) of two runs are apart; fails the test
    // unless both hold the same tensors and the first trained.
    static DeltaDifference compareDeltas(const fs::path& a, const fs::path& b)
    {
        const auto da = teft::loadTensorFile(a / "submission" / "experts.safetensors");
        const auto db = teft::loadTensorFile(b / "submission" / "experts.safetensors");
        DeltaDifference d;
        d.worst = std::numeric_limits<double>::infinity();
        if (da.size() != db.size() || da.size() != std::size_t(5 * 3)) { // 5 experts x gate, up, down
            qWarning("submissions with %zu and %zu tensors", da.size(), db.size());
            return d;
        }
        double worst = 0, largest = 0, sum = 0;
        std::int64_t count = 0;
        for (const auto& [name, t] : da) {
            if (!db.count(name)) {
                qWarning("%s missing", name.c_str());
                return d;
            }
            const auto diff = (db.at(name) - t).abs();
            worst = std::max(worst, diff.max().item<double>());
            sum += diff.sum().item<double>();
            count += diff.numel();
            largest = std::max(largest, t.abs().max().item<double>());
        }
        qInfo("largest |delta| %.3g; difference between the runs: largest %.3g, mean %.3g", largest, worst,
              sum / static_cast<double>(count));
        if (largest <= 1e-3) { // it did not train
            qWarning("no training: largest |delta| %.3g", largest);
            return d;
        }
        d.worst = worst;
        d.mean = sum / static_cast<double>(count);
        return d;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_dir = teft::test::freshDir("dist");
        m_dataDir = (m_dir / "data-dir").string();
        teft::setDataDir(m_dataDir);
        m_model = (m_dir / "model").string();
        auto r = teft::test::runProcess(TEFT_CLI_PATH, {"model", "create", "--arch", "qwen3_moe", "--preset", "tiny",
                                                        "--seed", "7", "--out", m_model, "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        // ~12 KB of varied text: ~500 rows of 24 byte tokens.
        m_data = (m_dir / "corpus.txt").string();
        std::ofstream data(m_data);
        for (int i = 0; i < 400; ++i)
            data << "record " << i << ": value=" << (i * 37) % 101 << " key=" << char('a' + i % 26)
                 << char('a' + (i * 7) % 26) << " end\n";
        data.close();
        m_selection = (m_dir / "selection.json").string();
        std::ofstream(m_selection) << json{{"format", "teft-expert-selection"},
                                           {"version", 1},
                                           {"layers", {{"0", {1, 4}}, {"2", {0, 3, 6}}}}}
                                          .dump();
    }

    void twoRanksTrainAsOneProcess()
    {
        // Clipping and the load-balancing loss on, so that both must use the global batch.
        const std::vector<std::string> opts = {"--steps", "5",    "--batch-size", "6",        "--grad-accum",
                                               "2",       "--lr", "0.02",         "--warmup", "1",
                                               "--clip",  "0.05", "--aux-loss",   "0.05",     "--quiet",
                                               // f32: the comparison is of the Δs themselves
                                               // (bf16 rounding would turn a last-bit difference
                                               // into one of its own step)
                                               "--encoding", "f32"};
        const auto before = lastJobId();
        auto one = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(m_dir / "one", opts));
        QVERIFY2(one.exitCode == 0, one.err.c_str());
        auto dpOpts = opts;
        dpOpts.insert(dpOpts.end(), {"--nproc-per-node", "2"});
        const int port = teft::test::freeTcpPort();
        QVERIFY(port > 0);
        auto two = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(m_dir / "two", dpOpts), 600000,
                                          {{"MASTER_PORT", std::to_string(port)}});
        QVERIFY2(two.exitCode == 0, two.err.c_str());
        const auto a = json::parse(one.out), b = json::parse(two.out);
        QCOMPARE(b["steps"].get<int>(), 5);
        QCOMPARE(b["tokens_seen"].get<std::int64_t>(), a["tokens_seen"].get<std::int64_t>());
        QVERIFY(std::abs(b["last_loss"].get<double>() - a["last_loss"].get<double>()) < 1e-5);

        // The same Δ for every selected expert tensor, to float rounding. Summation order alone:
        // AdamW's first steps move a weight by ~lr whatever its gradient's size, so a gradient near
        // eps can differ in a last bit and move a few weights by ~1e-6.
        const auto d = compareDeltas(m_dir / "one", m_dir / "two");
        QVERIFY2(d.worst <= 2e-5, std::to_string(d.worst).c_str());
        QVERIFY2(d.mean <= 1e-7, std::to_string(d.mean).c_str());

        // Rank 0 alone recorded its job (the single process recorded the first); rank 1 logged
        // to its own file.
        const auto jobs = trainJobsAfter(before);
        QCOMPARE(jobs.size(), std::size_t(2));
        QCOMPARE(jobs.back().state, teft::JobStore::JobState::Succeeded);
        QVERIFY(fs::exists(fs::path(m_dataDir) / "logs" / "teft.rank1.log"));
        QVERIFY(two.err.find("started 2 ranks") == std::string::npos); // --quiet
    }

    // CUDA ranks through Gloo (the flat gradient buffer staged through host memory): both ranks
    // on the one GPU (LOCAL_RANK 0 each, as on two machines), against one process on it.
    void twoCudaRanksTrainAsOneProcess()
    {
        if (!teft::cudaAvailable())
            QSKIP("no CUDA GPU");
        const std::vector<std::string> opts = {"--steps", "5",    "--batch-size", "6",        "--grad-accum",
                                               "2",       "--lr", "0.02",         "--warmup", "1",
                                               "--clip",  "0.05", "--aux-loss",   "0.05",     "--quiet",
                                               // f32: the comparison is of the Δs themselves
                                               // (bf16 rounding would turn a last-bit difference
                                               // into one of its own step)
                                               "--encoding", "f32"};
        auto one = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(m_dir / "cuda-one", opts, "cuda:0"));
        QVERIFY2(one.exitCode == 0, one.err.c_str());
        const int port = teft::test::freeTcpPort();
        QProcess rank0, rank1;
        start(rank0, trainArgs(m_dir / "cuda-two", opts, "cuda"), m_dir / "cuda-rank0.err", rankEnv(0, port, 0));
        start(rank1, trainArgs(m_dir / "cuda-two", opts, "cuda"), m_dir / "cuda-rank1.err", rankEnv(1, port, 0));
        QVERIFY(rank0.waitForFinished(300000) && rank1.waitForFinished(300000));
        QVERIFY2(rank0.exitCode() == 0, readText(m_dir / "cuda-rank0.err").c_str());
        QVERIFY2(rank1.exitCode() == 0, readText(m_dir / "cuda-rank1.err").c_str());
        // The GPU's own reductions are not deterministic: a looser bound than on the CPU.
        const auto d = compareDeltas(m_dir / "cuda-one", m_dir / "cuda-two");
        QVERIFY2(d.worst <= 1e-4, std::to_string(d.worst).c_str());
        QVERIFY2(d.mean <= 1e-6, std::to_string(d.mean).c_str());
    }

    void batchSmallerThanRanksIsRefused()
    {
        const int port = teft::test::freeTcpPort();
        auto r = teft::test::runProcess(TEFT_CLI_PATH,
                                        trainArgs(m_dir / "small", {"--steps", "2", "--batch-size", "1",
                                                                    "--nproc-per-node", "2", "--quiet"}),
                                        120000, {{"MASTER_PORT", std::to_string(port)}});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("must be at least the number of ranks") != std::string::npos, r.err.c_str());
    }

    void badLauncherVariablesAreUsageErrors()
    {
        auto r = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(m_dir / "bad", {"--steps", "1"}), 60000,
                                        {{"WORLD_SIZE", "2"}});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("WORLD_SIZE is 2 but RANK is not set") != std::string::npos, r.err.c_str());
        r = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(m_dir / "bad", {"--steps", "1", "--nproc-per-node", "2"}),
                                   60000, rankEnv(0, 29500));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("leave out --nproc-per-node") != std::string::npos, r.err.c_str());
        r = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(m_dir / "bad", {"--steps", "1"}), 60000,
                                   {{"WORLD_SIZE", "2"}, {"RANK", "2"}});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.find("RANK 2 is outside 0..1") != std::string::npos, r.err.c_str());
    }

    // Ranks started by hand, as a Slurm script would: kill rank 1, rank 0 names it and saves
    // the last step; a single process resumes and finishes.
    void killedRankStopsTheOtherAndTheJobResumes()
    {
        const fs::path out = m_dir / "killed";
        const std::vector<std::string> opts = {"--steps", "1500", "--batch-size", "4", "--checkpoint-every",
                                               "20",      "--lr", "0.001"};
        const int port = teft::test::freeTcpPort();
        const auto before = lastJobId();
        QProcess rank0, rank1;
        const fs::path err0 = m_dir / "killed-rank0.err";
        start(rank0, trainArgs(out, opts), err0, rankEnv(0, port));
        start(rank1, trainArgs(out, opts), m_dir / "killed-rank1.err", rankEnv(1, port));
        QVERIFY2(waitForCheckpoint(out, 120000), readText(err0).c_str());
        QVERIFY(rank0.state() == QProcess::Running); // mid-run
        QElapsedTimer t;
        t.start();
        rank1.kill(); // SIGKILL
        rank1.waitForFinished(10000);
        QVERIFY(rank0.waitForFinished(30000));
        qInfo("rank 0 stopped %lld ms after rank 1 was killed", static_cast<long long>(t.elapsed()));
        const std::string err = readText(err0);
        QCOMPARE(rank0.exitCode(), 1);
        QVERIFY2(err.find("teft (rank 0): error: Distributed training stopped") != std::string::npos, err.c_str());
        QVERIFY2(err.find("rank 1 has stopped") != std::string::npos, err.c_str());
        QVERIFY2(err.find("run the same command again to resume") != std::string::npos, err.c_str());
        const auto jobs = trainJobsAfter(before);
        QCOMPARE(jobs.size(), std::size_t(1));
        QCOMPARE(jobs.front().state, teft::JobStore::JobState::Failed);
        QVERIFY(jobs.front().error.find("rank 1 has stopped") != std::string::npos);
        const auto saved = checkpointStep(out);
        QVERIFY(saved >= 20 && saved < 1500);

        // The same command in one process continues from rank 0's last step.
        auto resumed = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(out, opts));
        QVERIFY2(resumed.exitCode == 0, resumed.err.c_str());
        const auto r = json::parse(resumed.out);
        QCOMPARE(r["resumed_from_step"].get<std::int64_t>(), saved);
        QCOMPARE(r["steps"].get<std::int64_t>(), std::int64_t(1500));
        QVERIFY(fs::exists(out / "submission" / "experts.safetensors"));
    }

    // Through --nproc-per-node: kill rank 0 (which hosts the rendezvous); rank 1 names it, the
    // launcher names it, and the same command resumes on two ranks.
    void launcherReportsAKilledRankAndResumes()
    {
        const fs::path out = m_dir / "launched";
        const std::vector<std::string> opts = {"--steps", "1500",  "--batch-size",     "4", "--checkpoint-every", "20",
                                               "--lr",    "0.001", "--nproc-per-node", "2"};
        const int port = teft::test::freeTcpPort();
        QProcess launcher;
        const fs::path errFile = m_dir / "launcher.err";
        start(launcher, trainArgs(out, opts), errFile, {{"MASTER_PORT", std::to_string(port)}});
        QVERIFY2(waitForCheckpoint(out, 120000), readText(errFile).c_str());
        std::string err = readText(errFile);
        std::smatch m;
        QVERIFY2(std::regex_search(err, m, std::regex("rank 0 pid ([0-9]+)")), err.c_str());
        const pid_t rank0 = std::stoi(m[1].str());
        QElapsedTimer t;
        t.start();
        QCOMPARE(::kill(rank0, SIGKILL), 0);
        QVERIFY(launcher.waitForFinished(60000));
        qInfo("the launcher ended %lld ms after rank 0 was killed", static_cast<long long>(t.elapsed()));
        err = readText(errFile);
        QCOMPARE(launcher.exitCode(), 1);
        QVERIFY2(err.find("rank 0 (pid " + std::to_string(rank0) + ") was killed by signal 9") != std::string::npos,
                 err.c_str());
        QVERIFY2(err.find("teft (rank 1): error: Distributed training stopped") != std::string::npos, err.c_str());
        QVERIFY2(err.find("rank 0, which hosts the rendezvous") != std::string::npos, err.c_str());
        const auto saved = checkpointStep(out);
        QVERIFY(saved >= 20 && saved < 1500);

        auto resumed = teft::test::runProcess(TEFT_CLI_PATH, trainArgs(out, opts), 600000,
                                              {{"MASTER_PORT", std::to_string(teft::test::freeTcpPort())}});
        QVERIFY2(resumed.exitCode == 0, resumed.err.c_str());
        const auto r = json::parse(resumed.out);
        QCOMPARE(r["resumed_from_step"].get<std::int64_t>(), saved);
        QCOMPARE(r["steps"].get<std::int64_t>(), std::int64_t(1500));
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
