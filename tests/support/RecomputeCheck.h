#pragma once

// Activation recomputation against the plain backward pass on one model (the same weights, the
// same batch): one training pass each way, and what differs between them. Shared by
// tests/core/test_recompute.cpp (CPU) and tests/core/test_cuda_recompute.cpp (GPU).

#include "core/model/MoeModel.h"

#include <torch/torch.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace teft::test {

struct TrainingPass {
    double loss = 0;
    double auxLoss = 0;
    // The gradient of each trainable tensor (CPU, fp32); undefined where it got none.
    std::vector<std::pair<std::string, torch::Tensor>> grads;
    std::vector<torch::Tensor> routing; // each MoE layer's choices
};

// loss (+ auxCoef * load-balancing loss when auxCoef > 0), backward, the gradients.
inline TrainingPass trainingPass(MoeModel& m, const ModelBatch& b, bool recompute, double auxCoef)
{
    m.setRecompute(recompute);
    for (auto& [name, p] : m.trainableParameters())
        p.mutable_grad() = torch::Tensor();
    ModelBatch d;
    d.inputIds = b.inputIds.to(m.device());
    if (b.attentionMask.defined())
        d.attentionMask = b.attentionMask.to(m.device());
    ForwardOptions fo;
    fo.auxLoss = auxCoef > 0;
    fo.routing = true;
    const auto r = m.forward(d, fo);
    (auxCoef > 0 ? r.loss + auxCoef * r.auxLoss : r.loss).backward();
    TrainingPass p;
    p.loss = r.loss.item<double>();
    p.auxLoss = auxCoef > 0 ? r.auxLoss.item<double>() : 0.0;
    for (auto& [name, t] : m.trainableParameters()) {
        p.grads.emplace_back(name, t.grad().defined() ? t.grad().detach().to(torch::kCPU, torch::kFloat, false, true)
                                                      : torch::Tensor());
        t.mutable_grad() = torch::Tensor();
    }
    for (const auto& lr : r.routing)
        p.routing.push_back(lr.ids.cpu());
    m.setRecompute(false);
    return p;
}

// Empty when `got` agrees with `want`: the same routing (when checkRouting), losses within tol
// (relative), every gradient defined where want's is and within tol of it (largest difference
// relative to the largest value of the tensor). Otherwise what differs, and by how much.
inline std::string differences(const TrainingPass& got, const TrainingPass& want, double tol, bool checkRouting = true)
{
    std::ostringstream o;
    auto rel = [](double a, double b) { return std::abs(a - b) / std::max(1e-12, std::abs(b)); };
    if (rel(got.loss, want.loss) > tol)
        o << "loss " << got.loss << " vs " << want.loss << "; ";
    if (rel(got.auxLoss, want.auxLoss) > tol)
        o << "load-balancing loss " << got.auxLoss << " vs " << want.auxLoss << "; ";
    if (got.routing.size() != want.routing.size())
        o << got.routing.size() << " routed layers vs " << want.routing.size() << "; ";
    for (std::size_t i = 0; checkRouting && i < std::min(got.routing.size(), want.routing.size()); ++i)
        if (!torch::equal(got.routing[i], want.routing[i]))
            o << "the routing of MoE layer #" << i << " differs; ";
    if (got.grads.size() != want.grads.size())
        return o.str() + "another number of trainable tensors";
    for (std::size_t i = 0; i < got.grads.size(); ++i) {
        const auto& [name, g] = got.grads[i];
        const auto& w = want.grads[i].second;
        if (g.defined() != w.defined()) {
            o << name << ": gradient " << (g.defined() ? "present" : "missing") << " vs "
              << (w.defined() ? "present" : "missing") << "; ";
            continue;
        }
        if (!g.defined())
            continue;
        const double scale = std::max(1e-12, w.abs().max().item<double>());
        const double d = (g - w).abs().max().item<double>() / scale;
        if (d > tol)
            o << name << ": gradient differs by " << d << " (relative to its largest value); ";
    }
    return o.str();
}

} // namespace teft::test
