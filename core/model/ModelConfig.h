#pragma once

// The architecture of a Mixture-of-Experts checkpoint, read from its Hugging Face config.json.
// One struct for every supported family; what a family reads and names differently comes from
// its spec in core/model/families/<Family>.cpp (core/model/ModelFamily.h).

#include <c10/core/ScalarType.h>
#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace teft {

// How a MoE layer turns router logits into (expert ids, weights).
enum class RoutingKind {
    SoftmaxTopK,     // mixtral, qwen2_moe, qwen3_moe, olmoe: softmax, top-k, optional renormalise
    DeepseekSoftmax, // deepseek_v2: softmax, greedy or group-limited greedy, x routed_scaling_factor
    DeepseekSigmoid, // deepseek_v3: sigmoid, bias-corrected group/expert choice, weights unbiased
};

struct RopeConfig {
    std::string type = "default"; // "default" or "yarn"
    double theta = 10000.0;
    // YaRN (deepseek): factor, original context, betas, mscale pair.
    double factor = 1.0;
    std::int64_t originalMaxPositions = 0; // 0: max_position_embeddings
    bool hasOriginalMaxPositions = false;
    double betaFast = 32.0;
    double betaSlow = 1.0;
    double mscale = 0.0;
    double mscaleAllDim = 0.0;
    double attentionFactor = 0.0; // 0: derived
};

// What a family calls its MoE tensors, relative to "model.layers.<l>.". The defaults are the names
// most families use; a family's spec overrides what differs.
struct FamilyLayout {
    std::string moeBlock = "mlp"; // <moeBlock>. holds router and experts (mixtral: block_sparse_moe)
    std::string router = "gate";  // <moeBlock>.<router>.weight [E, H]
    // <moeBlock>.<router>.<routerScoreBias> [E]: the score correction of DeepseekSigmoid routing.
    std::string routerScoreBias = "e_score_correction_bias";
    // <moeBlock>.experts.<e>.<name>.weight: the expert's gate, up and down projections
    // (mixtral: w1, w3, w2).
    std::array<std::string, 3> expertProjections{"gate_proj", "up_proj", "down_proj"};
    // transformers v5's fused experts: <moeBlock>.experts.<fusedGateUp> [E, 2I, H] and
    // <moeBlock>.experts.<fusedDown> [E, H, I]. Empty: the family has no fused layout.
    std::string fusedGateUp = "gate_up_proj";
    std::string fusedDown = "down_proj";
    std::string sharedExpert = "shared_experts"; // <moeBlock>.<sharedExpert>.{gate,up,down}_proj
    // <moeBlock>.<sharedExpertGate>.weight [1, H], a sigmoid gate on the shared expert's output
    // (qwen2_moe). Empty: the shared expert is ungated.
    std::string sharedExpertGate;
};

struct ModelConfig {
    std::string modelType;
    FamilyLayout layout; // from the family's spec
    std::string source;  // where it was read from, for error messages

    std::int64_t hiddenSize = 0;
    std::int64_t numLayers = 0;
    std::int64_t numHeads = 0;
    std::int64_t numKvHeads = 0;
    std::int64_t headDim = 0;
    std::int64_t vocabSize = 0;
    std::int64_t maxPositionEmbeddings = 0;
    double rmsNormEps = 1e-6;
    bool tieWordEmbeddings = false;
    std::string dtype = "bfloat16"; // torch_dtype / dtype as written
    RopeConfig rope;

    // Standard attention extras.
    bool attentionBias = false;     // q/k/v biases (qwen2_moe)
    bool outputBias = false;        // o_proj bias (qwen3_moe, olmoe: with attention_bias)
    bool qkHeadNorm = false;        // per-head RMSNorm on q and k (qwen3_moe)
    bool qkFullNorm = false;        // RMSNorm over the whole q / k projection (olmoe)
    double clipQkv = 0.0;           // 0: none (olmoe)
    std::int64_t slidingWindow = 0; // 0: none (mixtral)

    // Multi-head latent attention (deepseek).
    bool mla = false;
    std::int64_t qLoraRank = 0; // 0: plain q_proj
    std::int64_t kvLoraRank = 0;
    std::int64_t qkNopeHeadDim = 0;
    std::int64_t qkRopeHeadDim = 0;
    std::int64_t vHeadDim = 0;
    bool mlaAttentionBias = false; // biases on q_a_proj, kv_a_proj_with_mqa, o_proj
    bool ropeInterleave = false;   // rotate adjacent pairs (deepseek) instead of halves

    // Feed-forward.
    std::int64_t intermediateSize = 0;   // dense layers
    std::int64_t expertIntermediate = 0; // routed expert width
    std::int64_t numExperts = 0;
    std::int64_t topK = 0;
    bool normTopkProb = false;
    RoutingKind routing = RoutingKind::SoftmaxTopK;
    double routedScalingFactor = 1.0;
    std::int64_t nGroup = 1;
    std::int64_t topkGroup = 1;
    bool groupLimited = false;           // deepseek_v2 group_limited_greedy; v3 always
    std::int64_t sharedIntermediate = 0; // 0: no shared expert
    bool sharedExpertGate = false;       // sigmoid(x . w) gate on the shared expert: the layout names one
    double routerAuxLossCoef = 0.0;
    std::vector<bool> moeLayerFlags; // per layer: true when the layer is MoE

    // --- reading --------------------------------------------------------------------------
    // Throws FormatError naming the file and key for missing keys, unknown model_type or
    // unsupported options.
    static ModelConfig fromJson(const nlohmann::json& doc, const std::string& source = "config.json");
    static ModelConfig load(const std::filesystem::path& modelDir);
    // Supported model_type values.
    static std::vector<std::string> supportedModelTypes();

    // --- helpers for the TEFT engine -------------------------------------------------------
    bool isMoeLayer(int layer) const;
    std::vector<int> moeLayers() const;
    int firstMoeLayer() const; // -1 when none
    int lastMoeLayer() const;  // -1 when none
    // Checkpoint names, in the family's layout (`layout`).
    // Expert `expert` of layer `layer`: {gate, up, down} (mixtral: w1, w3, w2; others: gate_proj,
    // up_proj, down_proj).
    std::vector<std::string> expertTensorNames(int layer, int expert) const;
    std::string expertPrefix(int layer) const; // "model.layers.3.mlp.experts." / "...block_sparse_moe.experts."
    std::string moePrefix(int layer) const;    // "model.layers.3.mlp." / "model.layers.3.block_sparse_moe."
    std::string routerWeightName(int layer) const;
    std::string routerScoreBiasName(int layer) const; // e_score_correction_bias (DeepseekSigmoid routing)
    std::string sharedExpertPrefix(int layer) const;  // "model.layers.3.mlp.shared_experts."
    std::string sharedExpertGateName(int layer) const;
    bool hasFusedLayout() const { return !layout.fusedGateUp.empty(); }
    std::string fusedGateUpName(int layer) const; // "model.layers.3.mlp.experts.gate_up_proj"
    std::string fusedDownName(int layer) const;   // "model.layers.3.mlp.experts.down_proj"
    // Parses one of those names back; false when `name` is not a per-expert tensor name.
    bool parseExpertTensorName(const std::string& name, int& layer, int& expert, int& part) const;

    std::int64_t paramsPerExpert() const; // 3 * H * I
    c10::ScalarType storageDtype() const; // from dtype/torch_dtype
    std::int64_t bytesPerExpert() const;  // in storageDtype()
    std::int64_t paramsTotal() const;     // every parameter of the checkpoint
    std::int64_t paramsActive() const;    // per token: hub + top-k routed experts
    std::int64_t attentionParams() const; // one layer's attention, norms included
    std::int64_t qkHeadDim() const { return mla ? qkNopeHeadDim + qkRopeHeadDim : headDim; }
    std::int64_t ropeDim() const { return mla ? qkRopeHeadDim : headDim; }
    std::string familyName() const { return modelType; }
};

// "bfloat16"/"bf16" -> kBFloat16, "float32"/"f32"/"float" -> kFloat, "float16"/"f16"/"half" -> kHalf.
c10::ScalarType parseDtypeName(const std::string& name);
std::string dtypeName(c10::ScalarType t); // "bfloat16", "float32", "float16"

} // namespace teft
