#include "core/model/MoeModel.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/Blocks.h"
#include "core/model/ExpertOffload.h"
#include "core/model/LmLoss.h"
#include "core/model/MoeLayer.h"
#include "core/model/Router.h"
#include "core/util/CudaBackend.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Runtime.h"

#include <spdlog/spdlog.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/functions/utils.h>
#include <torch/torch.h>

#include <cstring>
#include <optional>
#include <set>
#include <unordered_set>
#include <sstream>

namespace teft {

ExpertMode parseExpertMode(const std::string& name)
{
    if (name == "full")
        return ExpertMode::Full;
    if (name == "masked")
        return ExpertMode::Masked;
    throw Error("Unknown expert mode '" + name + "' (use full or masked)");
}

std::string expertModeName(ExpertMode mode) { return mode == ExpertMode::Full ? "full" : "masked"; }

namespace {

// True when a float tensor holds a NaN or an infinity: a plain scan of the exponent bits of the
// (memory-mapped) data, one pass and no parallel region per tensor.
bool hasNonFinite(const torch::Tensor& t)
{
    if (!t.is_cpu() || !t.is_contiguous())
        return !torch::isfinite(t).all().item<bool>();
    const auto n = t.numel();
    switch (t.scalar_type()) {
    case torch::kFloat: {
        const auto* p = static_cast<const std::uint32_t*>(t.data_ptr());
        for (std::int64_t i = 0; i < n; ++i)
            if ((p[i] & 0x7F800000u) == 0x7F800000u)
                return true;
        return false;
    }
    case torch::kBFloat16:
    case torch::kHalf: {
        const std::uint16_t mask = t.scalar_type() == torch::kBFloat16 ? 0x7F80u : 0x7C00u;
        const auto* p = static_cast<const std::uint16_t*>(t.data_ptr());
        for (std::int64_t i = 0; i < n; ++i)
            if ((p[i] & mask) == mask)
                return true;
        return false;
    }
    default: return !torch::isfinite(t).all().item<bool>();
    }
}

std::string shapeText(at::IntArrayRef s)
{
    std::ostringstream o;
    o << "[";
    for (std::size_t i = 0; i < s.size(); ++i)
        o << (i ? ", " : "") << s[i];
    o << "]";
    return o.str();
}

// Reads checkpoint tensors, checking presence, dtype, shape and finiteness, and converts them
// to owned tensors on the device.
class WeightReader {
public:
    WeightReader(const CheckpointFiles& files, const ModelConfig& cfg, const MoeModelOptions& opt, torch::Device device)
        : m_files(files), m_cfg(cfg), m_opt(opt), m_device(device)
    {
    }

    bool has(const std::string& name) const { return m_files.contains(name); }

    // The checkpoint tensor as stored (zero-copy), validated.
    torch::Tensor raw(const std::string& name, std::vector<std::int64_t> shape) const
    {
        if (!m_files.contains(name))
            throw FormatError("Model folder " + m_files.dir().string() + ": tensor '" + name +
                              "' is missing (model_type '" + m_cfg.modelType + "' needs it)");
        const auto t = m_files.tensor(name);
        const auto st = t.scalar_type();
        if (st != torch::kFloat && st != torch::kHalf && st != torch::kBFloat16)
            throw FormatError("Model folder " + m_files.dir().string() + ": tensor '" + name + "' has dtype " +
                              m_files.info(name).dtype + " (supported: F32, F16, BF16)");
        if (t.sizes() != at::IntArrayRef(shape))
            throw FormatError("Model folder " + m_files.dir().string() + ": tensor '" + name + "' has shape " +
                              shapeText(t.sizes()) + ", expected " + shapeText(shape) + " from config.json");
        if (m_opt.checkFinite && hasNonFinite(t))
            throw FormatError("Model folder " + m_files.dir().string() + ": tensor '" + name +
                              "' holds NaN or Inf values");
        return t;
    }

    torch::Tensor frozen(const std::string& name, std::vector<std::int64_t> shape) const
    {
        return own(raw(name, std::move(shape)), m_opt.computeDtype);
    }
    torch::Tensor frozenIfPresent(const std::string& name, std::vector<std::int64_t> shape) const
    {
        return has(name) ? frozen(name, std::move(shape)) : torch::Tensor();
    }
    // The tensor on the device in `dtype`. On the CPU in the checkpoint's own dtype (the common
    // case: bf16 on disk, bf16 compute) it is the checkpoint's memory-mapped bytes themselves, a
    // read-only view: no copy, the page cache holds the bytes once and the kernel may evict them,
    // so a frozen model larger than memory can still be read. Anything written later (setTensor)
    // first gets an owned copy (MoeModel::materialize).
    torch::Tensor own(const torch::Tensor& t, torch::ScalarType dtype) const
    {
        if (mapped(t, dtype)) {
            m_views.insert(t.data_ptr());
            return t;
        }
        return copyTo(t, dtype);
    }
    // True when t is a view of the mapped checkpoint returned by own().
    bool isView(const torch::Tensor& t) const { return t.defined() && m_views.count(t.data_ptr()) > 0; }
    bool mapped(const torch::Tensor& t, torch::ScalarType dtype) const
    {
        return m_device.is_cpu() && t.scalar_type() == dtype && t.is_contiguous();
    }
    torch::Tensor copyTo(const torch::Tensor& t, torch::ScalarType dtype) const
    {
        return t.to(torch::TensorOptions().device(m_device).dtype(dtype), false, /*copy=*/true);
    }
    // fp32 master weights are always owned copies (the optimizer writes them).
    torch::Tensor master(const torch::Tensor& t) const { return copyTo(t, torch::kFloat).set_requires_grad(true); }

    GatedMlpWeights frozenMlp(const std::string& prefix, std::int64_t inter) const
    {
        const auto H = m_cfg.hiddenSize;
        GatedMlpWeights w;
        const auto gate = raw(prefix + "gate_proj.weight", {inter, H});
        const auto up = raw(prefix + "up_proj.weight", {inter, H});
        fuse(w, gate, up);
        w.down = frozen(prefix + "down_proj.weight", {H, inter});
        w.mapped = w.mapped || mapped(w.down, m_opt.computeDtype);
        return w;
    }

    // gate and up as one [2I, H] weight (one matmul), gate and up then views into it. Where the
    // checkpoint stores up right after gate (the safetensors files transformers writes sort
    // tensors by name; the fused [E, 2I, H] layouts are adjacent by construction) the fused
    // weight is a view of the mapped bytes; otherwise it is one owned copy of both.
    void fuse(GatedMlpWeights& w, const torch::Tensor& gate, const torch::Tensor& up) const
    {
        const auto dtype = m_opt.computeDtype;
        const auto inter = gate.size(0);
        if (mapped(gate, dtype) && mapped(up, dtype) && gate.size(1) == up.size(1) &&
            static_cast<const char*>(gate.data_ptr()) + gate.nbytes() == static_cast<const char*>(up.data_ptr())) {
            w.gateUp = torch::from_blob(
                gate.data_ptr(), {inter + up.size(0), gate.size(1)}, [keep = gate, keep2 = up](void*) {},
                gate.options());
            w.mapped = true;
        } else if (m_device.is_cpu() && gate.scalar_type() == dtype && up.scalar_type() == dtype &&
                   gate.is_contiguous() && up.is_contiguous()) {
            w.gateUp = torch::empty({gate.size(0) + up.size(0), gate.size(1)}, gate.options());
            auto* dst = static_cast<char*>(w.gateUp.data_ptr());
            std::memcpy(dst, gate.data_ptr(), gate.nbytes());
            std::memcpy(dst + gate.nbytes(), up.data_ptr(), up.nbytes());
        } else {
            w.gateUp = torch::cat({copyTo(gate, dtype), copyTo(up, dtype)}, 0);
        }
        w.gate = w.gateUp.narrow(0, 0, inter);
        w.up = w.gateUp.narrow(0, inter, inter);
    }

private:
    const CheckpointFiles& m_files;
    const ModelConfig& m_cfg;
    const MoeModelOptions& m_opt;
    torch::Device m_device;
    mutable std::unordered_set<const void*> m_views;
};

AttentionWeights& finishAttention(const WeightReader& r, const ModelConfig& c, AttentionWeights& a,
                                  const std::string& p)
{
    const auto q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
    if (c.qkHeadNorm) {
        a.qNorm = r.frozen(p + "q_norm.weight", {c.headDim});
        a.kNorm = r.frozen(p + "k_norm.weight", {c.headDim});
    }
    if (c.qkFullNorm) {
        a.qNorm = r.frozen(p + "q_norm.weight", {q});
        a.kNorm = r.frozen(p + "k_norm.weight", {kv});
    }
    return a;
}

AttentionWeights loadAttention(const WeightReader& r, const ModelConfig& c, int layer)
{
    const std::string p = "model.layers." + std::to_string(layer) + ".self_attn.";
    const auto H = c.hiddenSize;
    AttentionWeights a;
    if (c.mla) {
        const auto qk = c.qkHeadDim();
        if (c.qLoraRank > 0) {
            a.qA = r.frozen(p + "q_a_proj.weight", {c.qLoraRank, H});
            a.qANorm = r.frozen(p + "q_a_layernorm.weight", {c.qLoraRank});
            a.qB = r.frozen(p + "q_b_proj.weight", {c.numHeads * qk, c.qLoraRank});
            if (c.mlaAttentionBias)
                a.qABias = r.frozen(p + "q_a_proj.bias", {c.qLoraRank});
        } else {
            a.q = r.frozen(p + "q_proj.weight", {c.numHeads * qk, H});
        }
        a.kvA = r.frozen(p + "kv_a_proj_with_mqa.weight", {c.kvLoraRank + c.qkRopeHeadDim, H});
        a.kvANorm = r.frozen(p + "kv_a_layernorm.weight", {c.kvLoraRank});
        a.kvB = r.frozen(p + "kv_b_proj.weight", {c.numHeads * (c.qkNopeHeadDim + c.vHeadDim), c.kvLoraRank});
        a.o = r.frozen(p + "o_proj.weight", {H, c.numHeads * c.vHeadDim});
        if (c.mlaAttentionBias) {
            a.kvABias = r.frozen(p + "kv_a_proj_with_mqa.bias", {c.kvLoraRank + c.qkRopeHeadDim});
            a.oBias = r.frozen(p + "o_proj.bias", {H});
        }
        return a;
    }
    const auto q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
    a.q = r.frozen(p + "q_proj.weight", {q, H});
    a.k = r.frozen(p + "k_proj.weight", {kv, H});
    a.v = r.frozen(p + "v_proj.weight", {kv, H});
    a.o = r.frozen(p + "o_proj.weight", {H, q});
    if (c.attentionBias) {
        a.qBias = r.frozen(p + "q_proj.bias", {q});
        a.kBias = r.frozen(p + "k_proj.bias", {kv});
        a.vBias = r.frozen(p + "v_proj.bias", {kv});
    }
    if (c.outputBias)
        a.oBias = r.frozen(p + "o_proj.bias", {H});
    // One [q+2kv, H] projection instead of three (q, k, v become views into it), where the
    // weights are copies anyway (another device or dtype); views of the mapped checkpoint stay
    // three projections rather than a copy of the layer's attention weights.
    if (r.isView(a.q) || r.isView(a.k) || r.isView(a.v))
        return finishAttention(r, c, a, p);
    a.qkv = torch::cat({a.q, a.k, a.v}, 0);
    a.q = a.qkv.narrow(0, 0, q);
    a.k = a.qkv.narrow(0, q, kv);
    a.v = a.qkv.narrow(0, q + kv, kv);
    if (a.qBias.defined() && a.kBias.defined() && a.vBias.defined()) {
        a.qkvBias = torch::cat({a.qBias, a.kBias, a.vBias}, 0);
        a.qBias = a.qkvBias.narrow(0, 0, q);
        a.kBias = a.qkvBias.narrow(0, q, kv);
        a.vBias = a.qkvBias.narrow(0, q + kv, kv);
    }
    return finishAttention(r, c, a, p);
}

// The dispatch order of a MoE layer's present experts (frozen first, then trainable) and, on
// CUDA, the frozen experts' weights restacked into [frozen, 2I, H] / [frozen, H, I] tensors for
// the grouped GEMMs, each expert's weights becoming views into them (no second copy). Not for
// an offloaded layer (`offloaded`): its frozen experts stay in host memory.
void buildDispatchSlots(MoeWeights& moe, const torch::Device& device, bool offloaded)
{
    const auto E = static_cast<int>(moe.experts.size());
    std::vector<int> frozen, trainable;
    for (int e = 0; e < E; ++e) {
        const auto& w = moe.experts[static_cast<std::size_t>(e)];
        if (w.present())
            (w.trainable ? trainable : frozen).push_back(e);
    }
    moe.slotExperts = frozen;
    moe.slotExperts.insert(moe.slotExperts.end(), trainable.begin(), trainable.end());
    moe.frozenSlots = static_cast<int>(frozen.size());
    std::vector<std::int64_t> slotOf(static_cast<std::size_t>(E), 0);
    for (std::size_t s = 0; s < moe.slotExperts.size(); ++s)
        slotOf[static_cast<std::size_t>(moe.slotExperts[s])] = static_cast<std::int64_t>(s);
    moe.slotOfExpert = torch::tensor(slotOf, torch::kInt64).to(device);
    if (!device.is_cuda() || frozen.empty() || offloaded)
        return;
    std::vector<torch::Tensor> gateUp, down;
    for (int e : frozen) {
        gateUp.push_back(moe.experts[static_cast<std::size_t>(e)].gateUp);
        down.push_back(moe.experts[static_cast<std::size_t>(e)].down);
    }
    moe.stackedGateUp = torch::stack(gateUp);
    moe.stackedDown = torch::stack(down);
    for (std::size_t s = 0; s < frozen.size(); ++s) {
        auto& w = moe.experts[static_cast<std::size_t>(frozen[s])];
        const auto inter = w.gate.size(0);
        w.gateUp = moe.stackedGateUp[static_cast<std::int64_t>(s)];
        w.gate = w.gateUp.narrow(0, 0, inter);
        w.up = w.gateUp.narrow(0, inter, inter);
        w.down = moe.stackedDown[static_cast<std::int64_t>(s)];
    }
}

} // namespace

MoeModel::~MoeModel() = default;

std::unique_ptr<MoeModel> MoeModel::load(const std::filesystem::path& dir, const MoeModelOptions& options,
                                         JobControl* control)
{
    std::unique_ptr<MoeModel> m(new MoeModel());
    m->m_dir = dir;
    m->m_config = ModelConfig::load(dir);
    m->m_options = options;
    const ModelConfig& c = m->m_config;
    if (options.computeDtype != torch::kBFloat16 && options.computeDtype != torch::kFloat)
        throw Error("Compute dtype " + dtypeName(options.computeDtype) + " is not supported (use bf16 or f32)");
    m->m_device = torch::Device(resolveDevice(options.device));

    // The selection: MoE layers only, experts in range, sorted, no duplicates, empty lists dropped.
    std::map<int, std::vector<int>> selection;
    for (const auto& [layer, experts] : options.selection) {
        if (!c.isMoeLayer(layer))
            throw Error("Expert selection names layer " + std::to_string(layer) + ", which is not a MoE layer of " +
                        dir.string());
        std::set<int> unique;
        for (int e : experts) {
            if (e < 0 || e >= c.numExperts)
                throw Error("Expert selection names expert " + std::to_string(e) + " of layer " +
                            std::to_string(layer) + ", but the model has " + std::to_string(c.numExperts) +
                            " experts per layer");
            unique.insert(e);
        }
        if (!unique.empty())
            selection[layer] = std::vector<int>(unique.begin(), unique.end());
    }
    m->m_options.selection = selection;

    m->m_checkpoint = std::make_shared<CheckpointFiles>(CheckpointFiles::open(dir));
    const CheckpointFiles& files = *m->m_checkpoint;
    WeightReader r(files, c, m->m_options, m->m_device);
    // Offload: the frozen routed experts are read as host tensors (mapped views when the
    // checkpoint has the compute dtype) and streamed to the device per layer.
    if (options.offloadFrozenExperts && options.offloadSlots < 2)
        throw Error("Expert offload needs at least 2 device slots, got " + std::to_string(options.offloadSlots));
    const bool offload = options.offloadFrozenExperts && (m->m_device.is_cuda() || options.offloadOnCpu);
    if (options.offloadFrozenExperts && !offload)
        spdlog::info("Offload of the frozen experts: nothing to do on {} (the frozen weights are read from the "
                     "memory-mapped checkpoint already)",
                     m->m_device.str());
    const WeightReader hostReader(files, c, m->m_options, torch::Device(torch::kCPU));
    const auto H = c.hiddenSize;
    const auto I = c.expertIntermediate;
    const auto E = c.numExperts;
    const int firstMoe = c.firstMoeLayer();
    m->m_fusedExperts = firstMoe >= 0 && c.hasFusedLayout() && files.contains(c.fusedGateUpName(firstMoe));

    m->m_embed = r.frozen("model.embed_tokens.weight", {c.vocabSize, H});
    m->m_finalNorm = r.frozen("model.norm.weight", {H});
    m->m_lmHead = c.tieWordEmbeddings ? m->m_embed : r.frozen("lm_head.weight", {c.vocabSize, H});
    if (options.releaseMappedPages)
        m->releaseMappedPages(-1); // checked: not held while the layers are

    m->m_layers.resize(static_cast<std::size_t>(c.numLayers));
    m->m_modified.assign(static_cast<std::size_t>(c.numLayers), std::vector<bool>(static_cast<std::size_t>(E), false));
    const auto boolOpts = torch::TensorOptions().dtype(torch::kBool).device(m->m_device);
    for (int l = 0; l < c.numLayers; ++l) {
        if (control) {
            control->checkpoint();
            control->report(l, c.numLayers, "loading");
        }
        LayerWeights& L = m->m_layers[static_cast<std::size_t>(l)];
        const std::string p = "model.layers." + std::to_string(l) + ".";
        L.inputNorm = r.frozen(p + "input_layernorm.weight", {H});
        L.postNorm = r.frozen(p + "post_attention_layernorm.weight", {H});
        L.attn = loadAttention(r, c, l);
        L.isMoe = c.isMoeLayer(l);
        if (!L.isMoe) {
            L.mlp = r.frozenMlp(p + "mlp.", c.intermediateSize);
            if (options.releaseMappedPages)
                m->releaseMappedPages(l);
            continue;
        }
        MoeWeights& moe = L.moe;
        moe.router = r.frozen(c.routerWeightName(l), {E, H});
        if (c.routing == RoutingKind::DeepseekSigmoid)
            moe.scoreBias = r.own(r.raw(c.routerScoreBiasName(l), {E}), torch::kFloat);
        if (c.sharedIntermediate > 0)
            moe.shared = r.frozenMlp(c.sharedExpertPrefix(l), c.sharedIntermediate);
        if (c.sharedExpertGate)
            moe.sharedGate = r.frozen(c.sharedExpertGateName(l), {1, H});

        const auto sel = selection.find(l);
        std::vector<bool> present(static_cast<std::size_t>(E), true), trainable(static_cast<std::size_t>(E), false);
        if (sel != selection.end()) {
            if (options.mode == ExpertMode::Masked)
                present.assign(static_cast<std::size_t>(E), false);
            for (int e : sel->second) {
                present[static_cast<std::size_t>(e)] = true;
                trainable[static_cast<std::size_t>(e)] = true;
            }
            if (m->m_firstTrainableLayer < 0)
                m->m_firstTrainableLayer = l;
            if (options.mode == ExpertMode::Masked) {
                auto mask = torch::zeros({E}, torch::kBool);
                for (int e : sel->second)
                    mask[e] = true;
                moe.allowed = mask.to(boolOpts.device());
                moe.presentMask = moe.allowed;
            }
        }
        torch::Tensor fusedGateUp, fusedDown;
        if (m->m_fusedExperts) {
            fusedGateUp = r.raw(c.fusedGateUpName(l), {E, 2 * I, H});
            fusedDown = r.raw(c.fusedDownName(l), {E, H, I});
        }
        moe.experts.resize(static_cast<std::size_t>(E));
        bool anyFrozen = false;
        for (int e = 0; e < E; ++e)
            anyFrozen = anyFrozen || (present[static_cast<std::size_t>(e)] && !trainable[static_cast<std::size_t>(e)]);
        const bool offloadLayer = offload && anyFrozen;
        const WeightReader& fr = offloadLayer ? hostReader : r; // where the frozen experts go
        for (int e = 0; e < E; ++e) {
            if (!present[static_cast<std::size_t>(e)])
                continue;
            GatedMlpWeights& w = moe.experts[static_cast<std::size_t>(e)];
            torch::Tensor gate, up, down;
            if (m->m_fusedExperts) {
                gate = fusedGateUp[e].narrow(0, 0, I);
                up = fusedGateUp[e].narrow(0, I, I);
                down = fusedDown[e];
            } else {
                const auto names = c.expertTensorNames(l, e);
                gate = r.raw(names[0], {I, H});
                up = r.raw(names[1], {I, H});
                down = r.raw(names[2], {H, I});
            }
            if (trainable[static_cast<std::size_t>(e)]) {
                w.trainable = true;
                w.gate = r.master(gate);
                w.up = r.master(up);
                w.down = r.master(down);
                m->m_modified[static_cast<std::size_t>(l)][static_cast<std::size_t>(e)] = true;
            } else {
                fr.fuse(w, gate, up);
                w.down = fr.own(down, options.computeDtype);
                w.mapped = w.mapped || fr.mapped(down, options.computeDtype);
            }
        }
        buildDispatchSlots(moe, m->m_device, offloadLayer);
        if (offloadLayer)
            moe.layer = l;
        if (options.releaseMappedPages)
            m->releaseMappedPages(l);
    }
    if (offload)
        m->startOffload();
    if (control)
        control->report(c.numLayers, c.numLayers, "loading");
    return m;
}

void MoeModel::startOffload()
{
    std::vector<OffloadedLayer> layers;
    std::vector<int> ids;
    std::int64_t hostBytes = 0;
    for (int l = 0; l < m_config.numLayers; ++l) {
        const auto& moe = m_layers[static_cast<std::size_t>(l)].moe;
        if (moe.layer != l)
            continue;
        OffloadedLayer o;
        o.layer = l;
        for (int s = 0; s < moe.frozenSlots; ++s) {
            const auto& w = moe.experts[static_cast<std::size_t>(moe.slotExperts[static_cast<std::size_t>(s)])];
            o.experts.push_back(&w);
            hostBytes += static_cast<std::int64_t>(
                (w.gateUp.defined() ? w.gateUp.nbytes() : w.gate.nbytes() + w.up.nbytes()) + w.down.nbytes());
        }
        layers.push_back(std::move(o));
        ids.push_back(l);
    }
    if (layers.empty()) {
        spdlog::info("Offload of the frozen experts: no layer holds frozen experts (masked routing in every MoE "
                     "layer): nothing to stream");
        return;
    }
    StreamingCopyOptions o;
    o.device = m_device;
    o.dtype = m_options.computeDtype;
    o.slotCount = std::min(m_options.offloadSlots, static_cast<int>(layers.size()));
    o.hidden = m_config.hiddenSize;
    o.intermediate = m_config.expertIntermediate;
    auto engine = std::make_unique<StreamingCopyEngine>(std::move(layers), o);
    m_stagingBytes = engine->stagingBytes();
    const auto deviceBytes = engine->deviceBytes();
    m_streamer = std::make_unique<ExpertStreamer>(ids, o.slotCount, std::move(engine));
    for (int l : ids) {
        auto& moe = m_layers[static_cast<std::size_t>(l)].moe;
        moe.streamer = m_streamer.get();
        moe.offloadNext = m_streamer->nextLayer(l);
        // After this layer the backward pass needs the one before it if its frozen experts are in
        // the graph: only after the first trainable layer (that layer's MoE input depends on no
        // trainable tensor yet). Else the next step's forward pass starts with the first one.
        const int previous = m_streamer->previousLayer(l);
        moe.offloadBackwardNext = previous >= 0 && m_firstTrainableLayer >= 0 && previous > m_firstTrainableLayer
                                      ? previous
                                      : ids.front();
    }
    spdlog::info("Offload of the frozen experts: {} MoE layers, {:.1f} MiB in host memory, streamed to {} through {} "
                 "device slots ({:.1f} MiB) and {} MiB of {}staging buffers",
                 ids.size(), static_cast<double>(hostBytes) / (1 << 20), m_device.str(), o.slotCount,
                 static_cast<double>(deviceBytes) / (1 << 20), m_stagingBytes >> 20,
                 m_device.is_cuda() ? "pinned " : "");
}

namespace {

// What the decoder layers of one forward pass share.
struct LayerPass {
    const ModelConfig* config = nullptr;
    RopeTables rope;
    torch::Tensor bias;      // attentionBias() of the batch (undefined: plain causal)
    torch::Tensor validRows; // the real tokens for the load-balancing statistics (undefined: all)
    std::int64_t B = 0, T = 0;
    bool aux = false; // compute each MoE layer's load-balancing statistics
};

struct LayerOutput {
    torch::Tensor x;       // [B, T, H]
    RoutingResult routing; // MoE layers: the choices and the router's logits
    AuxStatistics aux;     // MoE layers, when LayerPass::aux
};

// One decoder layer: attention and the MoE (or dense) feed-forward block, both residual.
LayerOutput decoderLayer(const LayerPass& p, const LayerWeights& L, const torch::Tensor& input)
{
    const ModelConfig& c = *p.config;
    LayerOutput out;
    auto x = input + selfAttention(c, L.attn, rmsNorm(input, L.inputNorm, c.rmsNormEps), p.rope, p.bias);
    const auto h = rmsNorm(x, L.postNorm, c.rmsNormEps);
    if (!L.isMoe) {
        out.x = x + gatedMlp(h, L.mlp);
        return out;
    }
    const auto H = c.hiddenSize;
    auto moe = moeForward(c, L.moe, h.reshape({p.B * p.T, H}));
    out.x = x + moe.y.view({p.B, p.T, H});
    if (p.aux) {
        const bool sameChoice = c.routing == RoutingKind::SoftmaxTopK && !L.moe.allowed.defined();
        out.aux = auxStatistics(moe.routing.logits, p.validRows, sameChoice ? moe.routing.ids : torch::Tensor(),
                                c.topK);
    }
    out.routing = std::move(moe.routing);
    return out;
}

// decoderLayer() with grad mode on over a copy of x cut from the graph before it (requiring grad
// when `inputGrad`): the layer's own graph only, rooted at `input`. The forward pass and the
// recomputation both run a layer this way, so that they pick the same kernels (LibTorch's
// attention and SwiGLU paths differ with and without a graph) and give the same values bit for
// bit: the recomputation replays the forward pass's routing exactly (the layer holds nothing
// random: no dropout, no router jitter).
LayerOutput layerGraph(const LayerPass& p, const LayerWeights& L, const torch::Tensor& x, bool inputGrad,
                       torch::Tensor& input)
{
    input = x.detach();
    if (inputGrad)
        input.requires_grad_(true);
    torch::AutoGradMode enable(true);
    return decoderLayer(p, L, input);
}

// Activation recomputation of one decoder layer as one autograd node. The forward pass kept the
// layer's input only; apply() runs the layer again and back-propagates through it (a nested
// backward whose graph is freed when it returns), handing back the gradients of the input and
// of the layer's trainable experts (the engine accumulates those into their .grad as for any
// leaf). The node's inputs: the gradient of the layer's output and, when the pass collects
// them, of its load-balancing statistics' probability sums.
class RecomputedLayer : public torch::autograd::Node {
public:
    RecomputedLayer(std::shared_ptr<const LayerPass> pass, const LayerWeights* weights, torch::Tensor input,
                    bool inputGrad, std::vector<torch::Tensor> params, bool auxOutput)
        : m_pass(std::move(pass)), m_weights(weights), m_input(std::move(input)), m_inputGrad(inputGrad),
          m_params(std::move(params)), m_auxOutput(auxOutput)
    {
    }

    std::string name() const override { return "RecomputedLayer"; }

    void release_variables() override
    {
        m_input.reset();
        m_pass.reset();
    }

    torch::autograd::variable_list apply(torch::autograd::variable_list&& grads) override
    {
        TORCH_CHECK(m_pass, "RecomputedLayer: the layer's input was freed by an earlier backward pass (call "
                            "backward with retain_graph to run it twice)");
        torch::autograd::variable_list result(num_outputs());
        const bool needInput = should_compute_output(0);
        torch::Tensor input;
        const LayerOutput out = layerGraph(*m_pass, *m_weights, m_input, m_inputGrad, input);
        torch::autograd::variable_list roots, rootGrads;
        auto addRoot = [&](const torch::Tensor& t, const torch::Tensor& g) {
            if (t.defined() && g.defined() && t.requires_grad()) {
                roots.push_back(t);
                rootGrads.push_back(g);
            }
        };
        addRoot(out.x, grads[0]);
        if (m_auxOutput && grads.size() > 1)
            addRoot(out.aux.probSum, grads[1]);
        torch::autograd::variable_list wrt;
        std::vector<std::size_t> slots;
        if (needInput && m_inputGrad) {
            wrt.push_back(input);
            slots.push_back(0);
        }
        for (std::size_t i = 0; i < m_params.size(); ++i)
            if (should_compute_output(i + 1)) {
                wrt.push_back(m_params[i]);
                slots.push_back(i + 1);
            }
        if (roots.empty() || wrt.empty())
            return result;
        const auto g = torch::autograd::grad(roots, wrt, rootGrads, /*retain_graph=*/false, /*create_graph=*/false,
                                             /*allow_unused=*/true);
        for (std::size_t j = 0; j < slots.size(); ++j)
            result[slots[j]] = g[j];
        return result;
    }

private:
    std::shared_ptr<const LayerPass> m_pass;
    const LayerWeights* m_weights;
    torch::Tensor m_input; // detached: no reference to the graph before it
    bool m_inputGrad;      // the input required grad
    std::vector<torch::Tensor> m_params;
    bool m_auxOutput;
};

// A tensor of the layer's output without its graph (undefined stays undefined).
torch::Tensor cut(const torch::Tensor& t) { return t.defined() ? t.detach() : t; }

// decoderLayer() under activation recomputation: the layer runs as the recomputation will
// (layerGraph), its graph is dropped at once, and the outputs hang on a RecomputedLayer node
// whose inputs are x and the layer's trainable experts.
LayerOutput recomputedLayer(const std::shared_ptr<const LayerPass>& pass, const LayerWeights& L, const torch::Tensor& x)
{
    std::vector<torch::Tensor> params;
    if (L.isMoe)
        for (const auto& w : L.moe.experts)
            if (w.trainable)
                params.insert(params.end(), {w.gate, w.up, w.down});
    if (!x.requires_grad() && params.empty())
        return decoderLayer(*pass, L, x);
    LayerOutput out;
    {
        torch::Tensor input;
        const LayerOutput graph = layerGraph(*pass, L, x, x.requires_grad(), input);
        out.x = cut(graph.x);
        out.routing.ids = cut(graph.routing.ids);
        out.routing.weights = cut(graph.routing.weights);
        out.routing.logits = cut(graph.routing.logits);
        out.aux.counts = cut(graph.aux.counts);
        out.aux.probSum = cut(graph.aux.probSum);
        out.aux.tokens = graph.aux.tokens;
    }
    const bool auxOutput = out.aux.probSum.defined();
    torch::autograd::variable_list inputs{x};
    inputs.insert(inputs.end(), params.begin(), params.end());
    std::shared_ptr<RecomputedLayer> node(new RecomputedLayer(pass, &L, x.detach(), x.requires_grad(), params,
                                                              auxOutput),
                                          torch::autograd::deleteNode);
    node->set_next_edges(torch::autograd::collect_next_edges(inputs));
    torch::autograd::set_history(out.x, node);
    if (auxOutput)
        torch::autograd::set_history(out.aux.probSum, node);
    return out;
}

} // namespace

torch::Tensor MoeModel::runLayers(const torch::Tensor& inputIds, const torch::Tensor& mask, int lastLayer,
                                  std::vector<LayerRouting>* routing, AuxLossAccumulator* aux,
                                  const torch::Tensor& validRows)
{
    const auto B = inputIds.size(0), T = inputIds.size(1), H = m_config.hiddenSize;
    torch::Tensor x;
    {
        torch::NoGradGuard noGrad;
        x = m_embed.index_select(0, inputIds.reshape(-1)).view({B, T, H});
    }
    auto pass = std::make_shared<LayerPass>();
    pass->config = &m_config;
    pass->B = B;
    pass->T = T;
    pass->validRows = validRows;
    pass->aux = aux != nullptr;
    // An all-ones mask is no mask: the attention then needs no per-row padding masking.
    const bool padded = mask.defined() && !mask.all().item<bool>();
    pass->bias = attentionBias(padded ? mask : torch::Tensor(), T, m_config.slidingWindow, m_device);
    pass->rope = ropeTables(m_config, T, m_device);
    // In the compute dtype once per pass (applyRope casts them to the activations' dtype).
    pass->rope.cos = pass->rope.cos.to(m_options.computeDtype);
    pass->rope.sin = pass->rope.sin.to(m_options.computeDtype);
    for (int l = 0; l <= lastLayer; ++l) {
        std::optional<torch::NoGradGuard> noGrad;
        if (m_firstTrainableLayer < 0 || l < m_firstTrainableLayer)
            noGrad.emplace();
        const LayerWeights& L = m_layers[static_cast<std::size_t>(l)];
        // Activation recomputation applies to the layers that build a graph.
        const bool recompute = m_options.recompute && torch::GradMode::is_enabled();
        const LayerOutput out = recompute ? recomputedLayer(pass, L, x) : decoderLayer(*pass, L, x);
        x = out.x;
        if (!L.isMoe)
            continue;
        if (aux)
            aux->add(out.aux);
        if (routing) {
            torch::NoGradGuard g;
            const auto k = out.routing.ids.size(1);
            LayerRouting lr;
            lr.layer = l;
            lr.ids = out.routing.ids.view({B, T, k});
            lr.weights = out.routing.weights.detach().to(torch::kFloat).view({B, T, k});
            if (mask.defined()) {
                const auto pad = mask.to(torch::kBool).logical_not().unsqueeze(-1);
                lr.ids = lr.ids.masked_fill(pad, -1);
                lr.weights = lr.weights.masked_fill(pad, 0.0);
            }
            routing->push_back(std::move(lr));
        }
    }
    return x;
}

namespace {

struct PreparedBatch {
    torch::Tensor ids, mask, labels, validRows;
};

PreparedBatch prepare(const ModelBatch& b, const ModelConfig& c, const torch::Device& device)
{
    if (!b.inputIds.defined() || b.inputIds.dim() != 2 || b.inputIds.size(0) == 0 || b.inputIds.size(1) == 0)
        throw Error("Model input: input ids must be a non-empty [batch, tokens] tensor");
    PreparedBatch p;
    p.ids = b.inputIds.to(device, torch::kLong);
    const auto lo = p.ids.min().item<std::int64_t>(), hi = p.ids.max().item<std::int64_t>();
    if (lo < 0 || hi >= c.vocabSize)
        throw Error("Model input: token id " + std::to_string(lo < 0 ? lo : hi) + " is outside the vocabulary (0.." +
                    std::to_string(c.vocabSize - 1) + ")");
    if (b.attentionMask.defined()) {
        if (b.attentionMask.sizes() != b.inputIds.sizes())
            throw Error("Model input: the attention mask must have the shape of the input ids");
        p.mask = b.attentionMask.to(device, torch::kLong);
        p.validRows = p.mask.reshape(-1).nonzero().squeeze(1);
    }
    if (b.labels.defined()) {
        if (b.labels.sizes() != b.inputIds.sizes())
            throw Error("Model input: labels must have the shape of the input ids");
        p.labels = b.labels.to(device, torch::kLong);
    } else {
        p.labels = p.mask.defined() ? p.ids.masked_fill(p.mask.eq(0), -100) : p.ids;
    }
    return p;
}

} // namespace

ForwardResult MoeModel::forward(const ModelBatch& batch, const ForwardOptions& options)
{
    const auto p = prepare(batch, m_config, m_device);
    const auto B = p.ids.size(0), T = p.ids.size(1), H = m_config.hiddenSize;
    ForwardResult result;
    std::optional<AuxLossAccumulator> aux;
    if (options.auxLoss)
        aux.emplace(m_config.numExperts, m_config.topK);
    auto h = runLayers(p.ids, p.mask, static_cast<int>(m_config.numLayers) - 1,
                       options.routing ? &result.routing : nullptr, aux ? &*aux : nullptr, p.validRows);
    {
        std::optional<torch::NoGradGuard> noGrad;
        if (m_firstTrainableLayer < 0)
            noGrad.emplace();
        h = rmsNorm(h, m_finalNorm, m_config.rmsNormEps);
    }
    if (options.logits) {
        torch::NoGradGuard g;
        result.logits = fullLogits(h.detach(), m_lmHead);
    }
    if (options.loss) {
        const auto targets = p.labels.narrow(1, 1, T - 1).reshape(-1);
        const auto rows = targets.ne(-100).nonzero().squeeze(1);
        const auto picked = targets.index_select(0, rows);
        if (picked.numel() > 0) {
            const auto lo = picked.min().item<std::int64_t>(), hi = picked.max().item<std::int64_t>();
            if (lo < 0 || hi >= m_config.vocabSize)
                throw Error("Model input: label " + std::to_string(lo < 0 ? lo : hi) +
                            " is outside the vocabulary (use -100 to ignore a position)");
        }
        const auto hidden = h.narrow(1, 0, T - 1).reshape({B * (T - 1), H}).index_select(0, rows);
        result.loss = chunkedCrossEntropy(hidden, m_lmHead, picked, options.lossChunkRows);
        result.targetTokens = rows.numel();
    }
    if (aux)
        result.auxLoss = aux->value(options.auxStatistics).to(m_device);
    return result;
}

std::vector<LayerRouting> MoeModel::captureRouting(const ModelBatch& batch)
{
    torch::NoGradGuard noGrad;
    const auto p = prepare(batch, m_config, m_device);
    std::vector<LayerRouting> routing;
    const int last = m_config.lastMoeLayer();
    if (last >= 0)
        runLayers(p.ids, p.mask, last, &routing, nullptr, {});
    return routing;
}

MoeModel::LayerState MoeModel::beginLayers(const ModelBatch& batch) const
{
    torch::NoGradGuard noGrad;
    const auto p = prepare(batch, m_config, m_device);
    const auto B = p.ids.size(0), T = p.ids.size(1), H = m_config.hiddenSize;
    LayerState s;
    s.hidden = m_embed.index_select(0, p.ids.reshape(-1)).view({B, T, H});
    s.mask = p.mask;
    // As runLayers() does.
    const bool padded = p.mask.defined() && !p.mask.all().item<bool>();
    s.bias = attentionBias(padded ? p.mask : torch::Tensor(), T, m_config.slidingWindow, m_device);
    const auto rope = ropeTables(m_config, T, m_device);
    s.ropeCos = rope.cos.to(m_options.computeDtype);
    s.ropeSin = rope.sin.to(m_options.computeDtype);
    return s;
}

std::optional<LayerRouting> MoeModel::runLayer(int layer, LayerState& s) const
{
    if (layer != s.nextLayer || layer < 0 || layer >= m_config.numLayers)
        throw Error("Layer-by-layer pass: layer " + std::to_string(layer) + " run out of order (next is layer " +
                    std::to_string(s.nextLayer) + " of " + std::to_string(m_config.numLayers) + ")");
    torch::NoGradGuard noGrad;
    const auto B = s.hidden.size(0), T = s.hidden.size(1), H = m_config.hiddenSize;
    const LayerWeights& L = m_layers[static_cast<std::size_t>(layer)];
    const RopeTables rope{s.ropeCos, s.ropeSin};
    auto x = s.hidden;
    // The body of runLayers()' loop, without autograd and the load-balancing loss.
    x = x + selfAttention(m_config, L.attn, rmsNorm(x, L.inputNorm, m_config.rmsNormEps), rope, s.bias);
    const auto h = rmsNorm(x, L.postNorm, m_config.rmsNormEps);
    std::optional<LayerRouting> routing;
    if (!L.isMoe) {
        x = x + gatedMlp(h, L.mlp);
    } else {
        const auto out = moeForward(m_config, L.moe, h.reshape({B * T, H}));
        x = x + out.y.view({B, T, H});
        const auto k = out.routing.ids.size(1);
        LayerRouting lr;
        lr.layer = layer;
        lr.ids = out.routing.ids.view({B, T, k});
        lr.weights = out.routing.weights.detach().to(torch::kFloat).view({B, T, k});
        if (s.mask.defined()) {
            const auto pad = s.mask.to(torch::kBool).logical_not().unsqueeze(-1);
            lr.ids = lr.ids.masked_fill(pad, -1);
            lr.weights = lr.weights.masked_fill(pad, 0.0);
        }
        routing = std::move(lr);
    }
    s.hidden = x;
    ++s.nextLayer;
    return routing;
}

std::uint64_t MoeModel::releaseMappedPages(int layer) const
{
    if (layer < -1 || layer >= m_config.numLayers)
        throw Error("Cannot release the pages of layer " + std::to_string(layer) + ": the model has " +
                    std::to_string(m_config.numLayers) + " layers");
    std::uint64_t released = 0;
    auto release = [&](const torch::Tensor& t) {
        if (!t.defined() || !t.device().is_cpu() || t.nbytes() == 0)
            return;
        for (const auto& f : m_checkpoint->files())
            if (f->holds(t.data_ptr())) {
                released += f->releasePages(t.data_ptr(), t.nbytes());
                return;
            }
    };
    auto releaseMlp = [&](const GatedMlpWeights& w) {
        for (const auto* t : {&w.gateUp, &w.gate, &w.up, &w.down})
            release(*t);
    };
    if (layer < 0) {
        for (const auto* t : {&m_embed, &m_finalNorm, &m_lmHead})
            release(*t);
        return released;
    }
    const LayerWeights& L = m_layers[static_cast<std::size_t>(layer)];
    const AttentionWeights& a = L.attn;
    for (const auto* t : {&L.inputNorm, &L.postNorm, &a.q,   &a.k,       &a.v,       &a.o,     &a.qBias, &a.kBias,
                          &a.vBias,     &a.oBias,    &a.qkv, &a.qkvBias, &a.qNorm,   &a.kNorm, &a.qA,    &a.qABias,
                          &a.qANorm,    &a.qB,       &a.kvA, &a.kvABias, &a.kvANorm, &a.kvB})
        release(*t);
    if (!L.isMoe) {
        releaseMlp(L.mlp);
        return released;
    }
    release(L.moe.router);
    release(L.moe.scoreBias);
    release(L.moe.sharedGate);
    releaseMlp(L.moe.shared);
    for (const auto& w : L.moe.experts)
        releaseMlp(w);
    return released;
}

std::uint64_t MoeModel::mappedResidentBytes() const
{
    std::uint64_t bytes = 0;
    for (const auto& f : m_checkpoint->files())
        bytes += f->residentBytes();
    return bytes;
}

std::vector<std::pair<std::string, torch::Tensor>> MoeModel::trainableParameters() const
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (int l = 0; l < m_config.numLayers; ++l) {
        const auto& L = m_layers[static_cast<std::size_t>(l)];
        if (!L.isMoe)
            continue;
        for (int e = 0; e < static_cast<int>(L.moe.experts.size()); ++e) {
            const auto& w = L.moe.experts[static_cast<std::size_t>(e)];
            if (!w.trainable)
                continue;
            const auto names = m_config.expertTensorNames(l, e);
            out.emplace_back(names[0], w.gate);
            out.emplace_back(names[1], w.up);
            out.emplace_back(names[2], w.down);
        }
    }
    return out;
}

bool MoeModel::isPresent(int layer, int expert) const
{
    if (!m_config.isMoeLayer(layer) || expert < 0 || expert >= m_config.numExperts)
        return false;
    return m_layers[static_cast<std::size_t>(layer)].moe.experts[static_cast<std::size_t>(expert)].present();
}

bool MoeModel::isTrainable(int layer, int expert) const
{
    return isPresent(layer, expert) &&
           m_layers[static_cast<std::size_t>(layer)].moe.experts[static_cast<std::size_t>(expert)].trainable;
}

torch::Tensor* MoeModel::findExpertTensor(const std::string& name, int& layer, int& expert, int& part)
{
    if (!m_config.parseExpertTensorName(name, layer, expert, part))
        throw Error("'" + name + "' is not an expert tensor name of this " + m_config.modelType + " model");
    auto& w = m_layers[static_cast<std::size_t>(layer)].moe.experts[static_cast<std::size_t>(expert)];
    if (!w.present())
        throw Error("Expert " + std::to_string(expert) + " of layer " + std::to_string(layer) +
                    " is not loaded (masked mode holds only the selected experts); cannot access '" + name + "'");
    return part == 0 ? &w.gate : part == 1 ? &w.up : &w.down;
}

const torch::Tensor* MoeModel::findExpertTensor(const std::string& name) const
{
    int layer = 0, expert = 0, part = 0;
    return const_cast<MoeModel*>(this)->findExpertTensor(name, layer, expert, part);
}

bool MoeModel::hasTensor(const std::string& name) const
{
    int layer = 0, expert = 0, part = 0;
    return m_config.parseExpertTensorName(name, layer, expert, part) && isPresent(layer, expert);
}

torch::Tensor MoeModel::tensor(const std::string& name) const
{
    const torch::Tensor* t = findExpertTensor(name);
    return t->detach().to(torch::TensorOptions().device(torch::kCPU), false, /*copy=*/true);
}

void MoeModel::setTensor(const std::string& name, const torch::Tensor& value)
{
    int layer = 0, expert = 0, part = 0;
    torch::Tensor* t = findExpertTensor(name, layer, expert, part);
    if (!value.defined() || value.sizes() != t->sizes())
        throw Error("Tensor '" + name + "' must have shape " + shapeText(t->sizes()) + ", got " +
                    (value.defined() ? shapeText(value.sizes()) : std::string("nothing")));
    if (!value.is_floating_point())
        throw Error("Tensor '" + name + "' must be a floating-point tensor");
    if (!torch::isfinite(value).all().item<bool>())
        throw NonFiniteError("Tensor '" + name + "' holds NaN or Inf values; refused");
    torch::NoGradGuard noGrad;
    auto& w = m_layers[static_cast<std::size_t>(layer)].moe.experts[static_cast<std::size_t>(expert)];
    ExpertStreamer* streamer = w.trainable ? nullptr : m_layers[static_cast<std::size_t>(layer)].moe.streamer;
    if (streamer)
        streamer->drain(); // no copy of this layer is reading the host tensors while they change
    if (w.mapped) {
        // The first write to a frozen expert that is a view of the read-only mapping: own its bytes.
        if (w.gateUp.defined()) {
            const auto inter = w.gate.size(0);
            w.gateUp = w.gateUp.clone();
            w.gate = w.gateUp.narrow(0, 0, inter);
            w.up = w.gateUp.narrow(0, inter, w.up.size(0));
        } else {
            w.gate = w.gate.clone();
            w.up = w.up.clone();
        }
        w.down = w.down.clone();
        w.mapped = false;
        t = findExpertTensor(name, layer, expert, part);
    }
    t->copy_(value);
    if (streamer)
        streamer->invalidate(layer); // the device copy is stale: streamed again when next needed
    m_modified[static_cast<std::size_t>(layer)][static_cast<std::size_t>(expert)] = true;
}

std::vector<std::pair<std::string, torch::Tensor>> MoeModel::exportState() const
{
    torch::NoGradGuard noGrad;
    const auto& c = m_config;
    std::vector<std::pair<std::string, torch::Tensor>> out;
    out.reserve(m_checkpoint->names().size());
    for (const auto& name : m_checkpoint->names()) {
        torch::Tensor t = m_checkpoint->tensor(name);
        int layer = 0, expert = 0, part = 0;
        if (c.parseExpertTensorName(name, layer, expert, part)) {
            if (m_modified[static_cast<std::size_t>(layer)][static_cast<std::size_t>(expert)])
                t = findExpertTensor(name)->detach().to(
                    torch::TensorOptions().device(torch::kCPU).dtype(t.scalar_type()), false, true);
        } else if (m_fusedExperts) {
            for (int l : c.moeLayers()) {
                const bool gu = name == c.fusedGateUpName(l);
                const bool dn = name == c.fusedDownName(l);
                if (!gu && !dn)
                    continue;
                bool cloned = false;
                for (int e = 0; e < c.numExperts; ++e) {
                    if (!m_modified[static_cast<std::size_t>(l)][static_cast<std::size_t>(e)])
                        continue;
                    if (!cloned) {
                        t = t.clone();
                        cloned = true;
                    }
                    const auto& w = m_layers[static_cast<std::size_t>(l)].moe.experts[static_cast<std::size_t>(e)];
                    const auto I = c.expertIntermediate;
                    if (gu) {
                        t[e].narrow(0, 0, I).copy_(w.gate.detach().to(torch::kCPU));
                        t[e].narrow(0, I, I).copy_(w.up.detach().to(torch::kCPU));
                    } else {
                        t[e].copy_(w.down.detach().to(torch::kCPU));
                    }
                }
            }
        }
        out.emplace_back(name, t);
    }
    return out;
}

ModelMemory MoeModel::memory() const
{
    ModelMemory mem;
    auto addFrozen = [&](const torch::Tensor& t) {
        if (!t.defined())
            return;
        mem.weightBytes += static_cast<std::int64_t>(t.nbytes());
        for (const auto& f : m_checkpoint->files())
            if (f->holds(t.data_ptr())) {
                mem.mappedBytes += static_cast<std::int64_t>(t.nbytes());
                break;
            }
    };
    auto addMlp = [&](const GatedMlpWeights& w) {
        if (!w.present())
            return;
        if (w.trainable) {
            mem.trainableBytes += static_cast<std::int64_t>(w.gate.nbytes() + w.up.nbytes() + w.down.nbytes());
            return;
        }
        if (w.gateUp.defined()) {
            addFrozen(w.gateUp);
        } else {
            addFrozen(w.gate);
            addFrozen(w.up);
        }
        addFrozen(w.down);
    };
    addFrozen(m_embed);
    if (!m_config.tieWordEmbeddings)
        addFrozen(m_lmHead);
    addFrozen(m_finalNorm);
    for (const auto& L : m_layers) {
        for (const auto* t : {&L.inputNorm,  &L.postNorm,   &L.attn.q,       &L.attn.k,       &L.attn.v,
                              &L.attn.o,     &L.attn.qBias, &L.attn.kBias,   &L.attn.vBias,   &L.attn.oBias,
                              &L.attn.qNorm, &L.attn.kNorm, &L.attn.qA,      &L.attn.qABias,  &L.attn.qANorm,
                              &L.attn.qB,    &L.attn.kvA,   &L.attn.kvABias, &L.attn.kvANorm, &L.attn.kvB})
            addFrozen(*t);
        addMlp(L.mlp);
        addFrozen(L.moe.router);
        addFrozen(L.moe.scoreBias);
        addFrozen(L.moe.sharedGate);
        addMlp(L.moe.shared);
        for (const auto& e : L.moe.experts) {
            if (L.moe.streamer && !e.trainable && e.present()) { // offloaded: in host memory
                mem.offloadedBytes += static_cast<std::int64_t>(
                    (e.gateUp.defined() ? e.gateUp.nbytes() : e.gate.nbytes() + e.up.nbytes()) + e.down.nbytes());
                continue;
            }
            addMlp(e);
        }
    }
    if (m_streamer) {
        mem.weightBytes += m_streamer->engine().deviceBytes(); // the device slots
        mem.stagingBytes = m_stagingBytes;
    }
    mem.isCuda = m_device.is_cuda();
    if (mem.isCuda) {
        mem.deviceAllocated = cudaAllocatedBytes(m_device.index());
        const auto info = describeDevice(m_device.str());
        mem.deviceFree = info.memoryFree;
        mem.deviceTotal = info.memoryTotal;
    }
    return mem;
}

} // namespace teft
