// The CUDA half of LibTorch is loaded at run time (core/util/CudaBackend.h). Here, in the build
// tree, it comes from the project's torch wheel: it must load, register LibTorch's CUDA backend
// (a CUDA tensor then fails for want of a GPU or driver, not for want of CUDA support), and a
// request for a GPU that is not there must be refused with a sentence. Where a GPU is present the
// same code runs a tensor operation on it and compares with the CPU; elsewhere that part reports
// SKIP. `teft system` reports the backend; TEFT_NO_CUDA and a wrong TEFT_LIBTORCH_DIR leave a
// working CPU-only program. With a GPU, `teft identify` and `teft train` on cuda:0 give the CPU's
// routing statistics and losses. $TEFT_CLI overrides the `teft` under test (scripts/gpu-check.sh
// runs this test packed, on another machine).
#include "core/util/AtomicFile.h"
#include "core/util/CudaBackend.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace teft;

namespace {

std::string cli()
{
    const char* env = std::getenv("TEFT_CLI");
    return env && *env ? std::string(env) : std::string(TEFT_CLI_PATH);
}

test::ProcessResult runTeft(const std::vector<std::string>& args, const std::filesystem::path& dataDir)
{
    std::vector<std::string> all = args; // global options after the command
    all.insert(all.end(), {"--data-dir", dataDir.string(), "--quiet"});
    return test::runProcess(cli(), all, 600000);
}

} // namespace

class TestCudaBackend : public QObject {
    Q_OBJECT

    nlohmann::json system(const std::vector<std::pair<std::string, std::string>>& env)
    {
        const auto r = test::runProcess(cli(), {"system", "--json", "--data-dir", test::freshDir("data").string()},
                                        120000, env);
        if (r.exitCode != 0)
            QTest::qFail(("teft system failed: " + r.err).c_str(), __FILE__, __LINE__);
        return nlohmann::json::parse(r.out);
    }

private Q_SLOTS:
    void loadsFromTheWheel()
    {
        const auto& s = cudaBackend();
        QVERIFY2(s.loaded, s.message.c_str());
        QVERIFY2(std::filesystem::exists(std::filesystem::path(s.libtorchDir) / "libtorch_cuda.so"),
                 s.libtorchDir.c_str());
        QVERIFY2(s.message.find(TORCH_VERSION) != std::string::npos, s.message.c_str());
    }

    void cudaIsRegisteredWithLibTorch()
    {
        QVERIFY(cudaBackend().loaded);
        if (cudaAvailable())
            QSKIP("a GPU is present: covered by gpuMatchesCpu");
        // Without the backend LibTorch answers "not compiled with CUDA" / "Could not run ... CUDA
        // backend"; with it, the failure is the missing driver or device.
        try {
            auto t = torch::zeros({4}, torch::TensorOptions().device(torch::kCUDA));
            QFAIL("a CUDA tensor was created although no GPU is available");
        } catch (const c10::Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("not compiled") == std::string::npos, what.c_str());
            QVERIFY2(what.find("Could not run") == std::string::npos, what.c_str());
            QVERIFY2(what.find("driver") != std::string::npos || what.find("device") != std::string::npos,
                     what.substr(0, 400).c_str());
        }
    }

    void missingGpuIsRefusedWithASentence()
    {
        if (cudaAvailable())
            QSKIP("a GPU is present");
        QCOMPARE(resolveDevice("auto"), std::string("cpu"));
        QCOMPARE(cudaDeviceCount(), 0);
        try {
            resolveDevice("cuda:0");
            QFAIL("cuda:0 was accepted without a GPU");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("no CUDA GPU is available") != std::string::npos, e.what());
        }
        QCOMPARE(cudaAllocatedBytes(0), std::int64_t(0));
        // Straight to the CUDA runtime through libteft_cuda.so: its error, as a teft::Error.
        try {
            cudaDeviceProperties(0);
            QFAIL("properties of a GPU that is not there");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("CUDA device 0") != std::string::npos, e.what());
        }
    }

    void gpuMatchesCpu()
    {
        if (!cudaAvailable())
            QSKIP("no GPU here: the GPU path runs where one is present");
        const DeviceInfo info = describeDevice("cuda:0");
        QVERIFY(!info.description.empty());
        QVERIFY(info.memoryTotal > 0 && info.memoryFree > 0 && info.memoryFree <= info.memoryTotal);
        torch::manual_seed(3);
        const auto a = torch::randn({257, 129}), b = torch::randn({129, 65});
        const auto onGpu = torch::matmul(a.to(torch::kCUDA), b.to(torch::kCUDA)).cpu();
        QVERIFY(torch::allclose(onGpu, torch::matmul(a, b), 1e-3, 1e-3));
        QVERIFY(cudaAllocatedBytes(0) >= 0);
    }

    // The real commands on the GPU: identification gives the CPU's token counts per expert (fp32
    // compute), training the CPU's losses and token count, and writes its submission.
    void identifyAndTrainOnTheGpu()
    {
        if (!cudaAvailable())
            QSKIP("no GPU here: the GPU path runs where one is present");
        const auto work = test::freshDir("cli-gpu");
        const auto model = work / "model", data = work / "data", corpus = work / "corpus";
        auto r = runTeft({"model", "create", "--arch", "qwen3_moe", "--preset", "tiny", "--out", model.string()}, data);
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        r = runTeft({"data", "demo-corpus", "--out", corpus.string()}, data);
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        std::map<std::string, nlohmann::json> stats;
        for (const std::string device : {"cpu", "cuda:0"}) {
            const auto out = work / ("stats-" + device.substr(0, 3) + ".json");
            r = runTeft({"identify", model.string(), "--data", corpus.string(), "--device", device, "--compute-dtype",
                         "f32", "--seq-len", "64", "--batches", "4", "--batch-size", "4", "--out", out.string()},
                        data);
            QVERIFY2(r.exitCode == 0, (device + ": " + r.err).c_str());
            stats[device] = nlohmann::json::parse(readFile(out));
        }
        // The same tokens reach the same experts, up to near-ties: counts within 2 % of the total.
        const auto& c = stats["cpu"]["counts"];
        const auto& g = stats["cuda:0"]["counts"];
        QVERIFY2(c.is_array() && c.size() == g.size() && !c.empty(), stats["cpu"].dump().substr(0, 400).c_str());
        double total = 0, diff = 0;
        for (std::size_t l = 0; l < c.size(); ++l)
            for (std::size_t e = 0; e < c[l].size(); ++e) {
                total += c[l][e].get<double>();
                diff += std::abs(c[l][e].get<double>() - g[l][e].get<double>());
            }
        QVERIFY2(total > 0 && diff <= 0.02 * total,
                 ("counts differ by " + std::to_string(diff) + " of " + std::to_string(total)).c_str());

        const auto sel = work / "selection.json";
        writeFileAtomically(
            sel, R"({"experts": {"1": [0, 3], "2": [5]}, "shared_experts": false, "non_expert_modules": false})");
        std::map<std::string, nlohmann::json> runs;
        for (const std::string device : {"cpu", "cuda:0"}) {
            const auto out = work / ("train-" + device.substr(0, 3));
            std::vector<std::string> args{"train", model.string(), "--data", corpus.string()};
            args.insert(args.end(), {"--selection", sel.string(), "--unsigned", "--out", out.string(), "--json"});
            args.insert(args.end(), {"--device", device, "--compute-dtype", "f32", "--seq-len", "64"});
            args.insert(args.end(), {"--batch-size", "4", "--steps", "4"});
            r = runTeft(args, data);
            QVERIFY2(r.exitCode == 0, (device + ": " + r.err).c_str());
            runs[device] = nlohmann::json::parse(r.out);
            QVERIFY2(std::filesystem::exists(out / "submission" / "experts.safetensors"), device.c_str());
        }
        for (const char* key : {"first_loss", "last_loss"}) {
            const double lc = runs["cpu"][key].get<double>(), lg = runs["cuda:0"][key].get<double>();
            QVERIFY2(std::isfinite(lg) && std::abs(lc - lg) < 1e-2 * std::abs(lc),
                     (std::string(key) + ": " + std::to_string(lg) + " on the GPU, " + std::to_string(lc) +
                      " on the CPU")
                         .c_str());
        }
        QCOMPARE(runs["cuda:0"]["tokens_seen"], runs["cpu"]["tokens_seen"]);
    }

    void systemReportsTheBackend()
    {
        const auto doc = system({});
        QCOMPARE(doc["torch_version"].get<std::string>(), std::string(TORCH_VERSION));
        QVERIFY2(doc["cuda_backend"]["loaded"].get<bool>(), doc.dump().c_str());
        QCOMPARE(doc["cuda_available"].get<bool>(), cudaAvailable());
    }

    void cpuOnlyWhenDisabledOrMissing()
    {
        auto doc = system({{"TEFT_NO_CUDA", "1"}});
        QVERIFY(!doc["cuda_backend"]["loaded"].get<bool>());
        QVERIFY(!doc["cuda_available"].get<bool>());
        QVERIFY2(doc["cuda_backend"]["message"].get<std::string>().find("TEFT_NO_CUDA") != std::string::npos,
                 doc.dump().c_str());
        const std::string nowhere = test::freshDir("no-libtorch").string();
        doc = system({{"TEFT_LIBTORCH_DIR", nowhere}});
        QVERIFY(!doc["cuda_backend"]["loaded"].get<bool>());
        const auto message = doc["cuda_backend"]["message"].get<std::string>();
        QVERIFY2(message.find(nowhere) != std::string::npos && message.find("TEFT_LIBTORCH_DIR") != std::string::npos,
                 message.c_str());
        QCOMPARE(doc["devices"].size(), std::size_t(1));
    }
};

QTEST_APPLESS_MAIN(TestCudaBackend)
#include "test_cuda_backend.moc"
