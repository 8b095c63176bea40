#include "core/teft/AdamW.h"

#include "core/util/Error.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace teft {
using nlohmann::json;

json AdamW::Settings::toJson() const
{
    return json{{"beta1", beta1}, {"beta2", beta2}, {"eps", eps}, {"weight_decay", weightDecay}};
}

AdamW::Settings AdamW::Settings::fromJson(const json& j)
{
    Settings s;
    s.beta1 = j.value("beta1", s.beta1);
    s.beta2 = j.value("beta2", s.beta2);
    s.eps = j.value("eps", s.eps);
    s.weightDecay = j.value("weight_decay", s.weightDecay);
    return s;
}

void AdamW::step(const std::vector<std::pair<std::string, at::Tensor>>& params, double lr)
{
    torch::NoGradGuard noGrad;
    ++m_steps;
    const double b1 = m_settings.beta1, b2 = m_settings.beta2;
    const double bc1 = 1.0 - std::pow(b1, static_cast<double>(m_steps));
    const double bc2 = 1.0 - std::pow(b2, static_cast<double>(m_steps));
    for (const auto& [name, p] : params) {
        const at::Tensor& g = p.grad();
        if (!g.defined())
            continue;
        auto& m = m_expAvg[name];
        auto& v = m_expAvgSq[name];
        if (!m.defined()) {
            m = torch::zeros_like(p, torch::MemoryFormat::Preserve);
            v = torch::zeros_like(p, torch::MemoryFormat::Preserve);
        }
        p.mul_(1.0 - lr * m_settings.weightDecay);
        m.mul_(b1).add_(g, 1.0 - b1);
        v.mul_(b2).addcmul_(g, g, 1.0 - b2);
        const at::Tensor denom = (v.sqrt() / std::sqrt(bc2)).add_(m_settings.eps);
        p.addcdiv_(m, denom, -lr / bc1);
    }
}

TensorMap AdamW::state() const
{
    TensorMap out;
    for (const auto& [name, t] : m_expAvg)
        out["exp_avg/" + name] = t;
    for (const auto& [name, t] : m_expAvgSq)
        out["exp_avg_sq/" + name] = t;
    return out;
}

void AdamW::setState(const TensorMap& state, std::int64_t steps)
{
    TensorMap m, v;
    for (const auto& [key, t] : state) {
        if (key.rfind("exp_avg/", 0) == 0)
            m[key.substr(8)] = t;
        else if (key.rfind("exp_avg_sq/", 0) == 0)
            v[key.substr(11)] = t;
        else
            throw FormatError("AdamW state: unexpected entry " + key);
    }
    for (const auto& [name, t] : m)
        if (!v.count(name))
            throw FormatError("AdamW state: exp_avg/" + name + " has no exp_avg_sq");
    m_expAvg = std::move(m);
    m_expAvgSq = std::move(v);
    m_steps = steps;
}

double clipGradNorm(const std::vector<std::pair<std::string, at::Tensor>>& params, double maxNorm)
{
    torch::NoGradGuard noGrad;
    double sumSq = 0.0;
    for (const auto& [name, p] : params)
        if (p.grad().defined())
            sumSq += p.grad().to(torch::kDouble).pow(2).sum().item<double>();
    const double norm = std::sqrt(sumSq);
    if (maxNorm > 0 && std::isfinite(norm) && norm > maxNorm) {
        const double scale = maxNorm / (norm + 1e-6);
        for (const auto& [name, p] : params)
            if (p.grad().defined())
                p.mutable_grad().mul_(scale);
    }
    return norm;
}

} // namespace teft
