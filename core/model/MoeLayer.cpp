#include "core/model/MoeLayer.h"

#include "core/model/Blocks.h"
#include "core/model/ExpertOffload.h"
#include "core/model/RowKernels.h"

#include <ATen/ops/_grouped_mm.h>
#include <torch/torch.h>

namespace teft {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// x.index_select(0, index) whose backward scatters the row gradients back with fp32 accumulation
// (one pass; ATen's bf16 index_add_ rounds after every addition).
struct GatherRowsFn : public torch::autograd::Function<GatherRowsFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& index)
    {
        ctx->save_for_backward({index});
        ctx->saved_data["rows"] = x.size(0);
        return x.index_select(0, index);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        const auto index = ctx->get_saved_variables()[0];
        const auto rows = ctx->saved_data["rows"].toInt();
        const auto g = grads[0].contiguous();
        return {scatterAddRows(g, index, torch::Tensor(), rows), torch::Tensor()};
    }
};

// out[N, H] with out[index[m]] += weight[m] * y[m]: the routed experts' outputs scaled by their
// routing weights and summed per token, in one pass forward and one backward.
struct CombineRowsFn : public torch::autograd::Function<CombineRowsFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& y, const torch::Tensor& weight,
                                 const torch::Tensor& index, std::int64_t rows)
    {
        ctx->save_for_backward({y, weight, index});
        return scatterAddRows(y, index, weight, rows);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        torch::Tensor gy, gw;
        weightedScatterBackward(grads[0], saved[0], saved[2], saved[1], ctx->needs_input_grad(0) ? &gy : nullptr,
                                ctx->needs_input_grad(1) ? &gw : nullptr);
        return {gy, gw, torch::Tensor(), torch::Tensor()};
    }
};

// down(silu(gate x) * up x) for every frozen expert at once: x [N, H] sorted by expert, offs the
// cumulative row ends (int32) of the G groups, gateUp [G, 2I, H], down [G, H, I].
torch::Tensor groupedSwiglu(const torch::Tensor& x, const torch::Tensor& gateUp, const torch::Tensor& down,
                            const torch::Tensor& offs)
{
    const auto gu = at::_grouped_mm(x, gateUp.transpose(-2, -1), offs);
    const auto parts = gu.chunk(2, -1);
    const bool needGrad = torch::GradMode::is_enabled() && gu.requires_grad();
    const auto act = needGrad ? torch::silu(parts[0]) * parts[1] : swiglu(parts[0], parts[1]);
    return at::_grouped_mm(act.contiguous(), down.transpose(-2, -1), offs);
}

// A device slot of the expert streamer, released when the compute reading it has been enqueued
// (or on an error, so that the next pass finds the slot free).
class SlotLease {
public:
    SlotLease(ExpertStreamer& streamer, int layer, int next)
        : m_streamer(streamer), m_slot(streamer.acquire(layer, next))
    {
    }
    ~SlotLease()
    {
        try {
            m_streamer.release(m_slot);
        } catch (const std::exception&) {
            // a failed event record leaves nothing to undo: the pass fails with the original error
        }
    }
    SlotLease(const SlotLease&) = delete;
    SlotLease& operator=(const SlotLease&) = delete;
    torch::Tensor gateUp() const { return m_streamer.gateUp(m_slot); }
    torch::Tensor down() const { return m_streamer.down(m_slot); }

private:
    ExpertStreamer& m_streamer;
    int m_slot;
};

// groupedSwiglu over offloaded frozen experts: the graph keeps no reference to the device slot
// (only gate/up's output gu), so the slot is refilled with the next layer as soon as this
// layer's compute is done; the backward pass asks the streamer for the layer again and computes
// the gradient of x through the frozen experts itself, with the operations autograd runs for the
// resident layer (groupedSwiglu with a graph), so that both give the same numbers in bf16 too:
//   a = silu(g) * u, y = a down^T  =>  da = dy down, dg = silu_backward(da u, g), du = da silu(g),
//   dx = [dg du] gateUp.
struct StreamedExpertsFn : public torch::autograd::Function<StreamedExpertsFn> {
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& offs,
                                 const torch::Tensor& gateUp, const torch::Tensor& down, std::int64_t streamer,
                                 std::int64_t layer, std::int64_t backwardNext)
    {
        const auto gu = at::_grouped_mm(x, gateUp.transpose(-2, -1), offs);
        const auto parts = gu.chunk(2, -1);
        const auto act = torch::silu(parts[0]) * parts[1];
        ctx->save_for_backward({gu, offs});
        ctx->saved_data["streamer"] = streamer;
        ctx->saved_data["layer"] = layer;
        ctx->saved_data["next"] = backwardNext;
        return at::_grouped_mm(act.contiguous(), down.transpose(-2, -1), offs);
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& gu = saved[0];
        const auto& offs = saved[1];
        auto* streamer = reinterpret_cast<ExpertStreamer*>(ctx->saved_data["streamer"].toInt());
        const SlotLease lease(*streamer, static_cast<int>(ctx->saved_data["layer"].toInt()),
                              static_cast<int>(ctx->saved_data["next"].toInt()));
        const auto dy = grads[0].contiguous();
        const auto gateUp = lease.gateUp().to(dy.scalar_type());
        const auto down = lease.down().to(dy.scalar_type());
        const auto da = at::_grouped_mm(dy, down, offs);
        const auto parts = gu.chunk(2, -1);
        const auto dg = at::silu_backward(da * parts[1], parts[0]);
        const auto du = da * torch::silu(parts[0]);
        const auto dgu = torch::cat({dg, du}, -1);
        return {at::_grouped_mm(dgu, gateUp, offs),
                torch::Tensor(),
                torch::Tensor(),
                torch::Tensor(),
                torch::Tensor(),
                torch::Tensor(),
                torch::Tensor()};
    }
};

// The frozen experts of an offloaded layer: the layer's slot for this computation, the next
// layer's copy started meanwhile.
torch::Tensor streamedSwiglu(const torch::Tensor& x, const torch::Tensor& offs, const MoeWeights& w)
{
    auto& streamer = *w.streamer;
    const bool needGrad = torch::GradMode::is_enabled() && x.requires_grad();
    // The last offloaded layer of a pass without a graph: the next pass starts with the first.
    const int next = w.offloadNext >= 0 || needGrad ? w.offloadNext : streamer.layers().front();
    const SlotLease lease(streamer, w.layer, next);
    const auto gateUp = lease.gateUp().to(x.scalar_type());
    const auto down = lease.down().to(x.scalar_type());
    if (!needGrad)
        return groupedSwiglu(x, gateUp, down, offs);
    return StreamedExpertsFn::apply(x, offs, gateUp, down, reinterpret_cast<std::int64_t>(&streamer), w.layer,
                                    w.offloadBackwardNext);
}

// The library kernel path (CUDA): choices sorted by dispatch slot, the frozen experts as two
// grouped GEMMs, the few trainable experts (fp32 masters) one by one; one host synchronisation
// per layer (the row counts), not one launch sequence per expert.
torch::Tensor dispatchGrouped(const torch::Tensor& x, const torch::Tensor& flatIds, const torch::Tensor& flatWeights,
                              const torch::Tensor& slotOf, std::int64_t k, const MoeWeights& w)
{
    const auto slots = static_cast<std::int64_t>(w.slotExperts.size());
    const auto key = w.slotOfExpert.index_select(0, flatIds);
    const auto order = std::get<1>(torch::sort(key, /*stable=*/true, /*dim=*/0, /*descending=*/false));
    const auto tokenIdx = slotOf.index_select(0, order).div(k, "floor");
    const auto counts = torch::bincount(key, {}, slots).to(torch::kCPU);
    const auto* c = counts.data_ptr<std::int64_t>();
    std::vector<std::int32_t> ends(static_cast<std::size_t>(w.frozenSlots));
    std::int64_t frozenRows = 0;
    for (int s = 0; s < w.frozenSlots; ++s) {
        frozenRows += c[s];
        ends[static_cast<std::size_t>(s)] = static_cast<std::int32_t>(frozenRows);
    }
    std::vector<std::int64_t> sizes{frozenRows};
    for (std::int64_t s = w.frozenSlots; s < slots; ++s)
        sizes.push_back(c[s]);
    const auto gathered = x.index_select(0, tokenIdx);
    const auto pieces = gathered.split_with_sizes(sizes);
    std::vector<torch::Tensor> outputs;
    if (frozenRows == 0 && w.streamer) {
        w.streamer->prefetch(w.offloadNext); // nothing routed to the frozen experts here
    } else if (frozenRows > 0 && w.streamer) {
        const auto offs = torch::from_blob(ends.data(), {static_cast<std::int64_t>(ends.size())}, torch::kInt32)
                              .to(x.device(), /*non_blocking=*/false, /*copy=*/true);
        outputs.push_back(streamedSwiglu(pieces[0], offs, w));
    } else if (frozenRows > 0) {
        torch::Tensor gateUp = w.stackedGateUp, down = w.stackedDown;
        if (!gateUp.defined()) { // CPU (tests of this path): stack the frozen experts' weights per call
            std::vector<torch::Tensor> gu, dn;
            for (int s = 0; s < w.frozenSlots; ++s) {
                const auto& e = w.experts[static_cast<std::size_t>(w.slotExperts[static_cast<std::size_t>(s)])];
                gu.push_back(e.gateUp.defined() ? e.gateUp : torch::cat({e.gate, e.up}, 0));
                dn.push_back(e.down);
            }
            gateUp = torch::stack(gu);
            down = torch::stack(dn);
        }
        const auto offs = torch::from_blob(ends.data(), {static_cast<std::int64_t>(ends.size())}, torch::kInt32)
                              .to(x.device(), /*non_blocking=*/false, /*copy=*/true);
        outputs.push_back(groupedSwiglu(pieces[0], gateUp.to(x.scalar_type()), down.to(x.scalar_type()), offs));
    }
    for (std::int64_t s = w.frozenSlots; s < slots; ++s)
        if (c[s] > 0)
            outputs.push_back(
                gatedMlp(pieces[static_cast<std::size_t>(s - w.frozenSlots + 1)],
                         w.experts[static_cast<std::size_t>(w.slotExperts[static_cast<std::size_t>(s)])]));
    const auto y = outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 0);
    const auto yw = flatWeights.index_select(0, order);
    return torch::zeros_like(x).index_add_(0, tokenIdx, y * yw.unsqueeze(1));
}

} // namespace

torch::Tensor dispatchExperts(const torch::Tensor& x, const torch::Tensor& ids, const torch::Tensor& weights,
                              const MoeWeights& w)
{
    const auto N = x.size(0);
    const auto k = ids.size(1);
    const auto E = static_cast<std::int64_t>(w.experts.size());
    auto flatIds = ids.reshape(-1);
    auto flatWeights = weights.reshape(-1).to(x.scalar_type());
    torch::Tensor slotOf; // flat (token, slot) index of each kept choice
    if (w.presentMask.defined()) {
        slotOf = w.presentMask.index_select(0, flatIds).nonzero().squeeze(1);
        flatIds = flatIds.index_select(0, slotOf);
        flatWeights = flatWeights.index_select(0, slotOf);
    } else {
        slotOf = torch::arange(N * k, ids.options());
    }
    if (flatIds.numel() == 0)
        return torch::zeros_like(x);
    if ((libraryKernels(x) || w.streamer) && w.frozenSlots > 0 && w.slotOfExpert.defined())
        return dispatchGrouped(x, flatIds, flatWeights, slotOf, k, w);
    const auto sorted = torch::sort(flatIds, /*stable=*/true, /*dim=*/0, /*descending=*/false);
    const auto order = std::get<1>(sorted);
    const auto tokenIdx = slotOf.index_select(0, order).div(k, "floor");
    const auto counts = torch::bincount(flatIds, {}, E).to(torch::kCPU);
    const auto* c = counts.data_ptr<std::int64_t>();
    const bool kernels = rowKernelsApply(x);
    const auto gathered = kernels ? GatherRowsFn::apply(x, tokenIdx) : x.index_select(0, tokenIdx);
    // split, not narrow: its backward is one concatenation instead of a zero-filled copy of the
    // whole block per expert.
    const auto pieces = gathered.split_with_sizes(at::IntArrayRef(c, static_cast<std::size_t>(E)));
    std::vector<torch::Tensor> outputs;
    for (std::int64_t e = 0; e < E; ++e)
        if (c[e] > 0)
            outputs.push_back(gatedMlp(pieces[static_cast<std::size_t>(e)], w.experts[static_cast<std::size_t>(e)]));
    const auto y = outputs.size() == 1 ? outputs[0] : torch::cat(outputs, 0);
    const auto yw = flatWeights.index_select(0, order);
    if (kernels && rowKernelsApply(y))
        return CombineRowsFn::apply(y, yw, tokenIdx, N);
    return torch::zeros_like(x).index_add_(0, tokenIdx, y * yw.unsqueeze(1));
}

MoeOutput moeForward(const ModelConfig& cfg, const MoeWeights& w, const torch::Tensor& x)
{
    MoeOutput out;
    const auto logits = routerLogits(cfg, w, x);
    out.routing = routeTokens(cfg, logits, w.scoreBias, w.allowed);
    out.y = dispatchExperts(x, out.routing.ids, out.routing.weights, w);
    if (w.shared.present()) {
        auto s = gatedMlp(x, w.shared);
        if (w.sharedGate.defined())
            s = torch::sigmoid(project(x, w.sharedGate)) * s;
        out.y = out.y + s;
    }
    return out;
}

} // namespace teft
