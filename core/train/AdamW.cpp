#include "core/train/AdamW.h"

#include "core/util/Error.h"

#include <torch/torch.h>

#include <cmath>

namespace teft {

AdamW::AdamW(std::vector<std::pair<std::string, at::Tensor>> params, AdamWSettings settings)
    : m_params(std::move(params)), m_settings(settings)
{
    for (const auto& [name, p] : m_params) {
        m_expAvg.push_back(torch::zeros_like(p, torch::TensorOptions().dtype(torch::kFloat)));
        m_expAvgSq.push_back(torch::zeros_like(p, torch::TensorOptions().dtype(torch::kFloat)));
    }
}

void AdamW::step(double lr)
{
    torch::NoGradGuard noGrad;
    ++m_step;
    const double b1 = m_settings.beta1, b2 = m_settings.beta2;
    const double bc1 = 1.0 - std::pow(b1, static_cast<double>(m_step));
    const double bc2 = 1.0 - std::pow(b2, static_cast<double>(m_step));
    const double stepSize = lr / bc1;
    const double bc2Sqrt = std::sqrt(bc2);
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        auto& p = m_params[i].second;
        const auto& g = p.grad();
        if (!g.defined())
            continue;
        p.mul_(1.0 - lr * m_settings.weightDecay);
        m_expAvg[i].mul_(b1).add_(g, 1.0 - b1);
        m_expAvgSq[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
        const auto denom = (m_expAvgSq[i].sqrt() / bc2Sqrt).add_(m_settings.eps);
        p.addcdiv_(m_expAvg[i], denom, -stepSize);
    }
}

TensorMap AdamW::state() const
{
    TensorMap out;
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        out["exp_avg/" + m_params[i].first] = m_expAvg[i];
        out["exp_avg_sq/" + m_params[i].first] = m_expAvgSq[i];
    }
    return out;
}

void AdamW::loadState(const TensorMap& state, std::int64_t steps)
{
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        for (auto* pair : {&m_expAvg, &m_expAvgSq}) {
            const std::string key = (pair == &m_expAvg ? "exp_avg/" : "exp_avg_sq/") + m_params[i].first;
            const auto it = state.find(key);
            if (it == state.end())
                throw FormatError("Optimizer state lacks tensor '" + key + "'");
            if (it->second.sizes() != (*pair)[i].sizes())
                throw FormatError("Optimizer state tensor '" + key + "' has the wrong shape");
            (*pair)[i].copy_(it->second);
        }
    }
    m_step = steps;
}

} // namespace teft
