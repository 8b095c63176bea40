#include "core/model/LmLoss.h"

#include "core/util/Error.h"

#include <torch/torch.h>

namespace teft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct ChunkedCrossEntropyFn : public torch::autograd::Function<ChunkedCrossEntropyFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& hidden, const torch::Tensor& lmHead,
                                 const torch::Tensor& targets, std::int64_t chunkRows)
    {
        const auto N = hidden.size(0);
        const bool needGrad = hidden.requires_grad();
        const auto weight = lmHead.scalar_type() == hidden.scalar_type() ? lmHead : lmHead.to(hidden.scalar_type());
        torch::Tensor grad = needGrad ? torch::empty_like(hidden) : torch::Tensor();
        auto total = torch::zeros({}, hidden.options().dtype(torch::kDouble));
        const double invN = 1.0 / static_cast<double>(N);
        for (std::int64_t start = 0; start < N; start += chunkRows) {
            const auto rows = std::min(chunkRows, N - start);
            const auto h = hidden.narrow(0, start, rows);
            const auto t = targets.narrow(0, start, rows).unsqueeze(1);
            const auto logits = torch::mm(h, weight.t()).to(torch::kFloat); // [rows, V]
            const auto lse = torch::logsumexp(logits, 1, true);
            total += (lse - logits.gather(1, t)).sum().to(torch::kDouble);
            if (needGrad) {
                auto p = (logits - lse).exp_();
                p.scatter_add_(1, t, torch::full({rows, 1}, -1.0f, p.options()));
                p.mul_(invN);
                grad.narrow(0, start, rows).copy_(torch::mm(p.to(weight.scalar_type()), weight));
            }
        }
        if (needGrad)
            ctx->save_for_backward({grad});
        else
            ctx->save_for_backward({torch::Tensor()});
        return (total * invN).to(torch::kFloat);
    }

    static variable_list backward(AutogradContext* ctx, variable_list gradOutput)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& g = saved[0];
        torch::Tensor gh;
        if (g.defined())
            gh = g * gradOutput[0].to(g.scalar_type());
        return {gh, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

torch::Tensor chunkedCrossEntropy(const torch::Tensor& hidden, const torch::Tensor& lmHead,
                                  const torch::Tensor& targets, std::int64_t chunkRows)
{
    if (hidden.dim() != 2 || targets.dim() != 1 || hidden.size(0) != targets.size(0))
        throw Error("chunkedCrossEntropy: hidden must be [N, H] and targets [N]");
    const auto N = hidden.size(0);
    if (N == 0)
        return torch::zeros({}, hidden.options().dtype(torch::kFloat));
    if (chunkRows <= 0)
        chunkRows = std::max<std::int64_t>(16,
                                           (std::int64_t(64) << 20) / (4 * std::max<std::int64_t>(1, lmHead.size(0))));
    return ChunkedCrossEntropyFn::apply(hidden, lmHead.detach(), targets, chunkRows);
}

torch::Tensor fullLogits(const torch::Tensor& hidden, const torch::Tensor& lmHead)
{
    const auto weight = lmHead.scalar_type() == hidden.scalar_type() ? lmHead : lmHead.to(hidden.scalar_type());
    return torch::matmul(hidden, weight.t()).to(torch::kFloat);
}

} // namespace teft
