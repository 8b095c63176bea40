// config.json parsing of every registered MoE family, the helpers the TEFT engine uses, and the
// refusals of malformed configs.
#include "core/io/CheckpointFiles.h"
#include "core/model/Blocks.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/ModelConfig.h"
#include "core/model/ModelFamily.h"
#include "core/util/Error.h"
#include "support/TestSupport.h"

#include <QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <set>

using namespace teft;
using nlohmann::json;

namespace {

json preset(const std::string& arch, const std::string& size = "tiny")
{
    GenerateOptions o;
    o.arch = arch;
    o.preset = size;
    return generatedConfigJson(o);
}

// Expects fromJson to throw a FormatError whose message contains every fragment.
void expectRefused(const json& doc, const std::vector<std::string>& fragments)
{
    try {
        ModelConfig::fromJson(doc, "test/config.json");
    } catch (const FormatError& e) {
        const std::string msg = e.what();
        for (const auto& f : fragments)
            QVERIFY2(msg.find(f) != std::string::npos, ("message '" + msg + "' lacks '" + f + "'").c_str());
        return;
    }
    QFAIL(("config was accepted, expected refusal mentioning " + fragments.front()).c_str());
}

} // namespace

class TestModelConfig : public QObject {
    Q_OBJECT

private slots:
    // One family per core/model/families/*.cpp, each under its own model_type, its generated
    // config naming it.
    void registryHoldsEveryFamilyFile()
    {
        std::set<std::string> files;
        for (const auto& entry : std::filesystem::directory_iterator(test::sourceDir() / "core/model/families"))
            if (entry.path().extension() == ".cpp")
                files.insert(entry.path().stem().string());
        QCOMPARE(familySpecs().size(), files.size());
        std::set<std::string> types;
        for (const auto& f : familySpecs()) {
            QVERIFY2(types.insert(f.modelType).second, ("registered twice: " + f.modelType).c_str());
            QVERIFY(f.parse && f.presetConfig);
            QCOMPARE(f.presetConfig(presetSizes("tiny"))["model_type"].get<std::string>(), f.modelType);
            QCOMPARE(findFamilySpec(f.modelType), &f);
        }
        QCOMPARE(ModelConfig::supportedModelTypes(), std::vector<std::string>(types.begin(), types.end()));
    }

    void everyFamilyParses()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            for (const std::string size : {"tiny", "small"}) {
                const auto cfg = ModelConfig::fromJson(preset(arch, size));
                QCOMPARE(cfg.modelType, arch);
                QVERIFY(cfg.numExperts > 0);
                QVERIFY(cfg.topK > 0 && cfg.topK <= cfg.numExperts);
                QVERIFY(!cfg.moeLayers().empty());
            }
        }
    }

    void qwenSparseLayers()
    {
        auto doc = preset("qwen3_moe");
        doc["num_hidden_layers"] = 6;
        doc["decoder_sparse_step"] = 2;
        doc["mlp_only_layers"] = {3};
        const auto cfg = ModelConfig::fromJson(doc);
        // (l + 1) % 2 == 0 and l not in mlp_only_layers: 1, 5
        QCOMPARE(cfg.moeLayers(), (std::vector<int>{1, 5}));
        QCOMPARE(cfg.firstMoeLayer(), 1);
        QCOMPARE(cfg.lastMoeLayer(), 5);
    }

    void deepseekDenseFirstLayers()
    {
        auto doc = preset("deepseek_v2");
        doc["num_hidden_layers"] = 5;
        doc["first_k_dense_replace"] = 1;
        doc["moe_layer_freq"] = 2;
        QCOMPARE(ModelConfig::fromJson(doc).moeLayers(), (std::vector<int>{2, 4}));
        auto v3 = preset("deepseek_v3");
        v3["num_hidden_layers"] = 4;
        v3["first_k_dense_replace"] = 2;
        const auto c3 = ModelConfig::fromJson(v3);
        QCOMPARE(c3.moeLayers(), (std::vector<int>{2, 3}));
        QVERIFY(c3.routing == RoutingKind::DeepseekSigmoid);
        QVERIFY(c3.mla);
        QCOMPARE(c3.sharedIntermediate, c3.expertIntermediate * 1);
    }

    void expertNamesPerFamily()
    {
        const auto mix = ModelConfig::fromJson(preset("mixtral"));
        QCOMPARE(mix.expertTensorNames(1, 3),
                 (std::vector<std::string>{"model.layers.1.block_sparse_moe.experts.3.w1.weight",
                                           "model.layers.1.block_sparse_moe.experts.3.w3.weight",
                                           "model.layers.1.block_sparse_moe.experts.3.w2.weight"}));
        QCOMPARE(mix.routerWeightName(0), std::string("model.layers.0.block_sparse_moe.gate.weight"));
        const auto q = ModelConfig::fromJson(preset("qwen2_moe"));
        QCOMPARE(q.expertTensorNames(2, 7)[2], std::string("model.layers.2.mlp.experts.7.down_proj.weight"));
        QCOMPARE(q.sharedExpertPrefix(1), std::string("model.layers.1.mlp.shared_expert."));
        QCOMPARE(q.sharedExpertGateName(1), std::string("model.layers.1.mlp.shared_expert_gate.weight"));
        QVERIFY(q.sharedExpertGate && !mix.hasFusedLayout());
        const auto v3 = ModelConfig::fromJson(preset("deepseek_v3"));
        QCOMPARE(v3.sharedExpertPrefix(1), std::string("model.layers.1.mlp.shared_experts."));
        QCOMPARE(v3.routerScoreBiasName(1), std::string("model.layers.1.mlp.gate.e_score_correction_bias"));
        QCOMPARE(v3.fusedGateUpName(1), std::string("model.layers.1.mlp.experts.gate_up_proj"));
        QVERIFY(!v3.sharedExpertGate);
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto cfg = ModelConfig::fromJson(preset(arch));
            for (int l : cfg.moeLayers())
                for (int e = 0; e < cfg.numExperts; ++e)
                    for (int p = 0; p < 3; ++p) {
                        int L = -1, E = -1, P = -1;
                        QVERIFY(cfg.parseExpertTensorName(cfg.expertTensorNames(l, e)[p], L, E, P));
                        QCOMPARE(L, l);
                        QCOMPARE(E, e);
                        QCOMPARE(P, p);
                    }
        }
        int L, E, P;
        QVERIFY(!q.parseExpertTensorName("model.layers.0.mlp.gate.weight", L, E, P));
        QVERIFY(!q.parseExpertTensorName("model.layers.0.mlp.experts.99.up_proj.weight", L, E, P));
        QVERIFY(!q.parseExpertTensorName("model.layers.0.mlp.experts.1.w1.weight", L, E, P));
    }

    // Parameter counts and bytes per expert against the tensors a generated checkpoint holds.
    void sizesMatchGeneratedTensors()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            const auto cfg = ModelConfig::fromJson(preset(arch));
            const auto weights = randomWeights(cfg, 1, torch::kBFloat16);
            std::int64_t total = 0, expert = 0;
            for (const auto& [name, t] : weights) {
                total += t.numel();
                if (name.rfind(cfg.expertPrefix(cfg.firstMoeLayer()) + "0.", 0) == 0)
                    expert += t.numel();
            }
            QCOMPARE(cfg.paramsTotal(), total);
            QCOMPARE(cfg.paramsPerExpert(), expert);
            QCOMPARE(cfg.bytesPerExpert(), expert * 2);
            const auto moe = static_cast<std::int64_t>(cfg.moeLayers().size());
            QCOMPARE(cfg.paramsActive(), total - moe * (cfg.numExperts - cfg.topK) * expert);
        }
    }

    // The generator draws each tensor while its shard is written: the files hold exactly what
    // randomWeights gives (every family, per-expert and fused where the family has it).
    void generatedFilesHoldRandomWeights()
    {
        for (const auto& arch : ModelConfig::supportedModelTypes()) {
            for (const bool fused : {false, true}) {
                GenerateOptions o;
                o.arch = arch;
                o.seed = 7;
                o.shards = 3;
                o.fusedExperts = fused;
                const auto cfg = ModelConfig::fromJson(generatedConfigJson(o));
                if (fused && !cfg.hasFusedLayout())
                    continue;
                const auto dir = test::freshDir("generated-" + arch + (fused ? "-fused" : ""));
                generateCheckpoint(dir, o);
                const auto files = CheckpointFiles::open(dir);
                QVERIFY(files.sharded());
                const auto expected = randomWeights(cfg, o.seed, o.dtype, fused);
                QCOMPARE(files.names().size(), expected.size());
                for (const auto& [name, t] : expected)
                    QVERIFY2(torch::equal(files.tensor(name), t), (arch + " " + name).c_str());
            }
        }
    }

    // The real Qwen3-30B-A3B dimensions, and a layer count other than the preset's.
    void realShapePreset()
    {
        GenerateOptions o;
        o.preset = "qwen3-30b-a3b";
        const auto full = ModelConfig::fromJson(generatedConfigJson(o));
        QCOMPARE(full.numLayers, std::int64_t(48));
        QCOMPARE(full.hiddenSize, std::int64_t(2048));
        QCOMPARE(full.numExperts, std::int64_t(128));
        QCOMPARE(full.expertIntermediate, std::int64_t(768));
        QCOMPARE(full.topK, std::int64_t(8));
        QCOMPARE(full.numHeads, std::int64_t(32));
        QCOMPARE(full.numKvHeads, std::int64_t(4));
        QCOMPARE(full.headDim, std::int64_t(128));
        QCOMPARE(full.vocabSize, std::int64_t(151936));
        QCOMPARE(full.paramsTotal(), std::int64_t(30532122624)); // Qwen/Qwen3-30B-A3B: 30.5 B
        o.layers = 2;
        QCOMPARE(ModelConfig::fromJson(generatedConfigJson(o)).numLayers, std::int64_t(2));
        o.layers = -1;
        QVERIFY_THROWS_EXCEPTION(UsageError, generatedConfigJson(o));
        o.layers = 0;
        o.preset = "huge";
        QVERIFY_THROWS_EXCEPTION(UsageError, generatedConfigJson(o));
    }

    void ropeBothSpellings()
    {
        auto old = preset("qwen3_moe");
        old["rope_theta"] = 5000.0;
        QCOMPARE(ModelConfig::fromJson(old).rope.theta, 5000.0);
        auto v5 = preset("qwen3_moe");
        v5.erase("rope_theta");
        v5.erase("rope_scaling");
        v5["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", 7000.0}};
        const auto c5 = ModelConfig::fromJson(v5);
        QCOMPARE(c5.rope.theta, 7000.0);
        QCOMPARE(c5.rope.type, std::string("default"));
        auto yarn = preset("deepseek_v3");
        yarn.erase("rope_scaling");
        yarn["rope_parameters"] = {{"rope_type", "yarn"},
                                   {"rope_theta", 10000.0},
                                   {"factor", 8.0},
                                   {"original_max_position_embeddings", 2048},
                                   {"mscale_all_dim", 1.0}};
        const auto cy = ModelConfig::fromJson(yarn);
        QCOMPARE(cy.rope.type, std::string("yarn"));
        QCOMPARE(cy.rope.factor, 8.0);
        QCOMPARE(cy.rope.originalMaxPositions, std::int64_t(2048));
        QCOMPARE(cy.rope.mscaleAllDim, 1.0);
        // dtype from the newer key
        auto d = preset("olmoe");
        d.erase("torch_dtype");
        d["dtype"] = "float32";
        QVERIFY(ModelConfig::fromJson(d).storageDtype() == torch::kFloat);
    }

    void refusals()
    {
        auto unknown = preset("qwen3_moe");
        unknown["model_type"] = "llama4_text";
        expectRefused(unknown, {"unknown model_type 'llama4_text'", "qwen3_moe", "deepseek_v3"});

        auto missing = preset("qwen2_moe");
        missing.erase("moe_intermediate_size");
        expectRefused(missing, {"missing key 'moe_intermediate_size'", "qwen2_moe", "test/config.json"});

        auto missingExperts = preset("mixtral");
        missingExperts.erase("num_local_experts");
        expectRefused(missingExperts, {"num_local_experts"});

        auto act = preset("olmoe");
        act["hidden_act"] = "gelu";
        expectRefused(act, {"hidden_act", "gelu"});

        auto rope = preset("qwen3_moe");
        rope["rope_scaling"] = {{"rope_type", "longrope"}, {"factor", 2.0}};
        expectRefused(rope, {"rope type", "longrope"});

        auto scoring = preset("deepseek_v2");
        scoring["scoring_func"] = "sigmoid";
        expectRefused(scoring, {"scoring_func", "sigmoid"});

        auto method = preset("deepseek_v2");
        method["topk_method"] = "noaux_tc";
        expectRefused(method, {"topk_method", "noaux_tc"});

        auto groups = preset("deepseek_v3");
        groups["n_group"] = 3;
        expectRefused(groups, {"n_group"});

        auto topk = preset("qwen3_moe");
        topk["num_experts_per_tok"] = 99;
        expectRefused(topk, {"num_experts_per_tok"});

        auto type = preset("qwen3_moe");
        type["hidden_size"] = "64";
        expectRefused(type, {"hidden_size", "integer"});

        auto heads = preset("qwen3_moe");
        heads["num_key_value_heads"] = 3;
        expectRefused(heads, {"num_key_value_heads"});

        auto window = preset("qwen2_moe");
        window["use_sliding_window"] = true;
        expectRefused(window, {"use_sliding_window"});

        auto dtype = preset("qwen3_moe");
        dtype["torch_dtype"] = "float8_e4m3fn";
        expectRefused(dtype, {"torch_dtype", "float8_e4m3fn"});

        auto layers = preset("qwen3_moe");
        layers["mlp_only_layers"] = {7};
        expectRefused(layers, {"mlp_only_layers"});

        // A negative eps gave NaN logits with exit code 0; zero divides by zero on a zero row.
        for (double eps : {-1e-6, 0.0, 1.0}) {
            auto norm = preset("qwen3_moe");
            norm["rms_norm_eps"] = eps;
            expectRefused(norm, {"rms_norm_eps", "(0, 1)"});
        }

        expectRefused(json::array(), {"not a JSON object"});
    }

    // Sizes no model comes near are refused before anything is sized by them (found by
    // tests/fuzz: 1e14 layers asked for a 12 TB table, 1e300 was cast to an integer, sizes whose
    // products overflow 64 bits); the largest allowed still gives exact 64-bit counts.
    void implausibleSizes()
    {
        auto layers = preset("qwen3_moe");
        layers["num_hidden_layers"] = 100000000000000LL;
        expectRefused(layers, {"the number of layers is 100000000000000", "at most 4096"});
        auto huge = preset("qwen3_moe");
        huge["hidden_size"] = 1e300;
        expectRefused(huge, {"hidden_size", "out of range", "1e+300"});
        auto unsignedHuge = preset("qwen3_moe");
        unsignedHuge["vocab_size"] = 18446744073709551615ULL;
        expectRefused(unsignedHuge, {"vocab_size", "out of range"});
        auto vocab = preset("qwen3_moe");
        vocab["vocab_size"] = (1 << 22) + 1;
        expectRefused(vocab, {"vocab_size is 4194305", "at most 4194304"});
        auto experts = preset("qwen3_moe");
        experts["num_experts"] = (1 << 14) + 1;
        expectRefused(experts, {"routed experts is 16385"});
        auto shared = preset("deepseek_v3");
        shared["n_shared_experts"] = 9000000000000LL;
        expectRefused(shared, {"n_shared_experts", "0..1024"});
        auto rope = preset("deepseek_v3");
        rope["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 1e300}};
        expectRefused(rope, {"original_max_position_embeddings", "out of range"});
        // 2.0 is still an integer.
        auto two = preset("qwen3_moe");
        two["num_hidden_layers"] = 2.0;
        QCOMPARE(teft::ModelConfig::fromJson(two).numLayers, 2);

        // At every limit at once the count is still exact: the same formula in 128-bit integers.
        auto big = preset("qwen3_moe");
        const std::int64_t w = 1 << 17, layersMax = 1 << 12, heads = 1 << 12, e = 1 << 14, v = 1 << 22;
        big["hidden_size"] = w;
        big["num_hidden_layers"] = layersMax;
        big["num_attention_heads"] = heads;
        big["num_key_value_heads"] = heads;
        big["head_dim"] = w;
        big["vocab_size"] = v;
        big["num_experts"] = e;
        big["num_experts_per_tok"] = 1;
        big["moe_intermediate_size"] = w;
        big["intermediate_size"] = w;
        big["mlp_only_layers"] = json::array();
        big["decoder_sparse_step"] = 1;
        big["attention_bias"] = false;
        const auto c = teft::ModelConfig::fromJson(big);
        using i128 = __int128;
        const i128 H = w, q = i128(heads) * w;
        const i128 attention = 2 * H + H * q + 2 * H * q + q * H + 2 * i128(w); // norms, q/k/v/o, q/k head norms
        const i128 layer = attention + i128(e) * H + i128(e) * 3 * H * w;
        const i128 total = i128(v) * H * (c.tieWordEmbeddings ? 1 : 2) + H + layer * layersMax;
        QVERIFY(total < i128(INT64_MAX));
        QCOMPARE(static_cast<i128>(c.paramsTotal()) == total, true);
    }

    // config.json naming a key twice is refused with the key (transformers keeps the last
    // silently); the same file without the repeat loads.
    void repeatedKeysInConfigFile()
    {
        const auto doc = preset("qwen3_moe");
        const auto dir = test::freshDir("config_dup");
        std::string text = doc.dump();
        const auto writeConfig = [&](const std::string& body) {
            std::ofstream(dir / "config.json", std::ios::binary | std::ios::trunc) << body;
        };
        writeConfig(text);
        QCOMPARE(ModelConfig::load(dir).numExperts, doc.at("num_experts").get<std::int64_t>());
        // Insert a second "num_experts" just after the opening brace.
        writeConfig("{\"num_experts\": 3, " + text.substr(1));
        try {
            (void)ModelConfig::load(dir);
            QFAIL("a config.json with num_experts twice was accepted");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains("num_experts") && QString(e.what()).contains("twice"), e.what());
            QVERIFY2(QString(e.what()).contains("config.json"), e.what());
        }
    }

    // A sequence longer than max_position_embeddings is refused with both figures, not run on
    // rotary angles the model never saw.
    void sequencesBeyondTheModelsPositions()
    {
        auto doc = preset("qwen3_moe");
        doc["max_position_embeddings"] = 32;
        const auto cfg = ModelConfig::fromJson(doc);
        QCOMPARE(ropeTables(cfg, 32, torch::kCPU).cos.size(0), std::int64_t(32));
        try {
            (void)ropeTables(cfg, 33, torch::kCPU);
            QFAIL("a 33-token sequence was accepted by a 32-position model");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains("33 tokens") && QString(e.what()).contains("32 positions"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestModelConfig)
#include "test_model_config.moc"
