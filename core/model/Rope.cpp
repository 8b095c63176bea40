// Rotary position embeddings: default and YaRN inverse frequencies, cos/sin tables, and their
// application in the half layout (interleaved pairs are gathered into halves first).
#include "core/model/Blocks.h"

#include "core/model/RowKernels.h"
#include "core/util/Error.h"

#include <torch/torch.h>

#include <cmath>

namespace teft {
namespace {

double yarnMscale(double scale, double mscale)
{
    if (scale <= 1.0)
        return 1.0;
    return 0.1 * mscale * std::log(scale) + 1.0;
}

} // namespace

std::pair<torch::Tensor, double> ropeInverseFrequencies(const ModelConfig& cfg)
{
    const std::int64_t dim = cfg.ropeDim();
    const double base = cfg.rope.theta;
    const auto exponents = torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat) / static_cast<double>(dim);
    const auto posFreqs = torch::pow(torch::tensor(base, torch::kDouble).to(torch::kFloat), exponents);
    if (cfg.rope.type != "yarn")
        return {1.0 / posFreqs, 1.0};

    const auto& r = cfg.rope;
    const double factor = r.factor;
    const double originalMax = static_cast<double>(
        r.hasOriginalMaxPositions && r.originalMaxPositions > 0 ? r.originalMaxPositions : cfg.maxPositionEmbeddings);
    // transformers 5 (_compute_yarn_parameters) uses `factor` as given; the ratio of the two
    // context lengths only replaces a missing factor (4.x always used the ratio when
    // original_max_position_embeddings was set). Real DeepSeek files have factor == ratio; the
    // crosscheck's deepseek_v2 checkpoint does not, and transformers is the reference.
    double attentionFactor = r.attentionFactor;
    if (attentionFactor <= 0.0) {
        if (r.mscale != 0.0 && r.mscaleAllDim != 0.0)
            attentionFactor = yarnMscale(factor, r.mscale) / yarnMscale(factor, r.mscaleAllDim);
        else
            attentionFactor = yarnMscale(factor, 1.0);
    }
    auto correctionDim = [&](double rotations) {
        return (static_cast<double>(dim) * std::log(originalMax / (rotations * 2.0 * M_PI))) / (2.0 * std::log(base));
    };
    double low = std::max(std::floor(correctionDim(r.betaFast)), 0.0);
    double high = std::min(std::ceil(correctionDim(r.betaSlow)), static_cast<double>(dim - 1));
    if (low == high)
        high += 0.001;
    const auto ramp = ((torch::arange(dim / 2, torch::kFloat) - low) / (high - low)).clamp(0.0, 1.0);
    const auto extrapolationFactor = 1.0 - ramp;
    const auto invExtrapolation = 1.0 / posFreqs;
    const auto invInterpolation = 1.0 / (factor * posFreqs);
    const auto inv = invInterpolation * (1.0 - extrapolationFactor) + invExtrapolation * extrapolationFactor;
    return {inv, attentionFactor};
}

RopeTables ropeTables(const ModelConfig& cfg, std::int64_t seqLen, const torch::Device& device)
{
    // Past max_position_embeddings the rotary angles are ones the model never saw (YaRN and the
    // other scalings already count in that figure): refuse rather than return quietly wrong output.
    if (seqLen > cfg.maxPositionEmbeddings)
        throw FormatError("A sequence of " + std::to_string(seqLen) + " tokens is longer than the " +
                          std::to_string(cfg.maxPositionEmbeddings) +
                          " positions the model supports (max_position_embeddings in config.json): use a "
                          "shorter --seq-len");
    const auto [inv, scale] = ropeInverseFrequencies(cfg);
    const auto positions = torch::arange(seqLen, torch::kFloat);
    const auto freqs = torch::outer(positions, inv);
    const auto emb = torch::cat({freqs, freqs}, -1);
    return {(emb.cos() * scale).to(device), (emb.sin() * scale).to(device)};
}

torch::Tensor applyRope(const torch::Tensor& x, const RopeTables& rope, bool interleaved)
{
    torch::Tensor v = x;
    const auto d = x.size(-1);
    if (interleaved) {
        auto sizes = x.sizes().vec();
        sizes.back() = d / 2;
        sizes.push_back(2);
        v = x.reshape(sizes).transpose(-1, -2).reshape(x.sizes());
    }
    const auto cos = rope.cos.to(x.scalar_type());
    const auto sin = rope.sin.to(x.scalar_type());
    const auto halves = v.chunk(2, -1);
    const auto rotated = torch::cat({-halves[1], halves[0]}, -1);
    return v * cos + rotated * sin;
}

namespace {

// The rotation fused with the [B, T, h, d] -> [B, h, T, d] transpose, with its own backward
// (the inverse rotation, transposed back): one pass each way instead of six bf16 operations.
struct RopeTransposedFn : public torch::autograd::Function<RopeTransposedFn> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                 const torch::Tensor& cos, const torch::Tensor& sin)
    {
        ctx->save_for_backward({cos, sin});
        return ropeForwardKernel(x, cos, sin);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        auto g = grads[0];
        if (g.stride(3) != 1)
            g = g.contiguous();
        return {ropeBackwardKernel(g, saved[0], saved[1]), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor applyRopeTransposed(const torch::Tensor& x, const RopeTables& rope)
{
    if (!ropeKernelApplies(x))
        return applyRope(x.transpose(1, 2), rope, false);
    // The tables as applyRope uses them: rounded to the activations' dtype.
    const auto cos = rope.cos.to(x.scalar_type()).to(torch::kFloat).contiguous();
    const auto sin = rope.sin.to(x.scalar_type()).to(torch::kFloat).contiguous();
    if (torch::GradMode::is_enabled() && x.requires_grad())
        return RopeTransposedFn::apply(x, cos, sin);
    return ropeForwardKernel(x, cos, sin);
}

} // namespace teft
