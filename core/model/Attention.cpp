// Causal self-attention: standard grouped-query attention (qwen, olmoe, mixtral) and DeepSeek's
// multi-head latent attention, over one shared masked-softmax kernel.
#include "core/model/Blocks.h"

#include <torch/torch.h>

#include <ATen/ops/scaled_dot_product_attention.h>

#include <atomic>
#include <optional>
#include <cmath>
#include <limits>

namespace teft {

namespace {
std::atomic<KernelPath> g_kernelPath{KernelPath::Auto};
}

void setKernelPath(KernelPath path) { g_kernelPath.store(path); }
KernelPath kernelPath() { return g_kernelPath.load(); }
bool libraryKernels(const torch::Tensor& x)
{
    const auto path = kernelPath();
    return path == KernelPath::Library || (path == KernelPath::Auto && x.is_cuda());
}

torch::Tensor attentionBias(const torch::Tensor& attentionMask, std::int64_t seqLen, std::int64_t window,
                            const torch::Device& device)
{
    if (!attentionMask.defined() && window <= 0) {
        const auto path = kernelPath();
        if (path == KernelPath::Library || (path == KernelPath::Auto && device.is_cuda()))
            return {};
    }
    const auto opts = torch::TensorOptions().dtype(torch::kInt64).device(device);
    const auto i = torch::arange(seqLen, opts).view({seqLen, 1});
    const auto j = torch::arange(seqLen, opts).view({1, seqLen});
    auto allowed = j.le(i);
    if (window > 0)
        allowed = allowed.logical_and((i - j).lt(window));
    allowed = allowed.unsqueeze(0); // [1, T, T]
    if (attentionMask.defined())
        allowed = allowed.logical_and(attentionMask.to(device).to(torch::kBool).unsqueeze(1)); // [B, T, T]
    return allowed.logical_not().unsqueeze(1).unsqueeze(1);                                    // [B|1, 1, 1, T, T]
}

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

std::int64_t queryBlock(std::int64_t T) { return T <= 64 ? T : (T <= 1024 ? 64 : 128); }

// The score bias of one query block: 0 where allowed, -1e30 where blocked, [1|Bm*kvHeads, rep*rows, keys].
torch::Tensor blockBias(const torch::Tensor& blocked, std::int64_t i0, std::int64_t rows, std::int64_t keys,
                        std::int64_t kvHeads, std::int64_t rep, const torch::TensorOptions& opts)
{
    // The mask enters as an additive bias fused into the score matmul (baddbmm): no masking
    // pass, and nothing to undo in the backward pass. -1e30 is finite in bf16, so a fully
    // blocked (padding) row stays uniform instead of NaN.
    const auto maskBatch = blocked.size(0);
    const auto rowMask = blocked.narrow(3, i0, rows).narrow(4, 0, keys); // [Bm, 1, 1, rows, keys]
    auto bias = torch::zeros(rowMask.sizes(), opts).masked_fill_(rowMask, -1e30);
    return maskBatch == 1
               ? bias.view({1, 1, rows, keys}).expand({1, rep, rows, keys}).reshape({1, rep * rows, keys})
               : bias.expand({maskBatch, kvHeads, rep, rows, keys}).reshape({maskBatch * kvHeads, rep * rows, keys});
}

// Blocked causal attention on contiguous q [B, kvHeads, rep, T, d], k [B*kvHeads, T, d],
// v [B*kvHeads, T, dv]; returns [B, heads, T, dv]. With `probs`, keeps each block's
// probabilities for the backward pass.
torch::Tensor attentionBlocks(const torch::Tensor& qs, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& blocked, double scale, std::vector<torch::Tensor>* probs)
{
    const auto B = qs.size(0), kvHeads = qs.size(1), rep = qs.size(2), T = qs.size(3), d = qs.size(4);
    const auto dv = v.size(2);
    const auto block = queryBlock(T);
    auto out = torch::empty({B, kvHeads, rep, T, dv}, v.options());
    for (std::int64_t i0 = 0; i0 < T; i0 += block) {
        const auto rows = std::min(block, T - i0), keys = i0 + rows;
        const auto qb = qs.narrow(3, i0, rows).reshape({B * kvHeads, rep * rows, d});
        const auto kb = k.narrow(1, 0, keys);
        const auto vb = v.narrow(1, 0, keys);
        const auto bias = blockBias(blocked, i0, rows, keys, kvHeads, rep, qs.options());
        const auto p = torch::softmax(torch::baddbmm(bias, qb, kb.transpose(1, 2), /*beta=*/1.0, /*alpha=*/scale), -1);
        out.narrow(3, i0, rows).copy_(torch::bmm(p, vb).view({B, kvHeads, rep, rows, dv}));
        if (probs)
            probs->push_back(p);
    }
    return out.view({B, kvHeads * rep, T, dv});
}

// The blocked attention as one autograd node: saves q, k, v once (contiguous) and each block's
// probabilities, and accumulates the key/value gradients of all blocks in place (autograd
// through per-block slices zero-fills a full-size gradient per slice and adds them up).
struct BlockedAttentionFn : public torch::autograd::Function<BlockedAttentionFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& q, const torch::Tensor& k,
                                 const torch::Tensor& v, const torch::Tensor& blocked, double scale)
    {
        const auto B = q.size(0), heads = q.size(1), T = q.size(2), d = q.size(3);
        const auto kvHeads = k.size(1), dv = v.size(3);
        const auto qs = q.contiguous().view({B, kvHeads, heads / kvHeads, T, d});
        const auto kc = k.contiguous().view({B * kvHeads, T, d});
        const auto vc = v.contiguous().view({B * kvHeads, T, dv});
        std::vector<torch::Tensor> probs;
        auto out = attentionBlocks(qs, kc, vc, blocked, scale, &probs);
        variable_list saved{qs, kc, vc, blocked};
        saved.insert(saved.end(), probs.begin(), probs.end());
        ctx->save_for_backward(saved);
        ctx->saved_data["scale"] = scale;
        return out;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& qs = saved[0];
        const auto& kc = saved[1];
        const auto& vc = saved[2];
        const double scale = ctx->saved_data["scale"].toDouble();
        const auto B = qs.size(0), kvHeads = qs.size(1), rep = qs.size(2), T = qs.size(3), d = qs.size(4);
        const auto dv = vc.size(2);
        const auto block = queryBlock(T);
        const auto g = grads[0].to(qs.scalar_type()).view({B, kvHeads, rep, T, dv});
        auto dq = torch::empty(qs.sizes(), qs.options());
        auto dk = torch::zeros(kc.sizes(), kc.options());
        auto dvv = torch::zeros(vc.sizes(), vc.options());
        std::size_t b = 4;
        for (std::int64_t i0 = 0; i0 < T; i0 += block, ++b) {
            const auto rows = std::min(block, T - i0), keys = i0 + rows;
            const auto& p = saved[b];
            const auto qb = qs.narrow(3, i0, rows).reshape({B * kvHeads, rep * rows, d});
            const auto gb = g.narrow(3, i0, rows).reshape({B * kvHeads, rep * rows, dv});
            const auto kb = kc.narrow(1, 0, keys);
            const auto vb = vc.narrow(1, 0, keys);
            dvv.narrow(1, 0, keys).add_(torch::bmm(p.transpose(1, 2), gb));
            auto ds = torch::_softmax_backward_data(torch::bmm(gb, vb.transpose(1, 2)), p, -1, p.scalar_type());
            ds.mul_(scale);
            dq.narrow(3, i0, rows).copy_(torch::bmm(ds, kb).view({B, kvHeads, rep, rows, d}));
            dk.narrow(1, 0, keys).add_(torch::bmm(ds.transpose(1, 2), qb));
        }
        return {dq.view({B, kvHeads * rep, T, d}), dk.view({B, kvHeads, T, d}), dvv.view({B, kvHeads, T, dv}),
                torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor groupedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& blocked, double scale)
{
    const auto B = q.size(0), heads = q.size(1), T = q.size(2), d = q.size(3);
    const auto kvHeads = k.size(1), dv = v.size(3);
    const auto rep = heads / kvHeads;
    // Query heads of one kv group are stacked along the rows, so k and v are never repeated.
    // The scale is the matmul's alpha (applied to the fp32 accumulator). Softmax runs in the compute
    // dtype: LibTorch's CPU kernel accumulates bf16 in fp32 and rounds once, which is what
    // transformers' softmax(dtype=float32).to(bf16) gives, in one pass instead of three.
    // Queries go in blocks that only look at the keys up to their last position (causal), which
    // skips most of the masked upper triangle and bounds the size of one score block.
    if (libraryKernels(q)) {
        // LibTorch's fused attention: flash attention for the plain causal mask (no [T, T]
        // tensor at all), the memory-efficient kernel with an additive mask otherwise. -1e30
        // keeps a fully blocked (padding) query finite and uniform, as the blocked kernel does.
        std::optional<torch::Tensor> mask;
        if (blocked.defined())
            mask = torch::zeros(blocked.squeeze(1).sizes(), q.options()).masked_fill_(blocked.squeeze(1), -1e30);
        const auto out = at::scaled_dot_product_attention(q, k, v, mask, 0.0, /*is_causal=*/!blocked.defined(), scale,
                                                          /*enable_gqa=*/kvHeads != heads);
        return out.transpose(1, 2).reshape({B, T, heads * dv});
    }
    const auto mask = blocked.defined() ? blocked : attentionBias({}, T, 0, torch::kCPU).to(q.device());
    const bool needGrad = torch::GradMode::is_enabled() &&
                          (q.requires_grad() || k.requires_grad() || v.requires_grad());
    torch::Tensor out; // [B, h, T, dv]
    if (needGrad) {
        out = BlockedAttentionFn::apply(q, k, v, mask, scale);
    } else {
        out = attentionBlocks(q.contiguous().view({B, kvHeads, rep, T, d}), k.contiguous().view({B * kvHeads, T, d}),
                              v.contiguous().view({B * kvHeads, T, dv}), mask, scale, nullptr);
    }
    return out.transpose(1, 2).reshape({B, T, heads * dv});
}

double mlaSoftmaxScale(const ModelConfig& cfg)
{
    double scale = 1.0 / std::sqrt(static_cast<double>(cfg.qkHeadDim()));
    if (cfg.rope.type == "yarn" && cfg.rope.mscaleAllDim != 0.0 && cfg.rope.factor > 1.0) {
        const double m = 0.1 * cfg.rope.mscaleAllDim * std::log(cfg.rope.factor) + 1.0;
        scale *= m * m;
    }
    return scale;
}

namespace {

torch::Tensor standardAttention(const ModelConfig& cfg, const AttentionWeights& w, const torch::Tensor& x,
                                const RopeTables& rope, const torch::Tensor& bias)
{
    const auto B = x.size(0), T = x.size(1);
    const auto hd = cfg.headDim;
    torch::Tensor q, k, v;
    if (w.qkv.defined() && (w.qkvBias.defined() || !w.qBias.defined())) {
        // split, not narrow: the backward pass is one concatenation.
        const auto parts = project(x, w.qkv, w.qkvBias).split_with_sizes({w.q.size(0), w.k.size(0), w.v.size(0)}, -1);
        q = parts[0];
        k = parts[1];
        v = parts[2];
    } else {
        q = project(x, w.q, w.qBias);
        k = project(x, w.k, w.kBias);
        v = project(x, w.v, w.vBias);
    }
    if (cfg.qkFullNorm) {
        q = rmsNorm(q, w.qNorm, cfg.rmsNormEps);
        k = rmsNorm(k, w.kNorm, cfg.rmsNormEps);
    }
    if (cfg.clipQkv > 0) {
        q = q.clamp(-cfg.clipQkv, cfg.clipQkv);
        k = k.clamp(-cfg.clipQkv, cfg.clipQkv);
        v = v.clamp(-cfg.clipQkv, cfg.clipQkv);
    }
    q = q.view({B, T, cfg.numHeads, hd});
    k = k.view({B, T, cfg.numKvHeads, hd});
    v = v.view({B, T, cfg.numKvHeads, hd});
    if (cfg.qkHeadNorm) {
        q = rmsNorm(q, w.qNorm, cfg.rmsNormEps);
        k = rmsNorm(k, w.kNorm, cfg.rmsNormEps);
    }
    q = applyRopeTransposed(q, rope);
    k = applyRopeTransposed(k, rope);
    const auto out = groupedAttention(q, k, v.transpose(1, 2), bias, 1.0 / std::sqrt(static_cast<double>(hd)));
    return project(out, w.o, w.oBias);
}

torch::Tensor latentAttention(const ModelConfig& cfg, const AttentionWeights& w, const torch::Tensor& x,
                              const RopeTables& rope, const torch::Tensor& bias)
{
    const auto B = x.size(0), T = x.size(1), h = cfg.numHeads;
    const auto nope = cfg.qkNopeHeadDim, rd = cfg.qkRopeHeadDim, vd = cfg.vHeadDim;
    torch::Tensor q = cfg.qLoraRank > 0 ? project(rmsNorm(project(x, w.qA, w.qABias), w.qANorm, 1e-6), w.qB)
                                        : project(x, w.q);
    q = q.view({B, T, h, nope + rd}).transpose(1, 2);
    const auto qPass = q.narrow(-1, 0, nope);
    auto qRot = q.narrow(-1, nope, rd);

    const auto compressed = project(x, w.kvA, w.kvABias);
    const auto kPassLatent = compressed.narrow(-1, 0, cfg.kvLoraRank);
    auto kRot = compressed.narrow(-1, cfg.kvLoraRank, rd).reshape({B, 1, T, rd});
    const auto kv = project(rmsNorm(kPassLatent, w.kvANorm, 1e-6), w.kvB).view({B, T, h, nope + vd}).transpose(1, 2);
    const auto kPass = kv.narrow(-1, 0, nope);
    const auto value = kv.narrow(-1, nope, vd);

    qRot = applyRope(qRot, rope, cfg.ropeInterleave);
    kRot = applyRope(kRot, rope, cfg.ropeInterleave).expand({B, h, T, rd});
    const auto query = torch::cat({qPass, qRot}, -1);
    const auto key = torch::cat({kPass, kRot}, -1);
    const auto out = groupedAttention(query, key, value, bias, mlaSoftmaxScale(cfg));
    return project(out, w.o, w.oBias);
}

} // namespace

torch::Tensor selfAttention(const ModelConfig& cfg, const AttentionWeights& w, const torch::Tensor& x,
                            const RopeTables& rope, const torch::Tensor& bias)
{
    return cfg.mla ? latentAttention(cfg, w, x, rope, bias) : standardAttention(cfg, w, x, rope, bias);
}

} // namespace teft
