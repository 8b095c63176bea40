#include "core/model/CheckpointGenerator.h"

#include "core/io/CheckpointFiles.h"
#include "core/io/SafetensorsDtype.h"
#include "core/io/SafetensorsWriter.h"
#include "core/model/ModelFamily.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <map>

namespace teft {
namespace {

// What one generated tensor is, before its data exists: its name and shape, and how its values
// are drawn (normal with `std`, or near one: 1 + 0.05 * normal). Data is drawn from one generator
// in the order of the recipes, so a lazy writer that draws them in that order gets the same bytes
// as randomWeights.
struct Recipe {
    std::string name;
    std::vector<std::int64_t> shape;
    double std = 1.0;
    bool nearOne = false;
};

class WeightFactory {
public:
    void add(const std::string& name, std::vector<std::int64_t> shape, double std)
    {
        m_out.push_back({name, std::move(shape), std, false});
    }
    void addNearOne(const std::string& name, std::int64_t n) { m_out.push_back({name, {n}, 1.0, true}); }
    std::vector<Recipe>& out() { return m_out; }

private:
    std::vector<Recipe> m_out;
};

// Draws the recipes' data in order.
class WeightDrawer {
public:
    WeightDrawer(std::uint64_t seed, torch::ScalarType dtype) : m_dtype(dtype)
    {
        m_gen = at::detail::createCPUGenerator(seed);
    }
    torch::Tensor draw(const Recipe& r)
    {
        auto normal = [&](const std::vector<std::int64_t>& shape, double std) {
            return (at::randn(shape, m_gen, torch::TensorOptions().dtype(torch::kFloat)) * std).to(m_dtype);
        };
        if (r.nearOne)
            return (1.0 + normal(r.shape, 1.0).to(torch::kFloat) * 0.05).to(m_dtype);
        return normal(r.shape, r.std);
    }

private:
    torch::ScalarType m_dtype;
    at::Generator m_gen;
};

void addMlp(WeightFactory& f, const std::string& p, std::int64_t H, std::int64_t I, double std)
{
    f.add(p + "gate_proj.weight", {I, H}, std);
    f.add(p + "up_proj.weight", {I, H}, std);
    f.add(p + "down_proj.weight", {H, I}, std);
}

std::string utf8(std::uint32_t cp)
{
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

} // namespace

nlohmann::json generatedConfigJson(const GenerateOptions& o)
{
    const FamilySpec* spec = findFamilySpec(o.arch);
    if (!spec)
        throw UsageError("Unknown architecture '" + o.arch + "' (supported: " + familyList() + ")");
    if (o.layers < 0)
        throw UsageError("--layers must be positive");
    PresetSizes sizes = presetSizes(o.preset);
    if (o.layers > 0)
        sizes.layers = o.layers;
    auto cfg = spec->presetConfig(sizes);
    cfg["torch_dtype"] = dtypeName(o.dtype);
    return cfg;
}

namespace {

std::vector<Recipe> weightRecipes(const ModelConfig& c, bool fused)
{
    WeightFactory f;
    const auto H = c.hiddenSize;
    const double std = 0.02;
    const double wide = 1.0 / std::sqrt(static_cast<double>(H)); // unit-variance outputs
    f.add("model.embed_tokens.weight", {c.vocabSize, H}, 1.0);
    for (int l = 0; l < c.numLayers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        const std::string a = p + "self_attn.";
        if (c.mla) {
            const auto qk = c.qkHeadDim();
            if (c.qLoraRank > 0) {
                f.add(a + "q_a_proj.weight", {c.qLoraRank, H}, wide);
                f.addNearOne(a + "q_a_layernorm.weight", c.qLoraRank);
                f.add(a + "q_b_proj.weight", {c.numHeads * qk, c.qLoraRank}, 1.0 / std::sqrt(double(c.qLoraRank)));
            } else {
                f.add(a + "q_proj.weight", {c.numHeads * qk, H}, wide);
            }
            f.add(a + "kv_a_proj_with_mqa.weight", {c.kvLoraRank + c.qkRopeHeadDim, H}, wide);
            f.addNearOne(a + "kv_a_layernorm.weight", c.kvLoraRank);
            f.add(a + "kv_b_proj.weight", {c.numHeads * (c.qkNopeHeadDim + c.vHeadDim), c.kvLoraRank},
                  1.0 / std::sqrt(double(c.kvLoraRank)));
            f.add(a + "o_proj.weight", {H, c.numHeads * c.vHeadDim}, std);
        } else {
            const auto q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
            f.add(a + "q_proj.weight", {q, H}, wide);
            f.add(a + "k_proj.weight", {kv, H}, wide);
            f.add(a + "v_proj.weight", {kv, H}, wide);
            f.add(a + "o_proj.weight", {H, q}, std);
            if (c.attentionBias) {
                f.add(a + "q_proj.bias", {q}, 0.1);
                f.add(a + "k_proj.bias", {kv}, 0.1);
                f.add(a + "v_proj.bias", {kv}, 0.1);
            }
            if (c.outputBias)
                f.add(a + "o_proj.bias", {H}, 0.1);
            if (c.qkHeadNorm) {
                f.addNearOne(a + "q_norm.weight", c.headDim);
                f.addNearOne(a + "k_norm.weight", c.headDim);
            }
            if (c.qkFullNorm) {
                f.addNearOne(a + "q_norm.weight", q);
                f.addNearOne(a + "k_norm.weight", kv);
            }
        }
        f.addNearOne(p + "input_layernorm.weight", H);
        f.addNearOne(p + "post_attention_layernorm.weight", H);
        if (!c.isMoeLayer(l)) {
            addMlp(f, p + "mlp.", H, c.intermediateSize, std);
            continue;
        }
        const auto E = c.numExperts, I = c.expertIntermediate;
        f.add(c.routerWeightName(l), {E, H}, wide);
        if (c.routing == RoutingKind::DeepseekSigmoid)
            f.add(c.routerScoreBiasName(l), {E}, 0.05);
        if (fused) {
            f.add(c.fusedGateUpName(l), {E, 2 * I, H}, wide);
            f.add(c.fusedDownName(l), {E, H, I}, std);
        } else {
            for (int e = 0; e < E; ++e) {
                const auto names = c.expertTensorNames(l, e);
                f.add(names[0], {I, H}, wide);
                f.add(names[1], {I, H}, wide);
                f.add(names[2], {H, I}, std);
            }
        }
        if (c.sharedIntermediate > 0)
            addMlp(f, c.sharedExpertPrefix(l), H, c.sharedIntermediate, std);
        if (c.sharedExpertGate)
            f.add(c.sharedExpertGateName(l), {1, H}, wide);
    }
    f.addNearOne("model.norm.weight", H);
    if (!c.tieWordEmbeddings)
        f.add("lm_head.weight", {c.vocabSize, H}, wide);
    return std::move(f.out());
}

} // namespace

std::vector<std::pair<std::string, torch::Tensor>> randomWeights(const ModelConfig& c, std::uint64_t seed,
                                                                 torch::ScalarType dtype, bool fused)
{
    WeightDrawer draw(seed, dtype);
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const Recipe& r : weightRecipes(c, fused))
        out.emplace_back(r.name, draw.draw(r));
    return out;
}

void writeByteLevelTokenizer(const std::filesystem::path& dir)
{
    // GPT-2 byte-to-unicode: printable bytes keep their code point, the other 68 map to
    // U+0100 + n in ascending order. Ids follow that table's order ('!' = 0), as Qwen2 does.
    std::vector<int> bytes;
    for (int b = '!'; b <= '~'; ++b)
        bytes.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b)
        bytes.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b)
        bytes.push_back(b);
    std::vector<std::uint32_t> codepoint(256, 0);
    std::vector<bool> printable(256, false);
    for (int b : bytes) {
        codepoint[static_cast<std::size_t>(b)] = static_cast<std::uint32_t>(b);
        printable[static_cast<std::size_t>(b)] = true;
    }
    std::uint32_t n = 0;
    for (int b = 0; b < 256; ++b)
        if (!printable[static_cast<std::size_t>(b)]) {
            codepoint[static_cast<std::size_t>(b)] = 256 + n++;
            bytes.push_back(b);
        }
    nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
    for (std::size_t id = 0; id < bytes.size(); ++id)
        vocab[utf8(codepoint[static_cast<std::size_t>(bytes[id])])] = id;

    const std::vector<std::string> specials{"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    nlohmann::ordered_json added = nlohmann::ordered_json::array();
    nlohmann::ordered_json addedDecoder = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < specials.size(); ++i) {
        nlohmann::ordered_json t{{"id", 256 + i},   {"content", specials[i]}, {"single_word", false}, {"lstrip", false},
                                 {"rstrip", false}, {"normalized", false},    {"special", true}};
        added.push_back(t);
        addedDecoder[std::to_string(256 + i)] = {{"content", specials[i]}, {"lstrip", false},
                                                 {"normalized", false},    {"rstrip", false},
                                                 {"single_word", false},   {"special", true}};
    }
    const std::string pattern = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| "
                                "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    nlohmann::ordered_json byteLevel{{"type", "ByteLevel"},
                                     {"add_prefix_space", false},
                                     {"trim_offsets", false},
                                     {"use_regex", false}};
    nlohmann::ordered_json tok;
    tok["version"] = "1.0";
    tok["truncation"] = nullptr;
    tok["padding"] = nullptr;
    tok["added_tokens"] = added;
    tok["normalizer"] = {{"type", "NFC"}};
    tok["pre_tokenizer"] = {{"type", "Sequence"},
                            {"pretokenizers",
                             nlohmann::ordered_json::array({nlohmann::ordered_json{{"type", "Split"},
                                                                                   {"pattern", {{"Regex", pattern}}},
                                                                                   {"behavior", "Isolated"},
                                                                                   {"invert", false}},
                                                            byteLevel})}};
    tok["post_processor"] = byteLevel;
    tok["decoder"] = byteLevel;
    tok["model"] = {{"type", "BPE"},
                    {"dropout", nullptr},
                    {"unk_token", nullptr},
                    {"continuing_subword_prefix", ""},
                    {"end_of_word_suffix", ""},
                    {"fuse_unk", false},
                    {"byte_fallback", false},
                    {"ignore_merges", false},
                    {"vocab", vocab},
                    {"merges", nlohmann::ordered_json::array()}};
    writeFileAtomically(dir / "tokenizer.json", tok.dump(2));

    nlohmann::ordered_json tc;
    tc["add_bos_token"] = false;
    tc["add_prefix_space"] = false;
    tc["added_tokens_decoder"] = addedDecoder;
    tc["additional_special_tokens"] = {"<|im_start|>", "<|im_end|>"};
    tc["bos_token"] = nullptr;
    tc["chat_template"] = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
                          "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt "
                          "%}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    tc["clean_up_tokenization_spaces"] = false;
    tc["eos_token"] = "<|endoftext|>";
    tc["errors"] = "replace";
    tc["model_max_length"] = 4096;
    tc["pad_token"] = "<|endoftext|>";
    tc["split_special_tokens"] = false;
    tc["tokenizer_class"] = "Qwen2Tokenizer";
    tc["unk_token"] = nullptr;
    writeFileAtomically(dir / "tokenizer_config.json", tc.dump(2));

    nlohmann::ordered_json gen{{"bos_token_id", 256},
                               {"eos_token_id", 256},
                               {"pad_token_id", 256},
                               {"do_sample", false},
                               {"transformers_version", "4.51.0"}};
    writeFileAtomically(dir / "generation_config.json", gen.dump(2));
}

ModelConfig generateCheckpoint(const std::filesystem::path& out, const GenerateOptions& o, JobControl* control)
{
    if (o.shards < 1)
        throw UsageError("--shards must be at least 1");
    if (o.dtype != torch::kBFloat16 && o.dtype != torch::kFloat && o.dtype != torch::kHalf)
        throw UsageError("Checkpoint dtype must be bf16, f16 or f32");
    const auto doc = generatedConfigJson(o);
    const auto cfg = ModelConfig::fromJson(doc, "generated config.json");
    if (o.fusedExperts && !cfg.hasFusedLayout())
        throw UsageError("The fused expert layout is not available for " + cfg.modelType);
    std::filesystem::create_directories(out);
    // The data is drawn while the shards are written: in recipe order (the bytes randomWeights
    // gives), each tensor kept only until its shard has written it, so generating a checkpoint
    // larger than memory needs memory for about one shard.
    const std::vector<Recipe> recipes = weightRecipes(cfg, o.fusedExperts);
    const std::string dtypeName = safetensorsDtypeName(o.dtype);
    std::vector<StreamedTensor> streamed;
    std::uint64_t total = 0;
    WeightDrawer drawer(o.seed, o.dtype);
    std::size_t drawn = 0;
    std::map<std::size_t, torch::Tensor> pending;
    for (std::size_t i = 0; i < recipes.size(); ++i) {
        streamed.push_back({{recipes[i].name, dtypeName, recipes[i].shape}, [&, i](SafetensorsStreamWriter& w) {
                                while (drawn <= i) {
                                    pending.emplace(drawn, drawer.draw(recipes[drawn]));
                                    ++drawn;
                                }
                                const auto it = pending.find(i);
                                w.writeTensor(it->second);
                                pending.erase(it);
                            }});
        total += streamed.back().entry.byteSize();
    }
    const std::uint64_t maxShard = o.shards == 1 ? total + 1 : (total + o.shards - 1) / o.shards;
    writeCheckpointStreamed(out, streamed, maxShard, control);
    writeFileAtomically(out / "config.json", doc.dump(2));
    writeByteLevelTokenizer(out);
    return cfg;
}

} // namespace teft
