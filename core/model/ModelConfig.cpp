#include "core/model/ModelConfig.h"

#include "core/io/StrictJson.h"
#include "core/model/ConfigKeys.h"
#include "core/model/ModelFamily.h"
#include "core/util/Error.h"

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

namespace teft {
namespace {

void parseRope(const ConfigKeys& keys, const nlohmann::json& doc, ModelConfig& cfg)
{
    // transformers v5 files: rope_parameters {rope_type, rope_theta, ...}; older files: rope_theta
    // plus an optional rope_scaling {type|rope_type, factor, ...}.
    const nlohmann::json* params = nullptr;
    if (keys.has("rope_parameters")) {
        params = &doc.at("rope_parameters");
        if (!params->is_object())
            throw FormatError(keys.source() + ": key 'rope_parameters' must be an object, got " + params->dump());
        if (params->contains("rope_theta") && (*params)["rope_theta"].is_number())
            cfg.rope.theta = (*params)["rope_theta"].get<double>();
        else
            cfg.rope.theta = keys.number("rope_theta", 10000.0);
    } else {
        cfg.rope.theta = keys.number("rope_theta", 10000.0);
        if (keys.has("rope_scaling")) {
            params = &doc.at("rope_scaling");
            if (!params->is_object())
                throw FormatError(keys.source() + ": key 'rope_scaling' must be an object or null, got " +
                                  params->dump());
        }
    }
    if (!params)
        return;
    auto str = [&](const char* k) -> std::string {
        return params->contains(k) && (*params)[k].is_string() ? (*params)[k].get<std::string>() : std::string();
    };
    auto num = [&](const char* k, double fallback) -> double {
        return params->contains(k) && (*params)[k].is_number() ? (*params)[k].get<double>() : fallback;
    };
    std::string type = str("rope_type");
    if (type.empty())
        type = str("type");
    if (type.empty())
        type = "default";
    if (type != "default" && type != "yarn")
        keys.unsupported("rope type", "'" + type + "'", "supported: default, yarn");
    cfg.rope.type = type;
    if (type == "yarn") {
        if (!params->contains("factor") || !(*params)["factor"].is_number())
            throw FormatError(keys.source() + ": YaRN RoPE needs a numeric 'factor'");
        cfg.rope.factor = (*params)["factor"].get<double>();
        if (params->contains("original_max_position_embeddings") &&
            (*params)["original_max_position_embeddings"].is_number()) {
            const auto& v = (*params)["original_max_position_embeddings"];
            if (v.is_number_float() && !(std::fabs(v.get<double>()) < 9.2e18)) // a cast would be undefined
                throw FormatError(keys.source() + ": 'original_max_position_embeddings' is out of range, got " +
                                  v.dump());
            cfg.rope.originalMaxPositions = (*params)["original_max_position_embeddings"].get<std::int64_t>();
            cfg.rope.hasOriginalMaxPositions = true;
        }
        cfg.rope.betaFast = num("beta_fast", 32.0);
        cfg.rope.betaSlow = num("beta_slow", 1.0);
        cfg.rope.mscale = num("mscale", 0.0);
        cfg.rope.mscaleAllDim = num("mscale_all_dim", 0.0);
        cfg.rope.attentionFactor = num("attention_factor", 0.0);
    }
}

// Sizes far beyond any real checkpoint (the largest today: hidden 16384, 61 to 126 layers,
// 256 to 512 experts, vocabularies under 300k), but small enough that every count the engine
// derives from them (paramsTotal(): at most about 8.1e18) fits in 64 bits and the per-layer tables
// stay small. A config above them is refused, naming the size, before anything is allocated.
constexpr std::int64_t kMaxWidth = 1 << 17;  // hidden, intermediate, head and LoRA widths
constexpr std::int64_t kMaxLayers = 1 << 12; // layers
constexpr std::int64_t kMaxCount = 1 << 12;  // attention heads
constexpr std::int64_t kMaxExperts = 1 << 14;
constexpr std::int64_t kMaxVocab = 1 << 22;

void checkSize(const std::string& source, const char* what, std::int64_t value, std::int64_t limit)
{
    if (value > limit)
        throw FormatError(source + ": " + what + " is " + std::to_string(value) +
                          ", more than any model TEFT supports (at most " + std::to_string(limit) + ")");
}

void checkSizes(const ModelConfig& c)
{
    const std::string& s = c.source;
    checkSize(s, "hidden_size", c.hiddenSize, kMaxWidth);
    checkSize(s, "the number of layers", c.numLayers, kMaxLayers);
    checkSize(s, "the number of attention heads", c.numHeads, kMaxCount);
    checkSize(s, "the number of key/value heads", c.numKvHeads, kMaxCount);
    checkSize(s, "the head dimension", c.headDim, kMaxWidth);
    checkSize(s, "vocab_size", c.vocabSize, kMaxVocab);
    checkSize(s, "the number of routed experts", c.numExperts, kMaxExperts);
    checkSize(s, "the dense intermediate size", c.intermediateSize, kMaxWidth);
    checkSize(s, "the expert intermediate size", c.expertIntermediate, kMaxWidth);
    checkSize(s, "the shared expert intermediate size", c.sharedIntermediate, kMaxWidth);
    checkSize(s, "q_lora_rank", c.qLoraRank, kMaxWidth);
    checkSize(s, "kv_lora_rank", c.kvLoraRank, kMaxWidth);
    checkSize(s, "qk_nope_head_dim", c.qkNopeHeadDim, kMaxWidth);
    checkSize(s, "qk_rope_head_dim", c.qkRopeHeadDim, kMaxWidth);
    checkSize(s, "v_head_dim", c.vHeadDim, kMaxWidth);
}

void parseCommon(const ConfigKeys& keys, const nlohmann::json& doc, ModelConfig& cfg)
{
    cfg.hiddenSize = keys.positive("hidden_size");
    cfg.numLayers = keys.positive("num_hidden_layers");
    // Before a family sizes its per-layer tables by it.
    checkSize(keys.source(), "the number of layers", cfg.numLayers, kMaxLayers);
    cfg.numHeads = keys.positive("num_attention_heads");
    cfg.numKvHeads = keys.positive("num_key_value_heads", cfg.numHeads);
    cfg.vocabSize = keys.positive("vocab_size");
    cfg.rmsNormEps = keys.number("rms_norm_eps", 1e-6);
    // RMSNorm divides by sqrt(mean(x^2) + eps): a negative eps gives NaN for small activations,
    // a huge one flattens every layer's input.
    if (!(cfg.rmsNormEps > 0.0 && cfg.rmsNormEps < 1.0))
        throw FormatError(keys.source() + ": rms_norm_eps is " + keys.raw("rms_norm_eps").dump() +
                          ", it must lie in (0, 1)");
    cfg.tieWordEmbeddings = keys.boolean("tie_word_embeddings", false);
    cfg.maxPositionEmbeddings = keys.positive("max_position_embeddings", 4096);
    cfg.headDim = keys.positive("head_dim", cfg.hiddenSize / cfg.numHeads);
    const std::string act = keys.string("hidden_act", "silu");
    if (act != "silu")
        keys.unsupported("hidden_act", "'" + act + "'", "only silu experts are supported");
    cfg.dtype = keys.string("torch_dtype", keys.string("dtype", "bfloat16"));
    try {
        (void)parseDtypeName(cfg.dtype);
    } catch (const Error&) {
        keys.unsupported("torch_dtype", "'" + cfg.dtype + "'", "supported: float32, float16, bfloat16");
    }
    if (cfg.numHeads % cfg.numKvHeads != 0)
        throw FormatError(keys.source() + ": num_attention_heads (" + std::to_string(cfg.numHeads) +
                          ") is not a multiple of num_key_value_heads (" + std::to_string(cfg.numKvHeads) + ")");
    if (keys.has("partial_rotary_factor") && keys.number("partial_rotary_factor") != 1.0)
        keys.unsupported("partial_rotary_factor", keys.raw("partial_rotary_factor").dump(), "only full rotary");
    parseRope(keys, doc, cfg);
}

} // namespace

c10::ScalarType parseDtypeName(const std::string& name)
{
    if (name == "bfloat16" || name == "bf16" || name == "BF16")
        return c10::kBFloat16;
    if (name == "float32" || name == "f32" || name == "float" || name == "F32" || name == "fp32")
        return c10::kFloat;
    if (name == "float16" || name == "f16" || name == "half" || name == "F16" || name == "fp16")
        return c10::kHalf;
    throw Error("Unknown dtype '" + name + "' (use bf16, f16 or f32)");
}

std::string dtypeName(c10::ScalarType t)
{
    switch (t) {
    case c10::kBFloat16: return "bfloat16";
    case c10::kFloat: return "float32";
    case c10::kHalf: return "float16";
    default: return c10::toString(t);
    }
}

ModelConfig ModelConfig::fromJson(const nlohmann::json& doc, const std::string& source)
{
    if (!doc.is_object())
        throw FormatError(source + ": not a JSON object");
    if (!doc.contains("model_type") || !doc["model_type"].is_string())
        throw FormatError(source + ": missing key 'model_type'");
    ModelConfig cfg;
    cfg.modelType = doc["model_type"].get<std::string>();
    cfg.source = source;
    const FamilySpec* spec = findFamilySpec(cfg.modelType);
    if (!spec)
        throw FormatError(source + ": unknown model_type '" + cfg.modelType + "' (supported: " + familyList() + ")");
    cfg.layout = spec->layout;
    ConfigKeys keys(doc, source, cfg.modelType);
    parseCommon(keys, doc, cfg);
    spec->parse(keys, cfg);
    checkSizes(cfg);
    cfg.sharedExpertGate = cfg.sharedIntermediate > 0 && !cfg.layout.sharedExpertGate.empty();
    if (static_cast<std::int64_t>(cfg.moeLayerFlags.size()) != cfg.numLayers)
        throw FormatError(source + ": internal error: MoE layer flags not set");
    if (cfg.numExperts > 0 && (cfg.topK <= 0 || cfg.topK > cfg.numExperts))
        throw FormatError(source + ": num_experts_per_tok (" + std::to_string(cfg.topK) +
                          ") must be between 1 and the number of experts (" + std::to_string(cfg.numExperts) + ")");
    return cfg;
}

ModelConfig ModelConfig::load(const std::filesystem::path& modelDir)
{
    const auto path = modelDir / "config.json";
    if (!std::ifstream(path))
        throw FormatError("Cannot read " + path.string() + ": no config.json in the model folder");
    // Python's json (and so transformers) silently keeps the last of repeated keys; a config that
    // names a key twice was edited by hand and is ambiguous, so it is refused, naming the key.
    return fromJson(readJsonFile(path, {}, DuplicateKeys::Refuse), path.string());
}

std::vector<std::string> ModelConfig::supportedModelTypes()
{
    std::vector<std::string> out;
    for (const auto& f : familySpecs())
        out.push_back(f.modelType);
    return out;
}

bool ModelConfig::isMoeLayer(int layer) const
{
    return layer >= 0 && layer < static_cast<int>(moeLayerFlags.size()) && moeLayerFlags[layer];
}

std::vector<int> ModelConfig::moeLayers() const
{
    std::vector<int> out;
    for (int i = 0; i < static_cast<int>(moeLayerFlags.size()); ++i)
        if (moeLayerFlags[i])
            out.push_back(i);
    return out;
}

int ModelConfig::firstMoeLayer() const
{
    const auto l = moeLayers();
    return l.empty() ? -1 : l.front();
}

int ModelConfig::lastMoeLayer() const
{
    const auto l = moeLayers();
    return l.empty() ? -1 : l.back();
}

std::string ModelConfig::moePrefix(int layer) const
{
    return "model.layers." + std::to_string(layer) + "." + layout.moeBlock + ".";
}

std::string ModelConfig::expertPrefix(int layer) const { return moePrefix(layer) + "experts."; }

std::string ModelConfig::routerWeightName(int layer) const { return moePrefix(layer) + layout.router + ".weight"; }

std::string ModelConfig::routerScoreBiasName(int layer) const
{
    return moePrefix(layer) + layout.router + "." + layout.routerScoreBias;
}

std::string ModelConfig::sharedExpertPrefix(int layer) const { return moePrefix(layer) + layout.sharedExpert + "."; }

std::string ModelConfig::sharedExpertGateName(int layer) const
{
    return moePrefix(layer) + layout.sharedExpertGate + ".weight";
}

std::string ModelConfig::fusedGateUpName(int layer) const { return expertPrefix(layer) + layout.fusedGateUp; }

std::string ModelConfig::fusedDownName(int layer) const { return expertPrefix(layer) + layout.fusedDown; }

std::vector<std::string> ModelConfig::expertTensorNames(int layer, int expert) const
{
    const std::string p = expertPrefix(layer) + std::to_string(expert) + ".";
    const auto& names = layout.expertProjections;
    return {p + names[0] + ".weight", p + names[1] + ".weight", p + names[2] + ".weight"};
}

bool ModelConfig::parseExpertTensorName(const std::string& name, int& layer, int& expert, int& part) const
{
    static const std::string head = "model.layers.";
    if (name.rfind(head, 0) != 0)
        return false;
    std::size_t pos = head.size();
    std::size_t dot = name.find('.', pos);
    if (dot == std::string::npos)
        return false;
    try {
        layer = std::stoi(name.substr(pos, dot - pos));
    } catch (...) {
        return false;
    }
    if (!isMoeLayer(layer))
        return false;
    const std::string prefix = expertPrefix(layer);
    if (name.rfind(prefix, 0) != 0)
        return false;
    pos = prefix.size();
    dot = name.find('.', pos);
    if (dot == std::string::npos)
        return false;
    try {
        expert = std::stoi(name.substr(pos, dot - pos));
    } catch (...) {
        return false;
    }
    if (expert < 0 || expert >= numExperts)
        return false;
    const auto names = expertTensorNames(layer, expert);
    for (int i = 0; i < 3; ++i)
        if (names[i] == name) {
            part = i;
            return true;
        }
    return false;
}

std::int64_t ModelConfig::paramsPerExpert() const { return 3 * hiddenSize * expertIntermediate; }

c10::ScalarType ModelConfig::storageDtype() const { return parseDtypeName(dtype); }

std::int64_t ModelConfig::bytesPerExpert() const
{
    return paramsPerExpert() * static_cast<std::int64_t>(c10::elementSize(storageDtype()));
}

std::int64_t ModelConfig::attentionParams() const
{
    const std::int64_t H = hiddenSize;
    std::int64_t n = 2 * H; // input and post-attention norms
    if (mla) {
        const std::int64_t qk = qkHeadDim();
        if (qLoraRank > 0)
            n += H * qLoraRank + qLoraRank + qLoraRank * numHeads * qk;
        else
            n += H * numHeads * qk;
        n += H * (kvLoraRank + qkRopeHeadDim) + kvLoraRank + kvLoraRank * numHeads * (qkNopeHeadDim + vHeadDim);
        n += numHeads * vHeadDim * H;
        if (mlaAttentionBias)
            n += (qLoraRank > 0 ? qLoraRank : 0) + kvLoraRank + qkRopeHeadDim + H;
        return n;
    }
    const std::int64_t q = numHeads * headDim, kv = numKvHeads * headDim;
    n += H * q + 2 * H * kv + q * H;
    if (attentionBias)
        n += q + 2 * kv;
    if (qkHeadNorm)
        n += 2 * headDim;
    if (qkFullNorm)
        n += q + kv;
    return n;
}

namespace {
std::int64_t sharedParams(const ModelConfig& c)
{
    std::int64_t n = 0;
    if (c.sharedIntermediate > 0)
        n += 3 * c.hiddenSize * c.sharedIntermediate;
    if (c.sharedExpertGate)
        n += c.hiddenSize;
    return n;
}
} // namespace

std::int64_t ModelConfig::paramsTotal() const
{
    std::int64_t n = vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2) + hiddenSize;
    for (int l = 0; l < numLayers; ++l) {
        n += attentionParams();
        if (isMoeLayer(l)) {
            n += numExperts * hiddenSize; // router
            if (routing == RoutingKind::DeepseekSigmoid)
                n += numExperts;
            n += numExperts * paramsPerExpert() + sharedParams(*this);
        } else {
            n += 3 * hiddenSize * intermediateSize;
        }
    }
    return n;
}

std::int64_t ModelConfig::paramsActive() const
{
    std::int64_t n = paramsTotal();
    const auto moe = static_cast<std::int64_t>(moeLayers().size());
    n -= moe * (numExperts - topK) * paramsPerExpert();
    return n;
}

} // namespace teft
