// RMSNorm, linear layers and the SwiGLU MLP (routed experts, shared experts, dense layers).
#include "core/model/Blocks.h"

#include <torch/torch.h>

namespace teft {

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps)
{
    const auto xf = x.to(torch::kFloat);
    const auto variance = xf.pow(2).mean(-1, /*keepdim=*/true);
    const auto normed = (xf * torch::rsqrt(variance + eps)).to(x.scalar_type());
    return weight.scalar_type() == x.scalar_type() ? weight * normed : weight.to(x.scalar_type()) * normed;
}

torch::Tensor project(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b)
{
    const auto ww = w.scalar_type() == x.scalar_type() ? w : w.to(x.scalar_type());
    if (!b.defined())
        return torch::linear(x, ww);
    return torch::linear(x, ww, b.scalar_type() == x.scalar_type() ? b : b.to(x.scalar_type()));
}

torch::Tensor gatedMlp(const torch::Tensor& x, const GatedMlpWeights& w)
{
    torch::Tensor gate, up;
    if (w.gateUp.defined()) {
        // chunk, not narrow: its backward concatenates the two gradients in one pass, where two
        // narrows would each scatter into a zero-filled copy and add them.
        const auto parts = project(x, w.gateUp).chunk(2, -1);
        gate = parts[0];
        up = parts[1];
    } else {
        gate = project(x, w.gate);
        up = project(x, w.up);
    }
    return project(torch::silu(gate) * up, w.down);
}

} // namespace teft
