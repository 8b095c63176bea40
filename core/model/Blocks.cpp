// RMSNorm, linear layers and the SwiGLU MLP (routed experts, shared experts, dense layers).
#include "core/model/Blocks.h"

#include <torch/torch.h>

namespace teft {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// RMSNorm with a hand-written backward: keeps only x (compute dtype) and 1/rms (fp32, one value
// per row) for the backward pass instead of every fp32 intermediate, and computes the input
// gradient in a few fused passes.
struct RmsNormFn : public torch::autograd::Function<RmsNormFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& weight, double eps)
    {
        const auto xf = x.to(torch::kFloat);
        const auto rstd = torch::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true) + eps);
        const auto w = weight.scalar_type() == x.scalar_type() ? weight : weight.to(x.scalar_type());
        ctx->save_for_backward({x, weight, rstd});
        return w * (xf * rstd).to(x.scalar_type());
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& weight = saved[1];
        const auto& rstd = saved[2];
        // fp32 buffers of our own, updated in place (fewer large temporaries).
        auto owned = [](const torch::Tensor& t) {
            return t.scalar_type() == torch::kFloat ? t.clone() : t.to(torch::kFloat);
        };
        auto normed = owned(x).mul_(rstd);
        torch::Tensor gx, gw;
        if (ctx->needs_input_grad(1))
            gw = (grads[0].to(torch::kFloat) * normed.to(x.scalar_type()).to(torch::kFloat))
                     .reshape({-1, weight.numel()})
                     .sum(0)
                     .to(weight.scalar_type());
        if (ctx->needs_input_grad(0)) {
            auto gn = owned(grads[0]).mul_(weight.to(torch::kFloat));
            const auto dot = (gn * normed).mean(-1, true);
            gx = gn.sub_(normed.mul_(dot)).mul_(rstd).to(x.scalar_type());
        }
        return {gx, gw, torch::Tensor()};
    }
};

// silu(gate) * up computed in fp32 (LibTorch's bf16 elementwise kernels on CPU are several times
// slower than fp32 ones), rounded once to the compute dtype. gatedMlp() uses it when no gradient
// is needed; its backward (fp32 temporaries) is slower than the bf16 autograd path.
struct SwiGluFn : public torch::autograd::Function<SwiGluFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gate, const torch::Tensor& up)
    {
        ctx->save_for_backward({gate, up});
        const auto g = gate.to(torch::kFloat);
        return torch::sigmoid(g).mul_(g).mul_(up.to(torch::kFloat)).to(gate.scalar_type());
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        // Few fp32 temporaries, updated in place (each fresh large buffer costs page faults).
        const auto saved = ctx->get_saved_variables();
        const auto dtype = saved[0].scalar_type();
        auto owned = [](const torch::Tensor& t) {
            return t.scalar_type() == torch::kFloat ? t.clone() : t.to(torch::kFloat);
        };
        auto g = owned(saved[0]);
        auto ga = owned(grads[0]);
        const auto s = torch::sigmoid(g);
        torch::Tensor dg, du;
        if (ctx->needs_input_grad(1))
            du = (ga * s).mul_(g).to(saved[1].scalar_type()); // grad * silu(g)
        if (ctx->needs_input_grad(0)) {
            // d silu / dg = s * (1 + g * (1 - s)), built in g's buffer
            g.mul_(torch::rsub(s, 1.0)).add_(1.0).mul_(s);
            dg = ga.mul_(saved[1].to(torch::kFloat)).mul_(g).to(dtype);
        }
        return {dg, du};
    }
};

} // namespace

torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up) { return SwiGluFn::apply(gate, up); }

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps)
{
    return RmsNormFn::apply(x, weight, eps);
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
    // Without autograd, silu(gate) * up in fp32 is about twice as fast as LibTorch's bf16 CPU
    // kernels; with autograd the bf16 kernels (as transformers runs them) win over the backward.
    const bool needGrad = torch::GradMode::is_enabled() && (gate.requires_grad() || up.requires_grad());
    return project(needGrad ? torch::silu(gate) * up : swiglu(gate, up), w.down);
}

} // namespace teft
