// Cross-check of the engine against an independent implementation: `teft model forward` and
// bench/pytorch_moe.py (plain PyTorch following transformers' modeling code) run the same
// generated checkpoint on the same token ids; logits and routing choices must agree.
#include "core/io/SafetensorsFile.h"
#include "core/util/AtomicFile.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <set>

using namespace teft;
namespace fs = std::filesystem;

namespace {

const char* kPython = "/usr/bin/python3";

// Agreement thresholds, both implementations computing in fp32 from the same (bf16-stored)
// weights. The two differ only in summation order (matmul blocking, grouped vs per-expert
// dispatch, fused vs separate ops): each fp32 op then contributes a relative error of about
// 1e-7 x sqrt(fan-in) (~1e-6 here), and a few layers of attention, RMSNorm and softmax amplify
// it by at most 10-100x. A semantic slip (RoPE layout, missing q/k norm, renormalisation, GQA
// order, shared-expert gate) moves logits by 1e-2 or more. So: 1e-4 relative to the logits'
// scale, router weights 1e-4 absolute, and a near-tie margin of 1e-4 between probabilities.
constexpr double kLogitTolerance = 1e-4;
constexpr double kWeightTolerance = 1e-4;
constexpr double kTieMargin = 1e-4;

std::string joinIds(const std::vector<std::int64_t>& v)
{
    std::string s;
    for (auto x : v)
        s += (s.empty() ? "" : ",") + std::to_string(x);
    return "[" + s + "]";
}

} // namespace

class TestModelCrosscheck : public QObject {
    Q_OBJECT

    bool m_pythonHasTorch = false;

private slots:
    void initTestCase()
    {
        const auto r = test::runProcess(kPython, {"-c", "import torch, numpy"}, 120000);
        m_pythonHasTorch = r.exitCode == 0;
    }

    void matchesPyTorch_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("shards");
        QTest::newRow("qwen3_moe") << "qwen3_moe" << 1;
        QTest::newRow("qwen3_moe sharded") << "qwen3_moe" << 3;
        QTest::newRow("qwen2_moe") << "qwen2_moe" << 1;
        QTest::newRow("olmoe") << "olmoe" << 1;
        QTest::newRow("mixtral") << "mixtral" << 1;
    }

    void matchesPyTorch()
    {
        if (!m_pythonHasTorch)
            QSKIP("/usr/bin/python3 cannot import torch and numpy (Debian: apt install python3-torch); "
                  "the PyTorch cross-check is skipped");
        QFETCH(QString, arch);
        QFETCH(int, shards);
        const std::string family = arch.toStdString();
        const fs::path dir = test::freshDir(family + "-" + std::to_string(shards));
        const fs::path model = dir / "model";

        auto r = test::runProcess(TEFT_CLI_PATH, {"model", "create", "--arch", family, "--preset", "tiny", "--shards",
                                                  std::to_string(shards), "--seed", "11", "--out", model.string(),
                                                  "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        const auto config = nlohmann::json::parse(readFile(model / "config.json"));
        const std::int64_t vocab = config["vocab_size"].get<std::int64_t>();

        // Three rows, the last one shorter (right-padded by the engine, run alone by the baseline).
        const std::vector<int> lengths{16, 16, 9};
        nlohmann::json rows = nlohmann::json::array();
        std::uint64_t state = 12345;
        for (int len : lengths) {
            nlohmann::json row = nlohmann::json::array();
            for (int t = 0; t < len; ++t) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                row.push_back(static_cast<std::int64_t>((state >> 33) % static_cast<std::uint64_t>(vocab)));
            }
            rows.push_back(row);
        }
        writeFileAtomically(dir / "ids.json", rows.dump());

        r = test::runProcess(TEFT_CLI_PATH, {"model", "forward", model.string(), "--input-ids", (dir / "ids.json").string(),
                                             "--out", (dir / "teft.safetensors").string(), "--dtype", "f32", "--quiet"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());
        r = test::runProcess(kPython, {(test::sourceDir() / "bench" / "pytorch_moe.py").string(), "forward", model.string(),
                                       "--input-ids", (dir / "ids.json").string(), "--out",
                                       (dir / "torch.safetensors").string(), "--dtype", "fp32", "--router-probs",
                                       "--threads", "2"});
        QVERIFY2(r.exitCode == 0, r.err.c_str());

        const auto mine = SafetensorsFile::open(dir / "teft.safetensors");
        const auto ref = SafetensorsFile::open(dir / "torch.safetensors");
        const torch::Tensor logits = mine->tensor("logits");
        const torch::Tensor refLogits = ref->tensor("logits");
        QCOMPARE(logits.sizes().vec(), refLogits.sizes().vec());
        const auto B = static_cast<int>(lengths.size());
        const std::int64_t k = config["num_experts_per_tok"].get<std::int64_t>();

        // Routing, layer by layer: same MoE layers, same choices except at near-ties.
        std::vector<int> divergedFrom(lengths.begin(), lengths.end()); // per row: first position after a tie
        int layers = 0, ties = 0;
        for (const auto& info : ref->tensors()) {
            const std::string& name = info.name;
            if (name.rfind("routing.", 0) != 0 || name.size() < 4 || name.substr(name.size() - 4) != ".ids")
                continue;
            const std::string layer = name.substr(8, name.size() - 12);
            ++layers;
            QVERIFY2(mine->contains(name), ("the engine wrote no " + name).c_str());
            const torch::Tensor ids = mine->tensor(name), refIds = ref->tensor(name);
            const torch::Tensor w = mine->tensor("routing." + layer + ".weights");
            const torch::Tensor refW = ref->tensor("routing." + layer + ".weights");
            const torch::Tensor probs = ref->tensor("router." + layer + ".probs");
            QCOMPARE(ids.sizes().vec(), refIds.sizes().vec());
            for (int b = 0; b < B; ++b) {
                for (int t = 0; t < static_cast<int>(refIds.size(1)); ++t) {
                    const auto a = ids[b][t], e = refIds[b][t];
                    if (t >= lengths[b]) {
                        QVERIFY2(torch::all(a == -1).item<bool>(), "padding positions must carry id -1");
                        continue;
                    }
                    std::vector<std::int64_t> got(a.data_ptr<std::int64_t>(), a.data_ptr<std::int64_t>() + k);
                    std::vector<std::int64_t> want(e.data_ptr<std::int64_t>(), e.data_ptr<std::int64_t>() + k);
                    if (got == want) {
                        const double dw = (w[b][t] - refW[b][t]).abs().max().item<double>();
                        QVERIFY2(dw <= kWeightTolerance, ("layer " + layer + " row " + std::to_string(b) + " position " +
                                                          std::to_string(t) + ": weights differ by " + std::to_string(dw))
                                                             .c_str());
                        continue;
                    }
                    // A mismatch must be a near-tie in the reference's full router probabilities.
                    const torch::Tensor p = probs[b][t];
                    const torch::Tensor sorted = std::get<0>(p.sort(0, true));
                    const double boundary = sorted[k - 1].item<double>();
                    bool tie = true;
                    for (std::int64_t j = 0; j < k; ++j) {
                        if (got[j] == want[j])
                            continue;
                        const double pg = p[got[j]].item<double>(), pw = p[want[j]].item<double>();
                        // Swapped order inside the top-k, or a swap across its boundary.
                        tie = tie && (std::abs(pg - pw) < kTieMargin || (std::abs(pg - boundary) < kTieMargin &&
                                                                         std::abs(pw - boundary) < kTieMargin));
                    }
                    QVERIFY2(tie, ("layer " + layer + " row " + std::to_string(b) + " position " + std::to_string(t) +
                                   ": engine chose " + joinIds(got) + ", PyTorch " + joinIds(want) + " (not a near-tie)")
                                      .c_str());
                    ++ties;
                    divergedFrom[b] = std::min(divergedFrom[b], t);
                }
            }
        }
        QVERIFY2(layers > 0, "the reference wrote no routing");
        int engineLayers = 0;
        for (const auto& info : mine->tensors())
            engineLayers += info.name.size() > 4 && info.name.substr(info.name.size() - 4) == ".ids";
        QCOMPARE(engineLayers, layers);

        // Logits at every real position before any near-tie.
        const double scale = std::max(1.0, refLogits.abs().max().item<double>());
        int compared = 0, total = 0;
        double worst = 0;
        for (int b = 0; b < B; ++b) {
            total += lengths[b];
            if (divergedFrom[b] == 0)
                continue;
            const auto n = divergedFrom[b];
            const double d = (logits[b].narrow(0, 0, n) - refLogits[b].narrow(0, 0, n)).abs().max().item<double>();
            worst = std::max(worst, d);
            compared += n;
        }
        qInfo("%s: %d MoE layers, %d near-ties, %d/%d positions compared, max |logit diff| %.3g (scale %.3g)",
              family.c_str(), layers, ties, compared, total, worst, scale);
        QVERIFY2(compared * 10 >= total * 9, "too many near-ties to compare logits meaningfully");
        QVERIFY2(worst <= kLogitTolerance * scale,
                 ("logits differ by " + std::to_string(worst) + " (allowed " + std::to_string(kLogitTolerance * scale) + ")")
                     .c_str());
    }
};

QTEST_APPLESS_MAIN(TestModelCrosscheck)
#include "test_model_crosscheck.moc"
