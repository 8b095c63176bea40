// `teft model create | info | forward`: generated checkpoints, what a model folder holds, and a
// forward pass whose logits and routing anyone can compare with another implementation.
#include "app/cli/Cli.h"
#include "core/util/Paths.h"

#include "core/io/CheckpointFiles.h"
#include "core/io/SafetensorsWriter.h"
#include "core/io/StrictJson.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/ModelConfig.h"
#include "core/model/ModelFamily.h"
#include "core/model/MoeModel.h"
#include "core/util/Runtime.h"

#include <torch/torch.h>

#include <fstream>
#include <sstream>

namespace teft::cli {
namespace {

std::string mib(std::int64_t bytes)
{
    std::ostringstream o;
    o.precision(2);
    o << std::fixed << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
    return o.str();
}

int runCreate(Invocation& inv)
{
    GenerateOptions o;
    o.arch = inv.require("arch");
    o.preset = inv.get("preset");
    o.shards = static_cast<int>(inv.getInt("shards"));
    o.layers = static_cast<int>(inv.getInt("layers"));
    o.seed = static_cast<std::uint64_t>(inv.getInt("seed"));
    try {
        o.dtype = parseDtypeName(inv.get("dtype"));
    } catch (const Error& e) {
        throw UsageError(std::string("--dtype: ") + e.what());
    }
    const std::string layout = inv.get("layout");
    if (layout != "per-expert" && layout != "fused")
        throw UsageError("--layout must be per-expert or fused");
    o.fusedExperts = layout == "fused";
    const std::filesystem::path out = inv.require("out");
    const auto cfg = generateCheckpoint(out, o, &inv.control);
    nlohmann::json doc{{"out", out.string()},
                       {"model_type", cfg.modelType},
                       {"preset", o.preset},
                       {"params_total", cfg.paramsTotal()},
                       {"dtype", dtypeName(o.dtype)}};
    inv.printJson(doc);
    return 0;
}

int runInfo(Invocation& inv)
{
    const std::filesystem::path dir = inv.arg(0);
    const auto cfg = ModelConfig::load(dir);
    const auto files = CheckpointFiles::open(dir);
    std::uint64_t onDisk = 0;
    for (const auto& f : files.files())
        onDisk += f->fileSize();
    const auto moe = cfg.moeLayers();
    nlohmann::json doc{{"dir", dir.string()},
                       {"model_type", cfg.modelType},
                       {"layers", cfg.numLayers},
                       {"moe_layers", moe},
                       {"experts", cfg.numExperts},
                       {"top_k", cfg.topK},
                       {"shared_expert_intermediate", cfg.sharedIntermediate},
                       {"hidden_size", cfg.hiddenSize},
                       {"expert_intermediate_size", cfg.expertIntermediate},
                       {"vocab_size", cfg.vocabSize},
                       {"params_total", cfg.paramsTotal()},
                       {"params_active", cfg.paramsActive()},
                       {"params_per_expert", cfg.paramsPerExpert()},
                       {"bytes_per_expert", cfg.bytesPerExpert()},
                       {"dtype", cfg.dtype},
                       {"sharded", files.sharded()},
                       {"files", files.files().size()},
                       {"size_on_disk", onDisk}};
    std::ostringstream t;
    t << "family:          " << cfg.modelType << "\n"
      << "layers:          " << cfg.numLayers << " (" << moe.size() << " MoE)\n"
      << "experts:         " << cfg.numExperts << " per MoE layer, top-" << cfg.topK
      << (cfg.sharedIntermediate > 0 ? " + shared" : "") << "\n"
      << "params:          " << cfg.paramsTotal() << " total, " << cfg.paramsActive() << " active per token\n"
      << "bytes per expert: " << cfg.bytesPerExpert() << " (" << mib(cfg.bytesPerExpert()) << ")\n"
      << "dtype:           " << cfg.dtype << "\n"
      << "size on disk:    " << onDisk << " bytes (" << mib(static_cast<std::int64_t>(onDisk)) << ") in "
      << files.files().size() << " file(s)\n";
    if (inv.json())
        inv.printJson(doc);
    else
        inv.printText(t.str());
    return 0;
}

// [[ids...], ...] -> ids [B, T] (right-padded with 0) and mask [B, T].
std::pair<torch::Tensor, torch::Tensor> readInputIds(const std::filesystem::path& path)
{
    if (!std::ifstream(path))
        throw Error("Cannot read input ids file " + path.string());
    const nlohmann::json doc = readJsonFile(path);
    if (!doc.is_array() || doc.empty())
        throw FormatError(path.string() + ": expected a non-empty list of token id lists, e.g. [[1, 2, 3]]");
    std::size_t T = 0;
    for (const auto& row : doc) {
        if (!row.is_array() || row.empty())
            throw FormatError(path.string() + ": every row must be a non-empty list of token ids");
        T = std::max(T, row.size());
    }
    const auto B = static_cast<std::int64_t>(doc.size());
    auto ids = torch::zeros({B, static_cast<std::int64_t>(T)}, torch::kLong);
    auto mask = torch::zeros({B, static_cast<std::int64_t>(T)}, torch::kLong);
    auto* pi = ids.data_ptr<std::int64_t>();
    auto* pm = mask.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < B; ++b)
        for (std::size_t t = 0; t < doc[b].size(); ++t) {
            if (!doc[b][t].is_number_integer())
                throw FormatError(path.string() + ": row " + std::to_string(b) + " holds " + doc[b][t].dump() +
                                  ", not a token id");
            pi[b * static_cast<std::int64_t>(T) + static_cast<std::int64_t>(t)] = doc[b][t].get<std::int64_t>();
            pm[b * static_cast<std::int64_t>(T) + static_cast<std::int64_t>(t)] = 1;
        }
    return {ids, mask};
}

int runForward(Invocation& inv)
{
    const std::filesystem::path dir = inv.arg(0);
    const auto [ids, mask] = readInputIds(inv.require("input-ids"));
    MoeModelOptions opt;
    opt.device = inv.get("device");
    try {
        opt.computeDtype = parseDtypeName(inv.get("dtype"));
    } catch (const Error& e) {
        throw UsageError(std::string("--dtype: ") + e.what());
    }
    auto model = MoeModel::load(dir, opt, &inv.control);
    ForwardOptions fo;
    fo.loss = false;
    fo.logits = true;
    fo.routing = true;
    const auto r = model->forward(ModelBatch{ids, mask, {}}, fo);
    std::vector<std::pair<std::string, at::Tensor>> out;
    out.emplace_back("logits", r.logits.to(torch::kCPU).contiguous());
    for (const auto& lr : r.routing) {
        out.emplace_back("routing." + std::to_string(lr.layer) + ".ids", lr.ids.to(torch::kCPU).contiguous());
        out.emplace_back("routing." + std::to_string(lr.layer) + ".weights", lr.weights.to(torch::kCPU).contiguous());
    }
    const std::filesystem::path outPath = inv.require("out");
    refuseOutputInside(outPath, dir, "out", "model folder");
    writeSafetensors(outPath, out, {{"model_type", model->config().modelType}});
    inv.printJson(
        {{"out", outPath.string()}, {"batch", ids.size(0)}, {"tokens", ids.size(1)}, {"moe_layers", r.routing.size()}});
    return 0;
}

} // namespace

TEFT_COMMAND({"model create",
              "Write a randomly initialised MoE checkpoint in a family's Hugging Face layout",
              "Writes config.json, model.safetensors (or shards and model.safetensors.index.json), a byte-level "
              "tokenizer.json, tokenizer_config.json and generation_config.json. Families: " +
                  familyList() + ".",
              {},
              {{"arch", "FAMILY", "model_type to generate", "", true},
               {"preset", "NAME", "tiny (tests), small (benchmarks) or qwen3-30b-a3b (the real dimensions)", "tiny"},
               {"layers", "N", "this many layers instead of the preset's (0: the preset's)", "0"},
               {"shards", "N", "split the weights into about N shards", "1"},
               {"seed", "S", "random seed", "0"},
               {"dtype", "DTYPE", "bf16, f16 or f32", "bf16"},
               {"layout", "LAYOUT", "per-expert or fused (transformers v5 gate_up_proj/down_proj)", "per-expert"},
               {"out", "DIR", "output folder", "", true}},
              runCreate});

TEFT_COMMAND(
    {"model info", "Show a model folder's family, layers, experts, parameters and size", "", {"DIR"}, {}, runInfo});

TEFT_COMMAND({"model forward",
              "Run a forward pass and write logits and routing to a safetensors file",
              "Token ids are read as JSON ([[...], ...]; shorter rows are right-padded and masked). Writes "
              "`logits` [B,T,V] fp32 and, per MoE layer l, `routing.l.ids` [B,T,k] (int64, -1 on padding) and "
              "`routing.l.weights` [B,T,k] fp32.",
              {"DIR"},
              {{"input-ids", "FILE", "JSON token ids", "", true},
               {"out", "FILE", "output .safetensors", "", true},
               {"device", "DEVICE", "auto (a GPU when there is one), cpu or cuda[:N]", "auto"},
               {"dtype", "DTYPE", "compute dtype: f32 or bf16", "f32"}},
              runForward});

} // namespace teft::cli
