// The model engine end to end on generated checkpoints of every family: loading (single file,
// shards, fused experts), forward, padding, precision, routing capture, expert subsets, training
// steps that touch only the selected experts, export, and refusals of broken checkpoints.
#include "core/io/CheckpointFiles.h"
#include "core/model/Blocks.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/MoeModel.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

using namespace teft;
namespace fs = std::filesystem;

namespace {

fs::path generated(const std::string& arch, int shards = 1, torch::ScalarType dtype = torch::kFloat, bool fused = false)
{
    const auto dir = fs::path(TEFT_TEST_WORK_DIR) / "models" /
                     (arch + "-" + std::to_string(shards) + "-" + dtypeName(dtype) + (fused ? "-fused" : ""));
    static std::set<std::string> made; // regenerated once per run, never stale
    if (made.insert(dir.string()).second) {
        fs::remove_all(dir);
        GenerateOptions o;
        o.arch = arch;
        o.shards = shards;
        o.seed = 11;
        o.dtype = dtype;
        o.fusedExperts = fused;
        generateCheckpoint(dir, o);
    }
    return dir;
}

ModelBatch batch(std::int64_t vocab, bool padded = true)
{
    torch::manual_seed(3);
    ModelBatch b;
    b.inputIds = torch::randint(0, std::min<std::int64_t>(vocab, 259), {3, 9}, torch::kLong);
    b.attentionMask = torch::ones({3, 9}, torch::kLong);
    if (padded) {
        b.attentionMask[1].narrow(0, 6, 3).fill_(0);
        b.attentionMask[2].narrow(0, 4, 5).fill_(0);
    }
    return b;
}

std::unique_ptr<MoeModel> load(const fs::path& dir, torch::ScalarType dtype = torch::kFloat,
                               ExpertMode mode = ExpertMode::Full, std::map<int, std::vector<int>> sel = {})
{
    MoeModelOptions o;
    o.computeDtype = dtype;
    o.mode = mode;
    o.selection = std::move(sel);
    return MoeModel::load(dir, o);
}

ForwardResult run(MoeModel& m, const ModelBatch& b, bool routing = false)
{
    ForwardOptions fo;
    fo.logits = true;
    fo.auxLoss = true;
    fo.routing = routing;
    return m.forward(b, fo);
}

void expectRefusal(const std::function<void()>& fn, const std::vector<std::string>& fragments)
{
    try {
        fn();
    } catch (const Error& e) {
        const std::string msg = e.what();
        for (const auto& f : fragments)
            QVERIFY2(msg.find(f) != std::string::npos, ("message '" + msg + "' lacks '" + f + "'").c_str());
        return;
    }
    QFAIL(("accepted; expected a refusal mentioning " + fragments.front()).c_str());
}

// A copy of `src` whose weights are changed by `edit` (name -> tensor list).
fs::path editedCopy(const fs::path& src, const std::string& name,
                    const std::function<void(std::vector<std::pair<std::string, at::Tensor>>&)>& edit)
{
    const auto dir = test::freshDir(name);
    fs::copy_file(src / "config.json", dir / "config.json");
    const auto files = CheckpointFiles::open(src);
    std::vector<std::pair<std::string, at::Tensor>> tensors;
    for (const auto& n : files.names())
        tensors.emplace_back(n, files.tensor(n).clone());
    edit(tensors);
    writeCheckpoint(dir, tensors, std::uint64_t(1) << 40);
    return dir;
}

} // namespace

class TestModelEngine : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { configureThreads(0); }

    // LibTorch's kernels (the CUDA path: scaled-dot-product attention, grouped expert GEMMs)
    // give the engine's CPU kernels' loss, logits and trainable gradients, with and without
    // padding, for every family, with frozen and trainable experts in the same layer.
    void libraryKernelsMatchNative()
    {
        struct Reset {
            ~Reset() { setKernelPath(KernelPath::Auto); }
        } reset;
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto dir = generated(arch);
            const auto cfg = ModelConfig::load(dir);
            std::map<int, std::vector<int>> sel{{cfg.moeLayers().front(), {0, 2}}};
            for (const bool padded : {true, false}) {
                std::vector<torch::Tensor> logits, grads;
                std::vector<double> losses;
                for (const auto path : {KernelPath::Native, KernelPath::Library}) {
                    setKernelPath(path);
                    auto m = load(dir, torch::kFloat, ExpertMode::Full, sel);
                    ForwardOptions fo;
                    fo.logits = true;
                    fo.auxLoss = true;
                    const auto r = m->forward(batch(cfg.vocabSize, padded), fo);
                    (r.loss + 0.01 * r.auxLoss).backward();
                    losses.push_back(r.loss.item<double>());
                    logits.push_back(r.logits.detach());
                    std::vector<torch::Tensor> g;
                    for (const auto& [name, t] : m->trainableParameters())
                        g.push_back(t.grad().reshape(-1));
                    grads.push_back(torch::cat(g));
                }
                const auto what = arch + (padded ? " padded" : " unpadded");
                QVERIFY2(std::abs(losses[0] - losses[1]) < 1e-5 * std::abs(losses[0]), what.c_str());
                QVERIFY2(torch::allclose(logits[0], logits[1], 1e-4, 1e-4), what.c_str());
                QVERIFY2(grads[0].abs().sum().item<double>() > 0, what.c_str());
                const double rel = ((grads[0] - grads[1]).norm() / grads[0].norm()).item<double>();
                QVERIFY2(rel < 1e-4, (what + ": gradient relative difference " + std::to_string(rel)).c_str());
            }
        }
    }

    // On the CPU in the checkpoint's dtype, frozen weights are the mapped checkpoint itself (no
    // copy), and writing a frozen expert copies it first: the file and other models keep theirs.
    void frozenWeightsAreMappedViews()
    {
        const auto dir = generated("qwen3_moe", 2, torch::kBFloat16);
        const auto files = CheckpointFiles::open(dir);
        auto a = load(dir, torch::kBFloat16);
        auto b = load(dir, torch::kBFloat16);
        const auto mem = a->memory();
        QVERIFY(mem.weightBytes > 0);
        QCOMPARE(mem.mappedBytes, mem.weightBytes);
        QCOMPARE(static_cast<std::uint64_t>(mem.weightBytes), files.totalBytes());
        // f32 compute of bf16 weights needs owned copies.
        QCOMPARE(load(dir, torch::kFloat)->memory().mappedBytes, std::int64_t(0));

        const auto name = a->config().expertTensorNames(a->config().moeLayers().front(), 1)[1];
        const auto original = files.tensor(name).clone();
        const auto b0 = b->forward(batch(a->config().vocabSize)).loss.item<double>();
        a->setTensor(name, original.to(torch::kFloat) + 0.5);
        QVERIFY(a->memory().mappedBytes < mem.mappedBytes);
        QVERIFY(torch::equal(a->tensor(name), (original.to(torch::kFloat) + 0.5).to(torch::kBFloat16)));
        QVERIFY(torch::equal(files.tensor(name), original));
        QVERIFY(torch::equal(b->tensor(name), original));
        QCOMPARE(b->forward(batch(a->config().vocabSize)).loss.item<double>(), b0);
        QVERIFY(a->forward(batch(a->config().vocabSize)).loss.item<double>() != b0);
    }

    // Every family loads from a single file and from shards, runs, and gives the same numbers.
    void everyFamilyLoadsAndRuns()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto single = load(generated(arch));
            const auto sharded = load(generated(arch, 3));
            QVERIFY(CheckpointFiles::open(generated(arch, 3)).sharded());
            const auto b = batch(single->config().vocabSize);
            const auto r1 = run(*single, b), r2 = run(*sharded, b);
            QCOMPARE(r1.logits.sizes(), (at::IntArrayRef{3, 9, single->config().vocabSize}));
            QVERIFY2(torch::isfinite(r1.logits).all().item<bool>(), arch.c_str());
            QVERIFY2(std::isfinite(r1.loss.item<double>()) && r1.loss.item<double>() > 0, arch.c_str());
            // Same weights; the memory-mapped views of one file and of shards sit at different
            // alignments, for which the matmul kernels may block differently: rounding only.
            QVERIFY2(torch::allclose(r1.logits, r2.logits, 1e-5, 1e-6),
                     (arch + ": " + std::to_string((r1.logits - r2.logits).abs().max().item<double>())).c_str());
            QVERIFY(std::abs(r1.loss.item<double>() - r2.loss.item<double>()) < 1e-6 * r1.loss.item<double>());
            // aux close to k for a balanced random router, and positive
            QVERIFY(r1.auxLoss.item<double>() > 0);
            QCOMPARE(r1.targetTokens, std::int64_t(8 + 5 + 3));
        }
    }

    // The loss of a padded row equals the loss of the same row alone; chunked loss equals plain
    // cross-entropy over the logits.
    void paddingAndChunkedLoss()
    {
        for (const std::string arch : {"qwen3_moe", "deepseek_v3"}) {
            auto m = load(generated(arch));
            const auto b = batch(m->config().vocabSize);
            ModelBatch alone;
            alone.inputIds = b.inputIds[2].narrow(0, 0, 4).unsqueeze(0);
            ModelBatch padded;
            padded.inputIds = b.inputIds[2].unsqueeze(0);
            padded.attentionMask = b.attentionMask[2].unsqueeze(0);
            const auto a = run(*m, alone), p = run(*m, padded);
            QVERIFY(std::abs(a.loss.item<double>() - p.loss.item<double>()) < 1e-5);
            QVERIFY(torch::allclose(a.logits[0], p.logits[0].narrow(0, 0, 4), 1e-4, 1e-5));

            const auto r = run(*m, b);
            const auto V = m->config().vocabSize;
            auto labels = b.inputIds.masked_fill(b.attentionMask.eq(0), -100).narrow(1, 1, 8).reshape(-1);
            const auto plain = torch::nn::functional::cross_entropy(
                r.logits.narrow(1, 0, 8).reshape({-1, V}), labels,
                torch::nn::functional::CrossEntropyFuncOptions().ignore_index(-100));
            QVERIFY(std::abs(plain.item<double>() - r.loss.item<double>()) < 1e-5);
            ForwardOptions tiny;
            tiny.lossChunkRows = 3;
            QVERIFY(std::abs(m->forward(b, tiny).loss.item<double>() - r.loss.item<double>()) < 1e-5);
        }
    }

    // bf16 compute agrees with fp32 within 3% relative RMS on the logits (same bf16 weights), at
    // every position before the first one whose expert choice differs between the two runs (a
    // near-tie that rounding flips changes that token's path; causal attention keeps earlier
    // positions unaffected). Most positions must be compared.
    void bf16AgreesWithFp32()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto dir = generated(arch, 1, torch::kBFloat16);
            auto f32 = load(dir, torch::kFloat);
            auto b16 = load(dir, torch::kBFloat16);
            const auto b = batch(f32->config().vocabSize);
            const auto a = run(*f32, b, true), c = run(*b16, b, true);
            const auto real = b.attentionMask.sum(1);
            std::vector<torch::Tensor> diffs, refs;
            std::int64_t compared = 0;
            for (std::int64_t row = 0; row < 3; ++row) {
                std::int64_t upTo = real[row].item<std::int64_t>();
                for (std::size_t l = 0; l < a.routing.size(); ++l) {
                    const auto ia = std::get<0>(a.routing[l].ids[row].sort(-1));
                    const auto ic = std::get<0>(c.routing[l].ids[row].sort(-1));
                    const auto differs = ia.ne(ic).any(-1).nonzero();
                    if (differs.numel() > 0)
                        upTo = std::min(upTo, differs[0][0].item<std::int64_t>());
                }
                compared += upTo;
                if (upTo == 0)
                    continue;
                diffs.push_back((a.logits[row] - c.logits[row]).narrow(0, 0, upTo).reshape(-1));
                refs.push_back(a.logits[row].narrow(0, 0, upTo).reshape(-1));
            }
            QVERIFY2(compared * 2 >= real.sum().item<std::int64_t>(),
                     (arch + ": routing differs too early, compared " + std::to_string(compared)).c_str());
            const auto diff = torch::cat(diffs), ref = torch::cat(refs);
            const double rel = (diff.pow(2).mean().sqrt() / ref.pow(2).mean().sqrt()).item<double>();
            QVERIFY2(rel < 0.03, (arch + ": relative RMS " + std::to_string(rel)).c_str());
            QVERIFY(std::abs(a.loss.item<double>() - c.loss.item<double>()) < 0.05 * a.loss.item<double>());
        }
    }

    // Weights stored as F16, BF16 or F32 (same random draws) give the same model up to the
    // storage rounding.
    void diskDtypes()
    {
        auto f32 = load(generated("olmoe", 1, torch::kFloat));
        const auto b = batch(f32->config().vocabSize);
        const double ref = run(*f32, b).loss.item<double>();
        for (const auto dtype : {torch::kHalf, torch::kBFloat16}) {
            auto m = load(generated("olmoe", 1, dtype));
            QVERIFY(m->config().storageDtype() == dtype);
            QVERIFY(std::abs(run(*m, b).loss.item<double>() - ref) < 0.01 * ref);
        }
    }

    // Routing capture returns the forward's choices, stops early, and marks padding.
    void routingCaptureEqualsForward()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            auto m = load(generated(arch));
            const auto b = batch(m->config().vocabSize);
            const auto r = run(*m, b, true);
            const auto cap = m->captureRouting(b);
            QCOMPARE(cap.size(), m->config().moeLayers().size());
            QCOMPARE(r.routing.size(), cap.size());
            for (std::size_t i = 0; i < cap.size(); ++i) {
                QCOMPARE(cap[i].layer, m->config().moeLayers()[i]);
                QCOMPARE(cap[i].ids.sizes(), (at::IntArrayRef{3, 9, m->config().topK}));
                QVERIFY(torch::equal(cap[i].ids, r.routing[i].ids));
                QVERIFY(torch::allclose(cap[i].weights, r.routing[i].weights));
                QVERIFY(cap[i].ids[2].narrow(0, 4, 5).eq(-1).all().item<bool>());
                QVERIFY(cap[i].ids[2].narrow(0, 0, 4).ge(0).all().item<bool>());
                QVERIFY(cap[i].weights[1].narrow(0, 6, 3).eq(0).all().item<bool>());
            }
        }
    }

    void maskedWithAllExpertsEqualsFull()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto dir = generated(arch);
            const auto cfg = ModelConfig::load(dir);
            std::map<int, std::vector<int>> all;
            for (int l : cfg.moeLayers())
                for (int e = 0; e < cfg.numExperts; ++e)
                    all[l].push_back(e);
            auto full = load(dir, torch::kFloat, ExpertMode::Full, all);
            auto masked = load(dir, torch::kFloat, ExpertMode::Masked, all);
            const auto b = batch(cfg.vocabSize);
            const auto a = run(*full, b), c = run(*masked, b);
            QVERIFY2(torch::equal(a.logits, c.logits), arch.c_str());
            QCOMPARE(a.loss.item<double>(), c.loss.item<double>());
        }
    }

    // Masked mode holds only the selected experts and routes tokens only to them.
    void maskedSubset()
    {
        const auto dir = generated("qwen3_moe");
        const auto cfg = ModelConfig::load(dir);
        std::map<int, std::vector<int>> sel{{1, {2, 5}}, {2, {0, 3, 7}}};
        auto masked = load(dir, torch::kFloat, ExpertMode::Masked, sel);
        auto full = load(dir, torch::kFloat, ExpertMode::Full);
        QVERIFY(!masked->isPresent(1, 0));
        QVERIFY(masked->isPresent(1, 5) && masked->isTrainable(1, 5));
        QVERIFY(masked->isPresent(0, 4) && !masked->isTrainable(0, 4)); // layer 0 not listed: all kept
        QVERIFY(masked->memory().weightBytes < full->memory().weightBytes);
        QCOMPARE(masked->memory().trainableBytes, 5 * cfg.paramsPerExpert() * 4);
        QCOMPARE(masked->firstTrainableLayer(), 1);
        const auto cap = masked->captureRouting(batch(cfg.vocabSize, false));
        for (const auto& lr : cap) {
            if (!sel.count(lr.layer))
                continue;
            auto allowed = torch::zeros({cfg.numExperts}, torch::kBool);
            for (int e : sel[lr.layer])
                allowed[e] = true;
            QVERIFY(allowed.index_select(0, lr.ids.reshape(-1)).all().item<bool>());
        }
        expectRefusal([&] { masked->tensor(cfg.expertTensorNames(1, 0)[0]); }, {"not loaded", "layer 1"});
    }

    // One optimizer step: only the selected experts' tensors change, bit for bit elsewhere.
    void trainingStepTouchesOnlySelectedExperts()
    {
        for (const std::string arch : {"qwen2_moe", "mixtral", "deepseek_v2"}) {
            for (ExpertMode mode : {ExpertMode::Full, ExpertMode::Masked}) {
                const auto dir = generated(arch, 1, torch::kBFloat16);
                const auto cfg = ModelConfig::load(dir);
                const auto moe = cfg.moeLayers();
                std::map<int, std::vector<int>> sel{{moe.back(), {1, 4}}};
                auto m = load(dir, torch::kBFloat16, mode, sel);
                const auto before = m->exportState();
                const auto params = m->trainableParameters();
                QCOMPARE(params.size(), std::size_t(6));
                std::vector<torch::Tensor> leaves;
                for (const auto& [name, t] : params) {
                    QVERIFY(t.requires_grad() && t.scalar_type() == torch::kFloat);
                    leaves.push_back(t);
                }
                torch::optim::AdamW opt(leaves, torch::optim::AdamWOptions(1e-2));
                ForwardOptions fo;
                fo.auxLoss = true;
                const auto r = m->forward(batch(cfg.vocabSize), fo);
                (r.loss + cfg.routerAuxLossCoef * r.auxLoss).backward();
                for (const auto& t : leaves)
                    QVERIFY(t.grad().defined() && t.grad().abs().sum().item<double>() > 0);
                opt.step();
                const auto after = m->exportState();
                QCOMPARE(after.size(), before.size());
                std::set<std::string> trainable;
                for (const auto& [name, t] : params)
                    trainable.insert(name);
                int changed = 0;
                for (std::size_t i = 0; i < before.size(); ++i) {
                    QCOMPARE(after[i].first, before[i].first);
                    QVERIFY(after[i].second.scalar_type() == before[i].second.scalar_type());
                    const bool same = torch::equal(after[i].second, before[i].second);
                    if (trainable.count(before[i].first)) {
                        QVERIFY2(!same, ("trainable tensor did not change: " + before[i].first).c_str());
                        ++changed;
                    } else {
                        QVERIFY2(same, ("frozen tensor changed: " + before[i].first).c_str());
                    }
                }
                QCOMPARE(changed, 6);
            }
        }
    }

    // get/set by checkpoint name; export -> write -> reload reproduces the model.
    void tensorsByNameAndExport()
    {
        const auto dir = generated("olmoe", 1, torch::kBFloat16);
        const auto cfg = ModelConfig::load(dir);
        auto m = load(dir, torch::kFloat, ExpertMode::Full, {{1, {3}}});
        const auto names = cfg.expertTensorNames(1, 3);
        const auto frozenName = cfg.expertTensorNames(2, 0)[1];
        const auto old = m->tensor(frozenName);
        const auto replaced = old + 0.25;
        m->setTensor(frozenName, replaced);
        QVERIFY(torch::equal(m->tensor(frozenName), replaced));
        const auto trainableBefore = m->trainableParameters()[0].second;
        m->setTensor(names[0], torch::zeros_like(trainableBefore));
        QVERIFY(m->trainableParameters()[0].second.is_same(trainableBefore)); // identity kept
        QVERIFY(trainableBefore.abs().sum().item<double>() == 0);
        expectRefusal([&] { m->setTensor(names[2], torch::zeros({3, 3})); }, {names[2], "shape"});
        expectRefusal(
            [&] {
                m->setTensor(names[2], torch::full({cfg.hiddenSize, cfg.expertIntermediate}, NAN));
            },
            {"NaN"});
        expectRefusal([&] { m->tensor("model.layers.1.mlp.gate.weight"); }, {"not an expert tensor"});

        const auto out = test::freshDir("exported");
        writeCheckpoint(out, m->exportState(), std::uint64_t(1) << 40);
        fs::copy_file(dir / "config.json", out / "config.json");
        auto reloaded = load(out);
        QVERIFY(torch::equal(reloaded->tensor(frozenName), replaced.to(torch::kBFloat16).to(torch::kFloat)));
        QVERIFY(reloaded->tensor(names[0]).abs().sum().item<double>() == 0);
        // untouched tensors keep the checkpoint's bytes
        const auto a = CheckpointFiles::open(dir), b = CheckpointFiles::open(out);
        QVERIFY(torch::equal(a.tensor("model.layers.0.self_attn.q_proj.weight"),
                             b.tensor("model.layers.0.self_attn.q_proj.weight")));
    }

    // transformers v5 fused experts (gate_up_proj [E,2I,H], down_proj [E,H,I]) give the same
    // model as the per-expert layout; export keeps the fused layout.
    void fusedExpertLayout()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto src = generated(arch);
            const auto cfg = ModelConfig::load(src);
            if (!cfg.hasFusedLayout()) {
                QVERIFY_THROWS_EXCEPTION(UsageError, generated(arch, 1, torch::kFloat, true));
                continue;
            }
            const auto fused = editedCopy(src, "fused-" + arch, [&](auto& tensors) {
                std::map<std::string, at::Tensor> byName(tensors.begin(), tensors.end());
                std::vector<std::pair<std::string, at::Tensor>> out;
                for (const auto& [n, t] : tensors) {
                    int l, e, p;
                    if (!cfg.parseExpertTensorName(n, l, e, p))
                        out.emplace_back(n, t);
                }
                for (int l : cfg.moeLayers()) {
                    std::vector<at::Tensor> gu, dn;
                    for (int e = 0; e < cfg.numExperts; ++e) {
                        const auto names = cfg.expertTensorNames(l, e);
                        gu.push_back(torch::cat({byName[names[0]], byName[names[1]]}, 0));
                        dn.push_back(byName[names[2]]);
                    }
                    out.emplace_back(cfg.fusedGateUpName(l), torch::stack(gu));
                    out.emplace_back(cfg.fusedDownName(l), torch::stack(dn));
                }
                tensors = out;
            });
            auto a = load(src, torch::kFloat, ExpertMode::Full, {{1, {2}}});
            auto b = load(fused, torch::kFloat, ExpertMode::Full, {{1, {2}}});
            const auto bt = batch(cfg.vocabSize);
            QVERIFY(torch::allclose(run(*a, bt).logits, run(*b, bt).logits, 1e-5, 1e-6));
            const auto name = cfg.expertTensorNames(1, 2)[1];
            QVERIFY(torch::equal(a->tensor(name), b->tensor(name)));
            b->setTensor(name, torch::ones_like(b->tensor(name)));
            const auto state = b->exportState();
            bool found = false;
            for (const auto& [n, t] : state)
                if (n == cfg.fusedGateUpName(1)) {
                    found = true;
                    QVERIFY(t[2].narrow(0, cfg.expertIntermediate, cfg.expertIntermediate).eq(1).all().item<bool>());
                    QVERIFY(t[1].ne(1).any().item<bool>());
                }
            QVERIFY(found);
            // the generator writes the same layout
            auto g = load(generated(arch, 1, torch::kFloat, true));
            QVERIFY(std::isfinite(run(*g, bt).loss.item<double>()));
        }
    }

    // tie_word_embeddings: no lm_head.weight on disk, the embedding is the output projection.
    void tiedEmbeddings()
    {
        const auto src = generated("qwen2_moe");
        const auto sameHead = editedCopy(src, "untied-same", [](auto& t) {
            at::Tensor embed;
            for (auto& [n, v] : t)
                if (n == "model.embed_tokens.weight")
                    embed = v;
            for (auto& [n, v] : t)
                if (n == "lm_head.weight")
                    v = embed.clone();
        });
        const auto tied = editedCopy(src, "tied", [](auto& t) {
            t.erase(std::remove_if(t.begin(), t.end(), [](const auto& p) { return p.first == "lm_head.weight"; }),
                    t.end());
        });
        auto doc = nlohmann::json::parse(std::ifstream(src / "config.json"));
        doc["tie_word_embeddings"] = true;
        writeFileAtomically(tied / "config.json", doc.dump());
        auto a = load(sameHead), b = load(tied);
        QVERIFY(b->config().tieWordEmbeddings);
        QCOMPARE(b->config().paramsTotal(), a->config().paramsTotal() - a->config().vocabSize * a->config().hiddenSize);
        const auto bt = batch(a->config().vocabSize);
        QVERIFY(torch::equal(run(*a, bt).logits, run(*b, bt).logits));
        for (const auto& [n, t] : b->exportState())
            QVERIFY(n != "lm_head.weight");
    }

    void brokenCheckpointsAreRefused()
    {
        const auto src = generated("qwen3_moe");
        const std::string router = "model.layers.1.mlp.gate.weight";
        const auto missing = editedCopy(src, "missing", [&](auto& t) {
            t.erase(std::remove_if(t.begin(), t.end(), [&](const auto& p) { return p.first == router; }), t.end());
        });
        expectRefusal([&] { load(missing); }, {router, "missing"});
        const auto shape = editedCopy(src, "shape", [&](auto& t) {
            for (auto& [n, v] : t)
                if (n == router)
                    v = torch::zeros({3, 64});
        });
        expectRefusal([&] { load(shape); }, {router, "shape [3, 64]", "expected [8, 64]"});
        const std::string expertName = "model.layers.2.mlp.experts.5.down_proj.weight";
        const auto nan = editedCopy(src, "nan", [&](auto& t) {
            for (auto& [n, v] : t)
                if (n == expertName)
                    v[0][0] = NAN;
        });
        expectRefusal([&] { load(nan); }, {expertName, "NaN"});
        const auto inf16 = editedCopy(generated("qwen3_moe", 1, torch::kBFloat16), "inf16", [&](auto& t) {
            for (auto& [n, v] : t)
                if (n == "model.layers.0.self_attn.k_norm.weight")
                    v[3] = -INFINITY;
        });
        expectRefusal([&] { load(inf16); }, {"model.layers.0.self_attn.k_norm.weight", "Inf"});
        const auto ints = editedCopy(src, "ints", [&](auto& t) {
            for (auto& [n, v] : t)
                if (n == "model.norm.weight")
                    v = v.to(torch::kInt32);
        });
        expectRefusal([&] { load(ints); }, {"model.norm.weight", "I32"});

        const auto badConfig = test::freshDir("badconfig");
        for (const auto& f : fs::directory_iterator(src))
            fs::copy_file(f.path(), badConfig / f.path().filename());
        auto doc = nlohmann::json::parse(std::ifstream(src / "config.json"));
        doc.erase("num_experts");
        writeFileAtomically(badConfig / "config.json", doc.dump());
        expectRefusal([&] { load(badConfig); }, {"num_experts", "missing"});
        writeFileAtomically(badConfig / "config.json", "{ not json");
        expectRefusal([&] { load(badConfig); }, {"config.json", "not valid JSON"});

        expectRefusal([&] { load(src, torch::kFloat, ExpertMode::Masked, {{1, {8}}}); }, {"expert 8", "8 experts"});
        const auto ds = generated("deepseek_v2");
        expectRefusal([&] { load(ds, torch::kFloat, ExpertMode::Full, {{0, {1}}}); }, {"layer 0", "not a MoE layer"});
        auto m = load(src);
        ModelBatch b;
        b.inputIds = torch::full({1, 4}, 999, torch::kLong);
        expectRefusal([&] { m->forward(b); }, {"999", "vocabulary"});
    }
};

QTEST_APPLESS_MAIN(TestModelEngine)
#include "test_model_engine.moc"
