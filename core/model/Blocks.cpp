// RMSNorm, linear layers and the SwiGLU MLP (routed experts, shared experts, dense layers).
#include "core/model/Blocks.h"

#include "core/model/RowKernels.h"
#include "core/model/SwiGluKernels.h"

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
        if (rmsNormKernelApplies(x, weight)) {
            auto [out, rstd] = rmsNormForwardKernel(x, weight, eps);
            auto shape = x.sizes().vec();
            shape.back() = 1;
            ctx->save_for_backward({x, weight, rstd.view(shape)});
            return out;
        }
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
        if (!ctx->needs_input_grad(1) && rmsNormKernelApplies(x, weight))
            return {rmsNormBackwardKernel(grads[0], x, weight, rstd), torch::Tensor(), torch::Tensor()};
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

// silu(gate) * up rounded once to the compute dtype, with its gradients: the fused kernels of
// SwiGluKernels.h on the CPU (bf16/fp32), elsewhere fp32 temporaries.
struct SwiGluFn : public torch::autograd::Function<SwiGluFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& gate, const torch::Tensor& up)
    {
        ctx->save_for_backward({gate, up});
        if (swigluKernelApplies(gate, up))
            return swigluForwardKernel(gate, up);
        const auto g = gate.to(torch::kFloat);
        return torch::sigmoid(g).mul_(g).mul_(up.to(torch::kFloat)).to(gate.scalar_type());
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        // Few fp32 temporaries, updated in place (each fresh large buffer costs page faults).
        const auto saved = ctx->get_saved_variables();
        const auto dtype = saved[0].scalar_type();
        if (swigluKernelApplies(saved[0], saved[1]) && grads[0].dim() == 2) {
            auto dg = torch::empty(saved[0].sizes(), saved[0].options());
            auto du = torch::empty(saved[1].sizes(), saved[1].options());
            swigluBackwardKernel(grads[0], saved[0], saved[1], dg, du);
            return {dg, du};
        }
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

// A frozen SwiGLU MLP (fused [2I, H] gate/up weight) as one autograd node: only the input needs
// a gradient, so the backward pass is two matmuls around the fused SwiGLU gradient, written
// straight into one [N, 2I] buffer. Saves the [N, 2I] projection only (autograd through the
// composite keeps it and silu(gate) too, and concatenates the two halves' gradients).
torch::Tensor frozenMlpForward(const torch::Tensor& x, const torch::Tensor& gateUp, const torch::Tensor& down,
                               torch::Tensor* projection)
{
    const auto inter = gateUp.size(0) / 2;
    auto gu = torch::mm(x, gateUp.t());
    auto a = swigluForwardKernel(gu.narrow(1, 0, inter), gu.narrow(1, inter, inter));
    if (projection)
        *projection = gu;
    return torch::mm(a, down.t());
}

struct FrozenMlpFn : public torch::autograd::Function<FrozenMlpFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& gateUp,
                                 const torch::Tensor& down)
    {
        torch::Tensor gu;
        auto y = frozenMlpForward(x, gateUp, down, &gu);
        ctx->save_for_backward({gu, gateUp, down});
        return y;
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& gu = saved[0];
        const auto& gateUp = saved[1];
        const auto& down = saved[2];
        const auto inter = gateUp.size(0) / 2;
        const auto ga = torch::mm(grads[0].to(gu.scalar_type()), down); // [N, I]
        auto dgu = torch::empty(gu.sizes(), gu.options());
        swigluBackwardKernel(ga, gu.narrow(1, 0, inter), gu.narrow(1, inter, inter), dgu.narrow(1, 0, inter),
                             dgu.narrow(1, inter, inter));
        return {torch::mm(dgu, gateUp), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up) { return SwiGluFn::apply(gate, up); }

torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps)
{
    // Slices of a fused projection are made contiguous first: the fused kernels then apply.
    return RmsNormFn::apply(x.is_cpu() ? x.contiguous() : x, weight, eps);
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
    if (w.gateUp.defined() && x.is_cpu() && x.scalar_type() == w.gateUp.scalar_type() &&
        w.down.scalar_type() == x.scalar_type() &&
        (x.scalar_type() == torch::kBFloat16 || x.scalar_type() == torch::kFloat)) {
        // 2-D in and out (no view nodes in the graph for the routed experts).
        const auto x2 = x.dim() == 2 ? x : x.reshape({-1, x.size(-1)});
        const bool needGrad = torch::GradMode::is_enabled() && x.requires_grad();
        auto y = needGrad ? FrozenMlpFn::apply(x2, w.gateUp, w.down) : frozenMlpForward(x2, w.gateUp, w.down, nullptr);
        if (x.dim() == 2)
            return y;
        auto sizes = x.sizes().vec();
        sizes.back() = w.down.size(0);
        return y.view(sizes);
    }
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
    // The fused kernels (SwiGluKernels.h) where they apply, forward and backward; elsewhere fp32
    // temporaries without autograd, LibTorch's kernels with it.
    const bool needGrad = torch::GradMode::is_enabled() && (gate.requires_grad() || up.requires_grad());
    const bool kernel = gate.dim() == 2 && swigluKernelApplies(gate, up);
    return project(needGrad && !kernel ? torch::silu(gate) * up : swiglu(gate, up), w.down);
}

} // namespace teft
