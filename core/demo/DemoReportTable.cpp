#include "core/demo/DemoReportTable.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace teft {

namespace {

using nlohmann::json;

std::string fmt(const char* f, double v)
{
    char b[64];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

// The object under `key`, or an empty one: every read below then falls back to its default.
const json& part(const json& j, const char* key)
{
    static const json empty = json::object();
    const auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : empty;
}

const json& list(const json& j, const char* key)
{
    static const json empty = json::array();
    const auto it = j.find(key);
    return it != j.end() && it->is_array() ? *it : empty;
}

// The learning rate a round's miner trained with (the validator's submission names the miner).
double minerLr(const json& round, const std::string& name)
{
    double lr = 0;
    for (const auto& m : list(round, "miners"))
        if (m.value("miner", "") == name)
            lr = m.value("lr", 0.0);
    return lr;
}

void writeHeader(std::ostringstream& t, const json& report)
{
    const auto& model = part(report, "foundation_model");
    const std::int64_t topK = model.value("top_k", std::int64_t{0});
    t << "TEFT demo: target domain '" << report.value("target", "") << "', foundation model "
      << std::filesystem::path(model.value("dir", "")).filename().string() << " (" << model.value("layers", 0)
      << " layers x " << model.value("experts", 0) << " experts, top-" << topK << ")"
      << (model.value("built", false) ? ", pretrained now" : ", from the cache") << "\n";
    t << "Routing concentration (expert-usage entropy / ln E, lower = more concentrated; top-" << topK << " share):\n";
    const auto& trained = list(model, "concentration_trained");
    const auto& random = list(model, "concentration_random");
    for (std::size_t i = 0; i < trained.size() && i < random.size(); ++i) {
        const std::string domain = trained[i].value("domain", "");
        t << "  " << domain << std::string(12 - std::min<std::size_t>(11, domain.size()), ' ') << "pretrained "
          << fmt("%.3f", trained[i].value("entropy", 0.0)) << " / "
          << fmt("%.1f%%", 100 * trained[i].value("top_share", 0.0)) << "   random init "
          << fmt("%.3f", random[i].value("entropy", 0.0)) << " / "
          << fmt("%.1f%%", 100 * random[i].value("top_share", 0.0)) << "\n";
    }
    const auto& cost = part(report, "selection_cost");
    const auto submissionBytes = report.value("submission_bytes", std::uint64_t{0});
    const auto modelBytes = cost.value("model_bytes", std::uint64_t{0});
    t << "Selected " << cost.value("experts", std::int64_t{0}) << " of " << cost.value("total_experts", std::int64_t{0})
      << " experts; a submission carries " << submissionBytes << " bytes (fp32 deltas) vs " << modelBytes
      << " bytes for the whole model ("
      << fmt("%.1f%%", 100.0 * static_cast<double>(submissionBytes) / static_cast<double>(modelBytes))
      << "); the selected experts are " << cost.value("selected_bytes", std::int64_t{0})
      << " bytes in the model's own dtype (" << fmt("%.1f%%", 100.0 * cost.value("share_of_model", 0.0))
      << " of the model)\n\n";
}

void writeRound(std::ostringstream& t, const json& round)
{
    t << "Round " << round.value("round", 0) << ": held-out loss " << fmt("%.4f", round.value("baseline_loss", 0.0))
      << " -> " << fmt("%.4f", round.value("new_loss", 0.0)) << " (the validator's scoring rows)\n";
    t << "  submission  lr        verdict         s_i +- std error      tokens  rank  weight  fate\n";
    for (const auto& s : list(round, "submissions")) {
        const std::string rank = s.contains("rank") ? std::to_string(s["rank"].get<int>()) : "-";
        // The measured gain and its standard error; refused submissions were never scored.
        std::string gain = "-";
        if (s.contains("gain") && s["gain"].is_number()) {
            gain = fmt("%+.5f", s["gain"].get<double>());
            gain += s.contains("std_error") && s["std_error"].is_number()
                        ? " +- " + fmt("%.5f", s["std_error"].get<double>())
                        : " +- n/a";
        }
        std::string fate = s.value("fate", "");
        const auto& tied = list(s, "tied_with");
        for (std::size_t i = 0; i < tied.size(); ++i)
            fate += (i == 0 ? " (tied with " : ", ") + tied[i].get<std::string>() + (i + 1 == tied.size() ? ")" : "");
        const auto tokens = s.value("tokens", std::int64_t{0});
        char b[320];
        std::snprintf(b, sizeof b, "  %-10s  %-8g  %-14s  %-20s  %6s  %4s  %6.3f  %s\n", s.value("name", "").c_str(),
                      minerLr(round, s.value("name", "")), s.value("verdict", "").c_str(), gain.c_str(),
                      tokens > 0 ? std::to_string(tokens).c_str() : "-", rank.c_str(), s.value("weight", 0.0),
                      fate.c_str());
        t << b;
    }
    for (const auto& m : list(round, "miners"))
        if (m.contains("error"))
            t << "  " << m.value("miner", "") << "     " << m.value("lr", 0.0)
              << "  no submission: " << m.value("error", "") << "\n";
}

void writeLosses(std::ostringstream& t, const json& report)
{
    const auto& s = part(report, "settings");
    const auto& cost = part(report, "selection_cost");
    const auto& ft = part(report, "full_fine_tune");
    const auto& same = part(ft, "same_steps");
    const auto& matched = part(ft, "matched_gain");
    const int rounds = s.value("rounds", 0), miners = s.value("miners", 0);
    const std::int64_t steps = s.value("inner_steps", std::int64_t{0});
    const double lr = s.value("lr", 0.0);
    t << "\nTEFT: " << cost.value("experts", std::int64_t{0}) << " experts ("
      << cost.value("trainable_parameters", std::int64_t{0}) << " parameters) trained, " << rounds << " rounds x "
      << miners << " miners x " << steps << " steps, lr " << lr << ".";
    const bool withFt = s.value("full_fine_tune", false) && !same.empty();
    if (withFt) {
        t << "\nFull fine-tuning: all " << part(report, "foundation_model").value("parameters", std::int64_t{0})
          << " parameters on the same target rows, learning rates";
        for (const auto& r : list(ft, "sweep"))
            t << " " << r.value("lr", 0.0);
        t << "; at the same steps (" << same.value("steps", std::int64_t{0})
          << "), the rate with the lowest in-domain loss: lr " << same.value("lr", 0.0) << "; ";
        if (matched.empty())
            t << "no rate reached TEFT's in-domain loss.";
        else
            t << "at TEFT's in-domain gain, the rate with the least out-of-domain drift: lr "
              << matched.value("lr", 0.0) << ", step " << matched.value("step", std::int64_t{0}) << ".";
    }
    t << "\nHeld-out loss (report rows, written checkpoints)\n";
    t << "                     base      TEFT (merged)      "
      << (withFt ? "full FT, same steps   full FT, same gain" : "") << "\n";
    for (const auto& row : list(report, "losses")) {
        const double b = row.value("base", 0.0), te = row.value("teft", 0.0);
        const std::string name = row.value("domain", "") + (row.value("in_domain", false) ? " (target)" : "");
        char line[256];
        std::snprintf(line, sizeof line, "  %-18s %.4f    %.4f (%+.4f)", name.c_str(), b, te, te - b);
        t << line;
        for (const char* key : {"full_ft", "full_ft_matched"})
            if (row.contains(key)) {
                const double f = row.value(key, 0.0);
                std::snprintf(line, sizeof line, "    %.4f (%+.4f)", f, f - b);
                t << line;
            }
        t << "\n";
    }
}

} // namespace

std::string demoReportTable(const json& report)
{
    std::ostringstream t;
    writeHeader(t, report);
    for (const auto& round : list(report, "rounds"))
        writeRound(t, round);
    writeLosses(t, report);
    const auto& merge = part(report, "merge");
    t << "Merged checkpoint: " << merge.value("out", "") << " (verified: " << merge.value("merged_tensors", 0)
      << " expert tensors = Φ, " << merge.value("identical_tensors", 0) << " tensors byte-identical to the base)\n";
    const auto& timings = part(report, "timings_s");
    t << "Time: " << fmt("%.0f s", timings.value("total", 0.0)) << " (foundation model "
      << fmt("%.0f s", timings.value("foundation_model", 0.0)) << ", miners "
      << fmt("%.0f s", timings.value("miners", 0.0)) << ", validators "
      << fmt("%.0f s", timings.value("validators", 0.0)) << ")\n";
    return t.str();
}

} // namespace teft
