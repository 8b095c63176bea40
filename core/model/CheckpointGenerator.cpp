#include "core/model/CheckpointGenerator.h"

#include "core/io/CheckpointFiles.h"
#include "core/model/ModelFamily.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace teft {
namespace {

class WeightFactory {
public:
    WeightFactory(std::uint64_t seed, torch::ScalarType dtype) : m_dtype(dtype)
    {
        m_gen = at::detail::createCPUGenerator(seed);
    }
    torch::Tensor normal(std::vector<std::int64_t> shape, double std)
    {
        return (at::randn(shape, m_gen, torch::TensorOptions().dtype(torch::kFloat)) * std).to(m_dtype);
    }
    torch::Tensor nearOne(std::int64_t n) { return (1.0 + normal({n}, 1.0).to(torch::kFloat) * 0.05).to(m_dtype); }
    void add(const std::string& name, torch::Tensor t) { m_out.emplace_back(name, std::move(t)); }
    std::vector<std::pair<std::string, torch::Tensor>>& out() { return m_out; }

private:
    torch::ScalarType m_dtype;
    at::Generator m_gen;
    std::vector<std::pair<std::string, torch::Tensor>> m_out;
};

void addMlp(WeightFactory& f, const std::string& p, std::int64_t H, std::int64_t I, double std)
{
    f.add(p + "gate_proj.weight", f.normal({I, H}, std));
    f.add(p + "up_proj.weight", f.normal({I, H}, std));
    f.add(p + "down_proj.weight", f.normal({H, I}, std));
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
    auto cfg = spec->presetConfig(presetSizes(o.preset));
    cfg["torch_dtype"] = dtypeName(o.dtype);
    return cfg;
}

std::vector<std::pair<std::string, torch::Tensor>> randomWeights(const ModelConfig& c, std::uint64_t seed,
                                                                 torch::ScalarType dtype, bool fused)
{
    WeightFactory f(seed, dtype);
    const auto H = c.hiddenSize;
    const double std = 0.02;
    const double wide = 1.0 / std::sqrt(static_cast<double>(H)); // unit-variance outputs
    f.add("model.embed_tokens.weight", f.normal({c.vocabSize, H}, 1.0));
    for (int l = 0; l < c.numLayers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        const std::string a = p + "self_attn.";
        if (c.mla) {
            const auto qk = c.qkHeadDim();
            if (c.qLoraRank > 0) {
                f.add(a + "q_a_proj.weight", f.normal({c.qLoraRank, H}, wide));
                f.add(a + "q_a_layernorm.weight", f.nearOne(c.qLoraRank));
                f.add(a + "q_b_proj.weight",
                      f.normal({c.numHeads * qk, c.qLoraRank}, 1.0 / std::sqrt(double(c.qLoraRank))));
            } else {
                f.add(a + "q_proj.weight", f.normal({c.numHeads * qk, H}, wide));
            }
            f.add(a + "kv_a_proj_with_mqa.weight", f.normal({c.kvLoraRank + c.qkRopeHeadDim, H}, wide));
            f.add(a + "kv_a_layernorm.weight", f.nearOne(c.kvLoraRank));
            f.add(a + "kv_b_proj.weight", f.normal({c.numHeads * (c.qkNopeHeadDim + c.vHeadDim), c.kvLoraRank},
                                                   1.0 / std::sqrt(double(c.kvLoraRank))));
            f.add(a + "o_proj.weight", f.normal({H, c.numHeads * c.vHeadDim}, std));
        } else {
            const auto q = c.numHeads * c.headDim, kv = c.numKvHeads * c.headDim;
            f.add(a + "q_proj.weight", f.normal({q, H}, wide));
            f.add(a + "k_proj.weight", f.normal({kv, H}, wide));
            f.add(a + "v_proj.weight", f.normal({kv, H}, wide));
            f.add(a + "o_proj.weight", f.normal({H, q}, std));
            if (c.attentionBias) {
                f.add(a + "q_proj.bias", f.normal({q}, 0.1));
                f.add(a + "k_proj.bias", f.normal({kv}, 0.1));
                f.add(a + "v_proj.bias", f.normal({kv}, 0.1));
            }
            if (c.outputBias)
                f.add(a + "o_proj.bias", f.normal({H}, 0.1));
            if (c.qkHeadNorm) {
                f.add(a + "q_norm.weight", f.nearOne(c.headDim));
                f.add(a + "k_norm.weight", f.nearOne(c.headDim));
            }
            if (c.qkFullNorm) {
                f.add(a + "q_norm.weight", f.nearOne(q));
                f.add(a + "k_norm.weight", f.nearOne(kv));
            }
        }
        f.add(p + "input_layernorm.weight", f.nearOne(H));
        f.add(p + "post_attention_layernorm.weight", f.nearOne(H));
        if (!c.isMoeLayer(l)) {
            addMlp(f, p + "mlp.", H, c.intermediateSize, std);
            continue;
        }
        const auto E = c.numExperts, I = c.expertIntermediate;
        f.add(c.routerWeightName(l), f.normal({E, H}, wide));
        if (c.routing == RoutingKind::DeepseekSigmoid)
            f.add(c.routerScoreBiasName(l), f.normal({E}, 0.05).to(torch::kFloat).to(dtype));
        if (fused) {
            f.add(c.fusedGateUpName(l), f.normal({E, 2 * I, H}, wide));
            f.add(c.fusedDownName(l), f.normal({E, H, I}, std));
        } else {
            for (int e = 0; e < E; ++e) {
                const auto names = c.expertTensorNames(l, e);
                f.add(names[0], f.normal({I, H}, wide));
                f.add(names[1], f.normal({I, H}, wide));
                f.add(names[2], f.normal({H, I}, std));
            }
        }
        if (c.sharedIntermediate > 0)
            addMlp(f, c.sharedExpertPrefix(l), H, c.sharedIntermediate, std);
        if (c.sharedExpertGate)
            f.add(c.sharedExpertGateName(l), f.normal({1, H}, wide));
    }
    f.add("model.norm.weight", f.nearOne(H));
    if (!c.tieWordEmbeddings)
        f.add("lm_head.weight", f.normal({c.vocabSize, H}, wide));
    return std::move(f.out());
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
    const auto weights = randomWeights(cfg, o.seed, o.dtype, o.fusedExperts);
    std::uint64_t total = 0;
    for (const auto& [name, t] : weights)
        total += t.nbytes();
    const std::uint64_t maxShard = o.shards == 1 ? total + 1 : (total + o.shards - 1) / o.shards;
    writeCheckpoint(out, weights, maxShard, control);
    writeFileAtomically(out / "config.json", doc.dump(2));
    writeByteLevelTokenizer(out);
    return cfg;
}

} // namespace teft
