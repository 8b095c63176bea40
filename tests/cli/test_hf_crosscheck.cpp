// Cross-check of the engine against Hugging Face transformers itself (tests/reference/hf_models.py,
// run with the project's Python environment), for every registered MoE family
// (core/model/families/; hf_models.py builds the same family with transformers' own classes):
//   a) transformers writes a checkpoint (its own config class, from_config, save_pretrained) ->
//      `teft model forward` and transformers' forward agree on logits and per-layer routing;
//   b) `teft model create` writes a checkpoint -> transformers loads it with no missing,
//      unexpected or mismatched weights, and both agree;
//   c) `teft merge` writes Φ into b)'s checkpoint -> transformers loads the merged folder, and
//      both agree.
// All Python work runs in one process (importing transformers takes seconds): initTestCase
// writes every checkpoint the engine makes, then runs hf_models.py's batch mode once.
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/model/ModelConfig.h"
#include "core/util/AtomicFile.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <set>

using namespace teft;
namespace fs = std::filesystem;

namespace {

// Agreement thresholds, both implementations computing in fp32 from the same (bf16-stored)
// weights. The two differ only in summation order (matmul blocking, grouped vs per-expert
// dispatch, fused vs separate ops): each fp32 op then contributes a relative error of about
// 1e-7 x sqrt(fan-in) (~1e-6 here), and a few layers of attention, RMSNorm and softmax amplify
// it by at most 10-100x. A semantic slip (RoPE layout, missing q/k norm, renormalisation, GQA
// order, shared-expert gate, YaRN scale) moves logits by 1e-2 or more. So: 1e-4 relative to the
// logits' scale, router weights 1e-4 absolute, and a near-tie margin of 1e-4 between the scores
// the top-k is chosen from.
constexpr double kLogitTolerance = 1e-4;
constexpr double kWeightTolerance = 1e-4;
constexpr double kTieMargin = 1e-4;

// Token ids below both generators' vocabularies (teft tiny: 384, hf_models.py tiny: 512).
constexpr std::uint64_t kVocabBound = 384;
// Three rows, the last one shorter (right-padded by the engine, run alone by transformers).
const std::vector<int> kLengths{16, 16, 9};

std::string joinIds(const std::vector<std::int64_t>& v)
{
    std::string s;
    for (auto x : v)
        s += (s.empty() ? "" : ",") + std::to_string(x);
    return "[" + s + "]";
}

// Group-limited routing: the experts' group scores from the reference's choice scores p [E]
// (softmax routing, deepseek_v2: the best expert of each group; sigmoid routing, deepseek_v3: the
// sum of the two best), empty when the model has no group stage.
torch::Tensor groupScores(const ModelConfig& config, const torch::Tensor& p)
{
    if (!config.groupLimited || config.nGroup <= 1)
        return {};
    const auto groups = p.view({config.nGroup, p.size(0) / config.nGroup});
    if (config.routing == RoutingKind::DeepseekSigmoid)
        return std::get<0>(groups.topk(2, -1)).sum(-1);
    return groups.amax(-1);
}

double spread(const torch::Tensor& values, const std::vector<std::int64_t>& at)
{
    double lo = 1e300, hi = -1e300;
    for (auto i : at) {
        const double v = values[i].item<double>();
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    return at.empty() ? 0.0 : hi - lo;
}

// Compares the engine's `teft model forward` output with the reference's; returns an empty
// string when they agree, else what differs. Routing is compared as sets of (expert, weight):
// transformers' deepseek routers return their top-k unsorted.
std::string compareForwards(const std::string& what, const fs::path& minePath, const fs::path& refPath,
                            const ModelConfig& config)
{
    const auto mine = SafetensorsFile::open(minePath);
    const auto ref = SafetensorsFile::open(refPath);
    const torch::Tensor logits = mine->tensor("logits").to(torch::kFloat);
    const torch::Tensor refLogits = ref->tensor("logits").to(torch::kFloat);
    if (logits.sizes() != refLogits.sizes())
        return "logits have shape " + std::string(c10::str(logits.sizes())) + ", transformers " +
               std::string(c10::str(refLogits.sizes()));
    const auto B = static_cast<int>(kLengths.size());

    std::vector<int> divergedFrom(kLengths.begin(), kLengths.end()); // per row: first position at a near-tie
    int layers = 0, ties = 0;
    for (const auto& info : ref->tensors()) {
        const std::string& name = info.name;
        if (name.rfind("routing.", 0) != 0 || name.size() < 4 || name.substr(name.size() - 4) != ".ids")
            continue;
        const std::string layer = name.substr(8, name.size() - 12);
        ++layers;
        if (!mine->contains(name))
            return "the engine wrote no " + name + " (transformers routes in layer " + layer + ")";
        const torch::Tensor ids = mine->tensor(name), refIds = ref->tensor(name);
        const torch::Tensor w = mine->tensor("routing." + layer + ".weights").to(torch::kFloat);
        const torch::Tensor refW = ref->tensor("routing." + layer + ".weights").to(torch::kFloat);
        const torch::Tensor probs = ref->tensor("router." + layer + ".probs").to(torch::kFloat);
        if (ids.sizes() != refIds.sizes())
            return name + " has shape " + std::string(c10::str(ids.sizes())) + ", transformers " +
                   std::string(c10::str(refIds.sizes()));
        const std::int64_t k = refIds.size(2);
        for (int b = 0; b < B; ++b) {
            for (int t = 0; t < static_cast<int>(refIds.size(1)); ++t) {
                const std::string where = "layer " + layer + " row " + std::to_string(b) + " position " +
                                          std::to_string(t);
                if (t >= kLengths[b]) {
                    if (!torch::all(ids[b][t] == -1).item<bool>())
                        return where + ": padding positions must carry id -1";
                    continue;
                }
                std::map<std::int64_t, double> got, want;
                for (std::int64_t j = 0; j < k; ++j) {
                    got[ids[b][t][j].item<std::int64_t>()] = w[b][t][j].item<double>();
                    want[refIds[b][t][j].item<std::int64_t>()] = refW[b][t][j].item<double>();
                }
                std::vector<std::int64_t> gotIds, wantIds, onlyGot, onlyWant;
                for (const auto& [e, _] : got)
                    gotIds.push_back(e);
                for (const auto& [e, _] : want)
                    wantIds.push_back(e);
                std::set_difference(gotIds.begin(), gotIds.end(), wantIds.begin(), wantIds.end(),
                                    std::back_inserter(onlyGot));
                std::set_difference(wantIds.begin(), wantIds.end(), gotIds.begin(), gotIds.end(),
                                    std::back_inserter(onlyWant));
                if (got.size() != static_cast<std::size_t>(k))
                    return where + ": the engine chose an expert twice " + joinIds(gotIds);
                if (onlyGot.empty()) {
                    double dw = 0;
                    for (const auto& [e, v] : got)
                        dw = std::max(dw, std::abs(v - want[e]));
                    if (dw > kWeightTolerance)
                        return where + ": weights differ by " + std::to_string(dw) + " (experts " + joinIds(gotIds) +
                               ")";
                    continue;
                }
                // Different experts: allowed only at a near-tie of the scores the choice was made
                // from, between experts or (group-limited routing) between groups.
                const torch::Tensor p = probs[b][t];
                std::vector<std::int64_t> differing = onlyGot;
                differing.insert(differing.end(), onlyWant.begin(), onlyWant.end());
                bool tie = spread(p, differing) < kTieMargin;
                if (!tie) {
                    const torch::Tensor gs = groupScores(config, p);
                    if (gs.defined()) {
                        const auto perGroup = p.size(0) / gs.size(0);
                        std::set<std::int64_t> groups;
                        for (auto e : differing)
                            groups.insert(e / perGroup);
                        tie = spread(gs, std::vector<std::int64_t>(groups.begin(), groups.end())) < kTieMargin;
                    }
                }
                if (!tie)
                    return where + ": engine chose " + joinIds(gotIds) + ", transformers " + joinIds(wantIds) +
                           " (not a near-tie)";
                ++ties;
                divergedFrom[b] = std::min(divergedFrom[b], t);
            }
        }
    }
    if (layers == 0)
        return "transformers wrote no routing";
    int engineLayers = 0;
    for (const auto& info : mine->tensors())
        engineLayers += info.name.size() > 4 && info.name.substr(info.name.size() - 4) == ".ids";
    if (engineLayers != layers)
        return "the engine routes in " + std::to_string(engineLayers) + " layers, transformers in " +
               std::to_string(layers);

    // Logits at every real position before any near-tie.
    const double scale = std::max(1.0, refLogits.abs().max().item<double>());
    int compared = 0, total = 0;
    double worst = 0;
    for (int b = 0; b < B; ++b) {
        total += kLengths[b];
        if (divergedFrom[b] == 0)
            continue;
        const auto n = divergedFrom[b];
        const double d = (logits[b].narrow(0, 0, n) - refLogits[b].narrow(0, 0, n)).abs().max().item<double>();
        worst = std::max(worst, d);
        compared += n;
    }
    qInfo("%s: %d MoE layers, %d near-ties, %d/%d positions compared, max |logit diff| %.3g (scale %.3g)", what.c_str(),
          layers, ties, compared, total, worst, scale);
    if (compared * 10 < total * 9)
        return "too many near-ties to compare logits meaningfully";
    if (worst > kLogitTolerance * scale)
        return "logits differ by " + std::to_string(worst) + " (allowed " + std::to_string(kLogitTolerance * scale) +
               ")";
    return {};
}

} // namespace

class TestHfCrosscheck : public QObject {
    Q_OBJECT

    fs::path m_dir;
    std::map<std::string, nlohmann::json> m_jobs; // hf_models.py job results by output path
    std::string m_pythonFailure;                  // why the reference could not run at all

    fs::path ids() const { return m_dir / "ids.json"; }

    // The reference's result for the job that wrote `out`: empty when it succeeded.
    std::string referenceFailure(const fs::path& out) const
    {
        if (!m_pythonFailure.empty())
            return m_pythonFailure;
        const auto it = m_jobs.find(out.string());
        if (it == m_jobs.end())
            return "hf_models.py ran no job writing " + out.string();
        if (it->second["status"].get<int>() == 0)
            return {};
        return "hf_models.py " + it->second["args"][0].get<std::string>() + " failed (status " +
               std::to_string(it->second["status"].get<int>()) + "): " + it->second["error"].get<std::string>();
    }

    // `teft model forward` on `model`, then the comparison with the reference's `ref`.
    void engineAgrees(const std::string& what, const fs::path& model, const fs::path& ref)
    {
        const std::string failure = referenceFailure(ref);
        QVERIFY2(failure.empty(), failure.c_str());
        const fs::path mine = ref.parent_path() / (ref.stem().string() + ".teft.safetensors");
        const auto r = test::runProcess(TEFT_CLI_PATH,
                                        {"model", "forward", model.string(), "--input-ids", ids().string(), "--out",
                                         mine.string(), "--dtype", "f32", "--quiet"});
        QVERIFY2(r.exitCode == 0, ("teft model forward " + model.string() + ": " + r.err).c_str());
        const std::string problem = compareForwards(what, mine, ref, ModelConfig::load(model));
        QVERIFY2(problem.empty(), (what + ": " + problem).c_str());
    }

    // Φ for `teft merge`: experts 0 and 1 of the first MoE layer of `model`, replaced by fresh
    // random values with the same spread (so merged routing and logits differ from the base).
    // Returns what went wrong, empty on success.
    static std::string writePhi(const fs::path& model, const fs::path& phi, std::uint64_t seed)
    {
        const auto file = SafetensorsFile::open(model / "model.safetensors");
        std::map<int, std::string> byLayer; // layer -> "model.layers.<l>.<block>.experts."
        for (const auto& info : file->tensors()) {
            const auto at = info.name.find(".experts.");
            const auto l = info.name.find("layers.");
            if (at != std::string::npos && l != std::string::npos)
                byLayer.emplace(std::stoi(info.name.substr(l + 7)), info.name.substr(0, at + 9));
        }
        if (byLayer.empty())
            return model.string() + " holds no per-expert tensors";
        const std::string prefix = byLayer.begin()->second;
        torch::manual_seed(static_cast<std::int64_t>(seed));
        std::vector<std::pair<std::string, at::Tensor>> out;
        for (const auto& info : file->tensors()) {
            if (info.name.rfind(prefix + "0.", 0) != 0 && info.name.rfind(prefix + "1.", 0) != 0)
                continue;
            const auto base = file->tensor(info.name).to(torch::kFloat);
            out.emplace_back(info.name, torch::randn_like(base) * base.std().item<double>() * 1.5);
        }
        if (out.size() != 6)
            return "Φ: expected 3 tensors for each of 2 experts under " + prefix + ", found " +
                   std::to_string(out.size());
        writeSafetensors(phi, out);
        return {};
    }

    static void addFamilyRows()
    {
        QTest::addColumn<QString>("family");
        for (const auto& f : ModelConfig::supportedModelTypes())
            QTest::newRow(f.c_str()) << QString::fromStdString(f);
    }

private slots:
    void initTestCase()
    {
        m_dir = test::freshDir("hf");
        nlohmann::json rows = nlohmann::json::array();
        std::uint64_t state = 12345;
        for (int len : kLengths) {
            nlohmann::json row = nlohmann::json::array();
            for (int t = 0; t < len; ++t) {
                state = state * 6364136223846793005ULL + 1442695040888963407ULL;
                row.push_back(static_cast<std::int64_t>((state >> 33) % kVocabBound));
            }
            rows.push_back(row);
        }
        writeFileAtomically(ids(), rows.dump());

        nlohmann::json jobs = nlohmann::json::array();
        for (const auto& family : ModelConfig::supportedModelTypes()) {
            // a) transformers' checkpoint, and its forward.
            const fs::path hf = m_dir / "hf" / family;
            jobs.push_back({"create", "--arch", family, "--out", hf.string(), "--seed", "7", "--dtype", "bf16"});
            jobs.push_back({"forward", hf.string(), "--input-ids", ids().string(), "--out",
                            (m_dir / ("hf-" + family + ".safetensors")).string(), "--dtype", "fp32"});
            // b) the engine's checkpoint.
            const fs::path teft = m_dir / "teft" / family;
            auto r = test::runProcess(TEFT_CLI_PATH, {"model", "create", "--arch", family, "--preset", "tiny", "--seed",
                                                      "11", "--out", teft.string(), "--quiet"});
            QVERIFY2(r.exitCode == 0, ("teft model create --arch " + family + ": " + r.err).c_str());
            jobs.push_back({"forward", teft.string(), "--input-ids", ids().string(), "--out",
                            (m_dir / ("teft-" + family + ".safetensors")).string(), "--dtype", "fp32"});
            // c) Φ merged into it by `teft merge`.
            const fs::path phi = m_dir / ("phi-" + family + ".safetensors");
            const std::string phiProblem = writePhi(teft, phi, 5);
            QVERIFY2(phiProblem.empty(), phiProblem.c_str());
            const fs::path merged = m_dir / "merged" / family;
            r = test::runProcess(TEFT_CLI_PATH, {"merge", teft.string(), "--phi", phi.string(), "--out",
                                                 merged.string(), "--quiet", "--data-dir", (m_dir / "data").string()});
            QVERIFY2(r.exitCode == 0, ("teft merge (" + family + "): " + r.err).c_str());
            jobs.push_back({"forward", merged.string(), "--input-ids", ids().string(), "--out",
                            (m_dir / ("merged-" + family + ".safetensors")).string(), "--dtype", "fp32"});
        }
        writeFileAtomically(m_dir / "jobs.json", jobs.dump(1));

        const fs::path results = m_dir / "results.json";
        const auto r = test::runProcess(test::python(),
                                        {(test::sourceDir() / "tests" / "reference" / "hf_models.py").string(), "batch",
                                         (m_dir / "jobs.json").string(), "--results", results.string(), "--threads",
                                         "2"},
                                        300000);
        if (!fs::exists(results)) {
            m_pythonFailure = "the transformers reference did not run (" + test::python() + ", exit code " +
                              std::to_string(r.exitCode) + "): " + r.err +
                              "\nCreate the Python environment with scripts/python-env.sh (torch, transformers, "
                              "safetensors; no network needed at test time).";
            QFAIL(m_pythonFailure.c_str());
        }
        for (const auto& job : nlohmann::json::parse(readFile(results))) {
            const auto& args = job["args"];
            for (std::size_t i = 0; i + 1 < args.size(); ++i)
                if (args[i] == "--out")
                    m_jobs[args[i + 1].get<std::string>()] = job;
        }
    }

    // a) transformers writes the checkpoint; the engine loads it.
    void engineMatchesTransformersCheckpoint_data() { addFamilyRows(); }
    void engineMatchesTransformersCheckpoint()
    {
        QFETCH(QString, family);
        const std::string f = family.toStdString();
        const fs::path hf = m_dir / "hf" / f;
        const std::string failure = referenceFailure(hf);
        QVERIFY2(failure.empty(), failure.c_str());
        engineAgrees("transformers' " + f, hf, m_dir / ("hf-" + f + ".safetensors"));
    }

    // b) the engine writes the checkpoint; transformers loads it (its forward fails on missing,
    // unexpected or mismatched weights).
    void transformersLoadsEngineCheckpoint_data() { addFamilyRows(); }
    void transformersLoadsEngineCheckpoint()
    {
        QFETCH(QString, family);
        const std::string f = family.toStdString();
        engineAgrees("teft's " + f, m_dir / "teft" / f, m_dir / ("teft-" + f + ".safetensors"));
    }

    // c) a checkpoint `teft merge` published.
    void transformersLoadsMergedCheckpoint_data() { addFamilyRows(); }
    void transformersLoadsMergedCheckpoint()
    {
        QFETCH(QString, family);
        const std::string f = family.toStdString();
        engineAgrees("merged " + f, m_dir / "merged" / f, m_dir / ("merged-" + f + ".safetensors"));
        // Φ changed the model: the merged logits are not the base's.
        const auto base = SafetensorsFile::open(m_dir / ("teft-" + f + ".safetensors"))->tensor("logits");
        const auto merged = SafetensorsFile::open(m_dir / ("merged-" + f + ".safetensors"))->tensor("logits");
        QVERIFY2(!torch::allclose(base, merged, 1e-3, 1e-3), "the merge left transformers' logits unchanged");
    }
};

QTEST_APPLESS_MAIN(TestHfCrosscheck)
#include "test_hf_crosscheck.moc"
