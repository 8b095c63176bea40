#include "core/teft/OuterOptimizer.h"

#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/util/Error.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace teft {
namespace fs = std::filesystem;
using nlohmann::json;

void OuterOptimizer::Settings::check() const
{
    if (!(lr > 0.0 && std::isfinite(lr)))
        throw UsageError("Outer learning rate must be positive (got " + std::to_string(lr) + ")");
    if (!(momentum >= 0.0 && momentum < 1.0))
        throw UsageError("Outer momentum must be in [0, 1) (got " + std::to_string(momentum) + ")");
}

json OuterOptimizer::Settings::toJson() const
{
    return json{{"lr", lr}, {"momentum", momentum}, {"nesterov", nesterov}};
}

OuterOptimizer::Settings OuterOptimizer::Settings::fromJson(const json& j)
{
    Settings s;
    try {
        s.lr = j.value("lr", s.lr);
        s.momentum = j.value("momentum", s.momentum);
        s.nesterov = j.value("nesterov", s.nesterov);
    } catch (const json::exception& e) {
        throw FormatError(std::string("Outer optimizer settings: ") + e.what());
    }
    return s;
}

OuterOptimizer::OuterOptimizer(Settings settings) : m_settings(settings) { m_settings.check(); }

void OuterOptimizer::step(TensorMap& params, const TensorMap& delta)
{
    m_settings.check();
    for (const auto& [name, d] : delta) {
        const auto it = params.find(name);
        if (it == params.end())
            throw Error("Outer step: the update has tensor " + name + ", which is not a parameter");
        if (it->second.sizes() != d.sizes())
            throw Error("Outer step: " + name + " has shape " + c10::str(d.sizes()) + " in the update but " +
                        c10::str(it->second.sizes()) + " in the parameters");
    }
    torch::NoGradGuard noGrad;
    const double mu = m_settings.momentum;
    for (const auto& [name, d] : delta) {
        at::Tensor& p = params.at(name);
        const at::Tensor g = d.to(p.device(), torch::kFloat);
        at::Tensor stepDir = g;
        if (mu > 0) {
            auto buf = m_momentum.find(name);
            if (buf == m_momentum.end() || !buf->second.defined()) {
                m_momentum[name] = g.clone();
            } else {
                if (buf->second.sizes() != g.sizes())
                    throw Error("Outer step: the momentum of " + name + " has shape " + c10::str(buf->second.sizes()) +
                                ", the update " + c10::str(g.sizes()));
                buf->second = buf->second.to(p.device());
                buf->second.mul_(mu).add_(g);
            }
            const at::Tensor& b = m_momentum.at(name);
            stepDir = m_settings.nesterov ? g.add(b, mu) : b;
        }
        if (p.scalar_type() == torch::kFloat) {
            p.sub_(stepDir, m_settings.lr);
        } else {
            at::Tensor master = p.to(torch::kFloat);
            master.sub_(stepDir, m_settings.lr);
            p.copy_(master);
        }
    }
    ++m_steps;
}

void OuterOptimizer::save(const fs::path& path) const
{
    SafetensorsWriter w(path);
    for (const auto& [name, t] : m_momentum)
        w.add(name, t.to(torch::kCPU, torch::kFloat).contiguous());
    w.setMetadata("teft", "outer-optimizer");
    w.setMetadata("settings", m_settings.toJson().dump());
    w.setMetadata("steps", std::to_string(m_steps));
    w.write();
}

void OuterOptimizer::load(const fs::path& path, bool keepSettings)
{
    const auto file = SafetensorsFile::open(path);
    const auto& meta = file->metadata();
    const auto kind = meta.find("teft");
    if (kind == meta.end() || kind->second != "outer-optimizer")
        throw FormatError(path.string() + " is not an outer optimizer state (metadata \"teft\" is not "
                                          "\"outer-optimizer\")");
    Settings settings = m_settings;
    std::int64_t steps = 0;
    try {
        if (!keepSettings)
            settings = Settings::fromJson(json::parse(meta.at("settings")));
        steps = std::stoll(meta.at("steps"));
    } catch (const std::exception& e) {
        throw FormatError(path.string() + ": bad outer optimizer metadata (" + e.what() + ")");
    }
    settings.check();
    TensorMap momentum;
    for (const auto& info : file->tensors())
        momentum[info.name] = file->tensor(info.name).to(torch::kFloat).clone();
    m_settings = settings;
    m_steps = steps;
    m_momentum = std::move(momentum);
}

} // namespace teft
