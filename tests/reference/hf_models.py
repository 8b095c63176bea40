#!/usr/bin/env python3
"""Hugging Face transformers as the independent reference for TEFT's MoE engine.

Everything is generated locally (no model hub): transformers' own config classes, models built
with AutoModelForCausalLM.from_config, weights saved with save_pretrained.

Subcommands:
  create --arch FAMILY --out DIR --seed N [--dtype bf16|fp32] [--preset tiny]
      A small random checkpoint of the family (mixtral, qwen2_moe, qwen3_moe, olmoe, deepseek_v2,
      deepseek_v3) exercising its features (shared experts and their gate, q/k norms,
      norm_topk_prob, MLA with q_lora_rank, dense first layers, group-limited routing, sigmoid
      scores with e_score_correction_bias, YaRN), initialised with a visible spread so that
      routing is not all ties.
  forward MODEL_DIR --input-ids IDS.json --out OUT.safetensors [--dtype fp32|bf16] [--threads N]
      from_pretrained (eager attention); each row of IDS.json ([[ids...], ...], ragged) is run
      alone, without padding. Writes, as `teft model forward` does:
        logits                [B,T,V] F32 (0 past a row's end)
        routing.<l>.ids       [B,T,k] I64 (-1 past a row's end)
        routing.<l>.weights   [B,T,k] F32 (the weights transformers' router returns)
      and, per MoE layer, the scores the top-k was chosen from (for near-tie checks):
        router.<l>.probs      [B,T,E] F32: softmax of the router logits (mixtral, qwen, olmoe,
                              deepseek_v2); sigmoid(logits) + e_score_correction_bias (deepseek_v3)
      Routing is captured with forward hooks on the routers of transformers' modeling code (each
      returns router_logits, top-k weights, top-k indices). The loading report (missing,
      unexpected, mismatched keys) is checked: anything there is an error (exit status 3).
  loadcheck MODEL_DIR
      Loads with from_pretrained and prints the loading report as JSON; exit status 3 when
      anything is missing, unexpected or mismatched.
  batch JOBS.json [--results OUT.json]
      Runs several of the above in one process (importing transformers takes seconds): JOBS.json
      is a list of argument lists, e.g. [["create", "--arch", "olmoe", ...], ["forward", ...]].
      Every job runs even when an earlier one failed; OUT.json gets one entry per job,
      {"args": [...], "status": 0 | exit status, "error": "..."}; the exit status is the first
      failing job's (0 when all passed).

Exit status: 0 success, 1 error, 2 usage error or transformers missing, 3 transformers reported
missing, unexpected or mismatched weights.
"""

import argparse
import json
import os
import sys

FAMILIES = ("mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "deepseek_v2", "deepseek_v3")


class Failure(Exception):
    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def fail(message, status=1):
    raise Failure(message, status)


os.environ.setdefault("HF_HUB_OFFLINE", "1")  # everything is local; never ask a hub

try:
    import torch
    import transformers
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM
except ImportError as e:  # depends on the environment
    print(f"hf_models.py: error: {e}; create the Python environment with scripts/python-env.sh",
          file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------------------------------------
# create

def tiny_config(arch):
    """A small config of the family, built with transformers' own config class."""
    common = dict(vocab_size=512, hidden_size=64, num_attention_heads=4, num_key_value_heads=2,
                  rms_norm_eps=1e-6, hidden_act="silu", max_position_embeddings=4096,
                  tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    if arch == "mixtral":
        return transformers.MixtralConfig(
            **common, num_hidden_layers=2, intermediate_size=48, num_local_experts=8, num_experts_per_tok=2,
            sliding_window=None, rope_parameters={"rope_type": "default", "rope_theta": 10000.0},
            router_aux_loss_coef=0.02)
    if arch == "qwen2_moe":
        return transformers.Qwen2MoeConfig(
            **common, num_hidden_layers=3, intermediate_size=96, moe_intermediate_size=32, num_experts=8,
            num_experts_per_tok=4, shared_expert_intermediate_size=48, norm_topk_prob=False,
            decoder_sparse_step=1, mlp_only_layers=[1], use_sliding_window=False,
            rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}, router_aux_loss_coef=0.001)
    if arch == "qwen3_moe":
        return transformers.Qwen3MoeConfig(
            **common, num_hidden_layers=2, head_dim=24, intermediate_size=96, moe_intermediate_size=32,
            num_experts=8, num_experts_per_tok=3, norm_topk_prob=True, decoder_sparse_step=1,
            mlp_only_layers=[], attention_bias=False, use_sliding_window=False,
            rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}, router_aux_loss_coef=0.001)
    if arch == "olmoe":
        return transformers.OlmoeConfig(
            **{**common, "tie_word_embeddings": True}, num_hidden_layers=2, intermediate_size=32,
            num_experts=8, num_experts_per_tok=2, norm_topk_prob=False, clip_qkv=None,
            rope_parameters={"rope_type": "default", "rope_theta": 10000.0}, router_aux_loss_coef=0.01)
    mla = dict(num_key_value_heads=4, kv_lora_rank=32, qk_nope_head_dim=16, qk_rope_head_dim=8, v_head_dim=16,
               intermediate_size=96, moe_intermediate_size=32, n_routed_experts=8, first_k_dense_replace=1,
               n_group=4, topk_group=2, attention_bias=False)
    yarn = {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0, "original_max_position_embeddings": 1024,
            "beta_fast": 32.0, "beta_slow": 1.0, "mscale": 0.707, "mscale_all_dim": 0.707}
    if arch == "deepseek_v2":
        # YaRN with mscale != mscale_all_dim (a cos/sin attention factor != 1) and a factor that is
        # not max_position_embeddings / original_max_position_embeddings (transformers 5 uses the
        # factor as given).
        return transformers.DeepseekV2Config(
            **{**common, **mla}, num_hidden_layers=3, q_lora_rank=24, num_experts_per_tok=3, n_shared_experts=2,
            topk_method="group_limited_greedy", routed_scaling_factor=1.5, norm_topk_prob=False,
            rope_parameters={**yarn, "original_max_position_embeddings": 512, "mscale": 1.0, "mscale_all_dim": 0.8})
    if arch == "deepseek_v3":
        return transformers.DeepseekV3Config(
            **{**common, **mla}, num_hidden_layers=3, q_lora_rank=24, num_experts_per_tok=3, n_shared_experts=1,
            routed_scaling_factor=2.5, norm_topk_prob=True, rope_interleave=True, rope_parameters=yarn)
    raise ValueError(f"unknown family {arch!r} (known: {', '.join(FAMILIES)})")


def randomise(model, seed):
    """Deterministic random weights with a visible spread: projections N(0, 0.08), embeddings
    N(0, 1), norms 1 + N(0, 0.1), routers N(0, 0.5) (distinct probabilities), biases N(0, 0.1),
    deepseek_v3's e_score_correction_bias N(0, 0.3) (it matters: it changes choices)."""
    gen = torch.Generator().manual_seed(seed)

    def normal(t, mean, std):
        t.copy_(torch.randn(t.shape, generator=gen, dtype=torch.float32) * std + mean)

    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("norm.weight") or "layernorm" in name:
                normal(p, 1.0, 0.1)
            elif name.endswith(".bias"):
                normal(p, 0.0, 0.1)
            elif "embed_tokens" in name:
                normal(p, 0.0, 1.0)
            elif name.endswith("mlp.gate.weight") or name.endswith("block_sparse_moe.gate.weight") \
                    or name.endswith("shared_expert_gate.weight"):
                normal(p, 0.0, 0.5)
            else:
                normal(p, 0.0, 0.08)
        for name, b in sorted(model.named_buffers()):
            if name.endswith("e_score_correction_bias"):
                normal(b, 0.0, 0.3)


def run_create(args):
    torch.manual_seed(args.seed)
    config = tiny_config(args.arch)
    config._attn_implementation = "eager"
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager", dtype=torch.float32)
    randomise(model, args.seed)
    dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[args.dtype]
    model = model.to(dtype)
    model.config.dtype = dtype
    os.makedirs(args.out, exist_ok=True)
    model.save_pretrained(args.out, safe_serialization=True)
    print(json.dumps({"out": args.out, "model_type": config.model_type,
                      "parameters": sum(p.numel() for p in model.parameters())}))


# ----------------------------------------------------------------------------------------------
# load / forward

def load(model_dir, dtype):
    if not os.path.isfile(os.path.join(model_dir, "config.json")):
        fail(f"{model_dir}: no config.json (not a model folder)")
    model, info = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype, attn_implementation="eager",
                                                       output_loading_info=True)
    report = {k: sorted(str(x) for x in v) for k, v in info.items() if v}
    return model.eval(), report


def routers(model):
    """[(layer index, router module)] of the MoE layers, from transformers' own modules."""
    out = []
    for i, layer in enumerate(model.model.layers):
        block = getattr(layer, "mlp", None)
        if block is None:
            block = getattr(layer, "block_sparse_moe", None)
        gate = getattr(block, "gate", None)
        # Dense MLPs have a gate_proj, not a gate; a MoE block's router is its `gate` module.
        if gate is not None and hasattr(gate, "top_k"):
            out.append((i, gate))
    return out


def choice_scores(router, logits):
    """The scores the router's top-k is taken from, for near-tie checks (not used for routing)."""
    bias = getattr(router, "e_score_correction_bias", None)
    if bias is not None:  # deepseek_v3: sigmoid scores + correction bias
        return logits.float().sigmoid() + bias.float()
    return torch.softmax(logits.float(), dim=-1)


def run_forward(args):
    dtype = {"fp32": torch.float32, "f32": torch.float32, "bf16": torch.bfloat16}[args.dtype]
    model, report = load(args.model, dtype)
    if report:
        fail(f"{args.model}: transformers reports {json.dumps(report)}", 3)
    with open(args.input_ids) as f:
        rows = json.load(f)
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) and r for r in rows):
        fail(f"{args.input_ids}: expected [[ids...], ...]")
    B, T = len(rows), max(len(r) for r in rows)
    V = model.config.vocab_size
    gates = routers(model)
    if not gates:
        fail(f"{args.model}: no MoE router found in {type(model).__name__}")
    captured = {}

    def hook(layer):
        def fn(module, inputs, output):
            router_logits, weights, ids = output
            captured[layer] = (router_logits, weights, ids, choice_scores(module, router_logits))
        return fn

    handles = [g.register_forward_hook(hook(i)) for i, g in gates]
    logits = torch.zeros(B, T, V)
    k = gates[0][1].top_k
    E = gates[0][1].weight.shape[0]
    routing = {i: (torch.full((B, T, k), -1, dtype=torch.int64), torch.zeros(B, T, k), torch.zeros(B, T, E))
               for i, _ in gates}
    with torch.no_grad():
        for b, row in enumerate(rows):
            captured.clear()
            n = len(row)
            out = model(input_ids=torch.tensor([row], dtype=torch.int64), use_cache=False)
            logits[b, :n] = out.logits[0].float()
            for layer, (ids, weights, probs) in routing.items():
                if layer not in captured:
                    fail(f"the router of layer {layer} did not run")
                _, w, i, p = captured[layer]
                ids[b, :n] = i.reshape(n, k)
                weights[b, :n] = w.reshape(n, k).float()
                probs[b, :n] = p.reshape(n, E)
    for h in handles:
        h.remove()
    tensors = {"logits": logits.contiguous()}
    for layer, (ids, weights, probs) in sorted(routing.items()):
        tensors[f"routing.{layer}.ids"] = ids
        tensors[f"routing.{layer}.weights"] = weights
        tensors[f"router.{layer}.probs"] = probs
    tmp = f"{args.out}.tmp-{os.getpid()}"
    save_file(tensors, tmp, metadata={"producer": "tests/reference/hf_models.py",
                                      "model_type": model.config.model_type,
                                      "transformers": transformers.__version__})
    os.replace(tmp, args.out)


def run_loadcheck(args):
    _, report = load(args.model, torch.float32)
    print(json.dumps(report))
    if report:
        sys.exit(3)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        fail(f"{self.prog}: {message}", 2)


def parser():
    ap = Parser(prog="hf_models.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("create")
    c.add_argument("--arch", required=True, choices=FAMILIES)
    c.add_argument("--out", required=True)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--dtype", default="bf16", choices=("bf16", "fp32"))
    c.add_argument("--preset", default="tiny", choices=("tiny",))
    f = sub.add_parser("forward")
    f.add_argument("model")
    f.add_argument("--input-ids", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--dtype", default="fp32", choices=("fp32", "f32", "bf16"))
    f.add_argument("--threads", type=int, default=0)
    f.add_argument("--router-probs", action="store_true", help="accepted for compatibility (always written)")
    lc = sub.add_parser("loadcheck")
    lc.add_argument("model")
    b = sub.add_parser("batch")
    b.add_argument("jobs")
    b.add_argument("--results")
    b.add_argument("--threads", type=int, default=0)
    return ap


def run(argv):
    args = parser().parse_args(argv)
    threads = getattr(args, "threads", 0) or 0
    torch.set_num_threads(threads if threads > 0 else min(os.cpu_count() or 1, 4))
    if args.mode == "batch":
        return run_batch(args)
    {"create": run_create, "forward": run_forward, "loadcheck": run_loadcheck}[args.mode](args)
    return 0


def run_one(argv):
    """(status, error message) of one command."""
    try:
        status = run(argv)
        return status, ("" if status == 0 else "some jobs failed")
    except Failure as e:
        return e.status, str(e)
    except (ValueError, KeyError, OSError, RuntimeError, TypeError, AttributeError) as e:
        return 1, f"{type(e).__name__}: {e}"


def run_batch(args):
    with open(args.jobs) as f:
        jobs = json.load(f)
    if not isinstance(jobs, list) or not all(isinstance(j, list) and j and j[0] != "batch" for j in jobs):
        fail(f"{args.jobs}: expected a list of argument lists (no nested batch)", 2)
    results, first = [], 0
    for job in jobs:
        job = [str(a) for a in job]
        if args.threads > 0 and job[0] == "forward" and "--threads" not in job:
            job += ["--threads", str(args.threads)]
        status, error = run_one(job)
        if status:
            print(f"hf_models.py: {' '.join(job)}: {error}", file=sys.stderr)
            first = first or status
        results.append({"args": job, "status": status, "error": error})
    if args.results:
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1)
    return first


def main():
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    status, error = run_one(sys.argv[1:])
    if error:
        print(f"hf_models.py: error: {error}", file=sys.stderr)
    sys.exit(status)


if __name__ == "__main__":
    main()
