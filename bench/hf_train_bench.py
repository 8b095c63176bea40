#!/usr/bin/env python3
"""Hugging Face transformers baseline for TEFT's MoE engine: the ESFT-style training step a user
would otherwise run with transformers itself.

Subcommands:
  bench DIR --experts SEL.json [--batch 4] [--seq 256] [--steps 3] [--warmup 1] [--threads 0]
            [--dtype bf16|fp32] [--lr 1e-4] [--aux-loss 1] [--experts-impl eager|grouped_mm|batched_mm]
            [--device cpu|cuda:N] [--attn-impl eager|sdpa] [--identify 1]
      Loads DIR with AutoModelForCausalLM.from_pretrained (the chosen attention and experts
      implementations; attention defaults to eager on the CPU, sdpa on CUDA), freezes everything
      except the selected experts ({"layer": [expert ids]}, the file bench_model takes), runs
      AdamW on those only, and prints ONE JSON object: identification (router top-k counts per
      expert, as `teft identify` collects them), forward and training-step tokens/s, peak memory,
      the losses. Same data as bench_model: torch.manual_seed(0) right before
      torch.randint(0, vocab, (batch, seq)) on the CPU, the labels are the inputs (the model
      shifts them), loss over batch x (seq - 1) targets.
      Memory: on the CPU the process's peak RSS (run one configuration per process); on CUDA
      also torch.cuda.max_memory_allocated / max_memory_reserved over the whole run and per
      phase (reset before each), the figures bench_model reports from the same allocator.
      CUDA timings synchronise the device before the clock is read.
  create-qwen3-30b-a3b-layer OUT [--layers 2] [--device cpu|cuda:N]
      Writes a random bf16 qwen3_moe checkpoint with the dimensions of Qwen3-30B-A3B (hidden
      2048, 32 query / 4 KV heads of 128, 128 experts of 768, top-8, vocabulary 151,936) and
      LAYERS layers (1.24 GB for the embeddings and head + 1.24 GB per layer), with
      save_pretrained (two layers: about 3.7 GB). --device cuda:0 draws the random weights on
      the GPU (seconds instead of minutes for many layers).
"""

import argparse
import json
import os
import resource
import sys
import time

# ----------------------------------------------------------------------------------------------
# The real-dimension checkpoint: two Qwen3-30B-A3B layers.

QWEN3_30B_A3B_LAYER = dict(
    vocab_size=151936, hidden_size=2048, intermediate_size=6144, num_hidden_layers=2,
    num_attention_heads=32, num_key_value_heads=4, head_dim=128, moe_intermediate_size=768,
    num_experts=128, num_experts_per_tok=8, norm_topk_prob=True, decoder_sparse_step=1,
    mlp_only_layers=[], rms_norm_eps=1e-6, max_position_embeddings=40960, hidden_act="silu",
    attention_bias=False, tie_word_embeddings=False, router_aux_loss_coef=0.001,
    rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
)


def run_create(args):
    import torch
    from transformers import Qwen3MoeConfig, Qwen3MoeForCausalLM
    if os.path.exists(os.path.join(args.out, "config.json")):
        print(f"{args.out} already holds a checkpoint", file=sys.stderr)
        return
    if args.layers < 1:
        raise ValueError("--layers must be at least 1")
    torch.manual_seed(args.seed)
    torch.set_num_threads(os.cpu_count() or 1)
    config = Qwen3MoeConfig(**dict(QWEN3_30B_A3B_LAYER, num_hidden_layers=args.layers))
    config.architectures = ["Qwen3MoeForCausalLM"]
    # Built directly in bf16 (3.7 GB for two layers, not 7.5 GB of fp32 first); transformers' own
    # init (normal(0, initializer_range) for projections, experts and routers), on args.device.
    with torch.device(args.device):
        model = Qwen3MoeForCausalLM._from_config(config, dtype=torch.bfloat16)
    tmp = args.out.rstrip("/") + f".tmp-{os.getpid()}"
    model.save_pretrained(tmp)
    # transformers 5.17 writes the expert count as "num_local_experts" (Qwen3MoeConfig's
    # attribute_map alias); released Qwen3 configs and teft's loader use "num_experts".
    path = os.path.join(tmp, "config.json")
    with open(path) as f:
        doc = json.load(f)
    doc.setdefault("num_experts", QWEN3_30B_A3B_LAYER["num_experts"])
    with open(path, "w") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}", file=sys.stderr)


# ----------------------------------------------------------------------------------------------
# bench


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def experts_module(layer):
    """The module holding a decoder layer's routed experts (mlp.experts in transformers 5 for all
    six families), or None for a dense layer."""
    mlp = getattr(layer, "mlp", None) or getattr(layer, "block_sparse_moe", None)
    return getattr(mlp, "experts", None) if mlp is not None else None


def select_trainable(model, selection):
    """Freezes every parameter, then makes the selected experts trainable. Returns (tensors for
    the optimizer, number of selected expert parameters, fused?, frozen-row checks).

    transformers 5 stores a layer's experts FUSED (mlp.experts.gate_up_proj [E, 2I, H],
    mlp.experts.down_proj [E, H, I]), so an expert is a row of a 3-D parameter and cannot be
    frozen with requires_grad. The whole tensor requires grad and a hook zeroes the gradient
    rows of the other experts. The optimizer gets the whole tensor: with weight_decay 0 (what
    bench_model and the old pytorch_moe.py bench use) and gradients that are exactly 0 from the
    first step on, AdamW's moments of those rows stay exactly 0 and their update
    lr * 0 / (sqrt(0) + eps) is exactly 0, so the frozen experts do not move (checked after the
    run: frozen_experts_unchanged). No restore step is needed. What it costs, and is part of
    what this baseline measures: autograd computes and stores the gradient of the whole fused
    tensor (all E experts), the hook makes a masked copy of it, and AdamW keeps exp_avg and
    exp_avg_sq for, and runs its arithmetic over, all E experts -- about 3-4x the fused experts'
    size in extra memory per trained layer (for 128 experts of 2048 x 768: 1.2 GB of weights per
    layer, about 4-5 GB extra) instead of a few MB for the selected experts.
    """
    import torch
    for p in model.parameters():
        p.requires_grad_(False)
    layers = model.model.layers
    tensors, selected, checks, fused = [], 0, [], False
    for key, experts in sorted(selection.items(), key=lambda kv: int(kv[0])):
        l = int(key)
        if not 0 <= l < len(layers):
            raise ValueError(f"layer {l} does not exist")
        mod = experts_module(layers[l])
        if mod is None:
            raise ValueError(f"layer {l} has no routed experts")
        ids = sorted({int(e) for e in experts})
        if isinstance(mod, torch.nn.ModuleList):  # one module per expert
            for e in ids:
                for p in mod[e].parameters():
                    p.requires_grad_(True)
                    tensors.append(p)
                    selected += p.numel()
            continue
        fused = True
        for name, p in mod.named_parameters(recurse=False):
            num = p.shape[0]
            if any(e < 0 or e >= num for e in ids):
                raise ValueError(f"layer {l}: expert id out of range 0..{num - 1}")
            keep = torch.zeros(num, dtype=torch.bool)
            keep[ids] = True
            mask = keep.to(p.dtype).view(-1, *([1] * (p.dim() - 1)))
            p.requires_grad_(True)
            p.register_hook(lambda g, m=mask: g * m.to(g.device))
            tensors.append(p)
            selected += p[0].numel() * len(ids)
            checks.append((f"model.layers.{l}.{name}", p, keep.tolist(), row_sums(p)))
    return tensors, selected, fused, checks


def row_sums(p):
    # Per-expert float64 sums (row by row: no full-size temporary).
    return [p[r].double().sum().item() for r in range(p.shape[0])]


def run_bench(args):
    import torch
    import transformers
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(args.threads if args.threads > 0 else (os.cpu_count() or 1))
    dtype = {"bf16": torch.bfloat16, "fp32": torch.float32}[args.dtype]
    device = torch.device(args.device)
    cuda = device.type == "cuda"
    if cuda:
        if not torch.cuda.is_available():
            raise ValueError(f"--device {args.device}: torch {torch.__version__} sees no CUDA GPU")
        if device.index is None:
            device = torch.device("cuda", 0)
        torch.cuda.set_device(device)
    attn = args.attn_impl or ("sdpa" if cuda else "eager")

    def sync():
        if cuda:
            torch.cuda.synchronize(device)

    def cuda_peak(reset=True):
        """Peak allocated / reserved bytes since the last reset (None on the CPU)."""
        if not cuda:
            return None
        sync()
        peak = {"allocated": torch.cuda.max_memory_allocated(device),
                "reserved": torch.cuda.max_memory_reserved(device)}
        if reset:
            torch.cuda.reset_peak_memory_stats(device)
        return peak

    t0 = time.perf_counter()
    kwargs = dict(dtype=dtype, attn_implementation=attn, experts_implementation=args.experts_impl)
    if cuda:
        kwargs["device_map"] = {"": device}  # straight to the GPU, not through a CPU copy
    model = AutoModelForCausalLM.from_pretrained(args.model, **kwargs)
    sync()
    load_s = time.perf_counter() - t0
    rss_loaded = peak_rss_bytes()
    phases = {"load": cuda_peak()}
    impl = model.config._experts_implementation
    if impl != args.experts_impl:
        raise ValueError(f"transformers picked experts implementation {impl!r}, asked {args.experts_impl!r}")
    selection = json.loads(open(args.experts).read()) if os.path.exists(args.experts) else json.loads(args.experts)
    tensors, selected, fused, checks = select_trainable(model, selection)
    cfg = model.config

    # transformers adds router_aux_loss_coef * load-balancing loss to the loss when asked for the
    # router logits; the deepseek families have no such loss in transformers.
    import inspect
    has_aux = "output_router_logits" in inspect.signature(model.forward).parameters
    aux = bool(args.aux_loss) and has_aux
    if args.aux_loss and not has_aux:
        print(f"hf_train_bench: {cfg.model_type} has no load-balancing loss in transformers; "
              "training without it (pass --aux-loss 0 to the engine too)", file=sys.stderr)
    extra = {"output_router_logits": aux} if has_aux else {}

    # The engine's data: manual_seed(0), then randint(0, vocab, {batch, seq}) (bench_model.cpp),
    # drawn on the CPU and moved.
    torch.manual_seed(0)
    ids = torch.randint(0, cfg.vocab_size, (args.batch, args.seq)).to(device)
    tokens = args.batch * args.seq

    model.eval()
    result_identify = {}
    if args.identify and has_aux:
        # Identification as a transformers user would write it: the decoder stack alone (no
        # lm_head) with the router logits, then per MoE layer the top-k of the softmax
        # (renormalised where the config says so), counted per expert on the device and brought
        # to the CPU once per batch (the engine's RoutingStats does the same per layer).
        k = getattr(cfg, "num_experts_per_tok")
        num_experts = getattr(cfg, "num_experts", None) or getattr(cfg, "num_local_experts")
        norm = bool(getattr(cfg, "norm_topk_prob", True))
        counts = torch.zeros(num_experts, dtype=torch.float64)

        def identify_batch():
            out = model.model(input_ids=ids, use_cache=False, output_router_logits=True)
            c = torch.zeros(2, num_experts, dtype=torch.float64, device=device)
            for logits in out.router_logits:
                w, sel = torch.topk(torch.softmax(logits.float(), dim=-1), k, dim=-1)
                if norm:
                    w = w / w.sum(dim=-1, keepdim=True)
                c[0] += torch.bincount(sel.reshape(-1), minlength=num_experts).double()
                c[1] += torch.bincount(sel.reshape(-1), weights=w.reshape(-1).double(), minlength=num_experts)
            return c.cpu()[0]

        with torch.no_grad():
            for _ in range(args.warmup):
                identify_batch()
            sync()
            cuda_peak()
            t0 = time.perf_counter()
            for _ in range(args.steps):
                counts += identify_batch()
            sync()
            identify_s = (time.perf_counter() - t0) / args.steps
        expected = args.steps * tokens * k * len(out_layers(model))
        result_identify = {
            "identify_s": identify_s,
            "identify_tokens_per_s": tokens / identify_s,
            "identify_assignments": int(counts.sum().item()),
            "identify_assignments_expected": expected,
        }
        phases["identify"] = cuda_peak()
    elif args.identify:
        print(f"hf_train_bench: {cfg.model_type} returns no router logits here; identification skipped",
              file=sys.stderr)

    with torch.no_grad():
        for _ in range(args.warmup):
            model(input_ids=ids, labels=ids, use_cache=False)
        sync()
        cuda_peak()
        t0 = time.perf_counter()
        for _ in range(args.steps):
            model(input_ids=ids, labels=ids, use_cache=False)
        sync()
        forward_s = (time.perf_counter() - t0) / args.steps
    rss_forward = peak_rss_bytes()
    phases["forward"] = cuda_peak()

    model.train()
    opt = torch.optim.AdamW(tensors, lr=args.lr, weight_decay=0.0)  # see select_trainable
    losses = []

    def step():
        out = model(input_ids=ids, labels=ids, use_cache=False, **extra)
        out.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(out.loss.item())

    for _ in range(args.warmup):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync()
    train_s = (time.perf_counter() - t0) / args.steps
    rss_peak = peak_rss_bytes()
    # The training phase's peak includes the warm-up steps (AdamW's state is created there).
    phases["train"] = cuda_peak()

    # Fused experts: the frozen rows must be bit-identical, the selected ones must have moved.
    unchanged, moved = True, True
    for name, p, keep, before in checks:
        after = row_sums(p)
        unchanged &= all(a == b for a, b, k in zip(after, before, keep) if not k)
        moved &= all(a != b for a, b, k in zip(after, before, keep) if k)
    if not unchanged:
        print("hf_train_bench: frozen experts moved", file=sys.stderr)
    if not moved:
        print("hf_train_bench: warning: a selected expert did not change (not routed to?)", file=sys.stderr)
    result = {
        "implementation": "transformers",
        "experts_implementation": impl,
        "attn_implementation": cfg._attn_implementation,
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "model": args.model,
        "model_type": cfg.model_type,
        "dtype": args.dtype,
        "device": str(device),
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "seq": args.seq,
        "steps": args.steps,
        "aux_loss": aux,
        "fused_experts": fused,
        "trainable_parameters": selected,
        "optimizer_parameters": sum(t.numel() for t in tensors),
        "total_parameters": sum(p.numel() for p in model.parameters()),
        "load_s": load_s,
        **result_identify,
        "forward_s": forward_s,
        "forward_tokens_per_s": tokens / forward_s,
        "train_step_s": train_s,
        "train_tokens_per_s": tokens / train_s,
        "peak_rss_after_load_bytes": rss_loaded,
        "peak_rss_forward_bytes": rss_forward,
        "peak_rss_bytes": rss_peak,
        "frozen_experts_unchanged": unchanged,
        "selected_experts_changed": moved,
        "losses": losses,
    }
    if cuda:
        result["gpu_name"] = torch.cuda.get_device_name(device)
        result["cuda_phase_peak_bytes"] = phases
        result["cuda_peak_allocated_bytes"] = max(p["allocated"] for p in phases.values())
        result["cuda_peak_reserved_bytes"] = max(p["reserved"] for p in phases.values())
    print(json.dumps(result, indent=2))
    if not unchanged:
        sys.exit(3)


def out_layers(model):
    """The decoder layers that hold routed experts."""
    return [l for l in model.model.layers if experts_module(l) is not None]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    bn = sub.add_parser("bench")
    bn.add_argument("model")
    bn.add_argument("--experts", required=True, help='JSON file or text: {"layer": [expert, ...]}')
    bn.add_argument("--batch", type=int, default=4)
    bn.add_argument("--seq", type=int, default=256)
    bn.add_argument("--steps", type=int, default=3)
    bn.add_argument("--warmup", type=int, default=1)
    bn.add_argument("--threads", type=int, default=0, help="0: all cores")
    bn.add_argument("--dtype", default="bf16", choices=("bf16", "fp32"))
    bn.add_argument("--lr", type=float, default=1e-4)
    bn.add_argument("--aux-loss", type=int, default=1, help="add the load-balancing loss (1/0)")
    bn.add_argument("--experts-impl", default="eager",
                    help="transformers experts_implementation: eager, grouped_mm, batched_mm")
    bn.add_argument("--attn-impl", default=None,
                    help="transformers attn_implementation (default: eager on the CPU, sdpa on CUDA)")
    bn.add_argument("--device", default="cpu", help="cpu or cuda:N")
    bn.add_argument("--identify", type=int, default=1,
                    help="also time identification (router top-k counts per expert) (1/0)")
    cr = sub.add_parser("create-qwen3-30b-a3b-layer")
    cr.add_argument("out")
    cr.add_argument("--seed", type=int, default=0)
    cr.add_argument("--layers", type=int, default=2)
    cr.add_argument("--device", default="cpu", help="where the random weights are drawn (cpu, cuda:N)")
    args = ap.parse_args()
    {"bench": run_bench, "create-qwen3-30b-a3b-layer": run_create}[args.cmd](args)


if __name__ == "__main__":
    try:
        main()
    except (ValueError, KeyError, OSError) as e:
        print(f"hf_train_bench.py: error: {e}", file=sys.stderr)
        sys.exit(1)
