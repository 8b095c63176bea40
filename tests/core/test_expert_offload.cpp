// Offloading frozen experts (core/model/ExpertOffload.h) on the CPU: the streamer's schedule
// against a fake copy engine that checks the ordering rules (which layer goes to which slot, the
// prefetch of the next one, no copy into a slot that is being read, the backward pass in reverse
// order), the staging engine's copies into the slots through a small staging ring, and the
// engine's offloaded path end to end (forward, backward through the frozen experts, AdamW steps)
// against the same model with its frozen experts resident. The CUDA side of the same path is in
// test_cuda_model.cpp (offloadedTrainingMatchesResidentOnGpu).
#include "core/model/CheckpointGenerator.h"
#include "core/model/Blocks.h"
#include "core/model/ExpertOffload.h"
#include "core/model/MoeModel.h"
#include "core/util/Error.h"
#include "core/util/Runtime.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <torch/torch.h>

#include <map>
#include <set>
#include <string>

using namespace teft;
namespace fs = std::filesystem;

namespace {

// Logs every call; fails (records a violation) on an upload into a slot that compute is reading
// or a wait on a slot nothing was uploaded to. gateUp/down return tensors holding the layer index
// that was last uploaded into the slot, so that the test sees what the compute would read.
class FakeEngine : public ExpertCopyEngine {
public:
    FakeEngine(std::vector<int> layers, int slotCount, std::vector<std::string>& log)
        : m_layers(std::move(layers)), m_content(static_cast<std::size_t>(slotCount), -1),
          m_reading(static_cast<std::size_t>(slotCount), false), m_log(log)
    {
    }
    void upload(int index, int slot) override
    {
        if (m_reading[static_cast<std::size_t>(slot)])
            m_log.push_back("VIOLATION: upload into slot " + std::to_string(slot) + " while it is read");
        m_content[static_cast<std::size_t>(slot)] = index;
        m_log.push_back("up L" + std::to_string(m_layers[static_cast<std::size_t>(index)]) + "->s" +
                        std::to_string(slot));
    }
    void waitReady(int slot) override
    {
        if (m_content[static_cast<std::size_t>(slot)] < 0)
            m_log.push_back("VIOLATION: wait on empty slot " + std::to_string(slot));
        m_reading[static_cast<std::size_t>(slot)] = true;
        m_log.push_back("wait s" + std::to_string(slot));
    }
    void release(int slot) override
    {
        m_reading[static_cast<std::size_t>(slot)] = false;
        m_log.push_back("rel s" + std::to_string(slot));
    }
    void drain() override {}
    torch::Tensor gateUp(int slot, int index) override
    {
        if (m_content[static_cast<std::size_t>(slot)] != index)
            m_log.push_back("VIOLATION: slot " + std::to_string(slot) + " read as another layer");
        return torch::full({1}, m_layers[static_cast<std::size_t>(m_content[static_cast<std::size_t>(slot)])]);
    }
    torch::Tensor down(int slot, int index) override { return gateUp(slot, index); }
    std::int64_t deviceBytes() const override { return 0; }

private:
    std::vector<int> m_layers;
    std::vector<int> m_content;
    std::vector<bool> m_reading;
    std::vector<std::string>& m_log;
};

std::string joined(const std::vector<std::string>& log)
{
    std::string s;
    for (const auto& l : log)
        s += (s.empty() ? "" : ", ") + l;
    return s;
}

// One training step as the model drives the streamer: the forward pass in layer order, each
// layer prefetching the next; the backward pass in reverse from the last layer down to `first`
// (the first layer in the graph), each prefetching the one before it, the last one the next
// step's first layer. Checks each acquired slot holds the layer asked for.
void step(ExpertStreamer& s, int first)
{
    const auto& layers = s.layers();
    for (int l : layers) {
        const int slot = s.acquire(l, s.nextLayer(l));
        QCOMPARE(s.gateUp(slot).item<int>(), l);
        s.release(slot);
    }
    for (auto it = layers.rbegin(); it != layers.rend() && *it >= first; ++it) {
        const int prev = s.previousLayer(*it);
        const int slot = s.acquire(*it, prev >= first ? prev : layers.front());
        QCOMPARE(s.down(slot).item<int>(), *it);
        s.release(slot);
    }
}

fs::path generated(const std::string& arch, torch::ScalarType dtype, int layers)
{
    const auto dir = test::workDir() / "models" / (arch + "-" + dtypeName(dtype) + "-" + std::to_string(layers));
    if (!fs::exists(dir / "config.json")) {
        GenerateOptions o;
        o.arch = arch;
        o.seed = 23;
        o.dtype = dtype;
        o.layers = layers;
        generateCheckpoint(dir, o);
    }
    return dir;
}

std::unique_ptr<MoeModel> load(const fs::path& dir, torch::ScalarType dtype, ExpertMode mode,
                               const std::map<int, std::vector<int>>& sel, bool offload)
{
    MoeModelOptions o;
    o.device = "cpu";
    o.computeDtype = dtype;
    o.mode = mode;
    o.selection = sel;
    o.offloadFrozenExperts = offload;
    o.offloadOnCpu = offload;
    return MoeModel::load(dir, o);
}

double relRms(const torch::Tensor& a, const torch::Tensor& ref)
{
    const auto d = a.to(torch::kDouble) - ref.to(torch::kDouble);
    return (d.pow(2).mean().sqrt() / ref.to(torch::kDouble).pow(2).mean().sqrt().clamp_min(1e-30)).item<double>();
}

struct StepResult {
    std::vector<double> losses;
    std::vector<torch::Tensor> firstGrads; // the gradients of the first step
    std::vector<torch::Tensor> weights;    // the trainable tensors after the steps
};

// `steps` AdamW steps on one batch (loss + aux loss), with a held-out forward pass without a
// graph between the steps (the streamer's other order).
StepResult train(MoeModel& m, int steps)
{
    torch::manual_seed(3);
    ModelBatch b;
    b.inputIds = torch::randint(0, 259, {2, 13}, torch::kLong);
    std::vector<torch::Tensor> leaves;
    for (const auto& [name, t] : m.trainableParameters())
        leaves.push_back(t);
    torch::optim::AdamW opt(leaves, torch::optim::AdamWOptions(5e-3).weight_decay(0.0));
    StepResult r;
    for (int i = 0; i < steps; ++i) {
        ForwardOptions fo;
        fo.auxLoss = true;
        const auto out = m.forward(b, fo);
        (out.loss + 0.01 * out.auxLoss).backward();
        r.losses.push_back(out.loss.item<double>());
        if (i == 0)
            for (const auto& t : leaves)
                r.firstGrads.push_back(t.grad().clone());
        opt.step();
        opt.zero_grad();
        torch::NoGradGuard noGrad;
        r.losses.push_back(m.forward(b).loss.item<double>());
    }
    for (const auto& t : leaves)
        r.weights.push_back(t.detach().clone());
    return r;
}

} // namespace

class TestExpertOffload : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { configureThreads(1); }
    void cleanup() { setKernelPath(KernelPath::Auto); }

    // Two slots, four offloaded layers: the first step uploads every layer once in the forward
    // pass and the two the forward pass evicted in the backward pass; the next step starts with
    // the first two layers resident (the backward pass left them there) and so uploads 2 + 2.
    void scheduleForwardAndBackward()
    {
        std::vector<std::string> log;
        const std::vector<int> layers{1, 2, 4, 5};
        ExpertStreamer s(layers, 2, std::make_unique<FakeEngine>(layers, 2, log));
        step(s, 1);
        QCOMPARE(QString::fromStdString(joined(log)),
                 QString("up L1->s0, wait s0, up L2->s1, rel s0, "          // cold start, prefetch L2
                         "wait s1, up L4->s0, rel s1, wait s0, up L5->s1, " // each layer fetches the next
                         "rel s0, wait s1, rel s1, "                        // L5: nothing after it
                         "wait s1, rel s1, wait s0, up L2->s1, rel s0, "    // backward: L5, L4 resident
                         "wait s1, up L1->s0, rel s1, wait s0, rel s0"));   // L1 left for the next step
        QCOMPARE(s.uploads(), std::int64_t{6});
        log.clear();
        step(s, 1);
        QVERIFY2(joined(log).find("VIOLATION") == std::string::npos, joined(log).c_str());
        QCOMPARE(s.uploads(), std::int64_t{10});
        QCOMPARE(s.residentLayer(0), 1);
        QCOMPARE(s.residentLayer(1), 2);
    }

    // Layers before the first trainable one are not in the graph: the backward pass stops at it
    // and prefetches the next step's first layer instead; three slots keep more resident.
    void scheduleStopsAtTheGraphAndUsesMoreSlots()
    {
        std::vector<std::string> log;
        const std::vector<int> layers{0, 1, 2, 3, 4};
        ExpertStreamer two(layers, 2, std::make_unique<FakeEngine>(layers, 2, log));
        step(two, 3);
        QVERIFY2(joined(log).find("VIOLATION") == std::string::npos, joined(log).c_str());
        QCOMPARE(two.uploads(), std::int64_t{6});    // 5 forward, then layer 0 for the next step
        QCOMPARE(log.back(), std::string("rel s1")); // layer 3's backward, layer 0 prefetched into s0
        QCOMPARE(two.residentLayer(0), 0);

        std::vector<std::string> log3;
        ExpertStreamer three(layers, 3, std::make_unique<FakeEngine>(layers, 3, log3));
        step(three, 0);
        step(three, 0);
        QVERIFY2(joined(log3).find("VIOLATION") == std::string::npos, joined(log3).c_str());
        // Step 1: 5 forward + 2 backward (layers 1, 0); step 2: 2 forward (3, 4) + 2 backward.
        QCOMPARE(three.uploads(), std::int64_t{11});
    }

    // A written layer is streamed again; misuse is refused with a message naming it.
    void invalidateAndErrors()
    {
        std::vector<std::string> log;
        const std::vector<int> layers{3, 7};
        ExpertStreamer s(layers, 2, std::make_unique<FakeEngine>(layers, 2, log));
        const int slot = s.acquire(3, 7);
        QVERIFY_THROWS_EXCEPTION(Error, s.acquire(3, -1)); // twice without release
        QVERIFY_THROWS_EXCEPTION(Error, s.invalidate(3));  // written while in use
        s.release(slot);
        QVERIFY_THROWS_EXCEPTION(Error, s.release(slot));
        QVERIFY_THROWS_EXCEPTION(Error, s.acquire(4, -1)); // not offloaded
        QVERIFY_THROWS_EXCEPTION(Error, s.prefetch(5));
        const auto before = s.uploads();
        s.invalidate(7);
        s.release(s.acquire(7, -1));
        QCOMPARE(s.uploads(), before + 1);
        QVERIFY_THROWS_EXCEPTION(Error, ExpertStreamer({1, 2}, 1, std::make_unique<FakeEngine>(layers, 1, log)));
        QVERIFY_THROWS_EXCEPTION(Error, ExpertStreamer({2, 1}, 2, std::make_unique<FakeEngine>(layers, 2, log)));
        QVERIFY_THROWS_EXCEPTION(Error, ExpertStreamer({}, 2, std::make_unique<FakeEngine>(layers, 2, log)));
    }

    // The staging engine copies each expert (fused gate/up or separate, any size against the
    // staging buffers) into the slot's stacked tensors; a wrong host tensor is refused.
    void engineCopiesThroughTheStagingRing()
    {
        const std::int64_t H = 6, I = 5;
        torch::manual_seed(1);
        std::vector<GatedMlpWeights> experts(3);
        experts[0].gateUp = torch::randn({2 * I, H}, torch::kBFloat16);
        experts[1].gate = torch::randn({I, H}, torch::kBFloat16);
        experts[1].up = torch::randn({I, H}, torch::kBFloat16);
        experts[2].gateUp = torch::randn({2 * I, H}, torch::kBFloat16);
        for (auto& e : experts)
            e.down = torch::randn({H, I}, torch::kBFloat16);
        std::vector<OffloadedLayer> layers(2);
        layers[0].layer = 2;
        layers[0].experts = {&experts[0], &experts[1]};
        layers[1].layer = 5;
        layers[1].experts = {&experts[2], &experts[0], &experts[1]};
        StreamingCopyOptions o;
        o.dtype = torch::kBFloat16;
        o.slotCount = 2;
        o.hidden = H;
        o.intermediate = I;
        o.stagingBuffers = 3;
        o.stagingBytes = 14; // 7 elements: every tensor is split unevenly
        StreamingCopyEngine engine(layers, o);
        QCOMPARE(engine.deviceBytes(), std::int64_t{2 * 3 * 3 * H * I * 2});
        QCOMPARE(engine.stagingBytes(), std::int64_t{3 * 14});
        auto fused = [&](const GatedMlpWeights& w) {
            return w.gateUp.defined() ? w.gateUp : torch::cat({w.gate, w.up}, 0);
        };
        for (int index : {0, 1}) {
            const int slot = 1 - index;
            engine.upload(index, slot);
            const auto gu = engine.gateUp(slot, index), dn = engine.down(slot, index);
            const auto& L = layers[static_cast<std::size_t>(index)];
            QCOMPARE(gu.size(0), static_cast<std::int64_t>(L.experts.size()));
            for (std::size_t f = 0; f < L.experts.size(); ++f) {
                QVERIFY(torch::equal(gu[static_cast<std::int64_t>(f)], fused(*L.experts[f])));
                QVERIFY(torch::equal(dn[static_cast<std::int64_t>(f)], L.experts[f]->down));
            }
        }
        experts[1].down = torch::randn({H, I}, torch::kFloat); // not the compute dtype
        try {
            engine.upload(0, 0);
            QFAIL("a host tensor in another dtype was copied");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("layer 2") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, engine.upload(2, 0));
        o.hidden = 0;
        QVERIFY_THROWS_EXCEPTION(Error, StreamingCopyEngine(layers, o));
    }

    // The engine's offloaded path on the CPU (the frozen experts streamed through two slots,
    // the gradient of the hidden states through them computed by the streamed function) trains
    // exactly as the resident model: same losses, gradients and weights after AdamW steps, in
    // both expert modes, fp32 and bf16. Masked routing with a selection in every MoE layer has
    // nothing to stream.
    void offloadedTrainingMatchesResident()
    {
        setKernelPath(KernelPath::Library); // the grouped path the GPU runs, on both sides
        for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
            for (const std::string arch : {"qwen3_moe", "deepseek_v3"}) {
                for (const auto mode : {ExpertMode::Full, ExpertMode::Masked}) {
                    const std::string what = arch + " " + expertModeName(mode) + " " + dtypeName(dtype);
                    const auto dir = generated(arch, dtype, 5);
                    const auto cfg = ModelConfig::load(dir);
                    const auto moe = cfg.moeLayers();
                    QVERIFY(moe.size() >= 3);
                    // A trainable expert in the middle (the layers before it run without a graph) and
                    // in the last MoE layer.
                    const std::map<int, std::vector<int>> sel{{moe[moe.size() / 2], {1, 6}}, {moe.back(), {2}}};
                    auto resident = load(dir, dtype, mode, sel, false);
                    auto streamed = load(dir, dtype, mode, sel, true);
                    const auto mr = resident->memory(), ms = streamed->memory();
                    QVERIFY2(ms.offloadedBytes > 0, what.c_str());
                    QCOMPARE(mr.offloadedBytes, std::int64_t{0});
                    // Two slots of the largest layer: less than every frozen expert when more than two
                    // layers hold some (deepseek_v3 masked here: two, as many as slots).
                    QVERIFY2(ms.weightBytes < mr.weightBytes ||
                                 (mode == ExpertMode::Masked && ms.weightBytes == mr.weightBytes),
                             what.c_str());
                    QCOMPARE(ms.trainableBytes, mr.trainableBytes);

                    // The streamed function runs the operations autograd runs for a resident layer, on
                    // one thread: the same numbers (bounds of 1e-6 only for a different rounding order).
                    const auto a = train(*resident, 3), b = train(*streamed, 3);
                    const double tol = 1e-6;
                    for (std::size_t i = 0; i < a.losses.size(); ++i)
                        QVERIFY2(std::abs(a.losses[i] - b.losses[i]) <= tol * std::abs(a.losses[i]),
                                 (what + ": loss " + std::to_string(i) + " " + std::to_string(b.losses[i]) + " vs " +
                                  std::to_string(a.losses[i]))
                                     .c_str());
                    QVERIFY2(a.losses.back() < a.losses.front(), what.c_str());
                    QCOMPARE(b.firstGrads.size(), a.firstGrads.size());
                    double worstGrad = 0, worstWeight = 0;
                    for (std::size_t i = 0; i < a.firstGrads.size(); ++i) {
                        worstGrad = std::max(worstGrad, relRms(b.firstGrads[i], a.firstGrads[i]));
                        worstWeight = std::max(worstWeight, relRms(b.weights[i], a.weights[i]));
                    }
                    qInfo("%s: gradients within %.2g, weights within %.2g (relative RMS)", what.c_str(), worstGrad,
                          worstWeight);
                    for (std::size_t i = 0; i < a.firstGrads.size(); ++i) {
                        const double dg = relRms(b.firstGrads[i], a.firstGrads[i]);
                        QVERIFY2(
                            dg < 1e-6,
                            (what + ": gradient " + std::to_string(i) + " differs by " + std::to_string(dg)).c_str());
                        const double dw = relRms(b.weights[i], a.weights[i]);
                        QVERIFY2(
                            dw < 1e-6,
                            (what + ": weights " + std::to_string(i) + " differ by " + std::to_string(dw)).c_str());
                    }
                }
            }
        }
        // Masked routing with every MoE layer selected holds no frozen expert: nothing offloaded.
        const auto dir = generated("qwen3_moe", torch::kFloat, 5);
        std::map<int, std::vector<int>> all;
        for (int l : ModelConfig::load(dir).moeLayers())
            all[l] = {0, 3};
        const auto mem = load(dir, torch::kFloat, ExpertMode::Masked, all, true)->memory();
        QCOMPARE(mem.offloadedBytes, std::int64_t{0});
        QCOMPARE(mem.stagingBytes, std::int64_t{0});
    }

    // A frozen expert written by setTensor (the validator's Φ − Δ) is streamed as written; a model
    // without offload on the CPU ignores the flag; fewer than two slots is refused.
    void writtenExpertIsStreamedAndBadOptions()
    {
        setKernelPath(KernelPath::Library);
        const auto dir = generated("qwen3_moe", torch::kFloat, 5);
        const auto cfg = ModelConfig::load(dir);
        const std::map<int, std::vector<int>> sel{{cfg.moeLayers().back(), {0}}};
        auto resident = load(dir, torch::kFloat, ExpertMode::Full, sel, false);
        auto streamed = load(dir, torch::kFloat, ExpertMode::Full, sel, true);
        torch::manual_seed(9);
        ModelBatch b;
        b.inputIds = torch::randint(0, 259, {2, 9}, torch::kLong);
        torch::NoGradGuard noGrad;
        const double before = streamed->forward(b).loss.item<double>();
        QVERIFY(std::abs(before - resident->forward(b).loss.item<double>()) < 1e-6 * before);
        // Layer 0 is resident in a slot now (a pass without a graph prefetches the next pass's
        // first layer): writing it must drop that copy.
        for (int e = 0; e < cfg.numExperts; ++e) {
            const auto name = cfg.expertTensorNames(0, e)[2];
            const auto value = resident->tensor(name) * 3.0;
            resident->setTensor(name, value);
            streamed->setTensor(name, value);
        }
        const double after = streamed->forward(b).loss.item<double>();
        QVERIFY(std::abs(after - before) > 1e-3 * before);
        QVERIFY(std::abs(after - resident->forward(b).loss.item<double>()) < 1e-6 * after);

        MoeModelOptions o;
        o.device = "cpu";
        o.offloadFrozenExperts = true; // no offloadOnCpu: a no-op on the CPU
        QCOMPARE(MoeModel::load(dir, o)->memory().offloadedBytes, std::int64_t{0});
        o.offloadSlots = 1;
        QVERIFY_THROWS_EXCEPTION(Error, MoeModel::load(dir, o));
    }
};

QTEST_APPLESS_MAIN(TestExpertOffload)
#include "test_expert_offload.moc"
