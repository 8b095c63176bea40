// Each decoder block against a straightforward computation written here with loops over plain
// numbers (double precision): RMSNorm, RoPE (half, interleaved, YaRN), attention (GQA, causal,
// padding, sliding window, MLA scale), routers of every family, the expert MLP, the MoE layer,
// the load-balancing loss and the chunked cross-entropy.
#include "core/model/Blocks.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/LmLoss.h"
#include "core/model/MoeLayer.h"
#include "core/model/Router.h"
#include "core/util/Runtime.h"

#include <QtTest>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

using namespace teft;

namespace {

using Vec = std::vector<double>;

std::vector<double> values(const torch::Tensor& t)
{
    const auto c = t.detach().to(torch::kDouble).contiguous();
    return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void expectClose(const torch::Tensor& got, const std::vector<double>& want, double tol, const char* what)
{
    const auto g = values(got);
    QVERIFY2(g.size() == want.size(), what);
    double worst = 0;
    for (std::size_t i = 0; i < g.size(); ++i)
        worst = std::max(worst, std::abs(g[i] - want[i]) / (1.0 + std::abs(want[i])));
    QVERIFY2(worst <= tol, (std::string(what) + ": max relative error " + std::to_string(worst)).c_str());
}

ModelConfig tinyConfig(const std::string& arch)
{
    GenerateOptions o;
    o.arch = arch;
    return ModelConfig::fromJson(generatedConfigJson(o));
}

torch::Tensor randn(std::vector<std::int64_t> shape, double scale = 1.0)
{
    return torch::randn(shape, torch::kFloat) * scale;
}

// Expert j's MLP on one row, straight loops.
Vec mlpRow(const Vec& x, const torch::Tensor& gate, const torch::Tensor& up, const torch::Tensor& down)
{
    const auto I = gate.size(0), H = gate.size(1);
    const auto g = values(gate), u = values(up), d = values(down);
    Vec act(static_cast<std::size_t>(I));
    for (std::int64_t i = 0; i < I; ++i) {
        double a = 0, b = 0;
        for (std::int64_t h = 0; h < H; ++h) {
            a += g[i * H + h] * x[h];
            b += u[i * H + h] * x[h];
        }
        act[i] = a / (1.0 + std::exp(-a)) * b;
    }
    Vec y(static_cast<std::size_t>(H), 0.0);
    for (std::int64_t h = 0; h < H; ++h)
        for (std::int64_t i = 0; i < I; ++i)
            y[h] += d[h * I + i] * act[i];
    return y;
}

GatedMlpWeights expert(std::int64_t H, std::int64_t I, bool fused)
{
    GatedMlpWeights w;
    w.gate = randn({I, H}, 0.3);
    w.up = randn({I, H}, 0.3);
    w.down = randn({H, I}, 0.3);
    if (fused) {
        w.gateUp = torch::cat({w.gate, w.up}, 0);
        w.gate = w.gateUp.narrow(0, 0, I);
        w.up = w.gateUp.narrow(0, I, I);
    }
    return w;
}

// Reference routing of one token (logits row) for each family.
struct Choice {
    std::vector<int> ids;
    Vec weights;
};

std::vector<int> topIndices(const Vec& s, int k)
{
    std::vector<int> idx(s.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return s[a] > s[b]; });
    idx.resize(static_cast<std::size_t>(k));
    return idx;
}

Choice referenceRoute(const ModelConfig& c, const Vec& logits, const Vec& bias, const std::vector<bool>& allowed)
{
    const int E = static_cast<int>(c.numExperts), k = static_cast<int>(c.topK);
    Choice ch;
    if (c.routing != RoutingKind::DeepseekSigmoid) {
        Vec p(E);
        double mx = -1e300, sum = 0;
        for (int e = 0; e < E; ++e)
            if (allowed.empty() || allowed[e])
                mx = std::max(mx, logits[e]);
        for (int e = 0; e < E; ++e) {
            p[e] = (allowed.empty() || allowed[e]) ? std::exp(logits[e] - mx) : 0.0;
            sum += p[e];
        }
        for (auto& v : p)
            v /= sum;
        Vec choice = p;
        if (c.routing == RoutingKind::DeepseekSoftmax && c.groupLimited) {
            const int per = E / static_cast<int>(c.nGroup);
            Vec groupMax(static_cast<std::size_t>(c.nGroup), 0.0);
            for (int g = 0; g < c.nGroup; ++g)
                groupMax[g] = *std::max_element(p.begin() + g * per, p.begin() + (g + 1) * per);
            const auto keep = topIndices(groupMax, static_cast<int>(c.topkGroup));
            for (int e = 0; e < E; ++e)
                if (std::find(keep.begin(), keep.end(), e / per) == keep.end())
                    choice[e] = 0.0;
        }
        ch.ids = topIndices(choice, k);
        double s = 0;
        for (int id : ch.ids)
            s += p[id];
        for (int id : ch.ids) {
            double w = p[id];
            if (c.routing == RoutingKind::SoftmaxTopK && c.normTopkProb)
                w /= s;
            if (c.routing == RoutingKind::DeepseekSoftmax)
                w *= c.routedScalingFactor;
            ch.weights.push_back(w);
        }
        return ch;
    }
    Vec score(E), choice(E);
    for (int e = 0; e < E; ++e) {
        score[e] = 1.0 / (1.0 + std::exp(-logits[e]));
        choice[e] = score[e] + bias[e];
    }
    const int per = E / static_cast<int>(c.nGroup);
    Vec groupScore(static_cast<std::size_t>(c.nGroup));
    for (int g = 0; g < c.nGroup; ++g) {
        Vec members(choice.begin() + g * per, choice.begin() + (g + 1) * per);
        std::sort(members.rbegin(), members.rend());
        groupScore[g] = members[0] + members[1];
    }
    const auto keep = topIndices(groupScore, static_cast<int>(c.topkGroup));
    for (int e = 0; e < E; ++e)
        if (std::find(keep.begin(), keep.end(), e / per) == keep.end())
            choice[e] = -std::numeric_limits<double>::infinity(); // as transformers (not 0.0)
    ch.ids = topIndices(choice, k);
    double s = 0;
    for (int id : ch.ids)
        s += score[id];
    for (int id : ch.ids)
        ch.weights.push_back((c.normTopkProb ? score[id] / (s + 1e-20) : score[id]) * c.routedScalingFactor);
    return ch;
}

} // namespace

class TestModelBlocks : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        configureThreads(0);
        torch::manual_seed(7);
    }

    void rmsNormMatchesLoop()
    {
        const auto x = randn({3, 5, 16});
        const auto w = randn({16});
        const double eps = 1e-5;
        const auto xv = values(x), wv = values(w);
        Vec want(xv.size());
        for (std::size_t r = 0; r < xv.size() / 16; ++r) {
            double ms = 0;
            for (int i = 0; i < 16; ++i)
                ms += xv[r * 16 + i] * xv[r * 16 + i];
            ms /= 16;
            for (int i = 0; i < 16; ++i)
                want[r * 16 + i] = wv[i] * xv[r * 16 + i] / std::sqrt(ms + eps);
        }
        expectClose(rmsNorm(x, w, eps), want, 1e-5, "rmsnorm");

        // Its hand-written backward against autograd through the plain formula (double).
        const auto xa = x.to(torch::kDouble).requires_grad_(true), wa = w.to(torch::kDouble).requires_grad_(true);
        const auto xb = x.clone().requires_grad_(true), wb = w.clone().requires_grad_(true);
        const auto g = randn({3, 5, 16});
        (wa * xa * torch::rsqrt(xa.pow(2).mean(-1, true) + eps)).backward(g.to(torch::kDouble));
        rmsNorm(xb, wb, eps).backward(g);
        expectClose(xb.grad(), values(xa.grad()), 1e-5, "rmsnorm grad x");
        expectClose(wb.grad(), values(wa.grad()), 1e-5, "rmsnorm grad w");
        // A frozen weight (the engine's case): the fused kernel's input gradient.
        const auto xc = x.clone().requires_grad_(true);
        rmsNorm(xc, w, eps).backward(g);
        expectClose(xc.grad(), values(xa.grad()), 1e-5, "rmsnorm grad x, frozen weight");
        // bf16: the composite w * (x_f32 * rstd).to(bf16) rounded as LibTorch rounds it.
        const auto xh = x.to(torch::kBFloat16), wh = w.to(torch::kBFloat16);
        const auto xf = xh.to(torch::kFloat);
        const auto ref = wh * (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps)).to(torch::kBFloat16);
        const auto got = rmsNorm(xh, wh, eps);
        QCOMPARE(got.scalar_type(), torch::kBFloat16);
        const auto ulps = (got.to(torch::kFloat) - ref.to(torch::kFloat)).abs() /
                          (ref.to(torch::kFloat).abs() * 0.0079 + 1e-6);
        QVERIFY2(ulps.max().item<double>() <= 1.01, "bf16 rmsnorm within one bf16 rounding of the composite");
    }

    void ropeHalfAndInterleaved()
    {
        auto cfg = tinyConfig("qwen3_moe");
        cfg.rope.theta = 1000.0;
        const std::int64_t T = 6, d = cfg.headDim;
        const auto x = randn({2, 3, T, d});
        const auto tables = ropeTables(cfg, T, torch::kCPU);
        const auto xv = values(x);
        Vec half(xv.size()), inter(xv.size());
        for (std::int64_t r = 0; r < 2 * 3; ++r)
            for (std::int64_t t = 0; t < T; ++t)
                for (std::int64_t i = 0; i < d / 2; ++i) {
                    const double angle = static_cast<double>(t) * std::pow(1000.0, -2.0 * i / d);
                    const double c = std::cos(angle), s = std::sin(angle);
                    const auto base = (r * T + t) * d;
                    // half layout: pairs (i, i + d/2)
                    half[base + i] = xv[base + i] * c - xv[base + i + d / 2] * s;
                    half[base + i + d / 2] = xv[base + i + d / 2] * c + xv[base + i] * s;
                    // interleaved: pairs (2i, 2i + 1), written back as halves
                    inter[base + i] = xv[base + 2 * i] * c - xv[base + 2 * i + 1] * s;
                    inter[base + i + d / 2] = xv[base + 2 * i + 1] * c + xv[base + 2 * i] * s;
                }
        expectClose(applyRope(x, tables, false), half, 1e-5, "rope half");
        expectClose(applyRope(x, tables, true), inter, 1e-5, "rope interleaved");
    }

    // The fused rotation + transpose against applyRope on the transposed view, values and input
    // gradient (fp32), and within bf16 rounding in bf16.
    void ropeTransposedMatchesApplyRope()
    {
        const auto c = tinyConfig("qwen3_moe");
        const std::int64_t B = 2, T = 7, h = 3, d = c.headDim;
        const auto rope = ropeTables(c, T, torch::kCPU);
        const auto x = randn({B, T, h, d});
        const auto xa = x.clone().requires_grad_(true), xb = x.clone().requires_grad_(true);
        const auto want = applyRope(xa.transpose(1, 2), rope, false);
        const auto got = applyRopeTransposed(xb, rope);
        QVERIFY(got.is_contiguous());
        QCOMPARE(got.sizes(), want.sizes());
        expectClose(got, values(want), 1e-6, "rope transposed");
        const auto g = randn({B, h, T, d});
        want.backward(g);
        got.backward(g);
        expectClose(xb.grad(), values(xa.grad()), 1e-6, "rope transposed grad");
        const auto xh = x.to(torch::kBFloat16);
        // One rounding of the result against the composite's three: a few bf16 ulps of |x| at most.
        const auto ref = applyRope(xh.transpose(1, 2), rope, false).to(torch::kFloat);
        const auto diff = (applyRopeTransposed(xh, rope).to(torch::kFloat) - ref).abs();
        const auto scale = xh.to(torch::kFloat).abs().max().item<double>();
        QVERIFY2(diff.max().item<double>() <= 3 * scale / 256, "bf16 rope");
    }

    void yarnFrequencies()
    {
        auto cfg = tinyConfig("deepseek_v3"); // yarn: factor 4, original 4096, max 16384, mscale 0.707 both
        const auto [inv, scale] = ropeInverseFrequencies(cfg);
        const double d = static_cast<double>(cfg.qkRopeHeadDim), base = cfg.rope.theta, factor = 16384.0 / 4096.0;
        auto corr = [&](double rot) { return d * std::log(4096.0 / (rot * 2 * M_PI)) / (2 * std::log(base)); };
        const double low = std::max(std::floor(corr(32.0)), 0.0);
        double high = std::min(std::ceil(corr(1.0)), d - 1);
        if (low == high)
            high += 0.001;
        Vec want;
        for (int i = 0; i < d / 2; ++i) {
            const double freq = std::pow(base, 2.0 * i / d);
            const double ramp = std::clamp((i - low) / (high - low), 0.0, 1.0);
            const double extrapolation = 1.0 - ramp;
            want.push_back((1.0 / (factor * freq)) * (1 - extrapolation) + (1.0 / freq) * extrapolation);
        }
        expectClose(inv, want, 1e-6, "yarn inv_freq");
        QVERIFY(std::abs(scale - 1.0) < 1e-12); // mscale == mscale_all_dim
        const double m = 0.1 * 0.707 * std::log(4.0) + 1.0;
        QVERIFY(std::abs(mlaSoftmaxScale(cfg) - m * m / std::sqrt(double(cfg.qkHeadDim()))) < 1e-12);
    }

    void attentionMatchesLoops()
    {
        const std::int64_t B = 2, h = 4, hkv = 2, T = 5, d = 8, dv = 6;
        const auto q = randn({B, h, T, d}), k = randn({B, hkv, T, d}), v = randn({B, hkv, T, dv});
        auto mask = torch::ones({B, T}, torch::kLong);
        mask[1][4] = 0; // right padding in the second row
        mask[1][3] = 0;
        for (std::int64_t window : {0, 2}) {
            const auto bias = attentionBias(mask, T, window, torch::kCPU);
            const double scale = 0.3;
            const auto out = groupedAttention(q, k, v, bias, scale);
            QCOMPARE(out.sizes(), (at::IntArrayRef{B, T, h * dv}));
            const auto qv = values(q), kv = values(k), vv = values(v), mv = values(mask);
            Vec want(static_cast<std::size_t>(B * T * h * dv));
            for (std::int64_t b = 0; b < B; ++b)
                for (std::int64_t hh = 0; hh < h; ++hh) {
                    const auto g = hh / (h / hkv);
                    for (std::int64_t i = 0; i < T; ++i) {
                        Vec s(static_cast<std::size_t>(T));
                        std::vector<bool> ok(static_cast<std::size_t>(T));
                        bool any = false;
                        for (std::int64_t j = 0; j < T; ++j) {
                            ok[j] = j <= i && mv[b * T + j] != 0 && (window == 0 || i - j < window);
                            any = any || ok[j];
                            double dot = 0;
                            for (std::int64_t e = 0; e < d; ++e)
                                dot += qv[((b * h + hh) * T + i) * d + e] * kv[((b * hkv + g) * T + j) * d + e];
                            s[j] = dot * scale;
                        }
                        // A query whose keys are all masked (padding) attends uniformly.
                        double mx = -1e300, sum = 0;
                        for (std::int64_t j = 0; j < T; ++j)
                            if (ok[j] || !any)
                                mx = std::max(mx, s[j]);
                        Vec p(static_cast<std::size_t>(T), 0.0);
                        for (std::int64_t j = 0; j < T; ++j)
                            if (ok[j] || !any) {
                                p[j] = any ? std::exp(s[j] - mx) : 1.0;
                                sum += p[j];
                            }
                        for (std::int64_t e = 0; e < dv; ++e) {
                            double acc = 0;
                            for (std::int64_t j = 0; j < T; ++j)
                                acc += p[j] / sum * vv[((b * hkv + g) * T + j) * dv + e];
                            want[((b * T + i) * h + hh) * dv + e] = acc;
                        }
                    }
                }
            // Padding queries (row 1, positions 3-4) still see earlier real keys: compare all.
            expectClose(out, want, 1e-5, window ? "attention (window)" : "attention");
        }
    }

    // Long sequences go through query blocks; the result must equal one full masked softmax.
    void blockedAttentionEqualsFull()
    {
        const std::int64_t B = 2, h = 4, hkv = 1, T = 150, d = 8;
        const auto q = randn({B, h, T, d}), k = randn({B, hkv, T, d}), v = randn({B, hkv, T, d});
        for (const bool pad : {false, true})
            for (const std::int64_t window : {0, 40}) {
                torch::Tensor mask;
                if (pad) {
                    mask = torch::ones({B, T}, torch::kLong);
                    mask[1].narrow(0, 120, 30).fill_(0);
                }
                const auto got = groupedAttention(q, k, v, attentionBias(mask, T, window, torch::kCPU), 0.25);
                // Plain full computation in double.
                const auto i = torch::arange(T).view({T, 1}), j = torch::arange(T).view({1, T});
                auto allowed = j.le(i);
                if (window)
                    allowed = allowed.logical_and((i - j).lt(window));
                auto allowedB = allowed.unsqueeze(0).expand({B, T, T});
                if (pad)
                    allowedB = allowedB.logical_and(mask.to(torch::kBool).unsqueeze(1));
                const auto kk = k.to(torch::kDouble).expand({B, h, T, d}),
                           vv = v.to(torch::kDouble).expand({B, h, T, d});
                auto s = torch::matmul(q.to(torch::kDouble), kk.transpose(-1, -2)) * 0.25;
                s = s.masked_fill(allowedB.unsqueeze(1).logical_not(), -INFINITY);
                const auto want = torch::matmul(torch::softmax(s, -1), vv).transpose(1, 2).reshape({B, T, h * d});
                expectClose(got, values(want), 1e-5, pad ? "blocked attention (padding)" : "blocked attention");
            }
    }

    // The blocked attention's hand-written backward (several query blocks, grouped kv heads,
    // padding) against autograd through full masked attention in double.
    void blockedAttentionGradient()
    {
        const std::int64_t B = 2, h = 4, kvh = 2, T = 150, d = 8;
        const auto q = randn({B, h, T, d}), k = randn({B, kvh, T, d}), v = randn({B, kvh, T, d});
        auto mask = torch::ones({B, T}, torch::kLong);
        mask[1].narrow(0, 120, 30).fill_(0);
        const auto blocked = attentionBias(mask, T, 0, torch::kCPU);
        const auto qa = q.clone().requires_grad_(true), ka = k.clone().requires_grad_(true),
                   va = v.clone().requires_grad_(true);
        const auto g = randn({B, T, h * d});
        groupedAttention(qa, ka, va, blocked, 0.3).backward(g);
        const auto qd = q.to(torch::kDouble).requires_grad_(true), kd = k.to(torch::kDouble).requires_grad_(true),
                   vd = v.to(torch::kDouble).requires_grad_(true);
        const auto kk = kd.repeat_interleave(h / kvh, 1), vv = vd.repeat_interleave(h / kvh, 1);
        auto scores = torch::matmul(qd, kk.transpose(-1, -2)) * 0.3;
        scores = scores.masked_fill(blocked.squeeze(1), -1e30); // [B, 1, T, T] over heads
        const auto want = torch::matmul(torch::softmax(scores, -1), vv).transpose(1, 2).reshape({B, T, h * d});
        want.backward(g.to(torch::kDouble));
        expectClose(qa.grad(), values(qd.grad()), 1e-5, "attention grad q");
        expectClose(ka.grad(), values(kd.grad()), 1e-5, "attention grad k");
        expectClose(va.grad(), values(vd.grad()), 1e-5, "attention grad v");
    }

    // Full standard attention layer of every family without latent attention (qwen3 per-head
    // norms, olmoe full norms, qwen2 biases) against projections + loops built from the same
    // pieces checked above.
    void selfAttentionLayer()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto c = tinyConfig(arch);
            if (c.mla)
                continue;
            const auto H = c.hiddenSize, hd = c.headDim, nq = c.numHeads * hd, nkv = c.numKvHeads * hd;
            AttentionWeights w;
            w.q = randn({nq, H}, 0.2);
            w.k = randn({nkv, H}, 0.2);
            w.v = randn({nkv, H}, 0.2);
            w.o = randn({H, nq}, 0.2);
            if (c.attentionBias) {
                w.qBias = randn({nq}, 0.1);
                w.kBias = randn({nkv}, 0.1);
                w.vBias = randn({nkv}, 0.1);
            }
            if (c.qkHeadNorm) {
                w.qNorm = randn({hd}, 0.1) + 1;
                w.kNorm = randn({hd}, 0.1) + 1;
            }
            if (c.qkFullNorm) {
                w.qNorm = randn({nq}, 0.1) + 1;
                w.kNorm = randn({nkv}, 0.1) + 1;
            }
            const std::int64_t B = 2, T = 4;
            const auto x = randn({B, T, H});
            const auto rope = ropeTables(c, T, torch::kCPU);
            const auto got = selfAttention(c, w, x, rope, attentionBias({}, T, 0, torch::kCPU));
            {
                // The fused q/k/v projection (frozen models) gives the same layer, and the same
                // input gradient.
                AttentionWeights f = w;
                f.qkv = torch::cat({w.q, w.k, w.v}, 0);
                if (w.qBias.defined())
                    f.qkvBias = torch::cat({w.qBias, w.kBias, w.vBias}, 0);
                const auto xa = x.clone().requires_grad_(true), xb = x.clone().requires_grad_(true);
                const auto ya = selfAttention(c, w, xa, rope, attentionBias({}, T, 0, torch::kCPU));
                const auto yb = selfAttention(c, f, xb, rope, attentionBias({}, T, 0, torch::kCPU));
                expectClose(yb, values(ya), 1e-5, "fused qkv");
                const auto g = randn({B, T, H});
                ya.backward(g);
                yb.backward(g);
                expectClose(xb.grad(), values(xa.grad()), 1e-5, "fused qkv grad");
            }
            // Reference: per token projections with loops, norms by formula, rotation by angle.
            const auto xv = values(x);
            auto proj = [&](const torch::Tensor& W, const torch::Tensor& b, std::int64_t bt) {
                const auto wv = values(W);
                const auto out = W.size(0);
                Vec r(static_cast<std::size_t>(out));
                const auto bv = b.defined() ? values(b) : Vec(static_cast<std::size_t>(out), 0.0);
                for (std::int64_t o = 0; o < out; ++o) {
                    double acc = bv[o];
                    for (std::int64_t i = 0; i < H; ++i)
                        acc += wv[o * H + i] * xv[bt * H + i];
                    r[o] = acc;
                }
                return r;
            };
            auto norm = [&](Vec& vec, std::size_t off, std::size_t n, const torch::Tensor& wt) {
                const auto wv = values(wt);
                double ms = 0;
                for (std::size_t i = 0; i < n; ++i)
                    ms += vec[off + i] * vec[off + i];
                ms /= static_cast<double>(n);
                for (std::size_t i = 0; i < n; ++i)
                    vec[off + i] = wv[i] * vec[off + i] / std::sqrt(ms + c.rmsNormEps);
            };
            std::vector<Vec> Q, K, V;
            for (std::int64_t bt = 0; bt < B * T; ++bt) {
                Vec qq = proj(w.q, w.qBias, bt), kk = proj(w.k, w.kBias, bt), vv2 = proj(w.v, w.vBias, bt);
                if (c.qkFullNorm) {
                    norm(qq, 0, static_cast<std::size_t>(nq), w.qNorm);
                    norm(kk, 0, static_cast<std::size_t>(nkv), w.kNorm);
                }
                if (c.qkHeadNorm) {
                    for (std::int64_t hh = 0; hh < c.numHeads; ++hh)
                        norm(qq, static_cast<std::size_t>(hh * hd), static_cast<std::size_t>(hd), w.qNorm);
                    for (std::int64_t hh = 0; hh < c.numKvHeads; ++hh)
                        norm(kk, static_cast<std::size_t>(hh * hd), static_cast<std::size_t>(hd), w.kNorm);
                }
                const auto t = bt % T;
                auto rot = [&](Vec& vec, std::int64_t heads) {
                    for (std::int64_t hh = 0; hh < heads; ++hh)
                        for (std::int64_t i = 0; i < hd / 2; ++i) {
                            const double a = t * std::pow(c.rope.theta, -2.0 * i / hd);
                            const auto p0 = hh * hd + i, p1 = p0 + hd / 2;
                            const double x0 = vec[p0], x1 = vec[p1];
                            vec[p0] = x0 * std::cos(a) - x1 * std::sin(a);
                            vec[p1] = x1 * std::cos(a) + x0 * std::sin(a);
                        }
                };
                rot(qq, c.numHeads);
                rot(kk, c.numKvHeads);
                Q.push_back(qq);
                K.push_back(kk);
                V.push_back(vv2);
            }
            const auto ov = values(w.o);
            Vec want(static_cast<std::size_t>(B * T * H), 0.0);
            const auto rep = c.numHeads / c.numKvHeads;
            for (std::int64_t b = 0; b < B; ++b)
                for (std::int64_t i = 0; i < T; ++i) {
                    Vec att(static_cast<std::size_t>(nq), 0.0);
                    for (std::int64_t hh = 0; hh < c.numHeads; ++hh) {
                        const auto g = hh / rep;
                        Vec s;
                        for (std::int64_t j = 0; j <= i; ++j) {
                            double dot = 0;
                            for (std::int64_t e = 0; e < hd; ++e)
                                dot += Q[b * T + i][hh * hd + e] * K[b * T + j][g * hd + e];
                            s.push_back(dot / std::sqrt(double(hd)));
                        }
                        const double mx = *std::max_element(s.begin(), s.end());
                        double sum = 0;
                        for (auto& z : s)
                            sum += (z = std::exp(z - mx));
                        for (std::int64_t j = 0; j <= i; ++j)
                            for (std::int64_t e = 0; e < hd; ++e)
                                att[hh * hd + e] += s[j] / sum * V[b * T + j][g * hd + e];
                    }
                    for (std::int64_t o = 0; o < H; ++o)
                        for (std::int64_t e = 0; e < nq; ++e)
                            want[(b * T + i) * H + o] += ov[o * nq + e] * att[e];
                }
            expectClose(got, want, 2e-5, arch.c_str());
        }
    }

    // DeepSeek multi-head latent attention (with and without q_lora_rank, YaRN, interleaved
    // rotary pairs) against a per-token computation in double: pairs (2i, 2i+1) rotated in place,
    // scores as q_nope.k_nope + q_rope.k_rope scaled by qk_head_dim^-1/2 * mscale^2.
    void latentAttentionLayer()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto c = tinyConfig(arch);
            if (!c.mla)
                continue;
            const auto H = c.hiddenSize, h = c.numHeads, nope = c.qkNopeHeadDim, rd = c.qkRopeHeadDim, vd = c.vHeadDim;
            const auto qk = nope + rd;
            AttentionWeights w;
            if (c.qLoraRank > 0) {
                w.qA = randn({c.qLoraRank, H}, 0.2);
                w.qANorm = randn({c.qLoraRank}, 0.1) + 1;
                w.qB = randn({h * qk, c.qLoraRank}, 0.2);
            } else {
                w.q = randn({h * qk, H}, 0.2);
            }
            w.kvA = randn({c.kvLoraRank + rd, H}, 0.2);
            w.kvANorm = randn({c.kvLoraRank}, 0.1) + 1;
            w.kvB = randn({h * (nope + vd), c.kvLoraRank}, 0.2);
            w.o = randn({H, h * vd}, 0.2);
            const std::int64_t B = 2, T = 5;
            const auto x = randn({B, T, H});
            const auto got = selfAttention(c, w, x, ropeTables(c, T, torch::kCPU),
                                           attentionBias({}, T, 0, torch::kCPU));

            const auto D = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
            auto rms = [&](const torch::Tensor& v, const torch::Tensor& wt) {
                return D(wt) * v / torch::sqrt(v.pow(2).mean(-1, true) + 1e-6);
            };
            const auto xd = D(x).reshape({B * T, H});
            const auto q = (c.qLoraRank > 0 ? torch::matmul(rms(torch::matmul(xd, D(w.qA).t()), w.qANorm), D(w.qB).t())
                                            : torch::matmul(xd, D(w.q).t()))
                               .view({B, T, h, qk});
            const auto ckv = torch::matmul(xd, D(w.kvA).t());
            const auto kv =
                torch::matmul(rms(ckv.narrow(1, 0, c.kvLoraRank), w.kvANorm), D(w.kvB).t()).view({B, T, h, nope + vd});
            const auto kRot = ckv.narrow(1, c.kvLoraRank, rd).reshape({B, T, rd});
            const auto [inv, factor] = ropeInverseFrequencies(c);
            const auto invd = values(inv);
            // Rotates adjacent pairs of v [rd] at position t.
            auto rotate = [&](Vec v, std::int64_t t) {
                for (std::int64_t i = 0; i < rd / 2; ++i) {
                    const double a = static_cast<double>(t) * invd[i];
                    const double x0 = v[2 * i], x1 = v[2 * i + 1];
                    v[2 * i] = factor * (x0 * std::cos(a) - x1 * std::sin(a));
                    v[2 * i + 1] = factor * (x1 * std::cos(a) + x0 * std::sin(a));
                }
                return v;
            };
            double m = 1.0;
            if (c.rope.mscaleAllDim != 0.0)
                m = 0.1 * c.rope.mscaleAllDim * std::log(c.rope.factor) + 1.0;
            const double scale = m * m / std::sqrt(static_cast<double>(qk));
            Vec want(static_cast<std::size_t>(B * T * H), 0.0);
            const auto ov = values(w.o);
            for (std::int64_t b = 0; b < B; ++b)
                for (std::int64_t i = 0; i < T; ++i) {
                    Vec att(static_cast<std::size_t>(h * vd), 0.0);
                    for (std::int64_t hh = 0; hh < h; ++hh) {
                        const auto qi = values(q[b][i][hh]);
                        const auto qr = rotate(Vec(qi.begin() + nope, qi.end()), i);
                        Vec s;
                        for (std::int64_t j = 0; j <= i; ++j) {
                            const auto kj = values(kv[b][j][hh]);
                            const auto kr = rotate(values(kRot[b][j]), j);
                            double dot = 0;
                            for (std::int64_t e = 0; e < nope; ++e)
                                dot += qi[e] * kj[e];
                            for (std::int64_t e = 0; e < rd; ++e)
                                dot += qr[e] * kr[e];
                            s.push_back(dot * scale);
                        }
                        const double mx = *std::max_element(s.begin(), s.end());
                        double sum = 0;
                        for (auto& z : s)
                            sum += (z = std::exp(z - mx));
                        for (std::int64_t j = 0; j <= i; ++j) {
                            const auto vj = values(kv[b][j][hh]);
                            for (std::int64_t e = 0; e < vd; ++e)
                                att[hh * vd + e] += s[j] / sum * vj[nope + e];
                        }
                    }
                    for (std::int64_t o = 0; o < H; ++o)
                        for (std::int64_t e = 0; e < h * vd; ++e)
                            want[(b * T + i) * H + o] += ov[o * h * vd + e] * att[e];
                }
            expectClose(got, want, 2e-5, arch.c_str());
        }
    }

    void routersMatchReference()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            auto c = tinyConfig(arch);
            const std::int64_t N = 40;
            const auto logits = randn({N, c.numExperts}, 2.0);
            torch::Tensor bias;
            if (c.routing == RoutingKind::DeepseekSigmoid)
                bias = randn({c.numExperts}, 0.1);
            for (bool masked : {false, true}) {
                torch::Tensor allowed;
                std::vector<bool> allow;
                if (masked) {
                    allowed = torch::zeros({c.numExperts}, torch::kBool);
                    for (int e : {1, 2, 5, 6})
                        allowed[e] = true;
                    allow.assign(static_cast<std::size_t>(c.numExperts), false);
                    for (int e : {1, 2, 5, 6})
                        allow[e] = true;
                    if (c.routing == RoutingKind::DeepseekSigmoid)
                        continue; // checked below: masked choices stay inside the selection
                }
                const auto r = routeTokens(c, logits, bias, allowed);
                const auto lv = values(logits);
                const auto bv = bias.defined() ? values(bias) : Vec();
                for (std::int64_t n = 0; n < N; ++n) {
                    const Vec row(lv.begin() + n * c.numExperts, lv.begin() + (n + 1) * c.numExperts);
                    const auto want = referenceRoute(c, row, bv, allow);
                    auto gotIds = values(r.ids[n]);
                    auto gotW = values(r.weights[n]);
                    // Same set of experts with the same weights (order within top-k is free).
                    std::vector<std::pair<int, double>> a, b;
                    for (int j = 0; j < c.topK; ++j) {
                        a.emplace_back(static_cast<int>(gotIds[j]), gotW[j]);
                        b.emplace_back(want.ids[j], want.weights[j]);
                    }
                    std::sort(a.begin(), a.end());
                    std::sort(b.begin(), b.end());
                    for (int j = 0; j < c.topK; ++j) {
                        QVERIFY2(a[j].first == b[j].first, (arch + " ids differ").c_str());
                        QVERIFY2(std::abs(a[j].second - b[j].second) < 1e-5, (arch + " weights differ").c_str());
                    }
                }
            }
        }
        // deepseek_v3 masked: every choice with non-zero weight is an allowed expert.
        auto c = tinyConfig("deepseek_v3");
        auto allowed = torch::zeros({c.numExperts}, torch::kBool);
        allowed[0] = true;
        allowed[5] = true;
        allowed[6] = true;
        const auto r = routeTokens(c, randn({30, c.numExperts}, 2.0), randn({c.numExperts}, 0.3), allowed);
        const auto picked = allowed.index_select(0, r.ids.reshape(-1)).view_as(r.ids);
        QVERIFY(r.weights.masked_select(picked.logical_not()).abs().sum().item<double>() == 0.0);
        QVERIFY(r.weights.masked_select(picked).gt(0).all().item<bool>());
    }

    void expertMlpMatchesLoop()
    {
        for (bool fused : {false, true}) {
            const auto w = expert(12, 7, fused);
            const auto x = randn({3, 12});
            Vec want;
            for (int n = 0; n < 3; ++n) {
                const auto y = mlpRow(values(x[n]), w.gate, w.up, w.down);
                want.insert(want.end(), y.begin(), y.end());
            }
            expectClose(gatedMlp(x, w), want, 1e-5, fused ? "fused mlp" : "mlp");
        }
        // swiglu's hand-written backward against autograd through silu(g) * u in double.
        const auto g = randn({6, 9}, 2.0), u = randn({6, 9}), grad = randn({6, 9});
        const auto ga = g.to(torch::kDouble).requires_grad_(true), ua = u.to(torch::kDouble).requires_grad_(true);
        (torch::silu(ga) * ua).backward(grad.to(torch::kDouble));
        const auto gb = g.clone().requires_grad_(true), ub = u.clone().requires_grad_(true);
        swiglu(gb, ub).backward(grad);
        expectClose(gb.grad(), values(ga.grad()), 1e-5, "swiglu grad gate");
        expectClose(ub.grad(), values(ua.grad()), 1e-5, "swiglu grad up");
        // Strided halves of one [N, 2I] block (the fused layout), through the same kernels.
        const auto gu = randn({6, 18}, 2.0).requires_grad_(true);
        const auto gud = gu.detach().to(torch::kDouble).requires_grad_(true);
        swiglu(gu.narrow(1, 0, 9), gu.narrow(1, 9, 9)).backward(grad);
        (torch::silu(gud.narrow(1, 0, 9)) * gud.narrow(1, 9, 9)).backward(grad.to(torch::kDouble));
        expectClose(gu.grad(), values(gud.grad()), 1e-5, "swiglu grad of strided halves");
    }

    // A frozen fused expert is one autograd node: its input gradient against autograd through
    // the plain composite in double, in fp32 and (within bf16 rounding) in bf16.
    void frozenMlpInputGradient()
    {
        const auto w = expert(16, 24, true);
        const auto x = randn({5, 16}), grad = randn({5, 16});
        GatedMlpWeights wd;
        wd.gate = w.gate.to(torch::kDouble);
        wd.up = w.up.to(torch::kDouble);
        wd.down = w.down.to(torch::kDouble);
        const auto xd = x.to(torch::kDouble).requires_grad_(true);
        const auto yd = torch::linear(torch::silu(torch::linear(xd, wd.gate)) * torch::linear(xd, wd.up), wd.down);
        yd.backward(grad.to(torch::kDouble));
        for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
            GatedMlpWeights wt;
            wt.gateUp = w.gateUp.to(dtype);
            wt.gate = wt.gateUp.narrow(0, 0, 24);
            wt.up = wt.gateUp.narrow(0, 24, 24);
            wt.down = w.down.to(dtype);
            const auto xt = x.to(dtype).detach().requires_grad_(true);
            const auto y = gatedMlp(xt, wt);
            QCOMPARE(y.scalar_type(), dtype);
            y.backward(grad.to(dtype));
            const double tol = dtype == torch::kFloat ? 1e-5 : 0.05;
            expectClose(y, values(yd), tol, dtype == torch::kFloat ? "frozen mlp fp32" : "frozen mlp bf16");
            expectClose(xt.grad(), values(xd.grad()), tol,
                        dtype == torch::kFloat ? "frozen mlp grad fp32" : "frozen mlp grad bf16");
            // [B, T, H] input keeps its shape.
            QCOMPARE(gatedMlp(x.to(dtype).view({1, 5, 16}), wt).sizes(), (std::vector<std::int64_t>{1, 5, 16}));
        }
    }

    void moeLayerMatchesPerTokenLoop()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            auto c = tinyConfig(arch);
            const auto H = c.hiddenSize, E = c.numExperts;
            MoeWeights w;
            w.router = randn({E, H}, 0.3);
            if (c.routing == RoutingKind::DeepseekSigmoid)
                w.scoreBias = randn({E}, 0.2);
            for (int e = 0; e < E; ++e)
                w.experts.push_back(expert(H, c.expertIntermediate, e % 2 == 0));
            if (c.sharedIntermediate > 0)
                w.shared = expert(H, c.sharedIntermediate, true);
            if (c.sharedExpertGate)
                w.sharedGate = randn({1, H}, 0.3);
            const std::int64_t N = 25;
            const auto x = randn({N, H});
            const auto out = moeForward(c, w, x);
            const auto ids = values(out.routing.ids), wt = values(out.routing.weights);
            Vec want;
            for (std::int64_t n = 0; n < N; ++n) {
                const auto xn = values(x[n]);
                Vec y(static_cast<std::size_t>(H), 0.0);
                for (int j = 0; j < c.topK; ++j) {
                    const auto& ex = w.experts[static_cast<std::size_t>(ids[n * c.topK + j])];
                    const auto ye = mlpRow(xn, ex.gate, ex.up, ex.down);
                    for (std::int64_t h = 0; h < H; ++h)
                        y[h] += wt[n * c.topK + j] * ye[h];
                }
                if (w.shared.present()) {
                    const auto ys = mlpRow(xn, w.shared.gate, w.shared.up, w.shared.down);
                    double gate = 1.0;
                    if (w.sharedGate.defined()) {
                        const auto gv = values(w.sharedGate);
                        double z = 0;
                        for (std::int64_t h = 0; h < H; ++h)
                            z += gv[h] * xn[h];
                        gate = 1.0 / (1.0 + std::exp(-z));
                    }
                    for (std::int64_t h = 0; h < H; ++h)
                        y[h] += gate * ys[h];
                }
                want.insert(want.end(), y.begin(), y.end());
            }
            expectClose(out.y, want, 1e-4, arch.c_str());

            // Masked: only present experts are reached; absent ones are skipped.
            w.allowed = torch::zeros({E}, torch::kBool);
            w.allowed[1] = true;
            w.allowed[4] = true;
            w.allowed[6] = true;
            w.presentMask = w.allowed;
            const auto m = moeForward(c, w, x);
            const auto reached = w.allowed.index_select(0, m.routing.ids.reshape(-1));
            const auto weightsOutside = m.routing.weights.reshape(-1).masked_select(reached.logical_not());
            QVERIFY(weightsOutside.numel() == 0 || weightsOutside.abs().max().item<double>() == 0.0);
        }
    }

    // The dispatch's gradients (input rows, routing weights, trainable expert weights) against
    // autograd through a per-choice composite in double; frozen fused and trainable experts mixed.
    void dispatchGradients()
    {
        const std::int64_t N = 19, H = 12, I = 10, E = 5, k = 2;
        MoeWeights w;
        for (int e = 0; e < E; ++e) {
            w.experts.push_back(expert(H, I, e % 2 == 0));
            if (e % 2 == 1) {
                auto& t = w.experts.back();
                t.trainable = true;
                t.gate.requires_grad_(true);
                t.up.requires_grad_(true);
                t.down.requires_grad_(true);
            }
        }
        const auto ids =
            torch::stack({torch::randint(0, E, {N}), torch::randint(0, E, {N})}, 1).remainder(E).to(torch::kLong);
        // Two distinct experts per token, as top-k gives.
        const auto second = torch::where(ids.select(1, 1).eq(ids.select(1, 0)), (ids.select(1, 0) + 1).remainder(E),
                                         ids.select(1, 1));
        const auto choice = torch::stack({ids.select(1, 0), second}, 1);
        const auto x = randn({N, H}).requires_grad_(true);
        const auto rw = torch::rand({N, k}).requires_grad_(true);
        const auto grad = randn({N, H});
        dispatchExperts(x, choice, rw, w).backward(grad);

        const auto xd = x.detach().to(torch::kDouble).requires_grad_(true);
        const auto rwd = rw.detach().to(torch::kDouble).requires_grad_(true);
        std::vector<torch::Tensor> gd, ud, dd;
        for (const auto& ex : w.experts) {
            gd.push_back(ex.gate.detach().to(torch::kDouble).requires_grad_(ex.trainable));
            ud.push_back(ex.up.detach().to(torch::kDouble).requires_grad_(ex.trainable));
            dd.push_back(ex.down.detach().to(torch::kDouble).requires_grad_(ex.trainable));
        }
        const auto ch = values(choice);
        std::vector<torch::Tensor> rowsOut;
        for (std::int64_t n = 0; n < N; ++n) {
            auto yn = torch::zeros({H}, torch::kDouble);
            for (std::int64_t j = 0; j < k; ++j) {
                const auto e = static_cast<std::size_t>(ch[static_cast<std::size_t>(n * k + j)]);
                const auto xn = xd[n];
                const auto a = torch::silu(torch::mv(gd[e], xn)) * torch::mv(ud[e], xn);
                yn = yn + rwd[n][j] * torch::mv(dd[e], a);
            }
            rowsOut.push_back(yn);
        }
        torch::stack(rowsOut).backward(grad.to(torch::kDouble));
        expectClose(x.grad(), values(xd.grad()), 1e-5, "dispatch grad x");
        expectClose(rw.grad(), values(rwd.grad()), 1e-5, "dispatch grad routing weights");
        for (std::size_t e = 0; e < w.experts.size(); ++e) {
            if (!w.experts[e].trainable || !w.experts[e].gate.grad().defined())
                continue;
            expectClose(w.experts[e].gate.grad(), values(gd[e].grad()), 1e-5, "dispatch grad gate");
            expectClose(w.experts[e].up.grad(), values(ud[e].grad()), 1e-5, "dispatch grad up");
            expectClose(w.experts[e].down.grad(), values(dd[e].grad()), 1e-5, "dispatch grad down");
        }
    }

    void auxLossFormula()
    {
        const std::int64_t E = 8, k = 2, N = 30;
        AuxLossAccumulator acc(E, k);
        const auto l1 = randn({N, E}, 1.5), l2 = randn({N, E}, 1.5);
        const auto valid = torch::arange(0, N - 5, torch::kLong); // last 5 rows are padding
        acc.add(l1, valid);
        acc.add(l2, valid);
        // Reference over the 2 x 25 real rows.
        Vec f(static_cast<std::size_t>(k * E), 0.0), P(static_cast<std::size_t>(E), 0.0);
        int rows = 0;
        for (const auto* l : {&l1, &l2}) {
            const auto lv = values(*l);
            for (std::int64_t n = 0; n < N - 5; ++n, ++rows) {
                Vec p(lv.begin() + n * E, lv.begin() + (n + 1) * E);
                const double mx = *std::max_element(p.begin(), p.end());
                double s = 0;
                for (auto& v : p)
                    s += (v = std::exp(v - mx));
                for (auto& v : p)
                    v /= s;
                const auto top = topIndices(p, static_cast<int>(k));
                for (int j = 0; j < k; ++j)
                    f[j * E + top[j]] += 1;
                for (int e = 0; e < E; ++e)
                    P[e] += p[e];
            }
        }
        double aux = 0;
        for (int j = 0; j < k; ++j)
            for (int e = 0; e < E; ++e)
                aux += f[j * E + e] / rows * P[e] / rows;
        aux *= E;
        QVERIFY(std::abs(acc.value().item<double>() - aux) < 1e-5);
        AuxLossAccumulator uniform(E, k);
        uniform.add(torch::zeros({N, E}), {});
        QVERIFY(std::abs(uniform.value().item<double>() - k) < 1e-5);
    }

    void chunkedCrossEntropyMatchesPlain()
    {
        const std::int64_t N = 37, H = 16, V = 50;
        const auto lmHead = randn({V, H}, 0.5);
        const auto targets = torch::randint(0, V, {N}, torch::kLong);
        for (std::int64_t chunk : {1, 5, 16, 1000}) {
            const auto h1 = randn({N, H}).requires_grad_(true);
            const auto h2 = h1.detach().clone().requires_grad_(true);
            const auto loss = chunkedCrossEntropy(h1, lmHead, targets, chunk);
            const auto plain = torch::nn::functional::cross_entropy(torch::mm(h2, lmHead.t()), targets);
            QVERIFY(std::abs(loss.item<double>() - plain.item<double>()) < 1e-5);
            loss.backward();
            plain.backward();
            QVERIFY(torch::allclose(h1.grad(), h2.grad(), 1e-5, 1e-6));
        }
        // Reference by hand for a few rows.
        const auto h = randn({3, H});
        const auto lv = values(torch::mm(h, lmHead.t()));
        const auto tv = values(targets.narrow(0, 0, 3));
        double want = 0;
        for (int n = 0; n < 3; ++n) {
            double mx = -1e300, s = 0;
            for (int v = 0; v < V; ++v)
                mx = std::max(mx, lv[n * V + v]);
            for (int v = 0; v < V; ++v)
                s += std::exp(lv[n * V + v] - mx);
            want += mx + std::log(s) - lv[n * V + static_cast<int>(tv[n])];
        }
        QVERIFY(std::abs(chunkedCrossEntropy(h, lmHead, targets.narrow(0, 0, 3), 2).item<double>() - want / 3) < 1e-5);
    }
};

QTEST_APPLESS_MAIN(TestModelBlocks)
#include "test_model_blocks.moc"
